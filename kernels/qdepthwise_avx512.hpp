// The zmm family of the int8 depthwise kernel (qdepthwise_x86.hpp): 16
// channels per int32 vector, a 32-channel tile. Partial tiles load through
// byte masks (AVX-512BW: masked-off bytes never fault, no byte past the
// row). With AVX512-VNNI, vpdpwssd (not vpdpwssds: no saturation) fuses
// the multiply-add; else vpmaddwd + vpaddd. Both wrap exactly as int32.
// With AVX512-VNNI and U8/S8 output, blocks of 64 channels take one of two
// dot-product forms (vpdpbusd, 4 bytes per dword): the quad form (4 taps
// of one pixel) or, along runs of pixels at stride 1 with 3 taps across,
// the sliding form (3-4 kernel rows of one input column, reused by the 3
// pixels that read it).
#pragma once

#include <immintrin.h>

#include "kernels/qdepthwise_args.h"
#include "kernels/qgemm_avx512.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

struct QdwZmm : Zmm {
#if defined(__AVX512VNNI__)
  static constexpr size_t quad_block = 64;

  // The dot-product form (kernels/qdepthwise_args.h: wq): per pixel and
  // block of 64 channels, 4 taps' rows loaded whole, interleaved by two
  // levels of in-lane unpacks (vpunpck[lh]bw, then [lh]wd) into 4 vectors of
  // (u_t[c], u_t+1[c], u_t+2[c], u_t+3[c]) dwords, one vpdpbusd each: 256
  // products per 8 shuffles + 4 vpdpbusd, where the tap-pair path spends
  // 16 vpmovzxbd, 8 shifts, 8 ors and 8 vpdpwssd. A last group of fewer
  // than 4 taps reads its first tap's row in place of the missing ones
  // (their weights are 0). A last block of more
  // than 32 channels masked (the missing ones' weights, bias and scale 0).
  // Returns the channel from which the tap-pair path goes on: a last block
  // of at most 32 channels costs it at most 20 vector ops per 4 taps, this
  // form 20 for any (dw3x3_mbv2's 144 = 2 x 64 + 16 ran 0.81x oneDNN with
  // a masked third block, 0.94x with the pair path's 16).
  // Runs of evenly spaced pixels with the sliding form's operands
  // (QDepthwiseArgs::ws) take it, the others the quad form.
  template <QOutputType T, bool Flip>
  static size_t quad_blocks(const QDepthwiseArgs& a) {
    const Epilogue e(a.epi);
    const bool slide = a.ws != nullptr && a.row_stride == 0;
    size_t c = 0;
    for (; c + 64 <= a.channels; c += 64) {
      if (slide)
        slide_block_pixels<T, Flip, true>(a, e, c, ~0ull);
      else
        quad_block_pixels<T, Flip, true>(a, e, c, ~0ull);
    }
    const size_t n = a.channels - c;
    if (n <= 32) return c;
    if (slide)
      slide_block_pixels<T, Flip, false>(a, e, c, (1ull << n) - 1);
    else
      quad_block_pixels<T, Flip, false>(a, e, c, (1ull << n) - 1);
    return a.channels;
  }

  // Input column j (j pixels past the run's first tap column) of channels
  // [c, c + 64): its slide_rows kernel rows' bytes, a zero row past them,
  // interleaved as the quad form interleaves 4 taps.
  template <bool Flip, bool Full>
  static NDCONV_QINLINE void slide_column(const QDepthwiseArgs& a, const uint8_t* const (&r)[4], size_t j,
                                          __mmask64 m, __m512i (&v)[4]) {
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    __m512i x[4];
#pragma GCC unroll 4
    for (size_t k = 0; k < 4; ++k) {
      x[k] = _mm512_setzero_si512();
      if (k >= a.slide_rows) continue;
      const uint8_t* p = r[k] + j * a.channels;
      x[k] = Full ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8(m, p);
      if (Flip) x[k] = _mm512_xor_si512(x[k], flip);
    }
    const __m512i lo01 = _mm512_unpacklo_epi8(x[0], x[1]), hi01 = _mm512_unpackhi_epi8(x[0], x[1]);
    const __m512i lo23 = _mm512_unpacklo_epi8(x[2], x[3]), hi23 = _mm512_unpackhi_epi8(x[2], x[3]);
    v[0] = _mm512_unpacklo_epi16(lo01, lo23);
    v[1] = _mm512_unpackhi_epi16(lo01, lo23);
    v[2] = _mm512_unpacklo_epi16(hi01, hi23);
    v[3] = _mm512_unpackhi_epi16(hi01, hi23);
  }

  // The sliding form (QDepthwiseArgs::ws), channels [c, c + 64) of a run of
  // pixels 1 input column apart: each input column's kernel rows are
  // interleaved once and used by the 3 output pixels that read it, each
  // with its kx's weights. Per pixel and block: 3 loads and 8 shuffles,
  // where the quad form spends 12 and 24 on 3x3 taps (in 3 groups of 4),
  // for the same 12 vpdpbusd. Column i + 2, the run's last read, is the
  // last tap column of pixel i: inside the input.
  template <QOutputType T, bool Flip, bool Full>
  static NDCONV_QINLINE void slide_block_pixels(const QDepthwiseArgs& a, const Epilogue& e, size_t c, __mmask64 m) {
    const uint8_t* r[4] = {};
    for (size_t k = 0; k < a.slide_rows; ++k) r[k] = a.rows[3 * k] + c;
    __m512i w[3][4], bias[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      bias[j] = _mm512_loadu_si512(a.quad_bias + c + 16 * j);
#pragma GCC unroll 3
      for (size_t kx = 0; kx < 3; ++kx) w[kx][j] = _mm512_loadu_si512(a.ws + 4 * (kx * a.quad_channels + c + 16 * j));
    }
    __m512i col0[4], col1[4], col2[4];
    slide_column<Flip, Full>(a, r, 0, m, col0);
    slide_column<Flip, Full>(a, r, 1, m, col1);
    char* out = static_cast<char*>(a.out) + c;
    for (size_t i = 0; i < a.pixels; ++i, out += a.channels) {
      slide_column<Flip, Full>(a, r, i + 2, m, col2);
      __m512i acc[4];
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        acc[j] = _mm512_dpbusd_epi32(bias[j], col0[j], w[0][j]);
        acc[j] = _mm512_dpbusd_epi32(acc[j], col1[j], w[1][j]);
        acc[j] = _mm512_dpbusd_epi32(acc[j], col2[j], w[2][j]);
        col0[j] = col1[j];
        col1[j] = col2[j];
      }
      const __m512i b = e.template quad_bytes<T>(acc, a.quad_scale + c);
      if (Full)
        _mm512_storeu_si512(out, b);
      else
        _mm512_mask_storeu_epi8(out, m, b);
    }
  }

  // Channels [c, c + 64) of every pixel; Full: all real, else those of
  // mask `m` (byte-masked loads and store: no byte past the row).
  template <QOutputType T, bool Flip, bool Full>
  static NDCONV_QINLINE void quad_block_pixels(const QDepthwiseArgs& a, const Epilogue& e, size_t c, __mmask64 m) {
    const size_t groups = (a.taps + 3) / 4, gstep = 4 * a.quad_channels;
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    __m512i bias[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) bias[j] = _mm512_loadu_si512(a.quad_bias + c + 16 * j);
    for (size_t i = 0; i < a.pixels; ++i) {
      const uint8_t* const* rows = a.rows + i * a.row_stride;
      const ptrdiff_t off = static_cast<ptrdiff_t>(i) * a.pixel_step + static_cast<ptrdiff_t>(c);
      __m512i acc[4] = {bias[0], bias[1], bias[2], bias[3]};
      const int8_t* w = a.wq + 4 * c;
      for (size_t g = 0, t = 0; g < groups; ++g, t += 4, w += gstep) {
        __m512i x[4];
#pragma GCC unroll 4
        for (size_t k = 0; k < 4; ++k) {
          const uint8_t* r = (t + k < a.taps ? rows[t + k] : rows[t]) + off;
          x[k] = Full ? _mm512_loadu_si512(r) : _mm512_maskz_loadu_epi8(m, r);
          if (Flip) x[k] = _mm512_xor_si512(x[k], flip);
        }
        const __m512i lo01 = _mm512_unpacklo_epi8(x[0], x[1]), hi01 = _mm512_unpackhi_epi8(x[0], x[1]);
        const __m512i lo23 = _mm512_unpacklo_epi8(x[2], x[3]), hi23 = _mm512_unpackhi_epi8(x[2], x[3]);
        acc[0] = _mm512_dpbusd_epi32(acc[0], _mm512_unpacklo_epi16(lo01, lo23), _mm512_loadu_si512(w));
        acc[1] = _mm512_dpbusd_epi32(acc[1], _mm512_unpackhi_epi16(lo01, lo23), _mm512_loadu_si512(w + 64));
        acc[2] = _mm512_dpbusd_epi32(acc[2], _mm512_unpacklo_epi16(hi01, hi23), _mm512_loadu_si512(w + 128));
        acc[3] = _mm512_dpbusd_epi32(acc[3], _mm512_unpackhi_epi16(hi01, hi23), _mm512_loadu_si512(w + 192));
      }
      char* out = static_cast<char*>(a.out) + i * a.channels + c;
      const __m512i b = e.template quad_bytes<T>(acc, a.quad_scale + c);
      if (Full)
        _mm512_storeu_si512(out, b);
      else
        _mm512_mask_storeu_epi8(out, m, b);
    }
  }
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
