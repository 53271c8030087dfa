// The candidate GEMM microkernels (KernelTable::gemm_candidates, kernels/
// gemm_unrolled.hpp) under every ISA this CPU runs, against a double-precision
// loop: every mr and nr remainder, K across the unrolled steps and their
// tail, several taps, one call sweeping several panels (rows: N, cols: M),
// every epilogue (bias, K-block accumulation, clamp, the fused row max),
// prefetch hints, the channels-last K offset, strided and listed taps,
// channels-first offset rows. The planner does not use these kernels; a
// tuning module may, and every candidate must then compute the same thing.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/kernel_table.h"
#include "tests/support/kernel_tables.h"

namespace {

using namespace ndconv::kernels;
using ndconv::test::available_tables;
using ndconv::test::random_tensor;

struct Epilogue {
  bool accumulate, clamp, bias, row_max;
};
const Epilogue kEpilogues[] = {{false, false, true, false},
                               {false, true, false, false},
                               {true, false, false, false},
                               {true, true, true, false},
                               {false, true, true, true},
                               {true, false, false, true}};

double clamp(const Epilogue& e, double v) {
  if (e.clamp) v = v < -0.25 ? -0.25 : (v > 0.5 ? 0.5 : v);
  return v;
}
GemmOutput make_output(const Epilogue& e, float* c, size_t ldc, float* row_max) {
  GemmOutput out;
  out.c = c;
  out.ldc = ldc;
  out.accumulate = e.accumulate;
  out.clamp = e.clamp;
  out.lo = -0.25f;
  out.hi = 0.5f;
  out.row_max = e.row_max ? row_max : nullptr;
  return out;
}

const std::vector<size_t> kKcs = {1, 2, 3, 5, 7, 16, 67, 300};

std::vector<size_t> nr_values(size_t NR) {
  std::vector<size_t> nrs;
  for (size_t nr = 1; nr <= NR; nr += (nr < 4 || nr + 4 > NR) ? 1 : 5) nrs.push_back(nr);
  nrs.push_back(NR + 1);      // a second panel, one column wide
  nrs.push_back(3 * NR - 2);  // three panels
  return nrs;
}

// A channels-last problem (gemm_rows / gemm_rows_strided): taps * kc rows of
// packed weights per panel, zero past nr as packing leaves them.
struct RowsProblem {
  size_t MR, NR, taps, kc, mr, nr, panels, stride, ldc;
  std::vector<float> b, bias, c, c0, maxes, maxes0;
  RowsProblem(size_t MR_, size_t NR_, size_t taps_, size_t kc_, size_t mr_, size_t nr_)
      : MR(MR_), NR(NR_), taps(taps_), kc(kc_), mr(mr_), nr(nr_) {
    panels = (nr + NR - 1) / NR;
    stride = taps * kc * NR + 3;
    b = random_tensor(panels * stride, 11 + nr + kc);
    bias = random_tensor(panels * stride, 13);
    for (size_t col = nr; col < panels * NR; ++col) {
      const size_t p = col / NR, j = col % NR;
      bias[p * stride + j] = 0;
      for (size_t k = 0; k < taps * kc; ++k) b[p * stride + k * NR + j] = 0;
    }
    ldc = panels * NR + 5;
    c = random_tensor(MR * ldc, 17);
    c0 = c;
    maxes = random_tensor(panels * NR, 19);
    maxes0 = maxes;
  }
  // A rows kernel's arguments for this problem: pointers a ([taps][MR] or,
  // for a short-rows entry, [taps][mr]), each row read from one float on
  // (the K offset 1).
  GemmRowsArgs rows_args(const Epilogue& e, const float* const* a) {
    GemmRowsArgs args;
    args.a = a;
    args.a_k_offset = 1;
    args.taps = taps;
    args.kc = kc;
    args.b = b.data();
    args.bias = e.bias ? bias.data() : nullptr;
    args.mr = mr;
    args.nr = nr;
    args.panel_stride = stride;
    args.out = make_output(e, c.data(), ldc, maxes.data());
    return args;
  }
  // row(t, i) points to the kc floats of tap t, row i (i < mr).
  template <class Row>
  void check(const Epilogue& e, const Row& row, const std::string& what) {
    std::vector<double> want_max(maxes0.begin(), maxes0.end());
    for (size_t i = 0; i < MR; ++i)
      for (size_t col = 0; col < ldc; ++col) {
        const bool inside = i < mr && col < nr;
        if (!inside || e.row_max) {
          ASSERT_EQ(c[i * ldc + col], c0[i * ldc + col]) << "wrote outside the tile: " << what;
          if (!inside) continue;
        }
        const size_t p = col / NR, j = col % NR;
        double want = e.accumulate ? c0[i * ldc + col] : (e.bias ? bias[p * stride + j] : 0.0);
        for (size_t t = 0; t < taps; ++t)
          for (size_t k = 0; k < kc; ++k) want += double(row(t, i)[k]) * b[p * stride + (t * kc + k) * NR + j];
        want = clamp(e, want);
        if (e.row_max) {
          want_max[col] = want > want_max[col] ? want : want_max[col];
        } else {
          ASSERT_NEAR(c[i * ldc + col], want, 1e-6 * (taps * kc + 4))
              << what << " i=" << i << " col=" << col;
        }
      }
    if (e.row_max)
      for (size_t col = 0; col < nr; ++col)
        ASSERT_NEAR(maxes[col], want_max[col], 1e-6 * (taps * kc + 4)) << what << " row max col=" << col;
  }
};

std::string describe(const char* isa, const char* name, size_t taps, size_t kc, size_t mr, size_t nr,
                     size_t epilogue) {
  return std::string(isa) + " " + name + " taps=" + std::to_string(taps) + " kc=" + std::to_string(kc) +
         " mr=" + std::to_string(mr) + " nr=" + std::to_string(nr) + " epilogue=" + std::to_string(epilogue);
}

TEST(GemmCandidates, EveryIsaHasCandidates) {
  for (const KernelTable* t : available_tables()) {
    ASSERT_NE(t->gemm_candidates, nullptr) << ndconv_isa_name(t->isa);
    EXPECT_GT(t->gemm_candidates->rows_count, 0u);
    EXPECT_GT(t->gemm_candidates->strided_count, 0u);
    EXPECT_GT(t->gemm_candidates->cols_count, 0u);
  }
}

TEST(GemmCandidates, RowsAllTailsAllKPanelsEpilogues) {
  for (const KernelTable* t : available_tables()) {
    const GemmCandidates& cand = *t->gemm_candidates;
    for (size_t n = 0; n < cand.rows_count; ++n) {
      const GemmRowsCandidate& uk = cand.rows[n];
      ASSERT_NE(uk.kernel.fn, nullptr) << uk.name;
      const size_t MR = uk.kernel.mr, NR = uk.kernel.nr;
      for (size_t taps : {1, 3})
        for (size_t kc : kKcs)
          for (size_t ei = 0; ei < sizeof kEpilogues / sizeof kEpilogues[0]; ++ei)
            for (size_t mr = 1; mr <= MR; ++mr)
              for (size_t nr : nr_values(NR)) {
                const Epilogue& e = kEpilogues[ei];
                RowsProblem pb(MR, NR, taps, kc, mr, nr);
                // Rows 1 + kc floats apart (the K offset skips the first),
                // rows past mr repeat the last real one.
                const size_t ld = kc + 1;
                std::vector<float> a_data = random_tensor(taps * mr * ld, 7 + kc + mr);
                std::vector<const float*> a(taps * MR);
                for (size_t tp = 0; tp < taps; ++tp)
                  for (size_t i = 0; i < MR; ++i) a[tp * MR + i] = a_data.data() + (tp * mr + (i < mr ? i : mr - 1)) * ld;
                std::vector<float> next = random_tensor(taps * kc * NR, 3);
                GemmRowsArgs args = pb.rows_args(e, a.data());
                if (kc % 2) {  // a hint: must not change the result
                  args.b_prefetch = next.data();
                  args.b_prefetch_l2 = kc % 4 == 1;
                }
                uk.kernel.fn(args);
                pb.check(e, [&](size_t tp, size_t i) { return a[tp * MR + i] + 1; },
                         describe(ndconv_isa_name(t->isa), uk.name, taps, kc, mr, nr, ei));
                if (HasFailure()) return;
              }
    }
  }
}

// A candidate's short rows (GemmRowsKernel::short_rows): entry r - 1 is
// called for a block of exactly r rows, its pointers [taps][r] (as
// gemm_rows_task lays them out), and computes those rows and no others.
TEST(GemmCandidates, RowsShortRowsComputeExactlyTheirRows) {
  size_t tested = 0;
  for (const KernelTable* t : available_tables()) {
    const GemmCandidates& cand = *t->gemm_candidates;
    for (size_t n = 0; n < cand.rows_count; ++n) {
      const GemmRowsCandidate& uk = cand.rows[n];
      if (!uk.kernel.short_rows) continue;
      const size_t NR = uk.kernel.nr;
      for (size_t r = 1; r < uk.kernel.mr; ++r) {
        ASSERT_NE(uk.kernel.short_rows[r - 1], nullptr) << uk.name << " r=" << r;
        for (size_t taps : {1, 3})
          for (size_t kc : {size_t(1), size_t(5), size_t(67)})
            for (size_t ei = 0; ei < sizeof kEpilogues / sizeof kEpilogues[0]; ++ei)
              for (size_t nr : {size_t(1), NR - 3, NR, 2 * NR + 5}) {
                const Epilogue& e = kEpilogues[ei];
                RowsProblem pb(r, NR, taps, kc, r, nr);
                const size_t ld = kc + 1;
                std::vector<float> a_data = random_tensor(taps * r * ld, 5 + kc + r);
                std::vector<const float*> a(taps * r);
                for (size_t i = 0; i < taps * r; ++i) a[i] = a_data.data() + i * ld;
                uk.kernel.short_rows[r - 1](pb.rows_args(e, a.data()));
                pb.check(e, [&](size_t tp, size_t i) { return a[tp * r + i] + 1; },
                         describe(ndconv_isa_name(t->isa), uk.name, taps, kc, r, nr, ei) + " short rows");
                if (HasFailure()) return;
                ++tested;
              }
      }
    }
  }
  for (const KernelTable* t : available_tables())
    if (t->isa == NDCONV_ISA_AVX512) EXPECT_GT(tested, 0u) << "the AVX-512 wide rows tile has short rows";
}

TEST(GemmCandidates, StridedAllTailsAllKAllStridesListedTaps) {
  for (const KernelTable* t : available_tables()) {
    const GemmCandidates& cand = *t->gemm_candidates;
    for (size_t n = 0; n < cand.strided_count; ++n) {
      const GemmRowsStridedCandidate& uk = cand.strided[n];
      ASSERT_NE(uk.kernel.fn, nullptr) << uk.name;
      const size_t MR = uk.kernel.mr, NR = uk.kernel.nr;
      // taps = 3 also with the middle tap listed: its rows through row
      // pointers, in reverse order (a strided read of it would be wrong).
      for (size_t taps_case : {1, 3, 4})
        for (size_t kc : kKcs)
          for (ptrdiff_t lda : {ptrdiff_t(2), static_cast<ptrdiff_t>(kc + 3)})
            // No row max: rows past mr are real rows here, not repeats.
            for (size_t ei = 0; ei < 4; ++ei)
              for (size_t mr = 1; mr <= MR; ++mr)
                for (size_t nr : nr_values(NR)) {
                  const bool listed = taps_case == 4;
                  const size_t taps = listed ? 3 : taps_case;
                  const Epilogue& e = kEpilogues[ei];
                  RowsProblem pb(MR, NR, taps, kc, mr, nr);
                  const size_t region = (MR - 1) * static_cast<size_t>(lda) + kc;
                  // Odd kc: every row pointer one float early, a_k_offset = 1.
                  const ptrdiff_t k_offset = kc % 2 == 1 ? 1 : 0;
                  std::vector<float> a_data = random_tensor(1 + taps * region, 7 + kc + mr);
                  std::vector<const float*> a(taps);
                  for (size_t tp = 0; tp < taps; ++tp) a[tp] = a_data.data() + 1 + tp * region;
                  auto row = [&](size_t tp, size_t i) {
                    if (listed && tp == 1) i = MR - 1 - i;
                    return a[tp] + i * static_cast<size_t>(lda);
                  };
                  std::vector<const float*> lists(taps * MR, nullptr);
                  if (listed)
                    for (size_t i = 0; i < MR; ++i) lists[MR + i] = row(1, i) - k_offset;
                  std::vector<const float*> a_arg = a;
                  for (const float*& p : a_arg) p -= k_offset;
                  if (listed) a_arg[1] = nullptr;
                  GemmRowsStridedArgs args;
                  args.a = a_arg.data();
                  args.row_lists = listed ? lists.data() : nullptr;
                  args.a_k_offset = k_offset;
                  args.lda = lda;
                  args.taps = taps;
                  args.kc = kc;
                  args.b = pb.b.data();
                  args.bias = e.bias ? pb.bias.data() : nullptr;
                  args.mr = mr;
                  args.nr = nr;
                  args.panel_stride = pb.stride;
                  args.out = make_output(e, pb.c.data(), pb.ldc, pb.maxes.data());
                  uk.kernel.fn(args);
                  pb.check(e, row,
                           describe(ndconv_isa_name(t->isa), uk.name, taps, kc, mr, nr, ei) +
                               " lda=" + std::to_string(lda) + (listed ? " (listed)" : ""));
                  if (HasFailure()) return;
                }
    }
  }
}

TEST(GemmCandidates, ColsAllTailsAllKPanelsOffsetRows) {
  for (const KernelTable* t : available_tables()) {
    const GemmCandidates& cand = *t->gemm_candidates;
    for (size_t n = 0; n < cand.cols_count; ++n) {
      const GemmColsCandidate& uk = cand.cols[n];
      ASSERT_NE(uk.kernel.fn, nullptr) << uk.name;
      const size_t MR = uk.kernel.mr, NR = uk.kernel.nr;
      std::vector<size_t> mrs;
      for (size_t mr = 1; mr <= MR; ++mr) mrs.push_back(mr);
      mrs.push_back(MR + 1);      // a second block of one row
      mrs.push_back(3 * MR - 1);  // three blocks
      for (size_t kc : kKcs)
        for (size_t ei = 0; ei < 4; ++ei)  // no row_max for channels-first
          for (bool use_offsets : {false, true})
            for (size_t mr : mrs)
              for (size_t nr = 1; nr <= NR; nr += (nr < 4 || nr + 4 > NR) ? 1 : 5) {
                const Epilogue& e = kEpilogues[ei];
                const size_t panels = (mr + MR - 1) / MR, stride = kc * MR + 5;
                std::vector<float> a = random_tensor(panels * stride, 3 + kc);
                std::vector<float> bias = random_tensor(panels * stride, 19);
                for (size_t r = mr; r < panels * MR; ++r) {  // zero past M, as packing leaves them
                  bias[(r / MR) * stride + r % MR] = 0;
                  for (size_t k = 0; k < kc; ++k) a[(r / MR) * stride + k * MR + r % MR] = 0;
                }
                const size_t ldb = nr + 2, ldc = NR + 5;
                // B rows exactly nr floats long at the end of the buffer (ASan
                // sees a read past the last row's nr-th float).
                std::vector<float> b = random_tensor((kc - 1) * ldb + nr, 5 + nr);
                std::vector<ptrdiff_t> offsets(kc);
                for (size_t k = 0; k < kc; ++k) offsets[k] = static_cast<ptrdiff_t>(((k * 7) % kc) * ldb);
                std::vector<float> c = random_tensor(panels * MR * ldc, 23);
                const std::vector<float> c0 = c;
                GemmColsArgs args;
                args.a = a.data();
                args.b = b.data();
                args.ldb = static_cast<ptrdiff_t>(ldb);
                args.b_offsets = use_offsets ? offsets.data() : nullptr;
                args.kc = kc;
                args.bias = e.bias ? bias.data() : nullptr;
                args.mr = mr;
                args.nr = nr;
                args.panel_stride = stride;
                args.out = make_output(e, c.data(), ldc, nullptr);
                if (kc % 2) {  // the next panel (here b itself): a hint
                  args.b_prefetch = b.data();
                  args.b_prefetch_ld = static_cast<ptrdiff_t>(ldb);
                  args.b_prefetch_kc = kc - 1;
                  args.b_prefetch_nr = nr;
                }
                uk.kernel.fn(args);
                const std::string what =
                    describe(ndconv_isa_name(t->isa), uk.name, 1, kc, mr, nr, ei) + " offsets=" +
                    std::to_string(use_offsets);
                for (size_t i = 0; i < panels * MR; ++i)
                  for (size_t j = 0; j < ldc; ++j) {
                    if (i >= mr || j >= nr) {
                      ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]) << "wrote outside the tile: " << what;
                      continue;
                    }
                    const float* panel = a.data() + (i / MR) * stride;
                    double want = e.accumulate ? c0[i * ldc + j] : (e.bias ? bias[(i / MR) * stride + i % MR] : 0.0);
                    for (size_t k = 0; k < kc; ++k) {
                      const ptrdiff_t r = use_offsets ? offsets[k] : static_cast<ptrdiff_t>(k * ldb);
                      want += double(panel[k * MR + i % MR]) * b[r + j];
                    }
                    ASSERT_NEAR(c[i * ldc + j], clamp(e, want), 1e-6 * (kc + 4)) << what << " i=" << i << " j=" << j;
                  }
                if (HasFailure()) return;
              }
    }
  }
}

// The k-pair kernels (KernelTable::gemm_kpair, kernels/gemm_kpair.hpp) where
// the ISA has them: the weights of a RowsProblem re-laid in k pairs as the
// contract says (float 16 v + l of pair q = B[2q + l % 2][8 v + l / 2]), and
// checked against the plain layout's sums. Every even kc (1 to 6 pairs and
// long runs), every mr and nr tail, three panels, the epilogues, and for the
// strided kernel disjoint and overlapping rows and a listed tap.
std::vector<float> interleave_k_pairs(const RowsProblem& pb) {
  std::vector<float> b = pb.b;
  const size_t NR = pb.NR, half = NR / 2;
  for (size_t p = 0; p < pb.panels; ++p)
    for (size_t q = 0; q < pb.taps * pb.kc / 2; ++q)
      for (size_t v = 0; v < 2; ++v)
        for (size_t l = 0; l < NR; ++l)
          b[p * pb.stride + (2 * q + v) * NR + l] = pb.b[p * pb.stride + (2 * q + l % 2) * NR + v * half + l / 2];
  return b;
}

const std::vector<size_t> kPairKcs = {2, 4, 8, 12, 16, 24, 30, 148};

TEST(GemmKPair, RowsAllTailsEvenKPanelsEpilogues) {
  for (const KernelTable* t : available_tables()) {
    const GemmRowsKernel& uk = t->gemm_kpair.rows;
    if (!uk.fn) continue;
    ASSERT_EQ(uk.nr, 16u) << ndconv_isa_name(t->isa);
    ASSERT_EQ(t->gemm_kpair.strided.mr, uk.mr);
    const size_t MR = uk.mr, NR = uk.nr;
    for (size_t taps : {1, 3})
      for (size_t kc : kPairKcs)
        for (size_t ei = 0; ei < 4; ++ei)
          for (size_t mr = 1; mr <= MR; ++mr)
            for (size_t nr : nr_values(NR)) {
              const Epilogue& e = kEpilogues[ei];
              RowsProblem pb(MR, NR, taps, kc, mr, nr);
              const std::vector<float> b = interleave_k_pairs(pb);
              // Rows 1 + kc floats apart (the K offset skips the first);
              // rows past mr repeat the last real one.
              const size_t ld = kc + 1;
              std::vector<float> a_data = random_tensor(taps * mr * ld, 7 + kc + mr);
              std::vector<const float*> a(taps * MR);
              for (size_t tp = 0; tp < taps; ++tp)
                for (size_t i = 0; i < MR; ++i) a[tp * MR + i] = a_data.data() + (tp * mr + (i < mr ? i : mr - 1)) * ld;
              GemmRowsArgs args = pb.rows_args(e, a.data());
              args.b = b.data();  // the same weights, in k pairs
              uk.fn(args);
              pb.check(e, [&](size_t tp, size_t i) { return a[tp * MR + i] + 1; },
                       describe(ndconv_isa_name(t->isa), uk.name, taps, kc, mr, nr, ei));
              if (HasFailure()) return;
            }
  }
}

TEST(GemmKPair, StridedAllTailsEvenKStridesListedTaps) {
  for (const KernelTable* t : available_tables()) {
    const GemmRowsStridedKernel& uk = t->gemm_kpair.strided;
    if (!uk.fn) continue;
    const size_t MR = uk.mr, NR = uk.nr;
    for (size_t taps_case : {1, 3, 4})
      for (size_t kc : kPairKcs)
        for (ptrdiff_t lda : {ptrdiff_t(2), ptrdiff_t(3), static_cast<ptrdiff_t>(kc + 3)})
          for (size_t ei = 0; ei < 4; ++ei)
            for (size_t mr = 1; mr <= MR; ++mr)
              for (size_t nr : nr_values(NR)) {
                const bool listed = taps_case == 4;
                const size_t taps = listed ? 3 : taps_case;
                const Epilogue& e = kEpilogues[ei];
                RowsProblem pb(MR, NR, taps, kc, mr, nr);
                const std::vector<float> b = interleave_k_pairs(pb);
                const size_t region = (MR - 1) * static_cast<size_t>(lda) + kc;
                // kc / 2 odd: every row pointer one float early, a_k_offset = 1.
                const ptrdiff_t k_offset = (kc / 2) % 2 == 1 ? 1 : 0;
                std::vector<float> a_data = random_tensor(1 + taps * region, 7 + kc + mr);
                std::vector<const float*> a(taps);
                for (size_t tp = 0; tp < taps; ++tp) a[tp] = a_data.data() + 1 + tp * region;
                auto row = [&](size_t tp, size_t i) {
                  if (listed && tp == 1) i = MR - 1 - i;
                  return a[tp] + i * static_cast<size_t>(lda);
                };
                std::vector<const float*> lists(taps * MR, nullptr);
                if (listed)
                  for (size_t i = 0; i < MR; ++i) lists[MR + i] = row(1, i) - k_offset;
                std::vector<const float*> a_arg = a;
                for (const float*& p : a_arg) p -= k_offset;
                if (listed) a_arg[1] = nullptr;
                GemmRowsStridedArgs args;
                args.a = a_arg.data();
                args.row_lists = listed ? lists.data() : nullptr;
                args.a_k_offset = k_offset;
                args.lda = lda;
                args.taps = taps;
                args.kc = kc;
                args.b = b.data();
                args.bias = e.bias ? pb.bias.data() : nullptr;
                args.mr = mr;
                args.nr = nr;
                args.panel_stride = pb.stride;
                args.out = make_output(e, pb.c.data(), pb.ldc, pb.maxes.data());
                uk.fn(args);
                pb.check(e, row,
                         describe(ndconv_isa_name(t->isa), uk.name, taps, kc, mr, nr, ei) +
                             " lda=" + std::to_string(lda) + (listed ? " (listed)" : ""));
                if (HasFailure()) return;
              }
  }
}

// Only AVX-512 has them; the other ISAs' entries are null (the planner
// checks fn before choosing them).
TEST(GemmKPair, OnlyAvx512HasKPairKernels) {
  for (const KernelTable* t : available_tables()) {
    const bool has = t->gemm_kpair.rows.fn != nullptr;
    EXPECT_EQ(has, t->isa == NDCONV_ISA_AVX512) << ndconv_isa_name(t->isa);
    EXPECT_EQ(has, t->gemm_kpair.strided.fn != nullptr) << ndconv_isa_name(t->isa);
  }
}

}  // namespace
