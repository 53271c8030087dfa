// The zmm family of the int8 depthwise kernel (qdepthwise_x86.hpp): 16
// channels per int32 vector, a 32-channel tile. Partial tiles load through
// byte masks (AVX-512BW: masked-off bytes never fault, no byte past the
// row). With AVX512-VNNI, vpdpwssd (not vpdpwssds: no saturation) fuses
// the multiply-add; else vpmaddwd + vpaddd. Both wrap exactly as int32.
#pragma once

#include <immintrin.h>

#include "kernels/qgemm_avx512.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct QdwZmm : Zmm {
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
