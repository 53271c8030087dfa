// rne(acc * scale) clamped to [lo, hi] (integers), exact and independent of
// the caller's rounding mode: the one definition of the U8/S8 requantization
// that the scalar int8 kernel and the core's epilogue (reference, depthwise)
// share, so every path gives the same byte.
//
// `static`: each translation unit gets its own copy compiled with its own
// flags (the kernel TUs are built per ISA; a shared inline function could be
// kept by the linker as an AVX-512 copy for all of them).
#pragma once

#include <cmath>
#include <cstdint>

namespace ndconv {
namespace kernels {

// In double, acc and scale are exact; p = acc * scale is one rounding of the
// exact x, and err = fma(acc, scale, -p) = x - p exactly, in every mode. p
// is clamped first (integer bounds: the clamp of the rounding); then p is a
// half-integer or x and p round alike (the argument in kernels/qgemm_args.h),
// and a half-integer p is decided by err's sign (0: x is the tie, to even).
// floor and the comparisons are exact in every mode.
static inline double requantize_exact(int32_t acc, float scale, double lo, double hi) {
  const double a = acc, s = scale;
  const double p = a * s;
  const double v = p < lo ? lo : (p > hi ? hi : p);
  const double f = std::floor(v);
  const double half = f + 0.5;  // exact: |f| <= 511
  if (v > half) return f + 1.0;
  if (v < half) return f;
  const double err = std::fma(a, s, -p);  // only here: ties are rare
  if (err != 0.0) return err > 0.0 ? f + 1.0 : f;
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

}  // namespace kernels
}  // namespace ndconv
