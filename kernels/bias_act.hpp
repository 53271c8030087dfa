// Bias + activation epilogue over a row-major block, vectorized along rows.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch, bool kClamp>
void bias_act_impl(float* y, size_t rows, size_t cols, ptrdiff_t ld, const float* bias,
                   bool bias_per_column, float lo, float hi) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  const vec vlo = S::set1(lo), vhi = S::set1(hi);
  auto finish = [&](vec v) {
    if (kClamp) v = S::min(vhi, S::max(vlo, v));
    return v;
  };
  for (size_t r = 0; r < rows; ++r) {
    float* row = y + static_cast<ptrdiff_t>(r) * ld;
    const vec row_bias = (bias && !bias_per_column) ? S::set1(bias[r]) : S::zero();
    size_t c = 0;
    for (; c + W <= cols; c += W) {
      vec b = (bias && bias_per_column) ? S::load(bias + c) : row_bias;
      S::store(row + c, finish(S::add(S::load(row + c), b)));
    }
    if (c < cols) {
      const size_t n = cols - c;
      vec b = (bias && bias_per_column) ? S::load_partial(bias + c, n) : row_bias;
      S::store_partial(row + c, finish(S::add(S::load_partial(row + c, n), b)), n);
    }
  }
}

template <class Arch>
void bias_act(float* y, size_t rows, size_t cols, ptrdiff_t ld, const float* bias,
              bool bias_per_column, const Activation& act) {
  switch (act.kind) {
    case NDCONV_ACT_RELU:
      bias_act_impl<Arch, true>(y, rows, cols, ld, bias, bias_per_column, 0.0f,
                                __builtin_inff());
      break;
    case NDCONV_ACT_CLAMP:
      bias_act_impl<Arch, true>(y, rows, cols, ld, bias, bias_per_column, act.min, act.max);
      break;
    default:
      bias_act_impl<Arch, false>(y, rows, cols, ld, bias, bias_per_column, 0.0f, 0.0f);
      break;
  }
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
