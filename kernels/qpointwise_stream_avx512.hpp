// The zmm family of the int8 pointwise stream kernel
// (qpointwise_stream_x86.hpp): 16 pixels per block, 16 int32 lanes. With
// AVX512-VNNI one vpdpbusd per output vector; without, the 4 bytes split
// into even and odd 16-bit halves and two exact vpmaddwd (no vpmaddubsw:
// its 16-bit pair sums saturate).
#pragma once

#include <immintrin.h>

#include "kernels/qgemm_avx512.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct QpsZmm : Zmm {
  // Epilogue::store_quad_nearest rounds explicitly (embedded rounding).
  static constexpr bool nearest_mode() { return true; }
  // `bytes` (16 x K <= 64) bytes; byte-masked: nothing past them is read.
  static NDCONV_QINLINE __m512i load_input(const uint8_t* p, size_t bytes) {
    const __mmask64 m = bytes >= 64 ? ~__mmask64{0} : (__mmask64{1} << bytes) - 1;
    return _mm512_maskz_loadu_epi8(m, p);
  }
  // The grouped kernel's loads (qgrouped_x86.hpp): the byte mask computed once.
  using InputMask = __mmask64;
  static NDCONV_QINLINE __mmask64 input_mask(size_t bytes) {
    return bytes >= 64 ? ~__mmask64{0} : (__mmask64{1} << bytes) - 1;
  }
  static NDCONV_QINLINE __m512i load_masked(const uint8_t* p, __mmask64 m) { return _mm512_maskz_loadu_epi8(m, p); }
  template <bool Flip>
  static NDCONV_QINLINE __m512i broadcast4(const uint8_t* p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    const __m512i x = _mm512_set1_epi32(v);
    return Flip ? flip(x) : x;
  }
  static constexpr bool kQgShuffleBroadcast = true;  // qgrouped_x86.hpp
  template <bool Flip>
  static NDCONV_QINLINE __m512i broadcast16(const uint8_t* p) {
    const __m512i x = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return Flip ? flip(x) : x;
  }
  template <int I>
  static NDCONV_QINLINE __m512i dword(__m512i x) { return _mm512_shuffle_epi32(x, static_cast<_MM_PERM_ENUM>(I * 0x55)); }
  static NDCONV_QINLINE __m512i flip(__m512i x) { return _mm512_xor_si512(x, _mm512_set1_epi8(-128)); }
  static NDCONV_QINLINE __m512i spread(__m512i x, const int32_t* gather, const int8_t* ctrl) {
    const __m512i g = _mm512_permutexvar_epi32(_mm512_load_si512(gather), x);
    return _mm512_shuffle_epi8(g, _mm512_load_si512(ctrl));
  }
  // The grouped kernel's selection (qgrouped_x86.hpp): lane c takes dword perm[c].
  static NDCONV_QINLINE __m512i permute(__m512i x, const int32_t* perm) {
    return _mm512_permutexvar_epi32(_mm512_load_si512(perm), x);
  }
  static NDCONV_QINLINE __m512i dot(__m512i acc, __m512i x, const int8_t* w) {
    const __m512i wv = _mm512_load_si512(w);
#if defined(__AVX512VNNI__)
    return _mm512_dpbusd_epi32(acc, x, wv);
#else
    const __m512i x_even = _mm512_and_si512(x, _mm512_set1_epi16(0xFF)), x_odd = _mm512_srli_epi16(x, 8);
    const __m512i w_even = _mm512_srai_epi16(_mm512_slli_epi16(wv, 8), 8), w_odd = _mm512_srai_epi16(wv, 8);
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x_even, w_even));
    return _mm512_add_epi32(acc, _mm512_madd_epi16(x_odd, w_odd));
#endif
  }
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv

#include "kernels/qpointwise_stream_x86.hpp"
#include "kernels/qgrouped_x86.hpp"
