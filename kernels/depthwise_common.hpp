// Shared pieces of the depthwise row kernels (kernels/depthwise.hpp): the
// compile-time counts that unroll pixel and vector blocks, the valid taps
// and interior pixels of a row, and the activation bounds.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {
namespace depthwise {

// A compile-time count, so a generic lambda can unroll over it.
template <int N>
struct Count {
  static constexpr int value = N;
};

// Calls f(Count<n>{}) for a run-time n in [1, Max] (nothing for n == 0).
template <int Max, class F>
inline void with_count(int n, F& f) {
  if constexpr (Max >= 1) {
    if (n == Max)
      f(Count<Max>{});
    else
      with_count<Max - 1>(n, f);
  }
}

// ceil(a / b) for a >= 0, b > 0, without the overflow of (a + b - 1) / b when
// a and b are near INT64_MAX (huge dilations and strides are valid shapes).
inline ptrdiff_t ceil_div(ptrdiff_t a, ptrdiff_t b) { return a / b + (a % b != 0); }

// Taps [*lo, *hi) of a k-tap window that starts at input position `base`
// (negative inside the leading padding) with dilation d, that land in
// [0, extent).
inline void valid_taps(ptrdiff_t base, ptrdiff_t d, ptrdiff_t k, ptrdiff_t extent, ptrdiff_t* lo,
                       ptrdiff_t* hi) {
  ptrdiff_t l = base >= 0 ? 0 : ceil_div(-base, d);
  ptrdiff_t h = base > extent - 1 ? 0 : (extent - 1 - base) / d + 1;
  if (h > k) h = k;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

// Output pixels [*xl, *xr) whose whole window lies inside the input row.
inline void interior_range(const DepthwiseParams& p, size_t* xl, size_t* xr) {
  const ptrdiff_t s = static_cast<ptrdiff_t>(p.stride_w);
  const ptrdiff_t pad = static_cast<ptrdiff_t>(p.pad_w);
  const ptrdiff_t span = static_cast<ptrdiff_t>((p.kernel_w - 1) * p.dilation_w);
  const ptrdiff_t w_out = static_cast<ptrdiff_t>(p.out_width);
  ptrdiff_t l = ceil_div(pad, s);  // first x with x*s - pad >= 0
  const ptrdiff_t last = static_cast<ptrdiff_t>(p.in_width) - 1 + pad - span;  // x*s <= last
  ptrdiff_t r = last < 0 ? 0 : last / s + 1;
  if (l > w_out) l = w_out;
  if (r > w_out) r = w_out;
  if (r < l) r = l;
  *xl = static_cast<size_t>(l);
  *xr = static_cast<size_t>(r);
}

struct Bounds {
  float lo, hi;
};
inline Bounds activation_bounds(const Activation& act) {
  if (act.kind == NDCONV_ACT_CLAMP) return {act.min, act.max};
  return {0.0f, __builtin_inff()};  // RELU (NONE never clamps)
}

}  // namespace depthwise
}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
