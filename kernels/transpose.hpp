// Transposition, dst[j * dst_stride + i] = src[i * src_stride + j] for
// i < rows, j < cols, of 4-byte elements and of bytes: the channels-first <->
// channels-last copies around a channels-first plan computed channels-last
// (algorithms/channels_last_transposed.h, the int8 -ncx plans).
//
// 8 x 8 tiles in registers on x86 (AVX: unpack, shuffle, lane permute, 24
// shuffles per 64 floats) and 4 x 4 on NEON (trn1/trn2, zip of 64-bit
// halves); element by element at the ragged edges and on the scalar path.
// The tiles are walked with the longer side outermost: a caller transposing
// a block of 64 pixels x every channel then touches 8 lines of the
// contiguous side and at most 64 of the strided side per sweep of the short
// side, which stay in L1 whatever the channel count (a block of 64 pixels x
// 512 channels is 128 KiB).
#pragma once

#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

// The largest square tile this ISA transposes in registers (1: none).
template <class Arch>
struct transpose_tile {
#if defined(NDCONV_SIMD_X86)
  static constexpr size_t size = 8;
#elif defined(NDCONV_SIMD_NEON)
  static constexpr size_t size = 4;
#else
  static constexpr size_t size = 1;
#endif
};

// Walks a rows x cols transposition in T x T tiles, tile(i, j) for each
// whole tile (the longer side outermost, see above), then edge(i, j) for
// every element outside them: the last rows % T rows, then the last cols % T
// columns of the others. T == 1: every element an edge.
template <size_t T, class Tile, class Edge>
inline void walk_transpose_tiles(size_t rows, size_t cols, const Tile& tile, const Edge& edge) {
  const size_t full_rows = T > 1 ? rows / T * T : 0, full_cols = T > 1 ? cols / T * T : 0;
  if (rows >= cols) {
    for (size_t i = 0; i < full_rows; i += T)
      for (size_t j = 0; j < full_cols; j += T) tile(i, j);
  } else {
    for (size_t j = 0; j < full_cols; j += T)
      for (size_t i = 0; i < full_rows; i += T) tile(i, j);
  }
  for (size_t i = full_rows; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) edge(i, j);
  for (size_t j = full_cols; j < cols; ++j)
    for (size_t i = 0; i < full_rows; ++i) edge(i, j);
}

// One tile of transpose_tile::size square, whole.
inline void transpose_tile_in_registers(const float* src, size_t ss, float* dst, size_t ds) {
#if defined(NDCONV_SIMD_X86)
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ss);
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);      // a0 b0 a1 b1 | a4 b4 a5 b5
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);  // a2 b2 a3 b3 | a6 b6 a7 b7
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);      // a0 b0 c0 d0 | a4 b4 c4 d4
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);  // a1 b1 c1 d1 | a5 ...
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(dst + i * ds, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    _mm256_storeu_ps(dst + (i + 4) * ds, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
#elif defined(NDCONV_SIMD_NEON)
  const float32x4_t a = vld1q_f32(src), b = vld1q_f32(src + ss), c = vld1q_f32(src + 2 * ss),
                    d = vld1q_f32(src + 3 * ss);
  const float32x4_t ab0 = vtrn1q_f32(a, b), ab1 = vtrn2q_f32(a, b);  // a0 b0 a2 b2, a1 b1 a3 b3
  const float32x4_t cd0 = vtrn1q_f32(c, d), cd1 = vtrn2q_f32(c, d);
  auto lo = [](float32x4_t x, float32x4_t y) {
    return vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(x), vreinterpretq_f64_f32(y)));
  };
  auto hi = [](float32x4_t x, float32x4_t y) {
    return vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(x), vreinterpretq_f64_f32(y)));
  };
  vst1q_f32(dst, lo(ab0, cd0));
  vst1q_f32(dst + ds, lo(ab1, cd1));
  vst1q_f32(dst + 2 * ds, hi(ab0, cd0));
  vst1q_f32(dst + 3 * ds, hi(ab1, cd1));
#else
  dst[0] = src[0];
  (void)ss;
  (void)ds;
#endif
}

// Any 4-byte elements (floats; the int8 plans' int32 and float outputs), bit
// for bit: the register tiles' loads, shuffles and stores move bits (and the
// intrinsics may alias any type); the edges are copied with memcpy, never
// read through a type they do not have.
template <class Arch>
void transpose_words(const void* src_v, size_t src_stride, void* dst_v, size_t dst_stride, size_t rows,
                     size_t cols) {
  const char* src = static_cast<const char*>(src_v);
  char* dst = static_cast<char*>(dst_v);
  const auto at = [](size_t row, size_t stride, size_t col) { return (row * stride + col) * 4; };
  walk_transpose_tiles<transpose_tile<Arch>::size>(
      rows, cols,
      [&](size_t i, size_t j) {
        transpose_tile_in_registers(reinterpret_cast<const float*>(src + at(i, src_stride, j)), src_stride,
                                    reinterpret_cast<float*>(dst + at(j, dst_stride, i)), dst_stride);
      },
      [&](size_t i, size_t j) { std::memcpy(dst + at(j, dst_stride, i), src + at(i, src_stride, j), 4); });
}

// Bytes: 16 x 16 tiles on x86 (SSE2 byte unpacks, in every x86 level) and
// on NEON (zip1/zip2), element by element at the edges and on scalar. Four
// perfect shuffles transpose a tile: interleaving row i with row i + 8 into
// rows 2i and 2i + 1 rotates each byte's 8-bit (row, column) address left by
// one bit, so four rounds swap row and column. 64 unpacks per 256 bytes; the
// portable 8 x 8 word tricks it replaces (addressing/channel_transpose.cpp)
// took ~1.4 operations per byte.
template <class Arch>
struct transpose_byte_tile {
#if defined(NDCONV_SIMD_X86) || defined(NDCONV_SIMD_NEON)
  static constexpr size_t size = 16;
#else
  static constexpr size_t size = 1;
#endif
};

inline void transpose_byte_tile_in_registers(const uint8_t* src, size_t ss, uint8_t* dst, size_t ds) {
#if defined(NDCONV_SIMD_X86)
  __m128i r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i * ss));
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      t[2 * i] = _mm_unpacklo_epi8(r[i], r[i + 8]);
      t[2 * i + 1] = _mm_unpackhi_epi8(r[i], r[i + 8]);
    }
    for (int i = 0; i < 16; ++i) r[i] = t[i];
  }
  for (int i = 0; i < 16; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i * ds), r[i]);
#elif defined(NDCONV_SIMD_NEON)
  uint8x16_t r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = vld1q_u8(src + i * ss);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      t[2 * i] = vzip1q_u8(r[i], r[i + 8]);
      t[2 * i + 1] = vzip2q_u8(r[i], r[i + 8]);
    }
    for (int i = 0; i < 16; ++i) r[i] = t[i];
  }
  for (int i = 0; i < 16; ++i) vst1q_u8(dst + i * ds, r[i]);
#else
  dst[0] = src[0];
  (void)ss;
  (void)ds;
#endif
}

template <class Arch>
void transpose_bytes(const uint8_t* src, size_t src_stride, uint8_t* dst, size_t dst_stride, size_t rows,
                     size_t cols) {
  walk_transpose_tiles<transpose_byte_tile<Arch>::size>(
      rows, cols,
      [&](size_t i, size_t j) {
        transpose_byte_tile_in_registers(src + i * src_stride + j, src_stride, dst + j * dst_stride + i, dst_stride);
      },
      [&](size_t i, size_t j) { dst[j * dst_stride + i] = src[i * src_stride + j]; });
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
