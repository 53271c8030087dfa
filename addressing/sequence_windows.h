// Operand A of a full-width ("n-gram") convolution read as a channels-last
// GEMM, C = A x W: A row m = (image, l) is the window of k sequence steps that
// output position l reads, addressed in place in the input (no im2col).
// Interior windows are one tap of K = k * step contiguous floats; border
// windows are k taps of one step each, a padding tap reading a zero step.
// NgramGeometry is the arithmetic both forms (and the channels-first shifted
// views, addressing/shifted_views.h) share.
#pragma once

#include <algorithm>
#include <cstddef>

#include "api/conv_shape.h"

namespace ndconv {
namespace dispatch {

// The sequence axis (dim 0) and the rest. A "step" is everything one sequence
// position holds: span = prod(in_size[1..]) pixels of C_in channels.
struct NgramGeometry {
  size_t batch = 0, L = 0, Lo = 0, k = 0, stride = 1, pad = 0;
  size_t span = 1, cin = 0, cout = 0;
  size_t step = 0;   // floats of one sequence step in memory order: span * cin
  size_t K = 0;      // k * span * cin
  // Output positions whose window lies entirely inside the sequence: [lo, hi).
  size_t lo = 0, hi = 0;

  explicit NgramGeometry(const ConvShape& s) {
    batch = static_cast<size_t>(s.batch);
    L = static_cast<size_t>(s.in_size[0]);
    Lo = static_cast<size_t>(s.out_size[0]);
    k = static_cast<size_t>(s.kernel[0]);
    stride = static_cast<size_t>(s.stride[0]);
    pad = static_cast<size_t>(s.pad_begin[0]);
    for (int d = 1; d < s.rank; ++d) span *= static_cast<size_t>(s.in_size[d]);
    cin = static_cast<size_t>(s.in_channels);
    cout = static_cast<size_t>(s.out_channels);
    step = span * cin;
    K = k * step;
    // l*stride - pad >= 0 and l*stride - pad + k <= L.
    lo = std::min(Lo, (pad + stride - 1) / stride);
    hi = L + pad >= k ? std::min(Lo, (L + pad - k) / stride + 1) : 0;
    hi = std::max(hi, lo);
  }
  // Input sequence position of tap t of output position l (may be outside [0, L)).
  ptrdiff_t source(size_t l, size_t t) const {
    return static_cast<ptrdiff_t>(l * stride + t) - static_cast<ptrdiff_t>(pad);
  }
  bool inside(ptrdiff_t r) const { return r >= 0 && r < static_cast<ptrdiff_t>(L); }
};

// Interior A rows: row m's window as one tap of K contiguous floats
// (a RowFn of gemm_rows_task: row(m, tap)).
struct InteriorWindowRows {
  const float* input;
  const NgramGeometry* g;
  const float* operator()(size_t m, size_t) const {
    const size_t image = m / g->Lo, l = m % g->Lo;
    return input + (image * g->L + l * g->stride - g->pad) * g->step;
  }
};

// Border A rows: tap `tap` of row m's window is one step of the input, or
// `zero` (a step of zeros) where the window reads padding.
struct BorderTapRows {
  const float* input;
  const NgramGeometry* g;
  const float* zero;
  const float* operator()(size_t m, size_t tap) const {
    const size_t image = m / g->Lo, l = m % g->Lo;
    const ptrdiff_t src = g->source(l, tap);
    return g->inside(src) ? input + (image * g->L + static_cast<size_t>(src)) * g->step : zero;
  }
};

// The text-CNN block's A rows (stride 1, no padding, one step = E floats):
// window r of a run of sentences is word r % Lo of sentence r / Lo.
struct SentenceWindowRows {
  const float* first_sentence;
  size_t L, Lo, E;
  const float* operator()(size_t r, size_t) const { return first_sentence + ((r / Lo) * L + r % Lo) * E; }
};

}  // namespace dispatch
}  // namespace ndconv
