// indirect-gemm's interior columns (algorithms/indirect_gemm_plan.h): the
// output columns whose every tap along the innermost dim reads the input.
// A block of them takes the previous block's plan moved along the line
// (shift_block_taps), so a column wrongly called interior would read
// padding as input. Checked against a brute-force walk over stride,
// dilation, kernel width, padding and input width, and with values near
// INT64_MAX (no overflow: the asan stage runs UBSan).
#include <gtest/gtest.h>

#include <limits>

#include "algorithms/indirect_gemm_plan.h"
#include "api/conv_shape.h"

namespace ndconv {
namespace test {
namespace {

using dispatch::ConvShape;
using dispatch::indirect::InteriorColumns;

ConvShape line_shape(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad) {
  ConvShape s;
  s.rank = 1;
  s.in_size[0] = in;
  s.kernel[0] = kernel;
  s.stride[0] = stride;
  s.dilation[0] = dilation;
  s.pad_begin[0] = pad;
  return s;
}

// Every tap of output column ox reads inside [0, in).
bool reads_inside(int64_t ox, int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad) {
  for (int64_t kx = 0; kx < kernel; ++kx) {
    const int64_t x = ox * stride - pad + kx * dilation;
    if (x < 0 || x >= in) return false;
  }
  return true;
}

TEST(InteriorColumns, MatchesABruteForceWalk) {
  for (int64_t in = 1; in <= 12; ++in)
    for (int64_t kernel = 1; kernel <= 5; ++kernel)
      for (int64_t stride = 1; stride <= 4; ++stride)
        for (int64_t dilation = 1; dilation <= 3; ++dilation)
          for (int64_t pad = 0; pad <= 6; ++pad) {
            const InteriorColumns cols(line_shape(in, kernel, stride, dilation, pad));
            for (int64_t a = 0; a < 16; ++a)
              for (int64_t b = a; b < 16; ++b) {
                bool all = true;
                for (int64_t ox = a; ox <= b; ++ox) all &= reads_inside(ox, in, kernel, stride, dilation, pad);
                ASSERT_EQ(cols.holds(size_t(a), size_t(b)), all)
                    << "in " << in << " kernel " << kernel << " stride " << stride << " dilation " << dilation
                    << " pad " << pad << " columns " << a << ".." << b;
              }
          }
}

TEST(InteriorColumns, HugeStrideDilationOrPadding) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  // A stride past the input: only column 0 can be interior (pad 0, kernel 1).
  EXPECT_TRUE(InteriorColumns(line_shape(5, 1, big, 1, 0)).holds(0, 0));
  EXPECT_FALSE(InteriorColumns(line_shape(5, 1, big, 1, 0)).holds(0, 1));
  // A dilated kernel wider than any input: no column.
  EXPECT_FALSE(InteriorColumns(line_shape(5, 3, 1, big, 0)).holds(0, 0));
  // Padding near the limit: the interior starts far along the line.
  const InteriorColumns padded(line_shape(5, 1, 1, 1, big - 1));
  EXPECT_FALSE(padded.holds(0, 0));
  EXPECT_FALSE(padded.holds(size_t(1) << 40, size_t(1) << 40));
}

}  // namespace
}  // namespace test
}  // namespace ndconv
