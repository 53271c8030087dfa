// The ymm family of the x86 int8 tile (qgemm_simd_loop.hpp): 8 int32 columns
// per vector; the multiply-accumulate by AVX-VNNI vpdpbusd (Avx2Vnni, VEX
// encoded, -mavxvnni) or by exact 16-bit widening (Avx2Widening: vpmaddwd).
// AVX2 has no embedded rounding: the conversion and the product follow the
// caller's MXCSR mode as plain float arithmetic does (an ulp), while the
// rounding to an integer is explicit half to even (vroundps with
// _MM_FROUND_TO_NEAREST_INT), never the mode.
#pragma once

#include <immintrin.h>

#include "kernels/qgemm_simd_loop.hpp"

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
    explicit Epilogue(const QEpilogue& epi) : e(epi) {}

    NDCONV_QINLINE __m256 scaled(__m256i acc, size_t col, size_t n) const {
      const __m256 s = n >= 8 ? _mm256_loadu_ps(e.scale + col) : _mm256_maskload_ps(e.scale + col, mask(n));
      return _mm256_mul_ps(_mm256_cvtepi32_ps(acc), s);
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
        __m256 y = _mm256_max_ps(scaled(acc, col, n), _mm256_set1_ps(float(e.q_min - e.out_zp)));
        y = _mm256_min_ps(y, _mm256_set1_ps(float(e.q_max - e.out_zp)));
        y = _mm256_round_ps(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // An integer in range: the conversion is exact in every mode.
        const __m256i q = _mm256_add_epi32(_mm256_cvttps_epi32(y), _mm256_set1_epi32(e.out_zp));
        const __m256i w = _mm256_packs_epi32(q, q);  // exact: |q| <= 255
        const __m256i bytes = T == QOutputType::kU8 ? _mm256_packus_epi16(w, w) : _mm256_packs_epi16(w, w);
        // Lane 0 holds columns 0-3 in its first dword, lane 1 columns 4-7.
        const __m128i both = _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
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
