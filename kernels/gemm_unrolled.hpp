// Candidate GEMM microkernels with lean k loops (issue 13): the same operand
// contracts as kernels/gemm.hpp (GemmRowsArgs, GemmRowsStridedArgs,
// GemmColsArgs) and the same GemmTile epilogue, but a k loop that holds only
// the B loads, the A broadcasts, the FMAs and (in a loop of its own) the
// prefetches:
//  - channels-last rows are addressed as base + k index: every row pointer is
//    loop-invariant and one index register walks k (x86: [row + k*4]), so no
//    pointer is advanced, spilled or reloaded per k; with at most 12 rows
//    (12 pointers + k + the B pointer fit the 15 x86 GPRs);
//  - strided rows: a base per group of rows plus multiples of the row stride;
//  - K unrolled U times (the loop counter and the pointer increments are paid
//    once per U k steps), a plain loop for the k tail;
//  - the prefetch test hoisted: one loop with the prefetches, one without.
#pragma once

#include <type_traits>
#include <utility>

#include "kernels/gemm.hpp"
#include "kernels/gemm_candidates.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {


// f(std::integral_constant<size_t, u>()) for u = 0 .. N-1, unrolled at compile time.
template <class F, size_t... Us>
__attribute__((always_inline)) inline void static_for_impl(const F& f, std::index_sequence<Us...>) {
  (f(std::integral_constant<size_t, Us>()), ...);
}
template <size_t N, class F>
__attribute__((always_inline)) inline void static_for(const F& f) {
  static_for_impl(f, std::make_index_sequence<N>());
}

// x86: the k loop's instructions as one-instruction asm statements, so that
// GCC can neither rotate the accumulators through registers (unrolled FMAs
// compiled from intrinsics come out as vfmadd132ps + vmovaps chains) nor fold
// loads into other forms: `fma` is vfmadd231ps on an accumulator that stays
// in its register, `bcast` a vbroadcastss from base + index * scale + disp
// with base and index in registers (the index register is shared by every
// row). Elsewhere, the intrinsics. A reads through `bcast` are not visible to
// the optimizer as memory reads: nothing inside a kernel writes A.
#if defined(NDCONV_SIMD_X86) && defined(__GNUC__)
#  define NDCONV_LEAN_ASM 1
#endif

template <class Arch>
struct lean_ops {
  using S = simd<Arch>;
  using vec = typename S::vec;
  static __attribute__((always_inline)) void fma(vec& acc, const vec& a, const vec& b) {
#if defined(NDCONV_LEAN_ASM)
    if constexpr (S::width > 1) {
      auto r = acc.data;
      __asm__("vfmadd231ps %[b], %[a], %[c]" : [c] "+v"(r) : [a] "v"(a.data), [b] "v"(b.data));
      acc = r;
      return;
    }
#endif
    acc = S::fmadd(a, b, acc);
  }
  // *(base + index * Scale + Disp bytes), broadcast.
  template <int Scale, int Disp>
  static __attribute__((always_inline)) vec bcast(const float* base, ptrdiff_t index) {
#if defined(NDCONV_LEAN_ASM)
    if constexpr (S::width > 1) {
      decltype(vec().data) r;
      if constexpr (Scale == 1)
        __asm__("vbroadcastss %c[d](%[p],%[i],1), %[r]" : [r] "=v"(r) : [p] "r"(base), [i] "r"(index), [d] "i"(Disp));
      else if constexpr (Scale == 2)
        __asm__("vbroadcastss %c[d](%[p],%[i],2), %[r]" : [r] "=v"(r) : [p] "r"(base), [i] "r"(index), [d] "i"(Disp));
      else if constexpr (Scale == 4)
        __asm__("vbroadcastss %c[d](%[p],%[i],4), %[r]" : [r] "=v"(r) : [p] "r"(base), [i] "r"(index), [d] "i"(Disp));
      else
        __asm__("vbroadcastss %c[d](%[p],%[i],8), %[r]" : [r] "=v"(r) : [p] "r"(base), [i] "r"(index), [d] "i"(Disp));
      return r;
    }
#endif
    return S::set1(*reinterpret_cast<const float*>(reinterpret_cast<const char*>(base) +
                                                     index * Scale + Disp));
  }
  // *(base + Disp bytes), broadcast.
  template <int Disp>
  static __attribute__((always_inline)) vec bcast(const float* base) {
#if defined(NDCONV_LEAN_ASM)
    if constexpr (S::width > 1) {
      decltype(vec().data) r;
      __asm__("vbroadcastss %c[d](%[p]), %[r]" : [r] "=v"(r) : [p] "r"(base), [d] "i"(Disp));
      return r;
    }
#endif
    return S::set1(*reinterpret_cast<const float*>(reinterpret_cast<const char*>(base) + Disp));
  }
};

// One k step on the tile: NRV B vectors at b, then per row i the broadcast
// a(i) and its NRV FMAs.
template <class Arch, size_t MR, size_t NRV, class RowValue>
__attribute__((always_inline)) inline void lean_step(GemmTile<Arch, MR, NRV>& tile, const float* b,
                                                     const RowValue& a) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  vec bv[NRV];
  NDCONV_UNROLL
  for (size_t j = 0; j < NRV; ++j) bv[j] = S::load(b + j * W);
  static_for<MR>([&](auto ic) {  // a(ic): ic converts to the row index, or is a compile-time one
    constexpr size_t i = decltype(ic)::value;
    const vec av = a(ic);
    NDCONV_UNROLL
    for (size_t j = 0; j < NRV; ++j) lean_ops<Arch>::fma(tile.acc[i][j], av, bv[j]);
  });
}

// The k loop of one tap, rows through loop-invariant pointers row(i) indexed
// by k. The index runs from -kc up to 0 over pointers moved to the end of
// the rows, so the loop test is a flag of the index update (no kc in a
// register or on the stack).
// kPrefetch: 0 none, 1 into L1, 2 into L2 (GemmRowsArgs::b_prefetch_l2).
template <class Arch, size_t MR, size_t NRV, size_t U, int kPrefetch, class Row>
__attribute__((always_inline)) inline const float* lean_rows_k_loop(GemmTile<Arch, MR, NRV>& tile,
                                                                    const float* b, size_t kc,
                                                                    const Row& row,
                                                                    const float* pf) {
  constexpr size_t NR = NRV * simd<Arch>::width;
  const float* end[MR];
  for (size_t i = 0; i < MR; ++i) end[i] = row(i) + kc;
  ptrdiff_t k = -static_cast<ptrdiff_t>(kc);
  for (; k <= -static_cast<ptrdiff_t>(U); k += U) {
    static_for<U>([&](auto uc) {
      constexpr size_t u = decltype(uc)::value;
      if (kPrefetch) {
        NDCONV_UNROLL
        for (size_t j = 0; j < NR; j += 16) {
          if (kPrefetch == 2) __builtin_prefetch(pf + u * NR + j, 0, 2);
          else __builtin_prefetch(pf + u * NR + j);
        }
      }
      lean_step(tile, b + u * NR,
                [&](size_t i) { return lean_ops<Arch>::template bcast<4, static_cast<int>(u * 4)>(end[i], k); });
    });
    b += U * NR;
    if (kPrefetch) pf += U * NR;
  }
  for (; k < 0; ++k, b += NR) {
    lean_step(tile, b, [&](size_t i) { return lean_ops<Arch>::template bcast<4, 0>(end[i], k); });
  }
  return b;
}

// Channels-last, rows through pointers. See GemmRowsArgs.
template <class Arch, size_t MR, size_t NRV, size_t U>
void gemm_rows_lean(const GemmRowsArgs& args) {
  using T = GemmTile<Arch, MR, NRV>;
  constexpr size_t NR = NRV * T::W;
  const size_t kc = args.kc;
  GemmOutput out = args.out;
  for (size_t col = 0; col < args.nr; col += NR) {
    const size_t panel = col / NR;
    const float* b = args.b + panel * args.panel_stride;
    T tile;
    tile.init_columns(out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride);
    for (size_t t = 0; t < args.taps; ++t) {
      const float* a[MR];
      for (size_t i = 0; i < MR; ++i) a[i] = args.a[t * MR + i] + args.a_k_offset;
      const auto row = [&](size_t i) { return a[i]; };
      if (!args.b_prefetch)
        b = lean_rows_k_loop<Arch, MR, NRV, U, 0>(tile, b, kc, row, nullptr);
      else if (args.b_prefetch_l2)
        b = lean_rows_k_loop<Arch, MR, NRV, U, 2>(tile, b, kc, row, args.b_prefetch + t * kc * NR);
      else
        b = lean_rows_k_loop<Arch, MR, NRV, U, 1>(tile, b, kc, row, args.b_prefetch + t * kc * NR);
    }
    out.c = args.out.c + col;
    if (args.out.row_max) out.row_max = args.out.row_max + col;
    tile.finish(out, args.mr, args.nr - col < NR ? args.nr - col : NR);
  }
}

// Row r (0..3) of a group of four evenly spaced rows, u floats on: base +
// r * lda + u, with lda and 3 * lda (floats) in registers.
template <class Arch, size_t R, size_t u>
__attribute__((always_inline)) inline typename simd<Arch>::vec lean_group_row(const float* base, ptrdiff_t lda,
                                                                              ptrdiff_t lda3) {
  using O = lean_ops<Arch>;
  constexpr int d = static_cast<int>(u * 4);
  if constexpr (R == 0) return O::template bcast<d>(base);
  else if constexpr (R == 1) return O::template bcast<4, d>(base, lda);
  else if constexpr (R == 2) return O::template bcast<8, d>(base, lda);
  else return O::template bcast<4, d>(base, lda3);
}

// Channels-last, evenly spaced rows. See GemmRowsStridedArgs. Row i is
// base[i / 4] + (i % 4) * lda: ceil(MR / 4) bases advancing with k, lda and
// 3 * lda in registers (14 rows: 4 + 2 registers).
template <class Arch, size_t MR, size_t NRV, size_t U>
void gemm_rows_strided_lean(const GemmRowsStridedArgs& args) {
  using T = GemmTile<Arch, MR, NRV>;
  constexpr size_t NR = NRV * T::W;
  constexpr size_t G = 4;
  constexpr size_t NG = (MR + G - 1) / G;
  const size_t kc = args.kc;
  const ptrdiff_t lda = args.lda, lda3 = 3 * args.lda;
  GemmOutput out = args.out;
  for (size_t col = 0; col < args.nr; col += NR) {
    const size_t panel = col / NR;
    const float* b = args.b + panel * args.panel_stride;
    T tile;
    tile.init_columns(out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride);
    for (size_t t = 0; t < args.taps; ++t) {
      if (!args.a[t]) {  // a listed tap: MR row pointers
        const float* rows[MR];
        for (size_t i = 0; i < MR; ++i) rows[i] = args.row_lists[t * MR + i] + args.a_k_offset;
        // (unrolled at most twice: MR pointers beside the strided loop's
        // live values, 4 steps spill under GCC 12)
        b = lean_rows_k_loop<Arch, MR, NRV, (U < 2 ? U : 2), 0>(tile, b, kc,
                                                               [&](size_t i) { return rows[i]; }, nullptr);
        continue;
      }
      const float* base[NG];
      for (size_t q = 0; q < NG; ++q)
        base[q] = args.a[t] + args.a_k_offset + static_cast<ptrdiff_t>(q * G) * lda;
      // Row values of k step u (0..U-1) of the current chunk.
      const auto step = [&](auto uc, const float* bk) {
        constexpr size_t u = decltype(uc)::value;
        lean_step(tile, bk, [&](auto ic) {
          constexpr size_t i = decltype(ic)::value;
          return lean_group_row<Arch, i % G, u>(base[i / G], lda, lda3);
        });
      };
      size_t k = 0;
      for (; k + U <= kc; k += U, b += U * NR) {
        static_for<U>([&](auto uc) { step(uc, b + decltype(uc)::value * NR); });
        for (size_t q = 0; q < NG; ++q) base[q] += U;
      }
      for (; k < kc; ++k, b += NR) {
        step(std::integral_constant<size_t, 0>(), b);
        for (size_t q = 0; q < NG; ++q) ++base[q];
      }
    }
    out.c = args.out.c + col;
    if (args.out.row_max) out.row_max = args.out.row_max + col;
    tile.finish(out, args.mr, args.nr - col < NR ? args.nr - col : NR);
  }
}

// Channels-first. See GemmColsArgs. B rows brow(k) = b + k * ldb (or
// b_offsets[k]), A the packed [kc][MR] panel. No branch in the k loop: the
// next block's weights are prefetched by a loop version of their own (a line
// per 16 floats, spread over the unrolled steps), the next call's B panel
// (the last block only) by a plain loop over its first b_prefetch_kc steps.
template <class Arch, size_t MR, size_t NRV, size_t U, bool kFullN, bool kOffsets>
void gemm_cols_lean_impl(const GemmColsArgs& args) {
  using T = GemmTile<Arch, MR, NRV>;
  using S = typename T::S;
  using vec = typename T::vec;
  using O = lean_ops<Arch>;
  constexpr size_t W = T::W;
  const size_t nr = args.nr;
  const size_t kc = args.kc;
  const ptrdiff_t ldb = args.ldb;
  GemmOutput out = args.out;
  // Floats of B vector j in a partial tile (nr < NR): loop-invariant, so
  // the partial loads take no branch (lanes 0 loads nothing).
  size_t lanes[NRV];
  for (size_t j = 0; j < NRV; ++j) lanes[j] = T::lanes(j, nr);
  // k step u of a chunk: A at ak + u * MR, B row at brow.
  const auto step = [&](T& tile, auto uc, const float* ak, const float* brow) {
    constexpr size_t u = decltype(uc)::value;
    vec bv[NRV];
    NDCONV_UNROLL
    for (size_t j = 0; j < NRV; ++j) bv[j] = kFullN ? S::load(brow + j * W) : S::load_partial(brow + j * W, lanes[j]);
    static_for<MR>([&](auto ic) {
      constexpr size_t i = decltype(ic)::value;
      const vec av = O::template bcast<static_cast<int>((u * MR + i) * 4)>(ak);
      NDCONV_UNROLL
      for (size_t j = 0; j < NRV; ++j) O::fma(tile.acc[i][j], av, bv[j]);
    });
  };
  const auto main_loop = [&](T& tile, auto pfc, size_t k, const float* a, const float* next_a) {
    constexpr bool kPrefetchA = decltype(pfc)::value;
    const float* brow = args.b + static_cast<ptrdiff_t>(k) * ldb;
    const float* ak = a + k * MR;
    for (; k + U <= kc; k += U, brow += static_cast<ptrdiff_t>(U) * ldb, ak += U * MR) {
      if (kPrefetchA) {
        const float* p = next_a + k * MR;
        NDCONV_UNROLL
        for (size_t l = 0; l < U * MR; l += 16) __builtin_prefetch(p + l);
      }
      static_for<U>([&](auto uc) {
        step(tile, uc, ak, brow + static_cast<ptrdiff_t>(decltype(uc)::value) * ldb);
      });
    }
    for (; k < kc; ++k, brow += ldb, ak += MR) {
      if (kPrefetchA && (k * MR) % 16 < MR) __builtin_prefetch(next_a + k * MR);
      step(tile, std::integral_constant<size_t, 0>(), ak, brow);
    }
  };
  for (size_t row = 0; row < args.mr; row += MR) {
    const size_t panel = row / MR;
    const float* a = args.a + panel * args.panel_stride;
    T tile;
    tile.init_rows(out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride);
    const float* next_a = row + MR < args.mr ? a + args.panel_stride : nullptr;
    const float* next_b = row + MR >= args.mr ? args.b_prefetch : nullptr;
    size_t k = 0;
    if (next_b) {
      const size_t pf_kc = args.b_prefetch_kc < kc ? args.b_prefetch_kc : kc;
      for (; k < pf_kc; ++k) {
        const float* p = next_b + static_cast<ptrdiff_t>(k) * args.b_prefetch_ld;
        for (size_t j = 0; j < args.b_prefetch_nr; j += 16) __builtin_prefetch(p + j, 0, 2);
        __builtin_prefetch(p + args.b_prefetch_nr - 1, 0, 2);
        step(tile, std::integral_constant<size_t, 0>(), a + k * MR,
             args.b + (kOffsets ? args.b_offsets[k] : static_cast<ptrdiff_t>(k) * ldb));
      }
    }
    if (kOffsets) {
      for (; k < kc; ++k) {
        if (next_a && (k * MR) % 16 < MR) __builtin_prefetch(next_a + k * MR);
        step(tile, std::integral_constant<size_t, 0>(), a + k * MR, args.b + args.b_offsets[k]);
      }
    } else if (next_a) {
      main_loop(tile, std::true_type(), k, a, next_a);
    } else {
      main_loop(tile, std::false_type(), k, a, nullptr);
    }
    out.c = args.out.c + row * args.out.ldc;
    tile.finish(out, args.mr - row < MR ? args.mr - row : MR, nr);
  }
}

template <class Arch, size_t MR, size_t NRV, size_t U>
void gemm_cols_lean(const GemmColsArgs& args) {
  constexpr size_t NR = NRV * simd<Arch>::width;
  const bool full = args.nr == NR;
  if (args.b_offsets) {
    if (full) gemm_cols_lean_impl<Arch, MR, NRV, U, true, true>(args);
    else gemm_cols_lean_impl<Arch, MR, NRV, U, false, true>(args);
  } else {
    if (full) gemm_cols_lean_impl<Arch, MR, NRV, U, true, false>(args);
    else gemm_cols_lean_impl<Arch, MR, NRV, U, false, false>(args);
  }
}

// A rows tile's columns with fewer rows, lean like it: entry r - 1 computes
// r < MR rows (GemmRowsKernel::short_rows), for a problem's last M block.
template <class Arch, size_t NRV, size_t U, size_t... RowsLess1>
const GemmRowsFn* lean_short_rows_fns(std::index_sequence<RowsLess1...>) {
  static const GemmRowsFn fns[] = {&gemm_rows_lean<Arch, RowsLess1 + 1, NRV, U>...};
  return fns;
}

// The candidates of each ISA (KernelTable::gemm_candidates): tiles whose lean
// k loops compile without a stack access, pointer reload or branch under GCC
// 12 (checked per instance with objdump; see docs/notes/intel-microkernels.md
// for the measurements and the llvm-mca analysis).
template <class Arch>
struct lean_tiles;
template <>
struct lean_tiles<scalar_arch> {
  static const GemmCandidates* get() {
    static const GemmRowsCandidate rows[] = {
        {"rows-lean/4x4/u2", {"rows-lean/4x4/u2", &gemm_rows_lean<scalar_arch, 4, 4, 2>, 4, 4, nullptr}}};
    static const GemmRowsStridedCandidate strided[] = {
        {"strided-lean/4x4/u2", {"strided-lean/4x4/u2", &gemm_rows_strided_lean<scalar_arch, 4, 4, 2>, 4, 4}}};
    static const GemmColsCandidate cols[] = {
        {"cols-lean/4x4/u2", {"cols-lean/4x4/u2", &gemm_cols_lean<scalar_arch, 4, 4, 2>, 4, 4}}};
    static const GemmCandidates c = {rows, 1, strided, 1, cols, 1};
    return &c;
  }
};
#if defined(NDCONV_SIMD_X86) && defined(__AVX512F__)
template <>
struct lean_tiles<avx512_arch> {
  static const GemmCandidates* get() {
    using A = avx512_arch;
    static const GemmRowsCandidate rows[] = {
        {"rows-lean/12x32/u2", {"rows-lean/12x32/u2", &gemm_rows_lean<A, 12, 2, 2>, 12, 32, nullptr}},
        {"rows-lean/8x48/u4", {"rows-lean/8x48/u4", &gemm_rows_lean<A, 8, 3, 4>, 8, 48, nullptr}},
        // With its short rows: a last block of r < 6 rows computes r rows,
        // not 6 (text_query_same, 50 rows: 8 blocks + 2 rows, not 54 rows;
        // AMD EPYC Zen 4, --ab: 99 -> 106 GF/s, where 48 rows ran at 109).
        {"rows-lean/6x64/u4",
         {"rows-lean/6x64/u4", &gemm_rows_lean<A, 6, 4, 4>, 6, 64,
          lean_short_rows_fns<A, 4, 4>(std::make_index_sequence<5>())}},
        {"rows-lean/12x16/u2", {"rows-lean/12x16/u2", &gemm_rows_lean<A, 12, 1, 2>, 12, 16, nullptr}},
    };
    static const GemmRowsStridedCandidate strided[] = {
        {"strided-lean/12x32/u4", {"strided-lean/12x32/u4", &gemm_rows_strided_lean<A, 12, 2, 4>, 12, 32}},
        {"strided-lean/8x48/u4", {"strided-lean/8x48/u4", &gemm_rows_strided_lean<A, 8, 3, 4>, 8, 48}},
        {"strided-lean/6x64/u2", {"strided-lean/6x64/u2", &gemm_rows_strided_lean<A, 6, 4, 2>, 6, 64}},
        {"strided-lean/12x16/u4", {"strided-lean/12x16/u4", &gemm_rows_strided_lean<A, 12, 1, 4>, 12, 16}},
    };
    static const GemmColsCandidate cols[] = {
        {"cols-lean/14x32/u1", {"cols-lean/14x32/u1", &gemm_cols_lean<A, 14, 2, 1>, 14, 32}},
        {"cols-lean/12x32/u4", {"cols-lean/12x32/u4", &gemm_cols_lean<A, 12, 2, 4>, 12, 32}},
        {"cols-lean/8x48/u4", {"cols-lean/8x48/u4", &gemm_cols_lean<A, 8, 3, 4>, 8, 48}},
        {"cols-lean/6x64/u4", {"cols-lean/6x64/u4", &gemm_cols_lean<A, 6, 4, 4>, 6, 64}},
    };
    static const GemmCandidates c = {rows, 4, strided, 4, cols, 4};
    return &c;
  }
};
#endif
#if defined(NDCONV_SIMD_X86) && defined(__AVX2__) && defined(__FMA__)
template <>
struct lean_tiles<avx2_arch> {
  static const GemmCandidates* get() {
    using A = avx2_arch;
    static const GemmRowsCandidate rows[] = {
        {"rows-lean/6x16/u2", {"rows-lean/6x16/u2", &gemm_rows_lean<A, 6, 2, 2>, 6, 16, nullptr}},
        {"rows-lean/4x24/u2", {"rows-lean/4x24/u2", &gemm_rows_lean<A, 4, 3, 2>, 4, 24, nullptr}},
    };
    static const GemmRowsStridedCandidate strided[] = {
        {"strided-lean/6x16/u2", {"strided-lean/6x16/u2", &gemm_rows_strided_lean<A, 6, 2, 2>, 6, 16}},
    };
    static const GemmColsCandidate cols[] = {
        {"cols-lean/6x16/u2", {"cols-lean/6x16/u2", &gemm_cols_lean<A, 6, 2, 2>, 6, 16}},
        {"cols-lean/4x24/u2", {"cols-lean/4x24/u2", &gemm_cols_lean<A, 4, 3, 2>, 4, 24}},
    };
    static const GemmCandidates c = {rows, 2, strided, 1, cols, 2};
    return &c;
  }
};
#endif
#if defined(NDCONV_SIMD_NEON)
template <>
struct lean_tiles<neon_arch> {
  static const GemmCandidates* get() {
    using A = neon_arch;
    static const GemmRowsCandidate rows[] = {
        {"rows-lean/6x16/u2", {"rows-lean/6x16/u2", &gemm_rows_lean<A, 6, 4, 2>, 6, 16, nullptr}}};
    static const GemmRowsStridedCandidate strided[] = {
        {"strided-lean/6x16/u2", {"strided-lean/6x16/u2", &gemm_rows_strided_lean<A, 6, 4, 2>, 6, 16}}};
    static const GemmColsCandidate cols[] = {
        {"cols-lean/6x16/u2", {"cols-lean/6x16/u2", &gemm_cols_lean<A, 6, 4, 2>, 6, 16}}};
    static const GemmCandidates c = {rows, 1, strided, 1, cols, 1};
    return &c;
  }
};
#endif
template <class Arch>
const GemmCandidates* gemm_candidates() {
  return lean_tiles<Arch>::get();
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
