// LineInterior (addressing/line_runs.h): the output columns whose every tap
// along the innermost dim reads the input. indirect-gemm moves the previous
// block's plan along the line for blocks of them (shift_block_taps), and the
// int8 depthwise and grouped paths step their rows across them, so a column
// wrongly called interior would read padding as input. Checked against a
// brute-force walk over stride, dilation, kernel width, padding and input
// width, and on shapes the validation accepts with strides, dilations and
// padding near INT64_MAX (the asan stage runs UBSan).
#include <gtest/gtest.h>

#include <limits>

#include "addressing/line_runs.h"
#include "api/conv_shape.h"

namespace ndconv {
namespace test {
namespace {

using dispatch::ConvShape;
using dispatch::LineInterior;

struct Line {
  int64_t in, kernel, stride, dilation, pad, out;
};

ConvShape line_shape(const Line& l) {
  ConvShape s;
  s.rank = 1;
  s.in_size[0] = l.in;
  s.kernel[0] = l.kernel;
  s.stride[0] = l.stride;
  s.dilation[0] = l.dilation;
  s.pad_begin[0] = l.pad;
  s.out_size[0] = l.out;
  return s;
}

// Every tap of output column ox reads inside [0, in) (128-bit: no overflow).
bool reads_inside(int64_t ox, const Line& l) {
  for (int64_t kx = 0; kx < l.kernel; ++kx) {
    const __int128 x = __int128{ox} * l.stride - l.pad + __int128{kx} * l.dilation;
    if (x < 0 || x >= l.in) return false;
  }
  return true;
}

void expect_matches_walk(const Line& l) {
  const LineInterior r = LineInterior::of(line_shape(l));
  for (int64_t ox = 0; ox < l.out; ++ox)
    ASSERT_EQ(size_t(ox) >= r.lo && size_t(ox) < r.hi, reads_inside(ox, l))
        << "in " << l.in << " kernel " << l.kernel << " stride " << l.stride << " dilation " << l.dilation
        << " pad " << l.pad << " column " << ox << " of " << l.out << " (interior " << r.lo << ".." << r.hi << ")";
}

TEST(LineInterior, MatchesABruteForceWalk) {
  for (int64_t in = 1; in <= 12; ++in)
    for (int64_t kernel = 1; kernel <= 5; ++kernel)
      for (int64_t stride = 1; stride <= 4; ++stride)
        for (int64_t dilation = 1; dilation <= 3; ++dilation)
          for (int64_t pad = 0; pad <= 6; ++pad) expect_matches_walk({in, kernel, stride, dilation, pad, 16});
}

TEST(LineInterior, HugeStrideDilationOrPadding) {
  constexpr int64_t kHuge = int64_t{1} << 60, kMax = std::numeric_limits<int64_t>::max();
  const Line lines[] = {
      {8, 3, kMax, 1, 1, 1},          // the largest stride: one column, reading padding
      {5, 1, kMax, 1, 0, 1},          // ... and one that reads the input
      {12, 3, 1, kHuge, 2 * kHuge, 12},  // a dilated kernel spanning the padding: no interior
      {8, 4, kHuge, 1, kHuge, 2},     // huge stride and padding
  };
  for (const Line& l : lines) expect_matches_walk(l);
  EXPECT_EQ(LineInterior::of(line_shape(lines[1])).hi, 1u);  // the walk must have something to find
}

}  // namespace
}  // namespace test
}  // namespace ndconv
