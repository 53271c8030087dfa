// The channels-first direct grouped kernel (kernels/grouped_ncx.hpp) alone,
// every entry of every ISA this CPU runs (one test each, named after it:
// GroupedNcx/GroupedNcxTiles.MatchesALoopOnEveryWidthAndChannelCount/
// f32_grouped_ncx_4x64__avx512): every line width from 1 to past two register
// blocks (each pixel-vector tail), 1 to the kernel's output channels, several
// lines and input channels, tap offsets of a strided line copy, the clamp, and
// no store past `width` or into channels past out_channels.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "plan/isa_select.h"
#include "kernels/kernel_table.h"
#include "tests/support/kernel_tables.h"

namespace {

using namespace ndconv::kernels;

using ndconv::test::kernel_cases;
using ndconv::test::KernelCase;
using ndconv::test::KernelCaseName;

class GroupedNcxTiles : public ::testing::TestWithParam<KernelCase<GroupedNcxKernel>> {};

struct Geometry {
  size_t lines, channels, kernel_w, out_channels;
  std::vector<ptrdiff_t> tap_offset;  // per kx, into a line copy
  bool clamp;
};

TEST_P(GroupedNcxTiles, MatchesALoopOnEveryWidthAndChannelCount) {
  const Geometry geometries[] = {
      {1, 1, 1, 1, {0}, false},
      {3, 4, 3, 4, {0, 1, 2}, true},        // 3x3, stride 1 (ResNeXt)
      {2, 3, 3, 3, {0, 40, 1}, false},      // stride 2: phases 0, 1, 0
      {0, 2, 2, 2, {0, 2}, true},           // every outer tap padding: bias only
      {4, 1, 2, 4, {3, 0}, false},
  };
  constexpr float kLo = -0.3f, kHi = 0.4f, kSentinel = 12345.0f;
  uint64_t seed = 7;
  const KernelTable* table = GetParam().table;
  const GroupedNcxKernel& uk = GetParam().kernel;
  ASSERT_NE(uk.fn, nullptr);
  const size_t CO = uk.out_channels;
  for (const Geometry& geo : geometries)
    for (size_t width = 1; width <= 2 * 4 * table->vector_floats + 5; ++width) {
      const size_t out_channels = std::min(CO, geo.out_channels);
      const size_t taps = std::max<size_t>(geo.lines, 1) * geo.kernel_w;
      const ptrdiff_t max_offset = *std::max_element(geo.tap_offset.begin(), geo.tap_offset.end());
      const size_t channel_stride = width + static_cast<size_t>(max_offset) + 3;
      // Each line's copy, exactly as long as it must be (ASan catches reads past it).
      std::vector<std::vector<float>> copies(geo.lines);
      std::vector<const float*> line(geo.lines);
      std::vector<uint32_t> line_tap(geo.lines);
      for (size_t l = 0; l < geo.lines; ++l) {
        copies[l].resize(geo.channels * channel_stride);
        ndconv::test::fill_random(copies[l].data(), copies[l].size(), ++seed);
        line[l] = copies[l].data();
        line_tap[l] = static_cast<uint32_t>(l * geo.kernel_w);
      }
      std::vector<float> weights = ndconv::test::random_tensor(geo.channels * taps * CO, ++seed);
      std::vector<float> bias = ndconv::test::random_tensor(CO, ++seed);
      for (size_t i = 0; i < weights.size(); ++i)
        if (i % CO >= out_channels) weights[i] = 0.0f;
      for (size_t co = out_channels; co < CO; ++co) bias[co] = 0.0f;
      const size_t out_plane = width + 7;
      std::vector<float> out(CO * out_plane, kSentinel);

      GroupedNcxArgs a;
      a.line = line.data();
      a.line_tap = line_tap.data();
      a.lines = geo.lines;
      a.in_channels = geo.channels;
      a.channel_stride = channel_stride;
      a.tap_offset = geo.tap_offset.data();
      a.kernel_w = geo.kernel_w;
      a.taps = taps;
      a.weights = weights.data();
      a.bias = bias.data();
      a.out = out.data();
      a.out_plane = out_plane;
      a.out_channels = out_channels;
      a.width = width;
      a.lo = geo.clamp ? kLo : -std::numeric_limits<float>::infinity();
      a.hi = geo.clamp ? kHi : std::numeric_limits<float>::infinity();
      uk.fn(a);

      for (size_t co = 0; co < CO; ++co)
        for (size_t x = 0; x < out_plane; ++x) {
          const float got = out[co * out_plane + x];
          if (co >= out_channels || x >= width) {
            ASSERT_EQ(got, kSentinel) << "isa " << table->isa << " wrote channel " << co << " pixel " << x
                                      << " of width " << width;
            continue;
          }
          double want = bias[co];
          size_t terms = 0;
          for (size_t l = 0; l < geo.lines; ++l)
            for (size_t ci = 0; ci < geo.channels; ++ci)
              for (size_t kx = 0; kx < geo.kernel_w; ++kx, ++terms)
                want += static_cast<double>(copies[l][ci * channel_stride + geo.tap_offset[kx] + x]) *
                        weights[(ci * taps + line_tap[l] + kx) * CO + co];
          if (geo.clamp) want = std::min<double>(kHi, std::max<double>(kLo, want));
          ASSERT_NEAR(got, want, 1e-6 * (terms + 4))
              << "isa " << table->isa << " width " << width << " channel " << co << " pixel " << x;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(GroupedNcx, GroupedNcxTiles,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::grouped_ncx_tiles)),
                         KernelCaseName());

}  // namespace
