// One-vector channels-last GEMMs over k pairs (issue 13, grouped_g4x16: 4
// groups of 16 channels, N = 16 = one zmm). With one vector of columns each
// A element feeds a single FMA: one broadcast load per FMA, which ran the
// 14x16 GemmTile kernel at ~72-75% of the FMA peak (AMD Zen 5; a loop of
// nothing but register FMAs and one m32{1to16} load per FMA reaches only
// ~85-90% there, one load per two FMAs 97%). Here one 64-bit broadcast
// (vbroadcastsd) brings A[i][k] and A[i][k+1] into alternate lanes and feeds
// two FMAs: against a B vector whose lane 2n + h holds B[k + h][n] for
// n < 8, and one for n = 8..15. Each row keeps two accumulators of 8
// outputs x 2 partial sums, added pairwise (two vpermt2ps and an add per
// row) once at the end: per 2 k steps, MR broadcasts + 2 B loads for 2 MR
// FMAs, the load/FMA ratio of the 14x32 main tile (95-97% on Zen 5, lean
// on Intel), on the same ports on Intel and AMD (a load and an FMA uop).
//
// Contract: GemmRowsArgs / GemmRowsStridedArgs with kc even and the
// weights packed in k pairs (PackedWeights::interleave_k_pairs): per pair
// of rows (2p, 2p + 1), 32 floats, float 16 v + l = B[2p + l % 2][8 v + l / 2].
// Bias, extent and epilogue as gemm_rows; NR = 16. b_prefetch is ignored.
// AVX-512 only; elsewhere the table's entries are null.
#pragma once

#include "kernels/gemm_args.h"
#include "kernels/gemm_unrolled.hpp"

namespace ndconv {
namespace kernels {

namespace NDCONV_KERNEL_NS {

#if defined(NDCONV_SIMD_X86) && defined(__AVX512F__) && defined(__GNUC__)

// The pair of floats at base + index * Scale + Disp bytes, in every pair of lanes.
// One asm instruction, as lean_ops::bcast (gemm_unrolled.hpp) and under its
// contract: the read is not visible to the optimizer as a memory read (no
// "m" operand: the address is base + index * scale, which no operand names),
// which is sound because nothing inside a kernel writes A; a kernel that
// ever packs A itself must read the packed copy another way.
template <int Scale, int Disp>
__attribute__((always_inline)) inline __m512 kpair_bcast(const float* base, ptrdiff_t index) {
  __m512 r;
  static_assert(Scale == 4 || Scale == 8, "x86 index scale");
  if constexpr (Scale == 4)
    __asm__("vbroadcastsd %c[d](%[p],%[i],4), %[r]" : [r] "=v"(r) : [p] "r"(base), [i] "r"(index), [d] "i"(Disp));
  else
    __asm__("vbroadcastsd %c[d](%[p],%[i],8), %[r]" : [r] "=v"(r) : [p] "r"(base), [i] "r"(index), [d] "i"(Disp));
  return r;
}
template <int Disp>
__attribute__((always_inline)) inline __m512 kpair_bcast(const float* base) {
  __m512 r;
  __asm__("vbroadcastsd %c[d](%[p]), %[r]" : [r] "=v"(r) : [p] "r"(base), [d] "i"(Disp));
  return r;
}

// Row r (0..3) of a group of four evenly spaced rows, pair u: base + r * lda
// + 2u floats, with lda and 3 * lda (floats) in registers.
template <size_t R, size_t u>
__attribute__((always_inline)) inline __m512 kpair_group_row(const float* base, ptrdiff_t lda, ptrdiff_t lda3) {
  constexpr int d = static_cast<int>(u * 8);
  if constexpr (R == 0) return kpair_bcast<d>(base);
  else if constexpr (R == 1) return kpair_bcast<4, d>(base, lda);
  else if constexpr (R == 2) return kpair_bcast<8, d>(base, lda);
  else return kpair_bcast<4, d>(base, lda3);
}

// One k pair on rows [I0, I1) of the tile: the two B vectors at b, then per
// row its pair broadcast a(i) and two FMAs.
template <size_t MR, size_t I0 = 0, size_t I1 = MR, class RowPair>
__attribute__((always_inline)) inline void kpair_step(GemmTile<avx512_arch, MR, 2>& tile, const float* b,
                                                      const RowPair& a) {
  using S = simd<avx512_arch>;
  const S::vec b0 = S::load(b), b1 = S::load(b + 16);
  static_for<I1 - I0>([&](auto ic) __attribute__((always_inline)) {
    constexpr size_t i = I0 + decltype(ic)::value;
    const S::vec av = a(std::integral_constant<size_t, i>());
    lean_ops<avx512_arch>::fma(tile.acc[i][0], av, b0);
    lean_ops<avx512_arch>::fma(tile.acc[i][1], av, b1);
  });
}

// A tap through MR row pointers (moved to the rows' ends, walked by one
// index from -kc up to 0 in pairs). Returns b past the tap's weights. In
// two passes over k of half the rows each: 14 row pointers beside the index
// and b do not fit the x86 registers, and GCC 12 then parked pointers in
// vector registers and spilled and shuffled accumulators (the weights are
// read twice instead, from L1).
template <size_t MR>
__attribute__((always_inline)) inline const float* kpair_listed_tap(GemmTile<avx512_arch, MR, 2>& tile,
                                                                    const float* b, size_t kc,
                                                                    const float* const* rows,
                                                                    ptrdiff_t k_offset) {
  constexpr size_t H = MR / 2;
  const auto pass = [&](auto first) __attribute__((always_inline)) {
    constexpr size_t I0 = decltype(first)::value, I1 = I0 == 0 ? H : MR;
    const float* end[I1 - I0];
    for (size_t i = 0; i < I1 - I0; ++i) end[i] = rows[I0 + i] + k_offset + kc;
    const float* bk = b;
    for (ptrdiff_t k = -static_cast<ptrdiff_t>(kc); k < 0; k += 2, bk += 32)
      kpair_step<MR, I0, I1>(tile, bk, [&](auto ic) __attribute__((always_inline)) {
        return kpair_bcast<4, 0>(end[decltype(ic)::value - I0], k);
      });
  };
  pass(std::integral_constant<size_t, 0>());
  pass(std::integral_constant<size_t, H>());
  return b + kc * 16;
}

// Adds the pairwise sums of the k-pair accumulators to `out` (bias or zero)
// and finishes the tile as gemm_rows does.
template <size_t MR>
__attribute__((always_inline)) inline void kpair_finish(GemmTile<avx512_arch, MR, 2>& pairs, const float* bias,
                                                        const GemmOutput& out, size_t mr, size_t nr) {
  GemmTile<avx512_arch, MR, 1> tile;
  tile.init_columns(bias);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  NDCONV_UNROLL
  for (size_t i = 0; i < MR; ++i) {
    const __m512 a0 = pairs.acc[i][0].data, a1 = pairs.acc[i][1].data;
    const __m512 sum = _mm512_add_ps(_mm512_permutex2var_ps(a0, even, a1), _mm512_permutex2var_ps(a0, odd, a1));
    tile.acc[i][0] = _mm512_add_ps(tile.acc[i][0].data, sum);
  }
  tile.finish(out, mr, nr);
}

// One tap of evenly spaced rows [LO, MR - TRAIL) (the others read padding:
// GemmRowsStridedArgs::edge_pad), row LO at `first`: row i is base[(i - LO)
// / 4] + ((i - LO) % 4) * lda; U pairs per loop step (1: with 2, GCC 12
// spilled two accumulators in the loop). Returns b past the tap's weights.
template <size_t LO, size_t TRAIL, size_t U, size_t MR>
__attribute__((always_inline)) inline const float* kpair_strided_tap(GemmTile<avx512_arch, MR, 2>& tile,
                                                                     const float* b, size_t kc,
                                                                     const float* first, ptrdiff_t lda) {
  constexpr size_t NR = 16, G = 4, NG = (MR - LO - TRAIL + G - 1) / G;
  const ptrdiff_t lda3 = 3 * lda;
  const float* base[NG];
  for (size_t q = 0; q < NG; ++q) base[q] = first + static_cast<ptrdiff_t>(q * G) * lda;
  const auto step = [&](auto uc, const float* bk) __attribute__((always_inline)) {
    constexpr size_t u = decltype(uc)::value;
    kpair_step<MR, LO, MR - TRAIL>(tile, bk, [&](auto ic) __attribute__((always_inline)) {
      constexpr size_t j = decltype(ic)::value - LO;
      return kpair_group_row<j % G, u>(base[j / G], lda, lda3);
    });
  };
  size_t k = 0;
  for (; k + 2 * U <= kc; k += 2 * U, b += 2 * U * NR) {
    static_for<U>([&](auto uc) __attribute__((always_inline)) { step(uc, b + decltype(uc)::value * 2 * NR); });
    for (size_t q = 0; q < NG; ++q) base[q] += 2 * U;
  }
  for (; k < kc; k += 2, b += 2 * NR) {
    step(std::integral_constant<size_t, 0>(), b);
    for (size_t q = 0; q < NG; ++q) base[q] += 2;
  }
  return b;
}

// A listed tap (a[t] null) of evenly spaced rows but for a padded end
// (GemmRowsStridedArgs::edge_pad): strided. Null when it is not one.
template <size_t U, size_t MR>
__attribute__((always_inline)) inline const float* kpair_edge_tap(GemmTile<avx512_arch, MR, 2>& tile,
                                                                  const float* b,
                                                                  const GemmRowsStridedArgs& args, size_t t) {
  static_assert(kMaxStridedEdgePad == 2 && MR > 4, "one case per padded row count below");
  const int pad = args.edge_pad ? args.edge_pad[t] : 0;
  const float* const* rows = args.row_lists + t * MR;
  const ptrdiff_t off = args.a_k_offset, lda = args.lda;
  switch (pad) {
    case 1: return kpair_strided_tap<1, 0, U>(tile, b, args.kc, rows[1] + off, lda);
    case 2: return kpair_strided_tap<2, 0, U>(tile, b, args.kc, rows[2] + off, lda);
    case -1: return kpair_strided_tap<0, 1, U>(tile, b, args.kc, rows[0] + off, lda);
    case -2: return kpair_strided_tap<0, 2, U>(tile, b, args.kc, rows[0] + off, lda);
    default: return nullptr;
  }
}

// Channels-last, evenly spaced rows (GemmRowsStridedArgs, kc even, k-pair
// weights).
template <size_t MR, size_t U>
void gemm_rows_strided_kpair(const GemmRowsStridedArgs& args) {
  using T = GemmTile<avx512_arch, MR, 2>;
  constexpr size_t NR = 16;
  const size_t kc = args.kc;
  GemmOutput out = args.out;
  for (size_t col = 0; col < args.nr; col += NR) {
    const size_t panel = col / NR;
    const float* b = args.b + panel * args.panel_stride;
    T tile;
    tile.init_columns(nullptr);
    for (size_t t = 0; t < args.taps; ++t) {
      if (args.a[t]) {
        b = kpair_strided_tap<0, 0, U>(tile, b, kc, args.a[t] + args.a_k_offset, args.lda);
      } else if (const float* next = kpair_edge_tap<U>(tile, b, args, t)) {
        b = next;
      } else {
        b = kpair_listed_tap<MR>(tile, b, kc, args.row_lists + t * MR, args.a_k_offset);
      }
    }
    out.c = args.out.c + col;
    if (args.out.row_max) out.row_max = args.out.row_max + col;
    kpair_finish<MR>(tile, out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride, out,
                     args.mr, args.nr - col < NR ? args.nr - col : NR);
  }
}

// Channels-last, rows through pointers (GemmRowsArgs, kc even, k-pair weights).
template <size_t MR>
void gemm_rows_kpair(const GemmRowsArgs& args) {
  using T = GemmTile<avx512_arch, MR, 2>;
  constexpr size_t NR = 16;
  GemmOutput out = args.out;
  for (size_t col = 0; col < args.nr; col += NR) {
    const size_t panel = col / NR;
    const float* b = args.b + panel * args.panel_stride;
    T tile;
    tile.init_columns(nullptr);
    for (size_t t = 0; t < args.taps; ++t)
      b = kpair_listed_tap<MR>(tile, b, args.kc, args.a + t * MR, args.a_k_offset);
    out.c = args.out.c + col;
    if (args.out.row_max) out.row_max = args.out.row_max + col;
    kpair_finish<MR>(tile, out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride, out,
                     args.mr, args.nr - col < NR ? args.nr - col : NR);
  }
}

// 14 rows: 28 accumulators, 2 B vectors and the broadcast in 32 zmm.
template <class Arch>
GemmKPairKernels gemm_kpair_kernels() {
  if constexpr (std::is_same_v<Arch, avx512_arch>) {
    return {{"f32_gemm_rowptr_kpair_14x16__avx512", &gemm_rows_kpair<14>, 14, 16, nullptr},
            {"f32_gemm_rowstride_kpair_14x16__avx512", &gemm_rows_strided_kpair<14, 1>, 14, 16}};
  }
  return {};
}

#else

template <class Arch>
GemmKPairKernels gemm_kpair_kernels() {
  return {};
}

#endif

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
