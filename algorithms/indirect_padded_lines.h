// indirect-gemm's padded-lines loop (Tuning::indirect_padded_lines): rank-2
// channels-last convolutions whose taps merge a whole kernel row (the stem:
// 3 input channels, 7x7, stride 2). Each input row a task reads is copied
// once into a ring of rows padded with zeros on both sides, so every output
// pixel's run of kernel[1] x C_in floats lies inside one padded row: every
// full M block inside an output line runs the strided kernel on one pointer
// per kernel row (ky), found by arithmetic, with no indirection entries, no
// border gathers and no pointer kernel at the line ends. Blocks across lines
// and the short last block take the pointer kernel on the same padded rows.
//
// The ring holds R = (kernel[0] - 1) * dilation[0] + 1 + (lines a block can
// touch - 1) * stride[0] rows, slot iy % R: the rows of one M block are R
// consecutive input rows at most, so they never share a slot, and blocks
// move forward, so a row is refilled only once no later block needs it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "api/conv_shape.h"
#include "gemm/weight_packing.h"
#include "kernels/gemm_args.h"

namespace ndconv {
namespace dispatch {

// Capacities of the per-task arrays.
constexpr size_t kMaxPaddedRingRows = 64;
constexpr size_t kMaxPaddedTaps = 64;  // kernel rows
constexpr size_t kMaxPaddedMR = 16;

// The geometry, fixed at plan creation; rows == 0: the shape does not take
// the loop.
struct PaddedLines {
  size_t rows = 0;        // R: ring slots
  size_t row_floats = 0;  // floats of a padded row: ((out_w - 1) * stride + kernel) * C_in
  int64_t pad_x = 0;      // zeros before the row's first pixel
  int64_t width = 0;      // input pixels per row
  size_t cin = 0;
};

// Whether shape s (merged taps of `span` pixels) takes the loop with
// `scratch_floats` of per-task scratch and an MR-row tile.
inline PaddedLines plan_padded_lines(const ConvShape& s, int64_t span, size_t MR,
                                     size_t scratch_floats) {
  PaddedLines p;
  if (s.rank != 2 || s.groups != 1 || span != s.kernel[1] || span < 2 || s.dilation[1] != 1 ||
      MR > kMaxPaddedMR || s.kernel[0] > static_cast<int64_t>(kMaxPaddedTaps))
    return p;
  const int64_t out_w = s.out_size[1], cin = s.in_channels;
  // Lines an M block of MR consecutive pixels can touch.
  const int64_t lines = (static_cast<int64_t>(MR) - 1 + out_w - 1) / out_w + 1;
  int64_t ext = 0, rows = 0, row_pixels = 0, row_floats = 0, total = 0;
  if (__builtin_mul_overflow(s.kernel[0] - 1, s.dilation[0], &ext) ||
      __builtin_mul_overflow(lines - 1, s.stride[0], &rows) ||
      __builtin_add_overflow(rows, ext + 1, &rows) ||
      __builtin_mul_overflow(out_w - 1, s.stride[1], &row_pixels) ||
      __builtin_add_overflow(row_pixels, span, &row_pixels) ||
      __builtin_mul_overflow(row_pixels, cin, &row_floats) ||
      __builtin_mul_overflow(rows, row_floats, &total))
    return p;
  if (rows > static_cast<int64_t>(kMaxPaddedRingRows) ||
      total > static_cast<int64_t>(scratch_floats))
    return p;
  p.rows = static_cast<size_t>(rows);
  p.row_floats = static_cast<size_t>(row_floats);
  p.pad_x = s.pad_begin[1];
  p.width = s.in_size[1];
  p.cin = static_cast<size_t>(cin);
  return p;
}

// The ring of padded rows of one image, in a task's scratch.
class PaddedRowRing {
 public:
  PaddedRowRing(const PaddedLines& p, const float* image, float* scratch)
      : p_(p), image_(image), slots_(scratch) {
    for (size_t i = 0; i < p.rows; ++i) tags_[i] = -1;
  }

  // Input row iy (inside the input) padded: pixel x at float (x + pad_x) * C_in.
  const float* row(int64_t iy) {
    const size_t slot = static_cast<size_t>(iy) % p_.rows;
    float* d = slots_ + slot * p_.row_floats;
    if (tags_[slot] != iy) {
      tags_[slot] = iy;
      fill(d, image_ + iy * p_.width * static_cast<int64_t>(p_.cin));
    }
    return d;
  }

 private:
  // Zeros, the row's pixels that fall inside the padded row, zeros.
  void fill(float* d, const float* src) const {
    const int64_t n = static_cast<int64_t>(p_.row_floats), ci = static_cast<int64_t>(p_.cin);
    const int64_t lo = std::min(n, p_.pad_x * ci);
    const int64_t hi = std::min(n, (p_.pad_x + p_.width) * ci);
    std::fill(d, d + lo, 0.0f);
    if (hi > lo) std::memcpy(d + lo, src, static_cast<size_t>(hi - lo) * sizeof(float));
    std::fill(d + std::max(lo, hi), d + n, 0.0f);
  }

  const PaddedLines& p_;
  const float* image_;
  float* slots_;
  int64_t tags_[kMaxPaddedRingRows];
};

// What the loop reads of the plan.
struct PaddedLinesTask {
  const ConvShape* s;
  const PaddedLines* lines;
  const kernels::GemmRowsKernel* rows_uk;
  const kernels::GemmRowsStridedKernel* strided_uk;  // null fn: none
  const PackedWeights* packed;
  const float* zero;        // kc_tap zeros
  size_t kc_tap;            // kernel[1] x C_in
  size_t line_floats;       // floats per cache line (the C prefetch's step)
  kernels::GemmOutput out;  // the epilogue (c, accumulate, clamp set per call)
};

// Rows [m0, m1) (one image's output pixels), columns [n0, n1), of output c.
void padded_lines_task(const PaddedLinesTask& x, const float* image, float* scratch, size_t m0,
                       size_t m1, size_t n0, size_t n1, float* c, size_t ldc);

}  // namespace dispatch
}  // namespace ndconv
