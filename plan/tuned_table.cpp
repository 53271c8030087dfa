#include "plan/tuned_table.h"

#include <cstring>

namespace ndconv {
namespace dispatch {
namespace {

using kernels::GemmCandidates;
using kernels::KernelTable;

// The candidate of that name, or nullptr (names: kernels/gemm_unrolled.hpp).
template <class Candidate>
const Candidate* find(const Candidate* list, size_t count, const char* name) {
  for (size_t i = 0; i < count; ++i)
    if (std::strcmp(list[i].name, name) == 0) return &list[i];
  return nullptr;
}

// AVX-512: the channels-last pair must share MR (an indirect M block is
// either kind of call), and NR = 32 keeps the packed weights and the short
// row kernels of the 14x32 tile (which serve blocks of fewer than 12 rows).
void use_lean_avx512(const GemmCandidates& c, KernelTable* t) {
  const auto* rows = find(c.rows, c.rows_count, "rows-lean/12x32/u2");
  const auto* strided = find(c.strided, c.strided_count, "strided-lean/12x32/u4");
  if (rows && strided && rows->kernel.nr == t->gemm_rowptr_main.nr) {
    const kernels::GemmRowsFn* short_rows = t->gemm_rowptr_main.short_rows;
    t->gemm_rowptr_main = rows->kernel;
    t->gemm_rowptr_main.short_rows = short_rows;
    t->gemm_rowstride_main = strided->kernel;
  }
  if (const auto* cols = find(c.cols, c.cols_count, "cols-lean/14x32/u1")) t->gemm_cols_main = cols->kernel;
  // The one-vector pair (groups of at most 16 output channels), sharing MR.
  const auto* rows16 = find(c.rows, c.rows_count, "rows-lean/12x16/u2");
  const auto* strided16 = find(c.strided, c.strided_count, "strided-lean/12x16/u4");
  if (rows16 && strided16 && rows16->kernel.nr == t->gemm_rowptr_one_vector.nr) {
    t->gemm_rowptr_one_vector = rows16->kernel;
    t->gemm_rowstride_one_vector = strided16->kernel;
  }
}

// AVX2: only the channels-first tile gains (82% -> 95% of the peak); the
// channels-last GemmTile kernel is already at 95%.
void use_lean_avx2(const GemmCandidates& c, KernelTable* t) {
  if (const auto* cols = find(c.cols, c.cols_count, "cols-lean/6x16/u2")) t->gemm_cols_main = cols->kernel;
}

// AVX-512, Tuning::gemm_cols_wide: the 6 x 64 channels-first tile, for
// pick_cols_kernel to weigh against the main and alternative tiles. The
// weights are packed per plan for the tile it picks, so nothing else changes.
void use_wide_cols_avx512(const GemmCandidates& c, KernelTable* t) {
  if (const auto* cols = find(c.cols, c.cols_count, "cols-lean/6x64/u4")) t->gemm_cols_wide = cols->kernel;
}

// AVX-512, Tuning::gemm_rows_wide: the 6 x 64 channels-last pair (its own
// packed weights, NR = 64, as a plan packs for the tiles it picks).
void use_wide_rows_avx512(const GemmCandidates& c, KernelTable* t) {
  const auto* rows = find(c.rows, c.rows_count, "rows-lean/6x64/u4");
  const auto* strided = find(c.strided, c.strided_count, "strided-lean/6x64/u2");
  if (rows && strided && rows->kernel.mr == strided->kernel.mr && rows->kernel.nr == strided->kernel.nr) {
    t->gemm_rowptr_wide = rows->kernel;
    t->gemm_rowstride_wide = strided->kernel;
  }
}

// The tables tuned_kernel_table keeps: one bit per Tuning field that
// tune_kernel_table reads.
constexpr unsigned kLeanBit = 1, kWideBit = 2, kRowsWideBit = 4, kVariants = 8;

unsigned variant_of(const Tuning& t) {
  return (t.gemm_lean_kernels ? kLeanBit : 0u) | (t.gemm_cols_wide ? kWideBit : 0u) |
         (t.gemm_rows_wide ? kRowsWideBit : 0u);
}

// Every variant of one ISA's table, made on first use (a thread-safe static;
// the template parameter keeps the ISAs' statics apart).
template <ndconv_isa Isa>
const KernelTable* variant_table(const KernelTable& base, unsigned variant) {
  static const struct Variants {
    explicit Variants(const KernelTable& b) {
      for (unsigned v = 0; v < kVariants; ++v) {
        Tuning t;
        t.gemm_lean_kernels = v & kLeanBit ? 1 : 0;
        t.gemm_cols_wide = v & kWideBit ? 1 : 0;
        t.gemm_rows_wide = v & kRowsWideBit ? 1 : 0;
        table[v] = tune_kernel_table(b, t);
      }
    }
    KernelTable table[kVariants];
  } variants(base);
  return &variants.table[variant];
}

}  // namespace

KernelTable tune_kernel_table(const KernelTable& base, const Tuning& t) {
  KernelTable table = base;
  if (!base.gemm_candidates) return table;
  if (t.gemm_lean_kernels && base.isa == NDCONV_ISA_AVX512) use_lean_avx512(*base.gemm_candidates, &table);
  if (t.gemm_lean_kernels && base.isa == NDCONV_ISA_AVX2) use_lean_avx2(*base.gemm_candidates, &table);
  if (t.gemm_cols_wide && base.isa == NDCONV_ISA_AVX512) use_wide_cols_avx512(*base.gemm_candidates, &table);
  if (t.gemm_rows_wide && base.isa == NDCONV_ISA_AVX512) use_wide_rows_avx512(*base.gemm_candidates, &table);
  return table;
}

const KernelTable* tuned_kernel_table(const KernelTable* base) { return tuned_kernel_table(base, tuning()); }

const KernelTable* tuned_kernel_table(const KernelTable* base, const Tuning& t) {
  // Without a variant the table is the ISA's own.
  const unsigned variant = variant_of(t);
  if (!base || !variant) return base;
  switch (base->isa) {
    case NDCONV_ISA_AVX512:
      return variant_table<NDCONV_ISA_AVX512>(*base, variant);
    case NDCONV_ISA_AVX2:
      return variant_table<NDCONV_ISA_AVX2>(*base, variant);
    default:
      return base;
  }
}

}  // namespace dispatch
}  // namespace ndconv
