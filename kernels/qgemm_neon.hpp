// The AArch64 family of the int8 tile (qgemm_simd_loop.hpp): 4 int32 columns
// per vector. NeonDot: the dot-product extension (sdot, -march=armv8.2-a+
// dotprod, chosen by HWCAP_ASIMDDP). sdot multiplies s8 by s8 and usdot
// (u8 x s8) needs i8mm, which not every dot-product core has, so the kernel
// takes s = u - 128 (signed_a: the loop XORs with 0x80 once more, free for S8
// input) and adds 128 * (the column's weight sum), summed by one more sdot
// against ones per weight vector: the contract's bias is unchanged.
// NeonWidening: no dot product (Cortex-A57/A72 class): exact 16-bit widening,
// smull and pairwise adds. The epilogue: F32 output follows FPCR in the
// int-to-float conversion and the product, as any float arithmetic does;
// U8/S8 never FPCR (requantize2 below, the argument in kernels/qgemm_args.h):
// in double, the product's error by fma decides the half-integer case, the
// rest is vrndnq_f64.
#pragma once

#include <arm_neon.h>

#include <cstring>

#include "kernels/qgemm_simd_loop.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct Neon128 {
  using Acc = int32x4_t;
  static constexpr size_t lanes = 4;
  static constexpr bool full_width_store = false;

  static NDCONV_QINLINE Acc splat(uint32_t v) { return vreinterpretq_s32_u32(vdupq_n_u32(v)); }
  // n < 4 real elements: through a zeroed copy, never past them.
  template <class T>
  static NDCONV_QINLINE void load_partial(const T* p, size_t n, T (&tmp)[4]) {
    for (size_t k = 0; k < 4; ++k) tmp[k] = k < n ? p[k] : T(0);
  }
  static NDCONV_QINLINE Acc load_bias(const int32_t* p, size_t n) {
    if (n >= 4) return vld1q_s32(p);
    int32_t tmp[4];
    load_partial(p, n, tmp);
    return vld1q_s32(tmp);
  }

  struct Epilogue {
    const QEpilogue& e;
    explicit Epilogue(const QEpilogue& epi) : e(epi) {}

    NDCONV_QINLINE float32x4_t scaled(int32x4_t acc, size_t col, size_t n) const {
      float tmp[4];
      const float* s = e.scale + col;
      if (n < 4) {
        load_partial(s, n, tmp);
        s = tmp;
      }
      return vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(s));
    }

    // rne(acc * s) clamped to [lo, hi] (integers), 2 columns, exact in every
    // FPCR mode: in double acc and s are exact and acc * s is one rounding p
    // of the exact x; err = acc * s - p is exact (fused). p is clamped first
    // (integer bounds: the clamp of the rounding). Then p is a half-integer
    // or x and p round alike (qgemm_args.h); a half-integer p (rare: tested,
    // then a branch) is x's tie only if err == 0, else err's sign decides.
    static NDCONV_QINLINE int64x2_t requantize2(int32x2_t acc, float32x2_t s, float64x2_t lo, float64x2_t hi) {
      const float64x2_t a = vcvtq_f64_s64(vmovl_s32(acc)), sd = vcvt_f64_f32(s);
      const float64x2_t p = vmulq_f64(a, sd);
      const float64x2_t v = vminq_f64(vmaxq_f64(p, lo), hi);
      float64x2_t r = vrndnq_f64(v);
      // v - r is exact (|v| <= 511), +-0.5 exactly where v is a half-integer
      // (never a clamped one: then v == p).
      const float64x2_t half = vdupq_n_f64(0.5);
      const uint64x2_t tie = vceqq_f64(vabdq_f64(v, r), half);
      if (vmaxvq_u32(vreinterpretq_u32_u64(tie)) != 0) {
        const float64x2_t err = vfmaq_f64(vnegq_f64(p), a, sd);
        r = vbslq_f64(vandq_u64(tie, vcgtzq_f64(err)), vaddq_f64(v, half), r);
        r = vbslq_f64(vandq_u64(tie, vcltzq_f64(err)), vsubq_f64(v, half), r);
      }
      return vcvtq_s64_f64(r);  // an integer in [lo, hi]: exact
    }

    template <QOutputType T>
    NDCONV_QINLINE void store(int32x4_t acc, size_t col, size_t n, char* row) const {
      if (T == QOutputType::kS32) {
        acc = vminq_s32(vmaxq_s32(acc, vdupq_n_s32(e.s32_min)), vdupq_n_s32(e.s32_max));
        std::memcpy(row + 4 * col, &acc, 4 * n);
      } else if (T == QOutputType::kF32) {
        float32x4_t y = vmaxq_f32(scaled(acc, col, n), vdupq_n_f32(e.f32_min));
        y = vminq_f32(y, vdupq_n_f32(e.f32_max));
        std::memcpy(row + 4 * col, &y, 4 * n);
      } else {
        float tmp[4];
        const float* s = e.scale + col;
        if (n < 4) {
          load_partial(s, n, tmp);
          s = tmp;
        }
        const float32x4_t sc = vld1q_f32(s);
        const float64x2_t lo = vdupq_n_f64(e.q_min - e.out_zp), hi = vdupq_n_f64(e.q_max - e.out_zp);
        const int32x4_t r = vcombine_s32(vmovn_s64(requantize2(vget_low_s32(acc), vget_low_f32(sc), lo, hi)),
                                         vmovn_s64(requantize2(vget_high_s32(acc), vget_high_f32(sc), lo, hi)));
        const int32x4_t q = vaddq_s32(r, vdupq_n_s32(e.out_zp));  // in range
        const int16x4_t h = vmovn_s32(q);
        const int8x8_t bytes = vmovn_s16(vcombine_s16(h, h));  // exact truncations
        std::memcpy(row + col, &bytes, n);
      }
    }
  };
};

#if defined(__ARM_FEATURE_DOTPROD)
struct NeonDot : Neon128 {
  static constexpr bool signed_a = true;
  using A = int8x16_t;
  using B = int8x16_t;
  static NDCONV_QINLINE B load_b(const int8_t* p) { return vld1q_s8(p); }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, int32x4_t flip, bool do_flip) {
    uint32x4_t a = vdupq_n_u32(bytes);
    if (do_flip) a = veorq_u32(a, vreinterpretq_u32_s32(flip));
    return vreinterpretq_s8_u32(a);
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) { return vdotq_s32(acc, a, b); }
  static NDCONV_QINLINE Acc column_sum(Acc s, const B& b) { return vdotq_s32(s, vdupq_n_s8(1), b); }
  // Modular: the sum times 128 as a shift of the two's-complement bits.
  static NDCONV_QINLINE Acc add_128_times(Acc acc, Acc sum) {
    return vreinterpretq_s32_u32(vaddq_u32(vreinterpretq_u32_s32(acc), vshlq_n_u32(vreinterpretq_u32_s32(sum), 7)));
  }
};
#endif

// Per lane (column) j of the result: u0 w0 + u1 w1 + u2 w2 + u3 w3 from four
// widening products and two levels of pairwise adds (|u w| <= 255 * 128).
struct NeonWidening : Neon128 {
  static constexpr bool signed_a = false;
  using A = int16x8_t;  // u0 u1 u2 u3 u0 u1 u2 u3 (zero-extended)
  struct B {
    int16x8_t c01, c23;  // columns 0 and 1, 2 and 3, 4 weights each
  };
  static NDCONV_QINLINE B load_b(const int8_t* p) {
    const int8x16_t w = vld1q_s8(p);
    return {vmovl_s8(vget_low_s8(w)), vmovl_high_s8(w)};
  }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, int32x4_t flip, bool do_flip) {
    uint32x2_t a = vdup_n_u32(bytes);
    if (do_flip) a = veor_u32(a, vget_low_u32(vreinterpretq_u32_s32(flip)));
    return vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(a)));
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) {
    const int32x4_t p0 = vmull_s16(vget_low_s16(a), vget_low_s16(b.c01));
    const int32x4_t p1 = vmull_high_s16(a, b.c01);
    const int32x4_t p2 = vmull_s16(vget_low_s16(a), vget_low_s16(b.c23));
    const int32x4_t p3 = vmull_high_s16(a, b.c23);
    return vaddq_s32(acc, vpaddq_s32(vpaddq_s32(p0, p1), vpaddq_s32(p2, p3)));
  }
  static NDCONV_QINLINE Acc column_sum(Acc s, const B&) { return s; }
  static NDCONV_QINLINE Acc add_128_times(Acc acc, Acc) { return acc; }
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
