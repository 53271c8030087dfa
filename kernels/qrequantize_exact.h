// The two U8/S8 requantizations, each independent of the caller's rounding
// mode. requantize_exact: rne(acc * scale) clamped to [lo, hi] (integers),
// exact, the one definition that the scalar int8 kernel and the core's
// epilogue (reference, depthwise) share with the AVX2 and NEON tiles.
// requantize_float_first: the float-first one of the AVX-512 epilogue and
// the AVX2 pointwise stream (kernels/qgemm_args.h), for that stream's
// scalar path.
//
// `static`: each translation unit gets its own copy compiled with its own
// flags (the kernel TUs are built per ISA; a shared inline function could be
// kept by the linker as an AVX-512 copy for all of them).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

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

// The float nearest x (ties to even) as a double, in every rounding mode;
// x beyond the float range comes back unchanged (the callers clamp it to
// integer bounds far inside). A float conversion gives one of x's two
// float neighbours whatever the mode; their midpoint has 25 bits and the
// differences from x are exact (Sterbenz), so the choice is exact too.
static inline double round_to_float_nearest(double x) {
  if (!(std::fabs(x) <= 3.4028234663852886e38)) return x;
  const float c = static_cast<float>(x);
  if (static_cast<double>(c) == x) return x;
  const float other = std::nextafter(c, x > c ? HUGE_VALF : -HUGE_VALF);
  const double dc = std::fabs(x - c), dother = std::fabs(x - other);
  if (dc != dother) return dc < dother ? c : other;
  uint32_t bits;
  std::memcpy(&bits, &c, sizeof bits);
  return (bits & 1u) == 0 ? c : other;  // the tie: the even significand
}

// The float-first requantization (the AVX-512 epilogue's, with embedded
// round-to-nearest, and the AVX2 pointwise stream's in the default mode):
// rne(fl(fl(acc) * scale)) clamped to [lo, hi], fl rounding to the nearest
// float, ties to even; computed here exactly, in every mode (the stream
// kernel's path when the caller's mode is not round-to-nearest). Within 1
// of requantize_exact: fl moves the product by an ulp at most.
static inline double requantize_float_first(int32_t acc, float scale, double lo, double hi) {
  const double a = round_to_float_nearest(static_cast<double>(acc));
  const double y = round_to_float_nearest(a * static_cast<double>(scale));  // 24 x 24 bits: exact
  const double v = y < lo ? lo : (y > hi ? hi : y);
  const double f = std::floor(v);
  const double half = f + 0.5;  // exact: |f| <= 511
  if (v > half) return f + 1.0;
  if (v < half) return f;
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

}  // namespace kernels
}  // namespace ndconv
