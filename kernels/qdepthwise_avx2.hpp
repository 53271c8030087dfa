// The ymm family of the int8 depthwise kernel (qdepthwise_x86.hpp): 8
// channels per int32 vector, a 16-channel tile. AVX2 has no byte-masked
// load, so a partial tile (n < 16 channels) reads, when the row has at
// least 16 channels, the row's last 16 bytes and shifts its n bytes down
// with vpshufb (zeros above); a row of fewer than 16 channels is copied
// into a zeroed 16-byte buffer. Neither reads a byte past the row. With
// AVX-VNNI, vpdpwssd (VEX; not the saturating vpdpwssds) fuses the
// multiply-add; else vpmaddwd + vpaddd. With AVX-VNNI and U8/S8 output,
// whole blocks of 32 channels take the dot-product forms of
// kernels/qdepthwise_dot_x86.hpp (vpdpbusd ymm).
#pragma once

#include <immintrin.h>

#include <cstring>

#include "kernels/qgemm_avx2.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// vpshufb controls: at offset 16 - n, bytes i < n take source byte 16 - n + i, the rest 0.
alignas(16) constexpr int8_t kQdwShiftDown[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                                  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

struct QdwYmm : Ymm {
#if defined(__AVXVNNI__)
  // The dot-product forms' primitives (kernels/qdepthwise_dot_x86.hpp):
  // whole blocks of 32 channels only (no byte-masked loads; the rest takes
  // the pair path). Their bytes are the pair path's (Epilogue::quantize's
  // float-first rounding, in every MXCSR mode): a plan's output never
  // depends on which path a channel took or on the caller's mode.
  static constexpr size_t quad_block = 32;
  static constexpr bool quad_partial = false;
  template <QOutputType T>
  static NDCONV_QINLINE __m256i quad_out(const Epilogue& e, const __m256i (&acc)[4], const float* scale) {
    return e.template quad_bytes<T>(acc, scale);
  }
  using QuadMask = int;  // unused: whole blocks
  static NDCONV_QINLINE QuadMask full_mask() { return 0; }
  template <bool Full>
  static NDCONV_QINLINE __m256i load_bytes(const uint8_t* p, QuadMask) {
    static_assert(Full, "whole blocks only");
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  template <bool Full>
  static NDCONV_QINLINE void store_bytes(char* p, QuadMask, __m256i b) {
    static_assert(Full, "whole blocks only");
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), b);
  }
  static NDCONV_QINLINE __m256i load_i32(const int32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static NDCONV_QINLINE __m256i zero() { return _mm256_setzero_si256(); }
  static NDCONV_QINLINE __m256i flip_bytes(__m256i x) { return _mm256_xor_si256(x, _mm256_set1_epi8(-128)); }
  static NDCONV_QINLINE __m256i unpacklo8(__m256i a, __m256i b) { return _mm256_unpacklo_epi8(a, b); }
  static NDCONV_QINLINE __m256i unpackhi8(__m256i a, __m256i b) { return _mm256_unpackhi_epi8(a, b); }
  static NDCONV_QINLINE __m256i unpacklo16(__m256i a, __m256i b) { return _mm256_unpacklo_epi16(a, b); }
  static NDCONV_QINLINE __m256i unpackhi16(__m256i a, __m256i b) { return _mm256_unpackhi_epi16(a, b); }
  static NDCONV_QINLINE __m256i dot(__m256i acc, __m256i u, const int8_t* w) {
    return _mm256_dpbusd_avx_epi32(acc, u, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
  }
  static constexpr bool hold_slide_weights = false;
  static constexpr bool slide_overlap_last = false;  // QDepthwiseKernel::slide_overlap_last
  static NDCONV_QINLINE __m256i load_weights(const int8_t* w) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
  }
  static NDCONV_QINLINE __m256i dot_held(__m256i acc, __m256i u, __m256i w) {
    return _mm256_dpbusd_avx_epi32(acc, u, w);
  }
#else
  static constexpr size_t quad_block = 0;  // no dot-product form without AVX-VNNI
#endif
  static NDCONV_QINLINE __m256i madd(__m256i acc, __m128i x, const int16_t* w) {
    const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i xv = _mm256_cvtepu8_epi16(x);
#if defined(__AVXVNNI__)
    return _mm256_dpwssd_avx_epi32(acc, xv, wv);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(xv, wv));
#endif
  }

  // One 16-channel tile from channel c: n0 + n1 real channels.
  template <bool Full>
  struct Block {
    size_t n, n0, n1;
    bool shift;     // partial tile of a row of >= 16 channels
    __m128i ctrl;   // its vpshufb control
    Block(size_t c, size_t channels) {
      n = Full ? 16 : channels - c;
      n0 = n < 8 ? n : 8;
      n1 = n - n0;
      shift = !Full && channels >= 16;
      ctrl = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kQdwShiftDown + 16 - n));
    }
    // The tile's bytes of a row from channel c (p = row + c), zero past n.
    NDCONV_QINLINE __m128i load(const uint8_t* p) const {
      if (Full) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      if (shift) return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)), ctrl);
      alignas(16) uint8_t b[16] = {};
      std::memcpy(b, p, n);
      return _mm_load_si128(reinterpret_cast<const __m128i*>(b));
    }
    template <bool Flip>
    NDCONV_QINLINE void accumulate(__m256i (&acc)[2], const uint8_t* r0, const uint8_t* r1, const int16_t* w) const {
      const __m128i x0 = load(r0), x1 = load(r1);
      __m128i lo = _mm_unpacklo_epi8(x0, x1), hi = _mm_unpackhi_epi8(x0, x1);
      if (Flip) {
        const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
        lo = _mm_xor_si128(lo, flip);
        hi = _mm_xor_si128(hi, flip);
      }
      acc[0] = madd(acc[0], lo, w);
      if (Full || n1) acc[1] = madd(acc[1], hi, w + 16);
    }
  };
};

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv

#include "kernels/qdepthwise_x86.hpp"
