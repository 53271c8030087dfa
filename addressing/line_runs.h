// Runs of output pixels along the innermost dimension for the int8
// channels-last row-pointer kernels (int8 depthwise, int8 grouped); the
// interior columns also for indirect-gemm, whose blocks of them reuse the
// previous block's plan (shift_block_taps). Within
// an output line, the pixels whose taps all read inside the input are evenly
// spaced in it, so their rows follow from the first pixel's by a step: the
// depthwise kernel takes pixel 0's rows and the step, the grouped algorithm
// steps the pointers. Building every pointer from the indirection was 15-16%
// of dw3x3_mbv2's and grouped_g4x16's time (AMD EPYC Zen 5, AVX-512 VNNI).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "addressing/indirection.h"
#include "api/conv_shape.h"

namespace ndconv {
namespace dispatch {

// The output x in [lo, hi) of every line whose first tap reads x >= 0 and
// last tap x < the input's width along the innermost dim (empty when
// lo >= hi). By divisions: the stride may be near INT64_MAX.
struct LineInterior {
  size_t lo = 0, hi = 0;

  static LineInterior of(const ConvShape& s) {
    const int r = s.rank - 1;
    const int64_t st = s.stride[r], pad = s.pad_begin[r], width = s.out_size[r];
    const int64_t lo = pad == 0 ? 0 : (pad - 1) / st + 1;
    const int64_t last = s.in_size[r] - 1 - (s.kernel[r] - 1) * s.dilation[r] + pad;  // x * st <= last
    const int64_t hi = last < 0 ? 0 : last / st + 1;
    return {static_cast<size_t>(std::min(lo, width)), static_cast<size_t>(std::min(hi, width))};
  }
};

// Calls run(p, q, evenly) for consecutive runs [p, q) covering output pixels
// [p0, p1) (flat over an image's out_pixels), each inside one output line:
// evenly true when none of the run's pixels reads padding (the line's
// interior, on a line whose taps stay inside the input in the other dims),
// so pixel i's tap t reads pixel p's tap t plus (i - p) strides.
template <class Run>
void for_each_line_run(const ConvShape& s, LineInterior interior, const int64_t* entries, size_t p0, size_t p1,
                       Run&& run) {
  const size_t width = static_cast<size_t>(s.out_size[s.rank - 1]);
  const size_t taps = static_cast<size_t>(s.kernel_taps());
  for (size_t p = p0; p < p1;) {
    const size_t line = p - p % width, end = std::min(p1, line + width);
    const size_t lo = line + interior.lo, hi = line + interior.hi;
    const size_t q = p < lo ? std::min(end, lo) : p < hi ? std::min(end, hi) : end;
    const int64_t* e = entries + p * taps;
    const bool evenly = p >= lo && p < hi && std::none_of(e, e + taps, [](int64_t x) { return x == kPaddingTap; });
    run(p, q, evenly);
    p = q;
  }
}

}  // namespace dispatch
}  // namespace ndconv
