// The SIMD int8 GEMM tile, generic over the vector family V (qgemm_avx512.hpp,
// qgemm_avx2.hpp, qgemm_neon.hpp) and its multiply-accumulate (vpdpbusd or
// sdot, or an exact 16-bit widening): MR rows x NV vectors of V::lanes int32
// columns, K in groups of 4 bytes (KR = 4, the packing every SIMD table
// shares).
//
// Per group of 4 K and row i, the 4 bytes of A are broadcast to every lane
// (XORed with a_xor: S8 input becomes u8 + 128, the compensation is in the
// bias); each column vector's 4 weights per lane are one 16- to 64-byte load
// shared by all rows. The accumulators start at the bias (modular int32 adds,
// so where the bias enters does not matter) and the epilogue runs on them in
// registers. Included inside the TU's namespace NDCONV_QKERNEL_NS.
//
// A family whose dot product multiplies s8 by s8 (NEON sdot: V::signed_a)
// reads s = u - 128 (one more XOR with 0x80, so S8 input needs none) and adds
// 128 * sum_k w[k][j] per column, summed here by V::column_sum of the same
// weight vectors: the contract's bias meaning is unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/qgemm_args.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

#define NDCONV_QINLINE inline __attribute__((always_inline))

// The 4 bytes of a full K group of a row, as one little-endian word.
NDCONV_QINLINE uint32_t load_group(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The n = 1..3 bytes of a row's last group, without reading past them; the
// missing bytes are 0 (their weights are 0: the packing's zero padding).
NDCONV_QINLINE uint32_t load_group_tail(const uint8_t* p, size_t n) {
  uint32_t v = p[0];
  if (n > 1) v |= static_cast<uint32_t>(p[1]) << 8;
  if (n > 2) v |= static_cast<uint32_t>(p[2]) << 16;
  return v;
}

// Columns of vector v that are real (0 when the whole vector is past nr).
template <size_t Lanes>
NDCONV_QINLINE size_t columns_in(size_t nr, size_t v) {
  const size_t first = v * Lanes;
  return nr <= first ? 0 : (nr - first < Lanes ? nr - first : Lanes);
}

// Every loop over the tile's rows or vectors carries `#pragma GCC unroll`:
// GCC scalarizes acc (one register per vector) only if they are all unrolled
// before its SRA pass; one loop left rolled (the epilogue's, which breaks at
// mr) kept the whole tile on the stack: stored at the bias, stored again
// after the K loop and reloaded by the epilogue, 32 zmm stores and 16 loads
// per 8x32 call (GCC 12; measured on Zen 5 at K = 64, pw_res2_expand).

// One K group (4 bytes per row, `groups_b` the packed weights of the group)
// into the tile: NV weight vectors loaded and prepared once, MR broadcasts.
template <class V, size_t MR, size_t NV, bool Flip>
NDCONV_QINLINE void accumulate_group(typename V::Acc (&acc)[MR][NV], typename V::Acc (&sums)[NV],
                                     const uint32_t (&a)[MR], const int8_t* b, const typename V::Acc& flip) {
  typename V::B w[NV];
#pragma GCC unroll 16
  for (size_t v = 0; v < NV; ++v) w[v] = V::load_b(b + v * V::lanes * 4);
  if (V::signed_a) {
#pragma GCC unroll 16
    for (size_t v = 0; v < NV; ++v) sums[v] = V::column_sum(sums[v], w[v]);
  }
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; ++i) {
    const typename V::A x = V::broadcast_a(a[i], flip, Flip);
#pragma GCC unroll 16
    for (size_t v = 0; v < NV; ++v) acc[i][v] = V::dot(acc[i][v], x, w[v]);
  }
}

// The epilogue of the whole tile, output type T, rows < mr stored.
template <class V, size_t MR, size_t NV, QOutputType T>
NDCONV_QINLINE void store_tile(const typename V::Acc (&acc)[MR][NV], const QGemmRowsArgs& p) {
  const typename V::Epilogue e(p.epi);
  if constexpr (V::full_width_store && (T == QOutputType::kU8 || T == QOutputType::kS8)) {
    return e.template store_full_width<T, MR, NV>(acc, p.mr, p.nr, static_cast<char*>(p.c), p.ldc);
  }
  constexpr size_t esize = T == QOutputType::kU8 || T == QOutputType::kS8 ? 1 : 4;
#pragma GCC unroll 16
  for (size_t i = 0; i < MR; ++i) {
    if (i >= p.mr) break;
    char* row = static_cast<char*>(p.c) + i * p.ldc * esize;
#pragma GCC unroll 16
    for (size_t v = 0; v < NV; ++v) {
      const size_t n = columns_in<V::lanes>(p.nr, v);
      if (n == 0) break;
      e.template store<T>(acc[i][v], v * V::lanes, n, row);
    }
  }
}

// MR rows of the tile computed; `Stride` row pointers per tap in p.a (the
// caller's tile height: a row-tail instance computes fewer rows, below).
// Step: p.a holds one pointer per tap, its row 0, and row i is at
// p.a[t] + i * p.a_step (QGemmRowsKernel::step_fn).
template <class V, size_t MR, size_t NV, bool Flip, size_t Stride = MR, bool Step = false>
void qgemm_rowptr_x86(const QGemmRowsArgs& p) {
  constexpr size_t NR = NV * V::lanes;
  typename V::Acc acc[MR][NV];
#pragma GCC unroll 16
  for (size_t v = 0; v < NV; ++v) {
    const typename V::Acc bias = V::load_bias(p.epi.bias + v * V::lanes, columns_in<V::lanes>(p.nr, v));
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i) acc[i][v] = bias;
  }
  typename V::Acc sums[NV];  // only for V::signed_a
#pragma GCC unroll 16
  for (size_t v = 0; v < NV; ++v) sums[v] = V::splat(0);
  const uint8_t a_xor = static_cast<uint8_t>(p.a_xor ^ (V::signed_a ? 0x80 : 0));
  const typename V::Acc flip = V::splat(static_cast<uint32_t>(a_xor) * 0x01010101u);
  const size_t full = p.kc / 4, tail = p.kc % 4;
  const int8_t* b = p.b;
  for (size_t t = 0; t < p.taps; ++t) {
    const uint8_t* rows[MR];
    const bool listed = Step && t < 64 && ((p.listed_taps >> t) & 1) != 0;
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i)
      rows[i] = !Step || listed ? (Step ? p.lists : p.a)[t * Stride + i]
                                : p.a[t] + static_cast<ptrdiff_t>(i < p.mr ? i : p.mr - 1) * p.a_step;
    for (size_t g = 0; g < full; ++g, b += NR * 4) {
      uint32_t a[MR];
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; ++i) a[i] = load_group(rows[i] + 4 * g);
      accumulate_group<V, MR, NV, Flip>(acc, sums, a, b, flip);
    }
    if (tail) {
      uint32_t a[MR];
#pragma GCC unroll 16
      for (size_t i = 0; i < MR; ++i) a[i] = load_group_tail(rows[i] + 4 * full, tail);
      accumulate_group<V, MR, NV, Flip>(acc, sums, a, b, flip);
      b += NR * 4;
    }
  }
  if (V::signed_a) {
#pragma GCC unroll 16
    for (size_t i = 0; i < MR; ++i)
#pragma GCC unroll 16
      for (size_t v = 0; v < NV; ++v) acc[i][v] = V::add_128_times(acc[i][v], sums[v]);
  }
  switch (p.epi.type) {
    case QOutputType::kS32: return store_tile<V, MR, NV, QOutputType::kS32>(acc, p);
    case QOutputType::kF32: return store_tile<V, MR, NV, QOutputType::kF32>(acc, p);
    case QOutputType::kU8: return store_tile<V, MR, NV, QOutputType::kU8>(acc, p);
    case QOutputType::kS8: return store_tile<V, MR, NV, QOutputType::kS8>(acc, p);
  }
}

// f(std::true_type) when the loop XORs A, else f(std::false_type): the input
// type whose bytes the dot product takes as they are (U8, or S8 for a
// V::signed_a family) runs the loop without the XOR. Every entry below
// dispatches through it.
template <class V, class F>
NDCONV_QINLINE void with_flip(const QGemmRowsArgs& p, F&& f) {
  if (p.a_xor != (V::signed_a ? 0x80 : 0))
    f(std::true_type{});
  else
    f(std::false_type{});
}

// The table's entry.
template <class V, size_t MR, size_t NV>
void qgemm_rowptr(const QGemmRowsArgs& p) {
  with_flip<V>(p, [&](auto flip) { qgemm_rowptr_x86<V, MR, NV, decltype(flip)::value>(p); });
}

// The table's main tile with row tails: a block of mr < MR rows (the last
// of a GEMM whose M is not a multiple of MR: pw_res5_expand's 49 pixels are
// 6 x 8 + 1) runs an instance of fewer rows, 1, 2, 4 or MR / 2 (the
// smallest that holds mr), instead of all MR rows of which MR - mr repeat
// the last. Pointers keep the caller's [taps][MR] layout.
template <class V, size_t MR, size_t NV, bool Flip, bool Step = false>
void qgemm_rowptr_tails_flip(const QGemmRowsArgs& p) {
  constexpr size_t H = MR / 2;
  if constexpr (MR > 1)
    if (p.mr == 1) return qgemm_rowptr_x86<V, 1, NV, Flip, MR, Step>(p);
  if constexpr (MR > 2)
    if (p.mr <= 2) return qgemm_rowptr_x86<V, 2, NV, Flip, MR, Step>(p);
  if constexpr (MR > 4)
    if (p.mr <= 4) return qgemm_rowptr_x86<V, 4, NV, Flip, MR, Step>(p);
  if constexpr (H > 4)
    if (p.mr <= H) return qgemm_rowptr_x86<V, H, NV, Flip, MR, Step>(p);
  qgemm_rowptr_x86<V, MR, NV, Flip, MR, Step>(p);
}

template <class V, size_t MR, size_t NV>
void qgemm_rowptr_tails(const QGemmRowsArgs& p) {
  with_flip<V>(p, [&](auto flip) { qgemm_rowptr_tails_flip<V, MR, NV, decltype(flip)::value>(p); });
}

// The evenly spaced rows' entry of the same tile (QGemmRowsKernel::step_fn):
// one pointer per tap instead of MR, so the caller writes taps pointers per
// block, not taps x MR (conv3x3_res2: 9 instead of 126 per 14 rows; the
// rows' build was 5-6% of its time, AMD EPYC Zen 5). Rows past mr repeat
// row mr - 1, as the pointers' contract has them: never a byte past the
// caller's rows.
template <class V, size_t MR, size_t NV>
void qgemm_rowstep_tails(const QGemmRowsArgs& p) {
  with_flip<V>(p, [&](auto flip) { qgemm_rowptr_tails_flip<V, MR, NV, decltype(flip)::value, true>(p); });
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
