// The zmm family of the int8 depthwise kernel (qdepthwise_x86.hpp): 16
// channels per int32 vector, a 32-channel tile. Partial tiles load through
// byte masks (AVX-512BW: masked-off bytes never fault, no byte past the
// row). With AVX512-VNNI, vpdpwssd (not vpdpwssds: no saturation) fuses
// the multiply-add; else vpmaddwd + vpaddd. Both wrap exactly as int32.
// With AVX512-VNNI and U8/S8 output, blocks of 64 channels take the
// dot-product forms of kernels/qdepthwise_dot_x86.hpp (vpdpbusd zmm).
#pragma once

#include <immintrin.h>

#include "kernels/qdepthwise_args.h"
#include "kernels/qgemm_avx512.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct QdwZmm : Zmm {
#if defined(__AVX512VNNI__)
  // The dot-product forms' primitives (kernels/qdepthwise_dot_x86.hpp):
  // blocks of 64 channels, a last one of 33-63 byte-masked (masked-off
  // bytes never fault; their weights, bias and scale are 0).
  static constexpr size_t quad_block = 64;
  static constexpr bool quad_partial = true;
  // Float first with embedded rounding, as the pair path's store: the
  // same bytes in every MXCSR mode.
  template <QOutputType T>
  static NDCONV_QINLINE __m512i quad_out(const Epilogue& e, const __m512i (&acc)[4], const float* scale) {
    return e.template quad_bytes<T>(acc, scale);
  }
  using QuadMask = __mmask64;
  static NDCONV_QINLINE QuadMask full_mask() { return ~0ull; }
  static NDCONV_QINLINE QuadMask partial_mask(size_t n) { return (1ull << n) - 1; }
  template <bool Full>
  static NDCONV_QINLINE __m512i load_bytes(const uint8_t* p, QuadMask m) {
    return Full ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8(m, p);
  }
  template <bool Full>
  static NDCONV_QINLINE void store_bytes(char* p, QuadMask m, __m512i b) {
    if (Full)
      _mm512_storeu_si512(p, b);
    else
      _mm512_mask_storeu_epi8(p, m, b);
  }
  static NDCONV_QINLINE __m512i load_i32(const int32_t* p) { return _mm512_loadu_si512(p); }
  static NDCONV_QINLINE __m512i zero() { return _mm512_setzero_si512(); }
  static NDCONV_QINLINE __m512i flip_bytes(__m512i x) { return _mm512_xor_si512(x, _mm512_set1_epi8(-128)); }
  static NDCONV_QINLINE __m512i unpacklo8(__m512i a, __m512i b) { return _mm512_unpacklo_epi8(a, b); }
  static NDCONV_QINLINE __m512i unpackhi8(__m512i a, __m512i b) { return _mm512_unpackhi_epi8(a, b); }
  static NDCONV_QINLINE __m512i unpacklo16(__m512i a, __m512i b) { return _mm512_unpacklo_epi16(a, b); }
  static NDCONV_QINLINE __m512i unpackhi16(__m512i a, __m512i b) { return _mm512_unpackhi_epi16(a, b); }
  static NDCONV_QINLINE __m512i dot(__m512i acc, __m512i u, const int8_t* w) {
    return _mm512_dpbusd_epi32(acc, u, _mm512_loadu_si512(w));
  }
  static constexpr bool hold_slide_weights = true;
  static constexpr bool slide_overlap_last = true;  // QDepthwiseKernel::slide_overlap_last
  static NDCONV_QINLINE __m512i load_weights(const int8_t* w) { return _mm512_loadu_si512(w); }
  static NDCONV_QINLINE __m512i dot_held(__m512i acc, __m512i u, __m512i w) { return _mm512_dpbusd_epi32(acc, u, w); }
#else
  static constexpr size_t quad_block = 0;
#endif

  static NDCONV_QINLINE __m512i madd(__m512i acc, __m512i x, const int16_t* w) {
    const __m512i wv = _mm512_loadu_si512(w);
#if defined(__AVX512VNNI__)
    return _mm512_dpwssd_epi32(acc, x, wv);
#else
    return _mm512_add_epi32(acc, _mm512_madd_epi16(x, wv));
#endif
  }

  // 16 channels of rows r0, r1 as int16 pairs (u0[c], u1[c]), c ascending:
  // each row's bytes zero-extended to dwords, r1's shifted to the high half
  // (two shuffles per vpmaddwd; interleaving the bytes first took four, for
  // the same time on dw3x3_mbv2 within the loaded machine's noise).
  // Masked-off bytes read 0 (0x80 flipped): their packed weights are 0.
  template <bool Flip>
  static NDCONV_QINLINE __m512i pairs(const uint8_t* r0, const uint8_t* r1, __mmask16 m) {
    const __m512i x0 = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, r0));
    const __m512i x1 = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, r1));
    const __m512i x = _mm512_or_si512(x0, _mm512_slli_epi32(x1, 16));
    return Flip ? _mm512_xor_si512(x, _mm512_set1_epi32(0x00800080)) : x;
  }

  // One 32-channel tile from channel c: n0 + n1 real channels.
  template <bool Full>
  struct Block {
    size_t n0, n1;
    __mmask16 m0, m1;
    Block(size_t c, size_t channels) {
      const size_t n = Full ? 32 : channels - c;
      n0 = n < 16 ? n : 16;
      n1 = n - n0;
      m0 = mask(n0);
      m1 = mask(n1);
    }
    template <bool Flip>
    NDCONV_QINLINE void accumulate(__m512i (&acc)[2], const uint8_t* r0, const uint8_t* r1, const int16_t* w) const {
      acc[0] = madd(acc[0], pairs<Flip>(r0, r1, m0), w);
      if (Full || n1) acc[1] = madd(acc[1], pairs<Flip>(r0 + 16, r1 + 16, m1), w + 32);
    }
  };
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv

#include "kernels/qdepthwise_x86.hpp"
