// The ymm family of the int8 depthwise kernel (qdepthwise_x86.hpp): 8
// channels per int32 vector, a 16-channel tile. AVX2 has no byte-masked
// load, so a partial tile (n < 16 channels) reads, when the row has at
// least 16 channels, the row's last 16 bytes and shifts its n bytes down
// with vpshufb (zeros above); a row of fewer than 16 channels is copied
// into a zeroed 16-byte buffer. Neither reads a byte past the row. With
// AVX-VNNI, vpdpwssd (VEX; not the saturating vpdpwssds) fuses the
// multiply-add; else vpmaddwd + vpaddd.
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
  static constexpr size_t quad_block = 0;  // no dot-product form (QdwZmm has one)
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
