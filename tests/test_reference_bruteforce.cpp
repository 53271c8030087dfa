// The reference convolution (a gather: each output element sums its inputs)
// against an independent brute-force formula (a scatter: each input element
// adds its contribution to every output it reaches), for ranks 4 and 5 and
// beyond, both layouts, both weight layouts, groups, strides, dilations,
// padding and bias. Then the same shapes through the public API.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "api/conv_shape.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace {

using ndconv::dispatch::ConvShape;

// Advances a row-major multi-index; false after the last one.
bool next_index(std::vector<int64_t>& idx, const int64_t* extent) {
  for (size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < extent[d]) return true;
    idx[d] = 0;
  }
  return false;
}

int64_t linear(const std::vector<int64_t>& idx, const int64_t* extent) {
  int64_t r = 0;
  for (size_t d = 0; d < idx.size(); ++d) r = r * extent[d] + idx[d];
  return r;
}

// Scatter formulation, before activation; output in s.layout order.
std::vector<double> scatter_conv(const ConvShape& s, const std::vector<float>& x,
                                 const std::vector<float>& w, const std::vector<float>& bias) {
  const int64_t P = s.in_pixels(), Q = s.out_pixels(), T = s.kernel_taps();
  const int64_t I = s.in_channels / s.groups, Og = s.out_channels / s.groups;
  const bool nxc = s.layout == NDCONV_NXC;
  std::vector<double> y(s.output_elements(), 0.0);
  auto out_at = [&](int64_t n, int64_t o, int64_t q) -> double& {
    return y[nxc ? (n * Q + q) * s.out_channels + o : (n * s.out_channels + o) * Q + q];
  };
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t o = 0; o < s.out_channels; ++o)
      for (int64_t q = 0; q < Q; ++q) out_at(n, o, q) = bias[o];
  const size_t rank = static_cast<size_t>(s.rank);
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t c = 0; c < s.in_channels; ++c) {
      const int64_t g = c / I, i = c % I;
      std::vector<int64_t> pos(rank, 0);
      do {
        const int64_t p = linear(pos, s.in_size);
        const double xv = x[nxc ? (n * P + p) * s.in_channels + c : (n * s.in_channels + c) * P + p];
        std::vector<int64_t> tap(rank, 0);
        do {
          // Which output (if any) reads input `pos` through kernel tap `tap`?
          std::vector<int64_t> out(rank);
          bool hit = true;
          for (size_t d = 0; d < rank && hit; ++d) {
            const int64_t num = pos[d] + s.pad_begin[d] - tap[d] * s.dilation[d];
            hit = num >= 0 && num % s.stride[d] == 0 && num / s.stride[d] < s.out_size[d];
            out[d] = hit ? num / s.stride[d] : 0;
          }
          if (!hit) continue;
          const int64_t t = linear(tap, s.kernel), q = linear(out, s.out_size);
          for (int64_t o = g * Og; o < (g + 1) * Og; ++o) {
            const double wv = s.weight_layout == NDCONV_OIX ? w[(o * I + i) * T + t]
                                                            : w[(t * I + i) * s.out_channels + o];
            out_at(n, o, q) += xv * wv;
          }
        } while (next_index(tap, s.kernel));
      } while (next_index(pos, s.in_size));
    }
  return y;
}

ndconv_conv_desc make_desc(int rank, ndconv_layout layout, ndconv_weight_layout wl, uint64_t seed) {
  // Small but irregular sizes derived from the seed, so every dimension differs.
  ndconv_conv_desc d = {};
  d.rank = rank;
  d.layout = layout;
  d.weight_layout = wl;
  d.batch = 1 + seed % 2;
  d.groups = 1 + seed % 2;
  d.in_channels = d.groups * (1 + seed % 3);
  d.out_channels = d.groups * (1 + (seed / 2) % 2);
  d.padding = static_cast<ndconv_padding>(seed % 4);
  d.activation = static_cast<ndconv_activation>((seed / 3) % 3);
  d.act_min = -0.3f;
  d.act_max = 0.4f;
  for (int i = 0; i < rank; ++i) {
    const uint64_t h = seed * 31 + i * 7;
    const bool small = rank > 5;  // keep 6..8-D problems to a few thousand pixels
    d.in_size[i] = small ? 2 + h % 2 : 3 + h % 3;
    d.kernel[i] = 1 + (h / 3) % (small ? 2 : 3);
    d.stride[i] = (h / 9) % 3;        // 0 (= 1), 1, 2
    d.dilation[i] = 1 + (h / 27) % 2;
    d.pad_begin[i] = (h / 5) % 2;
    d.pad_end[i] = (h / 11) % 3;
  }
  return d;
}

void check_rank(int rank, int cases) {
  int checked = 0;
  for (uint64_t seed = 1; checked < cases; ++seed) {
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC})
      for (ndconv_weight_layout wl : {NDCONV_OIX, NDCONV_XIO}) {
        const ndconv_conv_desc d = make_desc(rank, layout, wl, seed);
        ConvShape s;
        if (ndconv::dispatch::validate_desc(&d, &s) != NDCONV_OK) continue;  // kernel too big
        const auto sizes = ndconv::test::tensor_sizes(d);
        const auto x = ndconv::test::random_tensor(sizes.input, seed * 4 + 1);
        const auto w = ndconv::test::random_tensor(sizes.weights, seed * 4 + 2);
        const auto bias = ndconv::test::random_tensor(sizes.bias, seed * 4 + 3);
        const auto want = scatter_conv(s, x, w, bias);
        const auto ref = ndconv::test::reference_output(d, x.data(), w.data(), bias.data());
        ASSERT_EQ(ref.value.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i) {
          double expect = want[i];
          if (s.activation == NDCONV_ACT_RELU) expect = std::fmax(expect, 0.0);
          if (s.activation == NDCONV_ACT_CLAMP) expect = std::fmin(std::fmax(expect, s.act_min), s.act_max);
          ASSERT_NEAR(ref.value[i], expect, 1e-12 * (1 + ref.magnitude[i]))
              << "element " << i << " of " << ndconv::test::describe(d);
        }
        ndconv::test::RunOptions opt;
        opt.seed = seed;
        ASSERT_TRUE(ndconv::test::create_run_and_check(d, opt));
        ++checked;
      }
  }
}

TEST(ReferenceBruteForce, Rank4) { check_rank(4, 24); }
TEST(ReferenceBruteForce, Rank5) { check_rank(5, 12); }
TEST(ReferenceBruteForce, Ranks1To3And6To8) {
  for (int rank : {1, 2, 3, 6, 7, 8}) check_rank(rank, rank <= 3 ? 24 : 4);
}

}  // namespace
