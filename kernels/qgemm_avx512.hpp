// The zmm family of the x86 int8 tile (qgemm_simd_loop.hpp): 16 int32
// columns per vector; the multiply-accumulate by vpdpbusd (Avx512Vnni) or by
// exact 16-bit widening (Avx512Widening: AVX-512BW vpmaddwd), or for weights
// in [-64, 64] by vpmaddubsw pairs (Avx512Pairs); the epilogue
// with embedded rounding, so no step depends on the caller's MXCSR.
#pragma once

#include <immintrin.h>

#include "kernels/qgemm_simd_loop.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

constexpr int kRneSae = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

struct Zmm {
  using Acc = __m512i;
  static constexpr bool signed_a = false;  // u8 x s8 dot products: no column sums
  template <class B>
  static NDCONV_QINLINE Acc column_sum(Acc s, const B&) { return s; }
  static NDCONV_QINLINE Acc add_128_times(Acc acc, Acc) { return acc; }
  static constexpr size_t lanes = 16;
  static constexpr bool full_width_store = true;  // Epilogue::store_full_width

  static NDCONV_QINLINE __mmask16 mask(size_t n) {
    return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
  }
  static NDCONV_QINLINE Acc splat(uint32_t v) { return _mm512_set1_epi32(static_cast<int>(v)); }
  static NDCONV_QINLINE Acc load_bias(const int32_t* p, size_t n) {
    return _mm512_maskz_loadu_epi32(mask(n), p);
  }

  // The epilogue's constants, set once per tile.
  struct Epilogue {
    const QEpilogue& e;
    // U8/S8 constants of store_quad_nearest, built once: a stream kernel's
    // block loop rebuilt them per block.
    const __m512 q_hi;
    const __m512i q_zp16, q_min8;
    explicit Epilogue(const QEpilogue& epi)
        : e(epi),
          q_hi(_mm512_set1_ps(float(epi.q_max - epi.out_zp))),
          q_zp16(_mm512_set1_epi16(static_cast<int16_t>(epi.out_zp))),
          q_min8(_mm512_set1_epi8(static_cast<char>(epi.q_min))) {}

    // float(acc) * scale, both rounded to nearest even explicitly.
    NDCONV_QINLINE __m512 scaled(__m512i acc, __mmask16 m, size_t col) const {
      const __m512 s = _mm512_maskz_loadu_ps(m, e.scale + col);
      return _mm512_mul_round_ps(_mm512_cvt_roundepi32_ps(acc, kRneSae), s, kRneSae);
    }

    template <QOutputType T>
    NDCONV_QINLINE void store(__m512i acc, size_t col, size_t n, char* row) const {
      const __mmask16 m = mask(n);
      if (T == QOutputType::kS32) {
        acc = _mm512_max_epi32(acc, _mm512_set1_epi32(e.s32_min));
        acc = _mm512_min_epi32(acc, _mm512_set1_epi32(e.s32_max));
        _mm512_mask_storeu_epi32(reinterpret_cast<int32_t*>(row) + col, m, acc);
      } else if (T == QOutputType::kF32) {
        __m512 y = _mm512_max_ps(scaled(acc, m, col), _mm512_set1_ps(e.f32_min));
        y = _mm512_min_ps(y, _mm512_set1_ps(e.f32_max));
        _mm512_mask_storeu_ps(reinterpret_cast<float*>(row) + col, m, y);
      } else {
        // Clamp to the integer bounds less the zero point, then round: the
        // same as rounding then clamping (rne is monotone, bounds integral).
        __m512 y = _mm512_max_ps(scaled(acc, m, col), _mm512_set1_ps(float(e.q_min - e.out_zp)));
        y = _mm512_min_ps(y, _mm512_set1_ps(float(e.q_max - e.out_zp)));
        const __m512i q = _mm512_add_epi32(_mm512_cvt_roundps_epi32(y, kRneSae), _mm512_set1_epi32(e.out_zp));
        _mm512_mask_cvtepi32_storeu_epi8(row + col, m, q);  // in range: truncation is exact
      }
    }

    // U8/S8 of 4 full vectors, columns col .. col + 63 of one row (the int8
    // pointwise stream kernel's output, contiguous): two vpackssdw, one
    // vpackuswb or vpacksswb and one vpermd into one 64-byte store, where
    // store() spends a vpmovdb store per vector. The clamp from below as in
    // store_full_width's paired path (after the packs, one byte max). The
    // ymm family's store_quad_nearest, with embedded rounding: any mode.
    template <QOutputType T>
    NDCONV_QINLINE void store_quad_nearest(const __m512i (&acc)[4], size_t col, char* row) const {
      // 128-bit lane l of the packed bytes holds dwords (4 columns each) of
      // q0, q1, q2, q3 in that order, columns 4l..: vpermd puts them back in
      // column order.
      const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      _mm512_storeu_si512(row + col, _mm512_permutexvar_epi32(order, quad_bytes<T>(acc, e.scale + col)));
    }

    // The 64 bytes of store_quad_nearest before its vpermd, scales from
    // `scale` (vector i's at scale + 16 i): lane l holds q0's 4 dwords of the
    // lane, then q1's, q2's and q3's. In column order when vector i holds
    // columns 16l + 4i .. 16l + 4i + 3 in lane l (the int8 depthwise
    // dot-product form, its scales in that order too).
    template <QOutputType T>
    NDCONV_QINLINE __m512i quad_bytes(const __m512i (&acc)[4], const float* scale) const {
      return narrow_quad<T>(acc[0], acc[1], acc[2], acc[3], _mm512_loadu_ps(scale), _mm512_loadu_ps(scale + 16),
                            _mm512_loadu_ps(scale + 32), _mm512_loadu_ps(scale + 48));
    }

    // Four vectors, each with its own scale vector, narrowed to 64 bytes:
    // 128-bit lane l holds a0's dwords of the lane, then a1's, a2's and
    // a3's (4 bytes each). Each value is rne(min(acc * s, hi)); the clamp
    // from below comes after the packs: rne(min(y, hi)) fits int32 from
    // above; from below the conversion may give INT32_MIN (y < -2^31),
    // which the saturating packs and the 16-bit saturating zero-point add
    // keep below any q_min (|out_zp| < 256), and one byte max per 64
    // outputs raises to q_min: exactly the clamp of rne(y) + out_zp, 1.5
    // vector ops fewer per 16 outputs than clamping each vector.
    template <QOutputType T>
    NDCONV_QINLINE __m512i narrow_quad(__m512i a0, __m512i a1, __m512i a2, __m512i a3, __m512 s0, __m512 s1,
                                       __m512 s2, __m512 s3) const {
      auto quantize_hi = [&](__m512i a, __m512 s) {
        const __m512 y = _mm512_mul_round_ps(_mm512_cvt_roundepi32_ps(a, kRneSae), s, kRneSae);
        return _mm512_cvt_roundps_epi32(_mm512_min_ps(y, q_hi), kRneSae);
      };
      const __m512i w01 = _mm512_adds_epi16(_mm512_packs_epi32(quantize_hi(a0, s0), quantize_hi(a1, s1)), q_zp16);
      const __m512i w23 = _mm512_adds_epi16(_mm512_packs_epi32(quantize_hi(a2, s2), quantize_hi(a3, s3)), q_zp16);
      return T == QOutputType::kU8 ? _mm512_max_epu8(_mm512_packus_epi16(w01, w23), q_min8)
                                   : _mm512_max_epi8(_mm512_packs_epi16(w01, w23), q_min8);
    }

    // Two rows of 32 values each, narrow_quad(row i's two vectors, row j's
    // two), into two 32-byte stores of the n < 32 first bytes (row j's
    // only when store_j): vpermd puts the dwords back in column order.
    template <QOutputType T>
    NDCONV_QINLINE void store_row_pair(__m512i i0, __m512i i1, __m512i j0, __m512i j1, __m512 si0, __m512 si1,
                                       __m512 sj0, __m512 sj1, size_t n, char* ri, char* rj, bool store_j) const {
      const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      const __m512i b = _mm512_permutexvar_epi32(order, narrow_quad<T>(i0, i1, j0, j1, si0, si1, sj0, sj1));
      const __mmask32 m = n >= 32 ? static_cast<__mmask32>(0xFFFFFFFFu) : static_cast<__mmask32>((1u << n) - 1);
      _mm256_mask_storeu_epi8(ri, m, _mm512_castsi512_si256(b));
      if (store_j) _mm256_mask_storeu_epi8(rj, m, _mm512_extracti64x4_epi64(b, 1));
    }

    // U8/S8 of a whole tile: the scales loaded once per tile, not once per
    // row, and two rows of two vectors narrowed together (vpackssdw,
    // vpackuswb/vpacksswb, one vpermd) into two 32-byte stores, instead of
    // four vpmovdb stores. The values are already clamped into the type's
    // range, so the saturating packs are exact. Rows >= mr are not stored;
    // columns >= nr neither (byte-masked stores; their scales load as 0, so
    // their lanes hold harmless values): pw_mbv2_project's 24 columns of a
    // 32-column tile took the per-vector masked vpmovdb path.
    template <QOutputType T, size_t MR, size_t NV>
    NDCONV_QINLINE void store_full_width(const __m512i (&acc)[MR][NV], size_t mr, size_t nr, char* c,
                                         size_t ldc) const {
      __m512 s[NV];
#pragma GCC unroll 16
      for (size_t v = 0; v < NV; ++v) s[v] = _mm512_maskz_loadu_ps(mask(nr > v * 16 ? nr - v * 16 : 0), e.scale + v * 16);
      const __m512 lo = _mm512_set1_ps(float(e.q_min - e.out_zp)),
                   hi = _mm512_set1_ps(float(e.q_max - e.out_zp));
      const __m512i zp = _mm512_set1_epi32(e.out_zp);
      auto quantize = [&](__m512i a, __m512 scale) {
        __m512 y = _mm512_mul_round_ps(_mm512_cvt_roundepi32_ps(a, kRneSae), scale, kRneSae);
        y = _mm512_min_ps(_mm512_max_ps(y, lo), hi);
        return _mm512_add_epi32(_mm512_cvt_roundps_epi32(y, kRneSae), zp);
      };
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; i += 2) {
        if (i >= mr) break;
        // Row j's accumulators exist even past mr (they repeat the last
        // row): a constant index keeps the tile in registers; the store of a
        // row >= mr is skipped.
        const size_t j = i + 1 < MR ? i + 1 : i;
        const bool store_j = j != i && j < mr;
        char* ri = c + i * ldc;
        char* rj = c + j * ldc;
#pragma GCC unroll 16
        for (size_t v = 0; v + 1 < NV; v += 2)
          store_row_pair<T>(acc[i][v], acc[i][v + 1], acc[j][v], acc[j][v + 1], s[v], s[v + 1], s[v], s[v + 1],
                            nr > v * 16 ? nr - v * 16 : 0, ri + v * 16, rj + v * 16, store_j);
        if (NV % 2) {
          const __mmask16 m = mask(nr > (NV - 1) * 16 ? nr - (NV - 1) * 16 : 0);
          _mm512_mask_cvtepi32_storeu_epi8(ri + (NV - 1) * 16, m, quantize(acc[i][NV - 1], s[NV - 1]));
          if (store_j)
            _mm512_mask_cvtepi32_storeu_epi8(rj + (NV - 1) * 16, m,
                                             quantize(acc[j][NV - 1], s[NV - 1]));
        }
      }
    }
  };
};

#if defined(__AVX512VNNI__)
// vpdpbusd: u8 x s8 in groups of 4 into int32, no intermediate saturation.
struct Avx512Vnni : Zmm {
  using A = __m512i;
  using B = __m512i;
  static NDCONV_QINLINE B load_b(const int8_t* p) { return _mm512_loadu_si512(p); }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, __m512i flip, bool do_flip) {
    const __m512i a = _mm512_set1_epi32(static_cast<int>(bytes));
    return do_flip ? _mm512_xor_si512(a, flip) : a;
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) { return _mm512_dpbusd_epi32(acc, a, b); }
};
#endif

// Without VNNI, for weights in [-64, 64] only: as Avx2Pairs (qgemm_avx2.hpp),
// vpmaddubsw pairs that cannot saturate, summed into int32 by vpmaddwd.
struct Avx512Pairs : Zmm {
  using A = __m512i;
  using B = __m512i;
  static NDCONV_QINLINE B load_b(const int8_t* p) { return _mm512_loadu_si512(p); }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, __m512i flip, bool do_flip) {
    const __m512i a = _mm512_set1_epi32(static_cast<int>(bytes));
    return do_flip ? _mm512_xor_si512(a, flip) : a;
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) {
    return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(a, b), _mm512_set1_epi16(1)));
  }
};

// Without VNNI, exactly: the 4 bytes of a group split into even (k0, k2) and
// odd (k1, k3) 16-bit halves, u8 zero-extended and s8 sign-extended, and two
// vpmaddwd (each pair sum |u0 w0 + u2 w2| <= 2 * 255 * 128 fits int32; no
// vpmaddubsw, whose 16-bit pair sums saturate).
struct Avx512Widening : Zmm {
  struct A {
    __m512i even, odd;
  };
  struct B {
    __m512i even, odd;
  };
  static NDCONV_QINLINE B load_b(const int8_t* p) {
    const __m512i w = _mm512_loadu_si512(p);
    return {_mm512_srai_epi16(_mm512_slli_epi16(w, 8), 8), _mm512_srai_epi16(w, 8)};
  }
  static NDCONV_QINLINE A broadcast_a(uint32_t bytes, __m512i flip, bool do_flip) {
    __m512i a = _mm512_set1_epi32(static_cast<int>(bytes));
    if (do_flip) a = _mm512_xor_si512(a, flip);
    return {_mm512_and_si512(a, _mm512_set1_epi16(0xFF)), _mm512_srli_epi16(a, 8)};
  }
  static NDCONV_QINLINE Acc dot(Acc acc, const A& a, const B& b) {
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(a.even, b.even));
    return _mm512_add_epi32(acc, _mm512_madd_epi16(a.odd, b.odd));
  }
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
