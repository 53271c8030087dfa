// Register-blocked GEMM microkernels: an MR x NR tile of C stays in registers
// for the whole K loop; bias and activation are applied before it is stored.
//
// Two addressings of the same arithmetic, C[i][j] = sum_k A[i][k] * B[k][j]:
//  - gemm_rows (channels-last): A rows are read in place through row pointers
//    (input pixels, n-gram windows, or an indirection buffer of kernel taps),
//    one scalar broadcast per row and k; B is the packed weight panel
//    [taps][kc][NR], NR = NRV vectors; bias per column (output channel).
//  - gemm_cols (channels-first): A is the packed weight panel [kc][MR]; B rows
//    are read in place (NR contiguous pixels of one input channel per k, at a
//    fixed stride or through a row-offset table); bias per row.
#pragma once

#include <utility>  // std::index_sequence (compile time only)

#include "kernels/gemm_args.h"
#include "kernels/simd.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#  define NDCONV_UNROLL _Pragma("GCC unroll 16")
#elif defined(__clang__)
#  define NDCONV_UNROLL _Pragma("unroll")
#else
#  define NDCONV_UNROLL
#endif

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch, size_t MR, size_t NRV>
struct GemmTile {
  using S = simd<Arch>;
  using vec = typename S::vec;
  static constexpr size_t W = S::width;
  vec acc[MR][NRV];

  // Initialise from a per-column bias vector (NR floats), or zero.
  void init_columns(const float* bias) {
    for (size_t j = 0; j < NRV; ++j) {
      const vec b = bias ? S::load(bias + j * W) : S::zero();
      for (size_t i = 0; i < MR; ++i) acc[i][j] = b;
    }
  }
  // Initialise from a per-row bias (MR floats), or zero.
  void init_rows(const float* bias) {
    for (size_t i = 0; i < MR; ++i) {
      const vec b = S::set1(bias ? bias[i] : 0.0f);
      for (size_t j = 0; j < NRV; ++j) acc[i][j] = b;
    }
  }
  // One k step of a channels-last kernel: acc[i][j] += a(i) * b[j], with the
  // MR scalars a(i) broadcast and the NR floats of one packed B row. The row
  // addressing (a pointer per row, or a base plus a stride) is the caller's.
  // Rows outside [LO, HI) are skipped (they read padding: zero products).
  template <size_t LO = 0, size_t HI = MR, class RowValue>
  __attribute__((always_inline)) void rank1_update(const float* b, const RowValue& a) {
    vec bv[NRV];
    for (size_t j = 0; j < NRV; ++j) bv[j] = S::load(b + j * W);
    NDCONV_UNROLL
    for (size_t i = 0; i < MR; ++i) {
      if (i < LO || i >= HI) continue;
      const vec av = S::set1(a(i));
      NDCONV_UNROLL
      for (size_t j = 0; j < NRV; ++j) acc[i][j] = S::fmadd(av, bv[j], acc[i][j]);
    }
  }
  // Row pointers of the tile in C. Rows past mr alias the last real row and
  // are stored before it (rows go last to first), so the epilogue needs no
  // per-row branch: every acc index is a constant and the tile stays in
  // registers (a run-time index would force it to the stack).
  static void row_pointers(float* c, size_t ldc, size_t mr, float* (&rows)[MR]) {
    rows[0] = c;
    for (size_t i = 1; i < MR; ++i) rows[i] = i < mr ? rows[i - 1] + ldc : rows[i - 1];
  }
  // Floats of column vector j inside the tile's nr columns (0..W).
  static size_t lanes(size_t j, size_t nr) {
    return nr <= j * W ? 0 : (nr - j * W < W ? nr - j * W : W);
  }

  void finish(const GemmOutput& out, size_t mr, size_t nr) {
    float* rows[MR];
    row_pointers(out.c, out.ldc, mr, rows);
    const bool full = nr == NRV * W;
    if (out.accumulate) {  // K blocks after the first: C holds the partial sum
      NDCONV_UNROLL
      for (size_t i = 0; i < MR; ++i) {
        NDCONV_UNROLL
        for (size_t j = 0; j < NRV; ++j)
          acc[i][j] = S::add(acc[i][j], full ? S::load(rows[i] + j * W)
                                             : S::load_partial(rows[i] + j * W, lanes(j, nr)));
      }
    }
    if (out.clamp) {
      const vec vlo = S::set1(out.lo), vhi = S::set1(out.hi);
      NDCONV_UNROLL
      for (size_t i = 0; i < MR; ++i) {
        NDCONV_UNROLL
        for (size_t j = 0; j < NRV; ++j) acc[i][j] = S::min(vhi, S::max(vlo, acc[i][j]));
      }
    }
    if (out.row_max) {  // fused max pooling over the tile's rows (GemmOutput::row_max)
      NDCONV_UNROLL
      for (size_t j = 0; j < NRV; ++j) {
        vec m = acc[0][j];
        NDCONV_UNROLL
        for (size_t i = 1; i < MR; ++i) m = S::max_nan(m, acc[i][j]);  // not max(): it drops a NaN in m
        S::store(out.row_max + j * W, S::max_nan(S::load(out.row_max + j * W), m));
      }
      return;
    }
    if (full) {
      NDCONV_UNROLL
      for (size_t r = 0; r < MR; ++r) {
        const size_t i = MR - 1 - r;
        NDCONV_UNROLL
        for (size_t j = 0; j < NRV; ++j) S::store(rows[i] + j * W, acc[i][j]);
      }
    } else {
      NDCONV_UNROLL
      for (size_t r = 0; r < MR; ++r) {
        const size_t i = MR - 1 - r;
        NDCONV_UNROLL
        for (size_t j = 0; j < NRV; ++j) S::store_partial(rows[i] + j * W, acc[i][j], lanes(j, nr));
      }
    }
  }
};

// Channels-last microkernel. See GemmRowsArgs for the operand contract.
template <class Arch, size_t MR, size_t NRV>
void gemm_rows(const GemmRowsArgs& args) {
  using T = GemmTile<Arch, MR, NRV>;
  constexpr size_t W = T::W;
  constexpr size_t NR = NRV * W;
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
      for (size_t k = 0; k < kc; ++k) {
        if (args.b_prefetch) {
          const float* next = args.b_prefetch + (t * kc + k) * NR;
          if (args.b_prefetch_l2)
            for (size_t j = 0; j < NR; j += 16) __builtin_prefetch(next + j, 0, 2);
          else
            for (size_t j = 0; j < NR; j += 16) __builtin_prefetch(next + j);
        }
        tile.rank1_update(b, [&](size_t i) { return a[i][k]; });
        b += NR;
      }
    }
    out.c = args.out.c + col;
    if (args.out.row_max) out.row_max = args.out.row_max + col;
    tile.finish(out, args.mr, args.nr - col < NR ? args.nr - col : NR);
  }
}

// Channels-last microkernel for a few columns (the last output channels past
// the full panels, e.g. 100 filters = 3 x 32 + 4 on AVX-512): dot products
// along K instead of broadcasts along N, so each FMA does W useful products
// rather than nr. The packing is one column per panel (NR = 1): column j's
// taps * kc weights are contiguous at b + j * panel_stride, its bias at
// bias + j * panel_stride, so the GemmRowsArgs contract holds with NR = 1
// (args.nr columns, swept NC at a time).
template <class Arch, size_t MR, size_t NC>
void gemm_rows_dot(const GemmRowsArgs& args) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  const size_t kc = args.kc;
  const GemmOutput& out = args.out;
  for (size_t col = 0; col < args.nr; col += NC) {
    const size_t nc = args.nr - col < NC ? args.nr - col : NC;
    // Columns past nc repeat the last real one: readable, never stored.
    const float* b[NC];
    for (size_t j = 0; j < NC; ++j) b[j] = args.b + (col + (j < nc ? j : nc - 1)) * args.panel_stride;
    vec acc[MR][NC];
    for (size_t i = 0; i < MR; ++i)
      for (size_t j = 0; j < NC; ++j) acc[i][j] = S::zero();
    for (size_t t = 0; t < args.taps; ++t) {
      const float* a[MR];
      for (size_t i = 0; i < MR; ++i) a[i] = args.a[t * MR + i] + args.a_k_offset;
      const size_t tk = t * kc;
      size_t k = 0;
      for (; k + W <= kc; k += W) {
        vec bv[NC];
        for (size_t j = 0; j < NC; ++j) bv[j] = S::load(b[j] + tk + k);
        for (size_t i = 0; i < MR; ++i) {
          const vec av = S::load(a[i] + k);
          for (size_t j = 0; j < NC; ++j) acc[i][j] = S::fmadd(av, bv[j], acc[i][j]);
        }
      }
      if (k < kc) {  // masked: nothing past the row or the column is read
        const size_t n = kc - k;
        vec bv[NC];
        for (size_t j = 0; j < NC; ++j) bv[j] = S::load_partial(b[j] + tk + k, n);
        for (size_t i = 0; i < MR; ++i) {
          const vec av = S::load_partial(a[i] + k, n);
          for (size_t j = 0; j < NC; ++j) acc[i][j] = S::fmadd(av, bv[j], acc[i][j]);
        }
      }
    }
    // Scalar epilogue (mr * nc values per taps * kc * MR * NC / W FMAs).
    NDCONV_UNROLL
    for (size_t i = 0; i < MR; ++i) {
      NDCONV_UNROLL
      for (size_t j = 0; j < NC; ++j) {
        if (i >= args.mr || j >= nc) continue;
        float v = S::reduce_add(acc[i][j]);
        float* c = out.c + i * out.ldc + col + j;
        if (out.accumulate) v += *c;
        else if (args.bias) v += args.bias[(col + j) * args.panel_stride];
        if (out.clamp) {  // NaN propagates, as in GemmTile::finish
          v = (v != v) ? v : (v < out.lo ? out.lo : v);
          v = (v != v) ? v : (v > out.hi ? out.hi : v);
        }
        if (out.row_max) {
          float& m = out.row_max[col + j];
          m = (m != m) ? m : ((v != v) ? v : (v > m ? v : m));
        } else {
          *c = v;
        }
      }
    }
  }
}

// Channels-first microkernel. See GemmColsArgs for the operand contract.
template <class Arch, size_t MR, size_t NRV, bool kFullN, bool kOffsets>
void gemm_cols_impl(const GemmColsArgs& args) {
  using T = GemmTile<Arch, MR, NRV>;
  using S = typename T::S;
  using vec = typename T::vec;
  constexpr size_t W = T::W;
  const size_t nr = args.nr;
  GemmOutput out = args.out;
  for (size_t row = 0; row < args.mr; row += MR) {
    const size_t panel = row / MR;
    const float* a = args.a + panel * args.panel_stride;
    T tile;
    tile.init_rows(out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride);
    // The next block's weights stream from L2/L3 while this block computes
    // (one cache line per 64 bytes of this block's rows).
    const float* next_a = row + MR < args.mr ? a + args.panel_stride : nullptr;
    // The next call's B panel (GemmColsArgs::b_prefetch), during the last
    // block: earlier, its lines would evict this panel's from L1 while later
    // blocks still read them (measured: prefetching in the first block made
    // pw_res2_reduce NCX 3% slower, in the last one 2% faster).
    const float* next_b = row + MR >= args.mr ? args.b_prefetch : nullptr;
    for (size_t k = 0; k < args.kc; ++k) {
      if (next_a && (k * MR) % 16 < MR) __builtin_prefetch(next_a + k * MR);
      if (next_b && k < args.b_prefetch_kc) {
        const float* p = next_b + static_cast<ptrdiff_t>(k) * args.b_prefetch_ld;
        for (size_t j = 0; j < args.b_prefetch_nr; j += 16) __builtin_prefetch(p + j, 0, 2);
        __builtin_prefetch(p + args.b_prefetch_nr - 1, 0, 2);
      }
      const float* brow = args.b + (kOffsets ? args.b_offsets[k] : static_cast<ptrdiff_t>(k) * args.ldb);
      vec bv[NRV];
      for (size_t j = 0; j < NRV; ++j) {
        if (kFullN || j * W + W <= nr)
          bv[j] = S::load(brow + j * W);
        else if (j * W < nr)
          bv[j] = S::load_partial(brow + j * W, nr - j * W);
        else
          bv[j] = S::zero();
      }
      for (size_t i = 0; i < MR; ++i) {
        const vec av = S::set1(a[i]);
        for (size_t j = 0; j < NRV; ++j) tile.acc[i][j] = S::fmadd(av, bv[j], tile.acc[i][j]);
      }
      a += MR;
    }
    out.c = args.out.c + row * args.out.ldc;
    tile.finish(out, args.mr - row < MR ? args.mr - row : MR, nr);
  }
}

template <class Arch, size_t MR, size_t NRV>
void gemm_cols(const GemmColsArgs& args) {
  constexpr size_t NR = NRV * simd<Arch>::width;
  const bool full = args.nr == NR;
  if (args.b_offsets) {
    if (full) gemm_cols_impl<Arch, MR, NRV, true, true>(args);
    else gemm_cols_impl<Arch, MR, NRV, false, true>(args);
  } else {
    if (full) gemm_cols_impl<Arch, MR, NRV, true, false>(args);
    else gemm_cols_impl<Arch, MR, NRV, false, false>(args);
  }
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

// Channels-last microkernel over evenly spaced rows. See GemmRowsStridedArgs.
// Row i is addressed from a base pointer per group of G rows plus a multiple
// i % G of the row stride (x86: base + index * scale with the strides 1..4 *
// lda in registers), so the k loop needs ceil(MR / G) advancing pointers and
// a few strides instead of MR pointers (AVX-512 14 x 32: 3 + 4 registers; the
// pointer kernel spills and reloads 5 row pointers per k). Per tap: evenly
// spaced (a[t]), evenly spaced but for a padded end (edge_pad), or listed.
//
// One tap's k loop over rows [LO, MR - TRAIL), row LO at `first`; the rows
// outside read padding and are skipped.
template <size_t LO, size_t TRAIL, class Arch, size_t MR, size_t NRV>
__attribute__((always_inline)) inline void strided_tap(GemmTile<Arch, MR, NRV>& tile, const float*& b,
                                                       const float* first, ptrdiff_t lda, size_t kc) {
  constexpr size_t NR = NRV * simd<Arch>::width;
  constexpr size_t G = 5;
  constexpr size_t NG = (MR - LO - TRAIL + G - 1) / G;
  const float* base[NG];
  for (size_t q = 0; q < NG; ++q) base[q] = first + static_cast<ptrdiff_t>(q * G) * lda;
  for (size_t k = 0; k < kc; ++k, b += NR) {
    tile.template rank1_update<LO, MR - TRAIL>(
        b, [&](size_t i) { return base[(i - LO) / G][static_cast<ptrdiff_t>((i - LO) % G) * lda]; });
    for (size_t q = 0; q < NG; ++q) ++base[q];
  }
}

// A listed tap (a[t] null) whose rows are evenly spaced but for a padded end
// (GemmRowsStridedArgs::edge_pad): strided, without the MR row pointers the
// pointer loop spills (conv3d_video: a third of the taps). False otherwise.
template <class Arch, size_t MR, size_t NRV>
__attribute__((always_inline)) inline bool strided_edge_tap(GemmTile<Arch, MR, NRV>& tile, const float*& b,
                                                            const GemmRowsStridedArgs& args, size_t t) {
  static_assert(kMaxStridedEdgePad == 2, "one case per padded row count below");
  if constexpr (MR <= static_cast<size_t>(2 * kMaxStridedEdgePad)) {
    return false;
  } else {
    const int pad = args.edge_pad ? args.edge_pad[t] : 0;
    const float* const* rows = args.row_lists + t * MR;
    const ptrdiff_t off = args.a_k_offset, lda = args.lda;
    switch (pad) {
      case 1: strided_tap<1, 0>(tile, b, rows[1] + off, lda, args.kc); return true;
      case 2: strided_tap<2, 0>(tile, b, rows[2] + off, lda, args.kc); return true;
      case -1: strided_tap<0, 1>(tile, b, rows[0] + off, lda, args.kc); return true;
      case -2: strided_tap<0, 2>(tile, b, rows[0] + off, lda, args.kc); return true;
      default: return false;
    }
  }
}

template <class Arch, size_t MR, size_t NRV>
void gemm_rows_strided(const GemmRowsStridedArgs& args) {
  using T = GemmTile<Arch, MR, NRV>;
  constexpr size_t W = T::W;
  constexpr size_t NR = NRV * W;
  const size_t kc = args.kc;
  GemmOutput out = args.out;
  for (size_t col = 0; col < args.nr; col += NR) {
    const size_t panel = col / NR;
    const float* b = args.b + panel * args.panel_stride;
    T tile;
    tile.init_columns(out.accumulate || !args.bias ? nullptr : args.bias + panel * args.panel_stride);
    for (size_t t = 0; t < args.taps; ++t) {
      if (__builtin_expect(args.a[t] != nullptr, 1)) {  // the hot path laid out first
        strided_tap<0, 0>(tile, b, args.a[t] + args.a_k_offset, args.lda, kc);
        continue;
      }
      if (strided_edge_tap(tile, b, args, t)) continue;
      // A listed tap: MR row pointers, as gemm_rows reads them.
      const float* rows[MR];
      for (size_t i = 0; i < MR; ++i) rows[i] = args.row_lists[t * MR + i] + args.a_k_offset;
      for (size_t k = 0; k < kc; ++k, b += NR) tile.rank1_update(b, [&](size_t i) { return rows[i][k]; });
    }
    out.c = args.out.c + col;
    if (args.out.row_max) out.row_max = args.out.row_max + col;
    tile.finish(out, args.mr, args.nr - col < NR ? args.nr - col : NR);
  }
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
