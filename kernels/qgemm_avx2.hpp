// The ymm family of the x86 int8 tile (qgemm_simd_loop.hpp): 8 int32 columns
// per vector; the multiply-accumulate by AVX-VNNI vpdpbusd (Avx2Vnni, VEX
// encoded, -mavxvnni), by exact 16-bit widening (Avx2Widening: vpmaddwd), or,
// for weights in [-64, 64], by vpmaddubsw pairs (Avx2Pairs).
// AVX2 has no embedded rounding. F32 output: the conversion and the product
// follow the caller's MXCSR mode as plain float arithmetic does (an ulp).
// U8/S8 output: the float-first requantization of the AVX-512 epilogue,
// rne(fl(fl(acc) * s)) (kernels/qgemm_args.h), never the mode: in
// round-to-nearest (the default: the MXCSR read once per call) plain
// vcvtdq2ps, vmulps and vcvtps2dq are exactly those steps; in a directed
// mode the same values come from requantize_float_first per lane.
#pragma once

#include <immintrin.h>

#include "kernels/qgemm_simd_loop.hpp"
#include "kernels/qrequantize_exact.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct Ymm {
  using Acc = __m256i;
  static constexpr bool signed_a = false;  // u8 x s8 dot products: no column sums
  template <class B>
  static NDCONV_QINLINE Acc column_sum(Acc s, const B&) { return s; }
  static NDCONV_QINLINE Acc add_128_times(Acc acc, Acc) { return acc; }
  static constexpr size_t lanes = 8;
  static constexpr bool full_width_store = true;  // Epilogue::store_full_width

  // Lanes < n all ones (vpmaskmov's mask: masked-off lanes never fault).
  static NDCONV_QINLINE __m256i mask(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static NDCONV_QINLINE Acc splat(uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }
  static NDCONV_QINLINE Acc load_bias(const int32_t* p, size_t n) {
    return n >= 8 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)) : _mm256_maskload_epi32(p, mask(n));
  }

  struct Epilogue {
    const QEpilogue& e;
    // U8/S8: the bounds less the zero point, the zero point in 16 bits and
    // the lower bound in bytes, built once: a stream kernel's block loop
    // rebuilt them per block.
    const __m256 q_lo, q_hi;
    const __m256i q_zp16, q_min8;
    // The caller's MXCSR rounds to nearest: quantize's float steps are the
    // float-first requantization's.
    const bool nearest;
    explicit Epilogue(const QEpilogue& epi)
        : e(epi),
          q_lo(_mm256_set1_ps(float(epi.q_min - epi.out_zp))),
          q_hi(_mm256_set1_ps(float(epi.q_max - epi.out_zp))),
          q_zp16(_mm256_set1_epi16(static_cast<int16_t>(epi.out_zp))),
          q_min8(_mm256_set1_epi8(static_cast<char>(epi.q_min))),
          nearest((_mm_getcsr() & 0x6000u) == 0) {}

    NDCONV_QINLINE __m256 scaled(__m256i acc, size_t col, size_t n) const {
      const __m256 s = n >= 8 ? _mm256_loadu_ps(e.scale + col) : _mm256_maskload_ps(e.scale + col, mask(n));
      return _mm256_mul_ps(_mm256_cvtepi32_ps(acc), s);
    }

    // rne(fl(fl(acc) * s)) clamped to [lo, hi] (integers), 8 columns, where
    // the caller's mode is round-to-nearest (`nearest`; callers branch once,
    // outside their loops where they can: a call to quantize_in_any_mode
    // inside made the compiler keep the live accumulators in memory):
    // vcvtdq2ps, vmulps and vcvtps2dq, the float product clamped first (the
    // same as clamping the rounded value: rne is monotone and the bounds are
    // integers; no conversion then overflows). Four float operations per
    // vector where the exact rounding's near-tie test took nine:
    // pw_res2_expand (K = 64) spent a third of its time there.
    NDCONV_QINLINE __m256i quantize(__m256i acc, __m256 s) const {
      return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), s), q_lo), q_hi));
    }

    // The same values in a directed rounding mode, per lane: slow, and only
    // for callers that change the mode; results never depend on it.
    __attribute__((noinline, cold)) __m256i quantize_in_any_mode(__m256i acc, __m256 s) const {
      alignas(32) int32_t a[8];
      alignas(32) float sc[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(a), acc);
      _mm256_store_ps(sc, s);
      const double lo = e.q_min - e.out_zp, hi = e.q_max - e.out_zp;
      for (int l = 0; l < 8; ++l) a[l] = static_cast<int32_t>(requantize_float_first(a[l], sc[l], lo, hi));
      return _mm256_load_si256(reinterpret_cast<const __m256i*>(a));
    }

    // U8/S8 of a tile whose every column is real (else per vector, below):
    // the scales loaded once per tile, two rows of two vectors narrowed
    // together (vpackssdw, the zero point added in 16 bits, vpackuswb or
    // vpacksswb, one vpermd) into two 16-byte stores. Clamped values: the
    // saturating packs are exact. Rows >= mr are not stored.
    template <QOutputType T, size_t MR, size_t NV>
    NDCONV_QINLINE void store_full_width(const __m256i (&acc)[MR][NV], size_t mr, size_t nr, char* c,
                                         size_t ldc) const {
      if (NV < 2 || nr != NV * 8 || !nearest) {  // (store takes the directed modes)
#pragma GCC unroll 16
        for (size_t i = 0; i < MR; ++i) {
          if (i >= mr) break;
#pragma GCC unroll 16
          for (size_t v = 0; v < NV; ++v) {
            const size_t n = columns_in<8>(nr, v);
            if (n == 0) break;
            store<T>(acc[i][v], v * 8, n, c + i * ldc);
          }
        }
        return;
      }
      __m256 s[NV];
#pragma GCC unroll 16
      for (size_t v = 0; v < NV; ++v) s[v] = _mm256_loadu_ps(e.scale + v * 8);
      const __m256i zp = q_zp16;
      // After the packs, 128-bit lane l holds dwords (4 columns each):
      // row i cols 4l.., row i cols 8+4l.., row j cols 4l.., row j cols 8+4l..
      const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i += 2) {
        if (i >= mr) break;
        // Row j's accumulators exist past mr (they repeat the last row).
        const size_t j = i + 1 < MR ? i + 1 : i;
        const bool store_j = j != i && j < mr;
        char* ri = c + i * ldc;
        char* rj = c + j * ldc;
#pragma GCC unroll 16
        for (size_t v = 0; v + 1 < NV; v += 2) {
          const __m256i q[4] = {quantize(acc[i][v], s[v]), quantize(acc[i][v + 1], s[v + 1]),
                                quantize(acc[j][v], s[v]), quantize(acc[j][v + 1], s[v + 1])};
          const __m256i wi = _mm256_add_epi16(_mm256_packs_epi32(q[0], q[1]), zp);
          const __m256i wj = _mm256_add_epi16(_mm256_packs_epi32(q[2], q[3]), zp);
          __m256i b = T == QOutputType::kU8 ? _mm256_packus_epi16(wi, wj) : _mm256_packs_epi16(wi, wj);
          b = _mm256_permutevar8x32_epi32(b, order);
          _mm_storeu_si128(reinterpret_cast<__m128i*>(ri + v * 8), _mm256_castsi256_si128(b));
          if (store_j) _mm_storeu_si128(reinterpret_cast<__m128i*>(rj + v * 8), _mm256_extracti128_si256(b, 1));
        }
        if (NV % 2) {
          store<T>(acc[i][NV - 1], (NV - 1) * 8, 8, ri);
          if (store_j) store<T>(acc[j][NV - 1], (NV - 1) * 8, 8, rj);
        }
      }
    }

    // U8/S8 of 4 full vectors, columns col .. col + 31 of one row (the int8
    // pointwise stream kernel's output, contiguous), float first: rne(fl(
    // fl(acc) * s)), fl to the nearest float, as the AVX-512 epilogue
    // rounds with embedded round-to-nearest. Here plain vcvtdq2ps, vmulps
    // and vcvtps2dq round in the caller's mode, so the caller runs this only
    // where that mode is round-to-nearest (nearest_mode(); in other modes it
    // computes the same bytes with requantize_float_first): quantize's
    // steps with the lower clamp after the packs, and the stream kernel was
    // bound by its epilogue. The clamp from above in float (no
    // conversion overflows upwards; a y below -2^31 converts to INT32_MIN,
    // kept below every bound by the saturating packs), the rest after the
    // packs: two vpackssdw, one vpackuswb or vpacksswb, one byte max and
    // one vpermd into one 32-byte store.
    template <QOutputType T>
    NDCONV_QINLINE void store_quad_nearest(const __m256i (&acc)[4], size_t col, char* row) const {
      __m256i q[4];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        const __m256 y = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[i]), _mm256_loadu_ps(e.scale + col + 8 * i));
        q[i] = _mm256_cvtps_epi32(_mm256_min_ps(y, q_hi));
      }
      const __m256i w01 = _mm256_adds_epi16(_mm256_packs_epi32(q[0], q[1]), q_zp16);
      const __m256i w23 = _mm256_adds_epi16(_mm256_packs_epi32(q[2], q[3]), q_zp16);
      const __m256i b = T == QOutputType::kU8 ? _mm256_max_epu8(_mm256_packus_epi16(w01, w23), q_min8)
                                              : _mm256_max_epi8(_mm256_packs_epi16(w01, w23), q_min8);
      // 128-bit lane l of b holds dwords (4 columns each) of q0, q1, q2, q3
      // in that order, columns 4l..: vpermd puts them back in column order.
      const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + col), _mm256_permutevar8x32_epi32(b, order));
    }

    // U8/S8 of 4 vectors whose vector i holds channels 16l + 4i .. 16l + 4i
    // + 3 in lane l (the int8 depthwise dot-product forms, scales from
    // `scale` in that order), as 32 bytes in channel order: after the packs
    // lane l holds q0's 4 dwords of the lane, then q1's, q2's and q3's. The
    // rounding is quantize's; clamped values, so the packs and the 16-bit
    // zero-point add are exact.
    template <QOutputType T>
    NDCONV_QINLINE __m256i quad_bytes(const __m256i (&acc)[4], const float* scale) const {
      __m256i q[4];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        const __m256 s = _mm256_loadu_ps(scale + 8 * i);
        q[i] = nearest ? quantize(acc[i], s) : quantize_in_any_mode(acc[i], s);
      }
      const __m256i w01 = _mm256_add_epi16(_mm256_packs_epi32(q[0], q[1]), q_zp16);
      const __m256i w23 = _mm256_add_epi16(_mm256_packs_epi32(q[2], q[3]), q_zp16);
      return T == QOutputType::kU8 ? _mm256_packus_epi16(w01, w23) : _mm256_packs_epi16(w01, w23);
    }

    template <QOutputType T>
    NDCONV_QINLINE void store(__m256i acc, size_t col, size_t n, char* row) const {
      if (T == QOutputType::kS32) {
        acc = _mm256_max_epi32(acc, _mm256_set1_epi32(e.s32_min));
        acc = _mm256_min_epi32(acc, _mm256_set1_epi32(e.s32_max));
        int* out = reinterpret_cast<int*>(row) + col;
        if (n >= 8)
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), acc);
        else
          _mm256_maskstore_epi32(out, mask(n), acc);
      } else if (T == QOutputType::kF32) {
        __m256 y = _mm256_max_ps(scaled(acc, col, n), _mm256_set1_ps(e.f32_min));
        y = _mm256_min_ps(y, _mm256_set1_ps(e.f32_max));
        float* out = reinterpret_cast<float*>(row) + col;
        if (n >= 8)
          _mm256_storeu_ps(out, y);
        else
          _mm256_maskstore_ps(out, mask(n), y);
      } else {
        const __m256 s = n >= 8 ? _mm256_loadu_ps(e.scale + col) : _mm256_maskload_ps(e.scale + col, mask(n));
        const __m256i q = nearest ? quantize(acc, s) : quantize_in_any_mode(acc, s);
        const __m128i q0 = _mm256_castsi256_si128(q), q1 = _mm256_extracti128_si256(q, 1);
        // Exact: |q| <= 255, and q + zp lies in the type's range.
        const __m128i w = _mm_add_epi16(_mm_packs_epi32(q0, q1), _mm256_castsi256_si128(q_zp16));
        const __m128i both = T == QOutputType::kU8 ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
        if (n >= 8) {
          _mm_storel_epi64(reinterpret_cast<__m128i*>(row + col), both);
        } else {
          alignas(16) uint8_t tmp[16];
          _mm_store_si128(reinterpret_cast<__m128i*>(tmp), both);
          std::memcpy(row + col, tmp, n);
        }
      }
    }
  };
};

#if defined(__AVXVNNI__)
struct Avx2Vnni : Ymm {
  using A = __m256i;
  using B = __m256i;
  static NDCONV_QINLINE B load_b(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, __m256i flip, bool do_flip) {
    const __m256i a = _mm256_set1_epi32(static_cast<int>(bytes));
    return do_flip ? _mm256_xor_si256(a, flip) : a;
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) { return _mm256_dpbusd_avx_epi32(acc, a, b); }
};
#endif

// Without VNNI, for weights in [-64, 64] only (the tables of kWeightLimitPairs,
// qkernel_table.h; the plan checks its weights at create): vpmaddubsw's
// 16-bit pair sums u0 w0 + u1 w1 then lie within 2 * 255 * 64 = 32640 and
// never saturate, so they are exact; vpmaddwd by ones adds a group's two
// pairs into int32. Three instructions per group and vector, where the
// widening below takes four and splits both operands into halves first.
struct Avx2Pairs : Ymm {
  using A = __m256i;
  using B = __m256i;
  static NDCONV_QINLINE B load_b(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, __m256i flip, bool do_flip) {
    const __m256i a = _mm256_set1_epi32(static_cast<int>(bytes));
    return do_flip ? _mm256_xor_si256(a, flip) : a;
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1)));
  }
};

// As Avx512Widening (qgemm_avx512.hpp): even and odd 16-bit halves, vpmaddwd.
struct Avx2Widening : Ymm {
  struct A {
    __m256i even, odd;
  };
  struct B {
    __m256i even, odd;
  };
  static NDCONV_QINLINE B load_b(const int8_t* p) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return {_mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8), _mm256_srai_epi16(w, 8)};
  }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, __m256i flip, bool do_flip) {
    __m256i a = _mm256_set1_epi32(static_cast<int>(bytes));
    if (do_flip) a = _mm256_xor_si256(a, flip);
    return {_mm256_and_si256(a, _mm256_set1_epi16(0xFF)), _mm256_srli_epi16(a, 8)};
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) {
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a.even, b.even));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a.odd, b.odd));
  }
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
