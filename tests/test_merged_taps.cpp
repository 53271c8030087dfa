// indirect-gemm's merged taps (channels-last, small C_in: a kernel row's
// pixels read as one run) under every ISA, through both of its loops: the
// indirection buffer's runs and the ring of padded rows
// (algorithms/indirect_padded_lines.h), each forced by its measure-mode
// candidate, and the default plan. Stride 1 and 2, C_in 1..5, kernel widths
// 1..7, padding on both sides, dilation 1 and 2 between kernel rows, lines
// shorter and longer than an M block, output channels off the vector width;
// which shapes the padded loop takes.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "algorithms/indirect_padded_lines.h"
#include "api/conv_shape.h"
#include "tests/isa_param.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace test {
namespace {

ndconv_conv_desc merged_desc(int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t kh,
                             int64_t kw, int64_t stride, int64_t dilation) {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.layout = NDCONV_NXC;
  d.weight_layout = NDCONV_XIO;
  d.batch = 2;
  d.in_channels = cin;
  d.out_channels = cout;
  d.groups = 1;
  d.in_size[0] = h;
  d.in_size[1] = w;
  d.kernel[0] = kh;
  d.kernel[1] = kw;
  d.stride[0] = d.stride[1] = stride;
  d.dilation[0] = 1;
  d.dilation[1] = dilation;
  // Both sides padded, unevenly: runs cross the left and the right border.
  d.pad_begin[0] = kh / 2;
  d.pad_end[0] = (kh - 1) / 2;
  d.pad_begin[1] = kw / 2;
  d.pad_end[1] = (kw + 1) / 2;
  d.padding = NDCONV_PAD_EXPLICIT;
  d.activation = NDCONV_ACT_CLAMP;
  d.act_min = -0.3f;
  d.act_max = 0.4f;
  return d;
}

// Creates desc's plan as `candidate` (nullptr: the default plan), runs it,
// checks it against the reference; the plan's kernel name in *name.
::testing::AssertionResult run_candidate(const ndconv_conv_desc& d, const char* candidate,
                                         std::string* name) {
  const TensorSizes n = tensor_sizes(d);
  const std::vector<float> x = random_tensor(n.input, 11), w = random_tensor(n.weights, 12),
                           b = random_tensor(n.bias, 13);
  ndconv_create_options o = {};
  o.candidate = candidate;
  ndconv_conv* conv = nullptr;
  if (ndconv_conv_create_ex(&d, w.data(), b.data(), candidate ? &o : nullptr, &conv) != NDCONV_OK)
    return ::testing::AssertionFailure() << "create: " << ndconv_last_error();
  *name = ndconv_conv_kernel_name(conv);
  std::vector<float> y(n.output, -1.0f);
  const ndconv_status st = ndconv_conv_run(conv, x.data(), y.data(), nullptr);
  ndconv_conv_destroy(conv);
  if (st != NDCONV_OK) return ::testing::AssertionFailure() << "run: " << ndconv_last_error();
  return matches_reference(d, x.data(), w.data(), b.data(), y.data());
}

class MergedTaps : public IsaTest {};

// Every loop on every shape of the sweep: the same answer as the reference.
TEST_P(MergedTaps, BothLoopsMatchTheReference) {
  const char* const loops[] = {"indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=padded",
                               "indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=indexed",
                               nullptr};
  for (int64_t stride : {1, 2})
    for (int64_t cin = 1; cin <= 5; ++cin)
      for (int64_t kw = 1; kw <= 7; ++kw) {
        // Lines of 37 pixels (several M blocks, none ending at a line end)
        // or 5 (blocks across lines); C_out 5..11 and 37 (a vector tail).
        const int64_t w = (cin + kw) % 2 ? 37 : 5, cout = kw == 7 ? 37 : 4 + kw;
        ndconv_conv_desc d = merged_desc(cin, cout, 6, w, 1 + kw % 4, kw, stride, 1);
        d.dilation[0] = 1 + cin % 2;  // rows of taps 1 or 2 input rows apart
        for (const char* loop : loops) {
          std::string name;
          ASSERT_TRUE(run_candidate(d, loop, &name))
              << (loop ? loop : "default") << ' ' << describe(d);
          EXPECT_EQ(name.rfind("indirect-gemm/", 0), 0u) << name;
          EXPECT_NE(name.find(ndconv_isa_name(GetParam())), std::string::npos) << name;
        }
      }
}

// The stem's geometry, smaller: 3 channels, 7x7, stride 2, padding 3; lines
// of 56 output pixels (4 M blocks of 14, and a partial one elsewhere), several
// N panels; also 2 threads; dilation 2 along the line (never merged).
TEST_P(MergedTaps, StemAndDilation) {
  for (int64_t dilation : {1, 2})
    for (const char* loop : {"indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=padded",
                             "indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=indexed"}) {
      ndconv_conv_desc d = merged_desc(3, 70, 13, 111, 7, 7, 2, dilation);
      d.pad_begin[0] = d.pad_end[0] = d.pad_begin[1] = d.pad_end[1] = 3;
      std::string name;
      ASSERT_TRUE(run_candidate(d, loop, &name)) << loop << ' ' << describe(d);
      RunOptions o;
      ndconv_threadpool* pool = ndconv_threadpool_create(2);
      ASSERT_NE(pool, nullptr);
      o.pool = pool;
      EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
      ndconv_threadpool_destroy(pool);
    }
}

// A stride near INT64_MAX along the line, one output pixel per line (the
// fuzzer found the padded loop computing stride x C_in before any check:
// signed overflow, which UBSan in the asan preset reports): both loops and
// the default plan match the reference.
TEST_P(MergedTaps, HugeStrideAlongTheLine) {
  for (const char* loop : {"indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=padded",
                           "indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=indexed",
                           static_cast<const char*>(nullptr)}) {
    ndconv_conv_desc d = merged_desc(8, 5, 16, 6, 3, 3, 1, 1);
    d.stride[1] = std::numeric_limits<int64_t>::max() / 5;
    std::string name;
    ASSERT_TRUE(run_candidate(d, loop, &name)) << (loop ? loop : "default") << ' ' << describe(d);
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, MergedTaps, ::testing::ValuesIn(available_isas()), isa_test_name);

using dispatch::ConvShape;
using dispatch::PaddedLines;
using dispatch::plan_padded_lines;

ConvShape shape_of(const ndconv_conv_desc& d) {
  ConvShape s;
  EXPECT_EQ(dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  return s;
}

// Which shapes the padded loop takes (independent of the ISA: MR = 14).
TEST(PaddedLines, TakesMergedRank2ShapesOnly) {
  constexpr size_t kScratch = 8192, MR = 14;
  // The stem: 7 rows of taps, and a block of 14 pixels touches 2 of the 112
  // output lines, one stride apart: 9 padded rows of (111 * 2 + 7) * 3 floats.
  ndconv_conv_desc stem = merged_desc(3, 64, 224, 224, 7, 7, 2, 1);
  stem.pad_begin[0] = stem.pad_end[0] = stem.pad_begin[1] = stem.pad_end[1] = 3;
  const PaddedLines p = plan_padded_lines(shape_of(stem), 7, MR, kScratch);
  EXPECT_EQ(p.rows, 9u);
  EXPECT_EQ(p.row_floats, 687u);
  EXPECT_EQ(p.pad_x, 3);
  // Dilation along the line: runs are not contiguous.
  EXPECT_EQ(plan_padded_lines(shape_of(merged_desc(3, 8, 9, 20, 3, 3, 1, 2)), 3, MR, kScratch).rows,
            0u);
  // Taps not merged (span 1), or a span other than the kernel width.
  EXPECT_EQ(plan_padded_lines(shape_of(merged_desc(3, 8, 9, 20, 3, 3, 1, 1)), 1, MR, kScratch).rows,
            0u);
  // Rows longer than the scratch holds (8192 floats for 9 rows).
  EXPECT_EQ(
      plan_padded_lines(shape_of(merged_desc(5, 8, 9, 600, 3, 3, 1, 1)), 3, MR, kScratch).rows, 0u);
  // Rank 3 and groups take the indirection buffer's runs.
  ndconv_conv_desc r3 = merged_desc(2, 4, 5, 6, 3, 3, 1, 1);
  r3.rank = 3;
  r3.in_size[2] = 7;
  r3.kernel[2] = 3;
  r3.stride[2] = r3.dilation[2] = 1;
  EXPECT_EQ(plan_padded_lines(shape_of(r3), 3, MR, kScratch).rows, 0u);
  ndconv_conv_desc grouped = merged_desc(4, 8, 9, 20, 3, 3, 1, 1);
  grouped.groups = 2;
  EXPECT_EQ(plan_padded_lines(shape_of(grouped), 3, MR, kScratch).rows, 0u);
}

}  // namespace
}  // namespace test
}  // namespace ndconv
