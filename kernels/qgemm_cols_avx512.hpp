// The channels-first int8 pointwise tile (QGemmColsArgs): MR output channels
// x NV zmm vectors of 16 pixels, vpdpbusd with the interleaved input as the
// u8 operand and a broadcast weight word as the s8 one. The transpose of the
// channels-last tile (qgemm_simd_loop.hpp): the same 2 vector loads and MR
// broadcasts per MR x 2 dot products, but the accumulators of one output
// channel are one output row, so the NCX output needs no copy back (the
// channels-last route transposed both tensors: pw_res2_expand NCX ran at 343
// GOP/s against 611 channels-last, AMD EPYC Zen 5). The epilogue's scale and
// bias are per row. Included inside the TU's namespace NDCONV_QKERNEL_NS, after
// qgemm_avx512.hpp.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/qgemm_args.h"
#include "kernels/qgemm_avx512.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// Row `word`'s weight word in a group's MR words at `a`.
NDCONV_QINLINE int32_t cols_weight_word(const int8_t* a, size_t word) {
  int32_t v;
  std::memcpy(&v, a + 4 * word, 4);
  return v;
}

// Rows < mr of the tile into the output, row i's scale and clamp per type;
// pixels >= nr are not stored. U8/S8: two rows of two vectors narrowed
// together by Zmm::Epilogue::store_row_pair, as store_full_width does with
// scales per column.
template <QOutputType T, size_t MR, size_t NV>
NDCONV_QINLINE void store_cols_tile(const __m512i (&acc)[MR][NV], const QGemmColsArgs& p) {
  const QEpilogue& e = p.epi;
  const size_t mr = p.mr, nr = p.nr;
  auto pixels_in = [&](size_t v) { return nr > v * 16 ? nr - v * 16 : 0; };
  if constexpr (T == QOutputType::kS32 || T == QOutputType::kF32) {
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i) {
      if (i >= mr) break;
      char* row = static_cast<char*>(p.c) + i * p.ldc * 4;
      const __m512 s = _mm512_set1_ps(T == QOutputType::kF32 ? e.scale[i] : 0.0f);
#pragma GCC unroll 16
      for (size_t v = 0; v < NV; ++v) {
        const __mmask16 m = Zmm::mask(pixels_in(v));
        if (T == QOutputType::kS32) {
          __m512i y = _mm512_max_epi32(acc[i][v], _mm512_set1_epi32(e.s32_min));
          y = _mm512_min_epi32(y, _mm512_set1_epi32(e.s32_max));
          _mm512_mask_storeu_epi32(row + v * 64, m, y);
        } else {
          __m512 y = _mm512_mul_round_ps(_mm512_cvt_roundepi32_ps(acc[i][v], kRneSae), s, kRneSae);
          y = _mm512_min_ps(_mm512_max_ps(y, _mm512_set1_ps(e.f32_min)), _mm512_set1_ps(e.f32_max));
          _mm512_mask_storeu_ps(row + v * 64, m, y);
        }
      }
    }
  } else {
    static_assert(NV % 2 == 0, "the U8/S8 store narrows pairs of vectors");
    const Zmm::Epilogue ep(e);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; i += 2) {
      if (i >= mr) break;
      // Row j exists in registers even past mr (a constant index keeps the
      // tile there); its store is skipped, and so is its scale's load.
      const size_t j = i + 1 < MR ? i + 1 : i;
      const bool store_j = j != i && j < mr;
      const __m512 si = _mm512_set1_ps(e.scale[i]);
      const __m512 sj = store_j ? _mm512_set1_ps(e.scale[j]) : si;
      char* ri = static_cast<char*>(p.c) + i * p.ldc;
      char* rj = static_cast<char*>(p.c) + j * p.ldc;
#pragma GCC unroll 16
      for (size_t v = 0; v < NV; v += 2)
        ep.store_row_pair<T>(acc[i][v], acc[i][v + 1], acc[j][v], acc[j][v + 1], si, si, sj, sj, pixels_in(v),
                             ri + v * 16, rj + v * 16, store_j);
    }
  }
}

// QColsInterleaveFn for NR = 32, 64 pixels per step: per row one 64-byte
// load, two rounds of unpacks (bytes, then words) give each 128-bit lane 4
// pixels x 4 channels, and a 4 x 4 transpose of the lanes (vshufi32x4) puts
// 16 pixels in order per vector: 28 instructions per 256 output bytes
// against 80 for 16-byte SSE2 steps (the SSE2 interleave was 14% of
// pw_res2_reduce NCX, AMD EPYC Zen 5). Missing rows read as zeros, pixels
// past `pixels` too (masked loads).
inline void interleave_cols32_avx512(const uint8_t* src, size_t ld, size_t rows, size_t pixels, size_t tiles,
                                     size_t tile_bytes, uint8_t flip, uint8_t* dst, size_t ahead) {
  for (size_t k = 0; k < rows; ++k)
    for (size_t j = 0; j < ahead; j += 64) _mm_prefetch(reinterpret_cast<const char*>(src + k * ld + pixels + j), _MM_HINT_T1);
  const __m512i f = _mm512_set1_epi8(static_cast<char>(flip));
  for (size_t p = 0, t = 0; t < tiles; p += 64, t += 2) {
    const size_t n = pixels > p ? pixels - p : 0;
    const __mmask64 m = n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
    __m512i r[4];
#pragma GCC unroll 4
    for (size_t k = 0; k < 4; ++k) r[k] = k < rows ? _mm512_maskz_loadu_epi8(m, src + k * ld + p) : _mm512_setzero_si512();
    const __m512i lo01 = _mm512_unpacklo_epi8(r[0], r[1]), hi01 = _mm512_unpackhi_epi8(r[0], r[1]);
    const __m512i lo23 = _mm512_unpacklo_epi8(r[2], r[3]), hi23 = _mm512_unpackhi_epi8(r[2], r[3]);
    // Lane l of a, b, c, d: pixels 16l + 0..3, 4..7, 8..11, 12..15.
    const __m512i a = _mm512_unpacklo_epi16(lo01, lo23), b = _mm512_unpackhi_epi16(lo01, lo23);
    const __m512i c = _mm512_unpacklo_epi16(hi01, hi23), d = _mm512_unpackhi_epi16(hi01, hi23);
    const __m512i ab01 = _mm512_shuffle_i32x4(a, b, 0x44), ab23 = _mm512_shuffle_i32x4(a, b, 0xEE);
    const __m512i cd01 = _mm512_shuffle_i32x4(c, d, 0x44), cd23 = _mm512_shuffle_i32x4(c, d, 0xEE);
    uint8_t* t0 = dst + t * tile_bytes;
    _mm512_storeu_si512(t0, _mm512_xor_si512(_mm512_shuffle_i32x4(ab01, cd01, 0x88), f));       // pixels 0..15
    _mm512_storeu_si512(t0 + 64, _mm512_xor_si512(_mm512_shuffle_i32x4(ab01, cd01, 0xDD), f));  // 16..31
    if (t + 1 == tiles) break;
    uint8_t* t1 = t0 + tile_bytes;
    _mm512_storeu_si512(t1, _mm512_xor_si512(_mm512_shuffle_i32x4(ab23, cd23, 0x88), f));       // 32..47
    _mm512_storeu_si512(t1 + 64, _mm512_xor_si512(_mm512_shuffle_i32x4(ab23, cd23, 0xDD), f));  // 48..63
  }
}

// acc += dot(x, w) in acc's own register. GCC 12 compiled the intrinsic
// form of the 8x32 tile with 4 of its 16 accumulators copied out and back
// around their vpdpbusd (8 vmovdqa per k group, -O3), and the 14-row tile
// with one accumulator on the stack.
NDCONV_QINLINE __m512i dpbusd_in_place(__m512i acc, __m512i x, __m512i w) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
  return acc;
}

// The tile: accumulators at the row's bias, every group's NV input vectors
// loaded once for all MR rows, one broadcast weight word per row.
template <size_t MR, size_t NV>
void qgemm_cols_avx512vnni(const QGemmColsArgs& p) {
  __m512i acc[MR][NV];
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; ++i) {
    const __m512i bias = _mm512_set1_epi32(i < p.mr ? p.epi.bias[i] : 0);
#pragma GCC unroll 16
    for (size_t v = 0; v < NV; ++v) acc[i][v] = bias;
  }
  const int8_t* a = p.a;
  const uint8_t* b = p.b;
  for (size_t g = 0; g < p.groups; ++g, a += 4 * MR, b += p.b_group_stride) {
    __m512i x[NV];
#pragma GCC unroll 16
    for (size_t v = 0; v < NV; ++v) x[v] = _mm512_loadu_si512(b + v * 64);
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i) {
      const __m512i w = _mm512_set1_epi32(cols_weight_word(a, i));
#pragma GCC unroll 16
      for (size_t v = 0; v < NV; ++v) acc[i][v] = dpbusd_in_place(acc[i][v], x[v], w);
    }
  }
  switch (p.epi.type) {
    case QOutputType::kS32: return store_cols_tile<QOutputType::kS32, MR, NV>(acc, p);
    case QOutputType::kF32: return store_cols_tile<QOutputType::kF32, MR, NV>(acc, p);
    case QOutputType::kU8: return store_cols_tile<QOutputType::kU8, MR, NV>(acc, p);
    case QOutputType::kS8: return store_cols_tile<QOutputType::kS8, MR, NV>(acc, p);
  }
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
