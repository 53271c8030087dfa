// The ymm family of the int8 pointwise stream kernel
// (qpointwise_stream_x86.hpp): 8 pixels per block, 8 int32 lanes; vpermd
// and vpshufb as on zmm. With AVX-VNNI one vpdpbusd (VEX) per output
// vector; without, two exact vpmaddwd on the even and odd bytes.
#pragma once

#include <immintrin.h>

#include "kernels/qgemm_avx2.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct QpsYmm : Ymm {
  // Epilogue::store_quad_nearest rounds in the caller's mode: right (the
  // float-first bytes) only where MXCSR.RC is round-to-nearest. Read, never
  // changed; elsewhere the kernel computes the same bytes in scalar.
  static NDCONV_QINLINE bool nearest_mode() { return (_mm_getcsr() & 0x6000u) == 0; }
  // `bytes` (8 x K: a multiple of 4, <= 32) bytes; dword-masked
  // (vpmaskmovd: masked-off dwords never fault), nothing past them is read.
  static NDCONV_QINLINE __m256i load_input(const uint8_t* p, size_t bytes) {
    return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), mask(bytes / 4));
  }
  // The grouped kernel's loads (qgrouped_x86.hpp): the dword mask computed once.
  using InputMask = __m256i;
  static NDCONV_QINLINE __m256i input_mask(size_t bytes) { return mask(bytes / 4); }
  static NDCONV_QINLINE __m256i load_masked(const uint8_t* p, __m256i m) {
    return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), m);
  }
  template <bool Flip>
  static NDCONV_QINLINE __m256i broadcast4(const uint8_t* p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    const __m256i x = _mm256_set1_epi32(v);
    return Flip ? flip(x) : x;
  }
  static constexpr bool kQgShuffleBroadcast = false;  // qgrouped_x86.hpp: measured slower on ymm
  static NDCONV_QINLINE __m256i flip(__m256i x) { return _mm256_xor_si256(x, _mm256_set1_epi8(-128)); }
  static NDCONV_QINLINE __m256i spread(__m256i x, const int32_t* gather, const int8_t* ctrl) {
    const __m256i g = _mm256_permutevar8x32_epi32(x, _mm256_load_si256(reinterpret_cast<const __m256i*>(gather)));
    return _mm256_shuffle_epi8(g, _mm256_load_si256(reinterpret_cast<const __m256i*>(ctrl)));
  }
  // The grouped kernel's selection (qgrouped_x86.hpp): lane c takes dword perm[c].
  static NDCONV_QINLINE __m256i permute(__m256i x, const int32_t* perm) {
    return _mm256_permutevar8x32_epi32(x, _mm256_load_si256(reinterpret_cast<const __m256i*>(perm)));
  }
  static NDCONV_QINLINE __m256i dot(__m256i acc, __m256i x, const int8_t* w) {
    const __m256i wv = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
#if defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(acc, x, wv);
#else
    const __m256i x_even = _mm256_and_si256(x, _mm256_set1_epi16(0xFF)), x_odd = _mm256_srli_epi16(x, 8);
    const __m256i w_even = _mm256_srai_epi16(_mm256_slli_epi16(wv, 8), 8), w_odd = _mm256_srai_epi16(wv, 8);
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x_even, w_even));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(x_odd, w_odd));
#endif
  }
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv

#include "kernels/qpointwise_stream_x86.hpp"
#include "kernels/qgrouped_x86.hpp"
