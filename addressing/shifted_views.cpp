#include "addressing/shifted_views.h"

#include "addressing/ceil_div.h"

#include <algorithm>

namespace ndconv {
namespace dispatch {

bool build_shifted_view_offsets(const NgramGeometry& g, AlignedArray<ptrdiff_t>* offsets) {
  if (g.stride != 1 || g.span != 1 || g.hi <= g.lo) return true;
  if (!offsets->resize(g.K)) return false;
  for (size_t t = 0; t < g.k; ++t)
    for (size_t e = 0; e < g.cin; ++e)
      (*offsets)[t * g.cin + e] = static_cast<ptrdiff_t>(e * g.L + t) - static_cast<ptrdiff_t>(g.pad);
  return true;
}

void ShiftedViews::gather_panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR,
                                float* scratch) const {
  const size_t L = g->L, span = g->span, cin = g->cin;
  for (size_t kk = 0; kk < kc; ++kk) {
    const size_t k = k0 + kk, tap = k / cin, e = k % cin;
    const size_t t = tap / span, q = tap % span;
    const float* src = image + e * L * span + q;
    float* dst = scratch + kk * NR;
    // Columns [j_lo, j_hi) read inside the sequence (source rows
    // r0 + j * stride in [0, L)), the others padding: three plain loops,
    // the middle one a contiguous copy when stride and span are 1.
    const ptrdiff_t r0 = g->source(n, t), stride = static_cast<ptrdiff_t>(g->stride);
    const ptrdiff_t columns = static_cast<ptrdiff_t>(nr), len = static_cast<ptrdiff_t>(L);
    // (Ceiling divisions by the stride; none for stride 1, where a panel
    // row is 16 or 32 floats and a division would cost as much.)
    auto ceil_div = [stride](ptrdiff_t a) { return stride == 1 ? a : ceil_div_nonneg(a, stride); };
    const ptrdiff_t j_lo = r0 >= 0 ? 0 : std::min(columns, ceil_div(-r0));
    const ptrdiff_t j_hi = r0 >= len ? j_lo : std::max(j_lo, std::min(columns, ceil_div(len - r0)));
    for (ptrdiff_t j = 0; j < j_lo; ++j) dst[j] = 0.0f;
    if (stride == 1 && span == 1) {
      const float* run = src + r0;  // dereferenced only for j in [j_lo, j_hi)
      for (ptrdiff_t j = j_lo; j < j_hi; ++j) dst[j] = run[j];
    } else
      for (ptrdiff_t j = j_lo; j < j_hi; ++j) dst[j] = src[static_cast<size_t>(r0 + j * stride) * span];
    for (ptrdiff_t j = j_hi; j < columns; ++j) dst[j] = 0.0f;
  }
}

}  // namespace dispatch
}  // namespace ndconv
