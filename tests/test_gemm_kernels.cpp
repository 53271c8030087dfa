// The GEMM microkernels alone, every entry of every ISA this CPU runs (one
// test per entry, named after it: GemmRows/GemmRowptrTiles.AllTailsAllK/
// f32_gemm_rowptr_14x32__avx512): every mr and nr remainder, K from 1 to past
// the K block, several taps, K-block accumulation, bias and clamping, against
// a double-precision loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gemm/gemm_driver.h"
#include "plan/isa_select.h"
#include "kernels/kernel_table.h"
#include "tests/support/kernel_tables.h"

namespace {

using namespace ndconv::kernels;

using ndconv::test::available_tables;
using ndconv::test::kernel_cases;
using ndconv::test::KernelCase;
using ndconv::test::KernelCaseName;
using ndconv::test::random_tensor;
using ndconv::test::table_test_name;

// The kernel tests' fixtures: one entry of one ISA's table per test.
class GemmRowptrTiles : public ::testing::TestWithParam<KernelCase<GemmRowsKernel>> {};
class GemmRowptrDot : public ::testing::TestWithParam<KernelCase<GemmRowsKernel>> {};
class GemmRowstrideTiles : public ::testing::TestWithParam<KernelCase<GemmRowsStridedKernel>> {};
class GemmColsTiles : public ::testing::TestWithParam<KernelCase<GemmColsKernel>> {};
class TableEntries : public ::testing::TestWithParam<const KernelTable*> {};

struct Epilogue {
  bool accumulate, clamp, bias;
};

const Epilogue kEpilogues[] = {
    {false, false, true}, {false, true, false}, {true, false, false}, {true, true, true}};

GemmOutput make_output(const Epilogue& e, float* c, size_t ldc) {
  GemmOutput out;
  out.c = c;
  out.ldc = ldc;
  out.accumulate = e.accumulate;
  out.clamp = e.clamp;
  out.lo = -0.25f;
  out.hi = 0.5f;
  return out;
}

double apply(const Epilogue& e, double v) {
  if (e.clamp) v = v < -0.25 ? -0.25 : (v > 0.5 ? 0.5 : v);
  return v;
}

// |got - want| within float rounding of a sum of `terms` products of [-1,1] values.
void expect_near_sum(float got, double want, size_t terms, const char* what) {
  EXPECT_NEAR(got, want, 1e-6 * (terms + 4)) << what;
}

// The row-pointer tiles (main, alternatives, one vector; and, instantiated
// separately, the main tile with fewer rows).
TEST_P(GemmRowptrTiles, AllTailsAllK) {
  const KernelTable* t = GetParam().table;
  const GemmRowsKernel& uk = GetParam().kernel;
  ASSERT_NE(uk.fn, nullptr);
  // Every K for the main shape; the alternatives share its code, so fewer.
  const bool main_shape = uk.fn == t->gemm_rowptr_main.fn;
  const std::vector<size_t> kcs = main_shape ? std::vector<size_t>{1, 2, 5, 16, 67, 300}
                                             : std::vector<size_t>{1, 16, 67};
  ASSERT_LE(uk.mr, 16u);
  for (size_t taps : {1, 3}) {
    for (size_t kc : kcs) {
      for (const Epilogue& e : kEpilogues) {
        for (size_t mr = 1; mr <= uk.mr; ++mr) {
          for (size_t nr = 1; nr <= uk.nr; nr += (nr < 4 || nr + 4 > uk.nr) ? 1 : 3) {
            const size_t lda = kc + 3, ldc = uk.nr + 5;
            // A: taps x mr distinct rows, each lda floats apart.
            std::vector<float> a_data = random_tensor(taps * mr * lda, 7 + kc);
            std::vector<const float*> a(taps * uk.mr);
            for (size_t tp = 0; tp < taps; ++tp)
              for (size_t i = 0; i < uk.mr; ++i)
                a[tp * uk.mr + i] = a_data.data() + (tp * mr + (i < mr ? i : mr - 1)) * lda;
            std::vector<float> b = random_tensor(taps * kc * uk.nr, 11 + nr);
            std::vector<float> bias = random_tensor(uk.nr, 13);
            for (size_t j = nr; j < uk.nr; ++j) {  // packing zero-fills past N
              bias[j] = 0;
              for (size_t k = 0; k < taps * kc; ++k) b[k * uk.nr + j] = 0;
            }
            std::vector<float> c = random_tensor(uk.mr * ldc, 17);
            const std::vector<float> c0 = c;

            GemmRowsArgs args;
            args.a = a.data();
            args.a_k_offset = 1;  // rows start one float in: exercises the offset
            args.taps = taps;
            args.kc = kc - 1 ? kc - 1 : 1;
            if (kc == 1) args.a_k_offset = 0;
            args.b = b.data();
            args.bias = e.bias ? bias.data() : nullptr;
            args.mr = mr;
            args.nr = nr;
            args.out = make_output(e, c.data(), ldc);
            // Packed B holds exactly taps * args.kc rows.
            std::vector<float> bk(taps * args.kc * uk.nr);
            for (size_t i = 0; i < bk.size(); ++i) bk[i] = b[i];
            args.b = bk.data();
            uk.fn(args);

            for (size_t i = 0; i < uk.mr; ++i)
              for (size_t j = 0; j < ldc; ++j) {
                if (i >= mr || j >= nr) {
                  ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]) << "wrote outside the tile";
                  continue;
                }
                double want = e.accumulate ? c0[i * ldc + j] : (e.bias ? bias[j] : 0.0);
                for (size_t tp = 0; tp < taps; ++tp)
                  for (size_t k = 0; k < args.kc; ++k)
                    want += double(a[tp * uk.mr + i][args.a_k_offset + k]) *
                            bk[(tp * args.kc + k) * uk.nr + j];
                expect_near_sum(c[i * ldc + j], apply(e, want), taps * args.kc,
                                ndconv_isa_name(t->isa));
                if (HasFailure()) {
                  FAIL() << ndconv_isa_name(t->isa) << " mr=" << mr << " nr=" << nr
                         << " kc=" << args.kc << " taps=" << taps << " i=" << i << " j=" << j;
                }
              }
          }
        }
      }
    }
  }
}

TEST_P(GemmColsTiles, AllTailsAllKStridedAndOffsetRows) {
  const KernelTable* t = GetParam().table;
  const GemmColsKernel& uk = GetParam().kernel;
  ASSERT_NE(uk.fn, nullptr);
  const bool main_shape = uk.fn == t->gemm_cols_main.fn;
  const std::vector<size_t> kcs = main_shape ? std::vector<size_t>{1, 2, 5, 16, 67, 300}
                                             : std::vector<size_t>{1, 16, 67};
  for (size_t kc : kcs) {
    for (const Epilogue& e : kEpilogues) {
      for (bool use_offsets : {false, true}) {
        for (size_t mr = 1; mr <= uk.mr; ++mr) {
          for (size_t nr = 1; nr <= uk.nr; nr += (nr < 4 || nr + 4 > uk.nr) ? 1 : 3) {
            const size_t ldb = nr + 2, ldc = uk.nr + 5;
            std::vector<float> a = random_tensor(kc * uk.mr, 3 + kc);
            for (size_t k = 0; k < kc; ++k)
              for (size_t i = mr; i < uk.mr; ++i) a[k * uk.mr + i] = 0;
            // B rows exactly nr floats long at the end of the buffer: any
            // read past a row's nr-th float in the last row leaves the vector
            // (ASan sees it).
            std::vector<float> b = random_tensor((kc - 1) * ldb + nr + 7, 5 + nr);
            std::vector<ptrdiff_t> offsets(kc);
            for (size_t k = 0; k < kc; ++k)
              offsets[k] = static_cast<ptrdiff_t>(((k * 7) % kc) * ldb);
            std::vector<float> b_exact(b.begin(), b.begin() + (kc - 1) * ldb + nr);
            std::vector<float> bias = random_tensor(uk.mr, 19);
            std::vector<float> c = random_tensor(uk.mr * ldc, 23);
            const std::vector<float> c0 = c;

            GemmColsArgs args;
            args.a = a.data();
            args.b = b_exact.data();
            args.ldb = static_cast<ptrdiff_t>(ldb);
            args.b_offsets = use_offsets ? offsets.data() : nullptr;
            args.kc = kc;
            args.bias = e.bias ? bias.data() : nullptr;
            args.mr = mr;
            args.nr = nr;
            args.out = make_output(e, c.data(), ldc);
            if (kc % 2) {
              // A next panel to prefetch (here the rows of b itself, at
              // another stride): a hint, the result must not change.
              args.b_prefetch = b.data() + 1;
              args.b_prefetch_ld = static_cast<ptrdiff_t>(nr);
              args.b_prefetch_kc = kc;
              args.b_prefetch_nr = nr + 1;
            }
            uk.fn(args);

            for (size_t i = 0; i < uk.mr; ++i)
              for (size_t j = 0; j < ldc; ++j) {
                if (i >= mr || j >= nr) {
                  ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]) << "wrote outside the tile";
                  continue;
                }
                double want = e.accumulate ? c0[i * ldc + j] : (e.bias ? bias[i] : 0.0);
                for (size_t k = 0; k < kc; ++k) {
                  const ptrdiff_t row =
                      use_offsets ? offsets[k] : static_cast<ptrdiff_t>(k * ldb);
                  want += double(a[k * uk.mr + i]) * b_exact[row + j];
                }
                expect_near_sum(c[i * ldc + j], apply(e, want), kc, ndconv_isa_name(t->isa));
                if (HasFailure()) {
                  FAIL() << ndconv_isa_name(t->isa) << " mr=" << mr << " nr=" << nr
                         << " kc=" << kc << " offsets=" << use_offsets << " i=" << i
                         << " j=" << j;
                }
              }
          }
        }
      }
    }
  }
}

// The dot-product kernel (one column per packed panel, NR = 1): every mr,
// 1 to past two sweeps of columns, K with and without a vector tail, several
// taps, the K offset, every epilogue and the fused row max.
TEST_P(GemmRowptrDot, DotProductColumns) {
  const KernelTable* t = GetParam().table;
  const GemmRowsKernel& uk = GetParam().kernel;
  ASSERT_NE(uk.fn, nullptr);
  ASSERT_EQ(uk.nr, 1u);
  for (size_t taps : {1, 3})
    for (size_t kc : {1, 3, 16, 17, 67})
      for (const Epilogue& e : kEpilogues)
        for (bool row_max : {false, true})
          for (size_t mr = 1; mr <= uk.mr; ++mr)
            for (size_t nr = 1; nr <= 9; ++nr) {
              const size_t lda = kc + 2, ldc = nr + 3, stride = taps * kc + 1 + 5;
              std::vector<float> a_data = random_tensor(taps * mr * lda, 3 + kc);
              std::vector<const float*> a(taps * uk.mr);
              for (size_t tp = 0; tp < taps; ++tp)
                for (size_t i = 0; i < uk.mr; ++i)
                  a[tp * uk.mr + i] = a_data.data() + (tp * mr + (i < mr ? i : mr - 1)) * lda;
              // Column j: bias at packed[j * stride], then taps * kc weights.
              std::vector<float> packed = random_tensor(nr * stride, 5 + nr);
              std::vector<float> c = random_tensor(uk.mr * ldc, 9);
              const std::vector<float> c0 = c;
              std::vector<float> maxes = random_tensor(nr + 2, 21);
              const std::vector<float> maxes0 = maxes;
              GemmRowsArgs args;
              args.a = a.data();
              args.a_k_offset = 1;
              args.taps = taps;
              args.kc = kc;
              args.b = packed.data() + 1;
              args.bias = e.bias ? packed.data() : nullptr;
              args.mr = mr;
              args.nr = nr;
              args.panel_stride = stride;
              args.out = make_output(e, c.data(), ldc);
              if (row_max) args.out.row_max = maxes.data();
              // Rows hold kc + 1 floats past the offset 1: kc read, the last
              // one is poison that must not be read.
              for (size_t r = 0; r < taps * mr; ++r) a_data[r * lda + kc + 1] = NAN;
              uk.fn(args);
              std::vector<double> want_max(nr, -INFINITY);
              for (size_t i = 0; i < uk.mr; ++i)
                for (size_t j = 0; j < ldc; ++j) {
                  const bool inside = i < mr && j < nr;
                  if (!inside || row_max) {
                    ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]) << "wrote outside the tile";
                    if (!inside) continue;
                  }
                  double want = e.accumulate ? c0[i * ldc + j] : (e.bias ? packed[j * stride] : 0.0);
                  for (size_t tp = 0; tp < taps; ++tp)
                    for (size_t k = 0; k < kc; ++k)
                      want += double(a[tp * uk.mr + i][1 + k]) * packed[j * stride + 1 + tp * kc + k];
                  want = apply(e, want);
                  want_max[j] = std::max(want_max[j], want);
                  if (!row_max)
                    expect_near_sum(c[i * ldc + j], want, taps * kc, ndconv_isa_name(t->isa));
                }
              if (row_max) {
                for (size_t j = 0; j < nr; ++j)
                  expect_near_sum(maxes[j], std::max<double>(maxes0[j], want_max[j]), taps * kc,
                                  "row max");
                for (size_t j = nr; j < nr + 2; ++j) ASSERT_EQ(maxes[j], maxes0[j]);
              }
              if (HasFailure())
                FAIL() << ndconv_isa_name(t->isa) << " mr=" << mr << " nr=" << nr << " kc=" << kc
                       << " taps=" << taps << " row_max=" << row_max;
            }
}

// The evenly-spaced-rows kernel: rows a[t] + i * lda, for row strides wider
// than a row (disjoint rows) and narrower (overlapping: the stem's merged taps
// read 21 floats every 6); every mr and nr remainder, nr sweeping several
// panels, K from 1 to past the K block, bias / accumulate / clamp. A holds
// exactly the MR rows the contract makes readable, so an over-read is caught
// under ASan.
TEST_P(GemmRowstrideTiles, AllTailsAllKAllStrides) {
  const KernelTable* t = GetParam().table;
  const GemmRowsStridedKernel& uk = GetParam().kernel;
  ASSERT_NE(uk.fn, nullptr) << ndconv_isa_name(t->isa);
  // The strided kernels pair with a pointer kernel of the same tile (an
  // indirect M block runs either): the main one or the one-vector one.
  const bool pairs_main = uk.mr == t->gemm_rowptr_main.mr && uk.nr == t->gemm_rowptr_main.nr;
  const bool pairs_one_vector = uk.mr == t->gemm_rowptr_one_vector.mr && uk.nr == t->gemm_rowptr_one_vector.nr;
  ASSERT_TRUE(pairs_main || pairs_one_vector) << uk.name;
  // taps = 3 also with the middle tap listed: its rows through row
  // pointers (in reverse order, so a strided read of it would be wrong).
  for (size_t taps : {1, 3, 4}) {
    const bool listed = taps == 4;
    if (listed) taps = 3;
    for (size_t kc : {1, 2, 5, 16, 21, 67, 300}) {
      for (ptrdiff_t lda : {ptrdiff_t(2), static_cast<ptrdiff_t>(kc + 3)}) {
        for (const Epilogue& e : kEpilogues) {
          for (size_t mr = 1; mr <= uk.mr; ++mr) {
            std::vector<size_t> nrs;
            for (size_t nr = 1; nr <= uk.nr; nr += (nr < 4 || nr + 4 > uk.nr) ? 1 : 3) nrs.push_back(nr);
            nrs.push_back(2 * uk.nr + 1);  // three panels, the last one column wide
            for (size_t nr : nrs) {
              const size_t panels = (nr + uk.nr - 1) / uk.nr;
              const size_t region = (uk.mr - 1) * static_cast<size_t>(lda) + kc;  // one tap's MR rows
              // Odd kc: the kernel gets every row pointer one float early
              // and a_k_offset = 1 (the grouped convolution's channel offset).
              const ptrdiff_t k_offset = kc % 2 == 1 ? 1 : 0;
              std::vector<float> a_data = random_tensor(1 + taps * region, 7 + kc + mr);
              std::vector<const float*> a(taps);
              for (size_t tp = 0; tp < taps; ++tp) a[tp] = a_data.data() + 1 + tp * region;
              // Row i of tap tp, as the kernel must read it.
              auto row = [&](size_t tp, size_t i) {
                if (listed && tp == 1) i = uk.mr - 1 - i;
                return a[tp] + i * static_cast<size_t>(lda);
              };
              std::vector<const float*> lists(taps * uk.mr, nullptr);
              if (listed) {
                for (size_t i = 0; i < uk.mr; ++i) lists[1 * uk.mr + i] = row(1, i) - k_offset;
              }
              // Packed: per panel, taps * kc rows of NR floats, zero past N.
              const size_t stride = taps * kc * uk.nr + 3;
              std::vector<float> b = random_tensor(panels * stride, 11 + nr);
              std::vector<float> bias = random_tensor(panels * stride, 13);
              for (size_t col = nr; col < panels * uk.nr; ++col) {
                const size_t p = col / uk.nr, j = col % uk.nr;
                bias[p * stride + j] = 0;
                for (size_t k = 0; k < taps * kc; ++k) b[p * stride + k * uk.nr + j] = 0;
              }
              const size_t ldc = panels * uk.nr + 5;
              std::vector<float> c = random_tensor(uk.mr * ldc, 17);
              const std::vector<float> c0 = c;

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
              args.bias = e.bias ? bias.data() : nullptr;
              args.mr = mr;
              args.nr = nr;
              args.panel_stride = stride;
              args.out = make_output(e, c.data(), ldc);
              uk.fn(args);

              for (size_t i = 0; i < uk.mr; ++i)
                for (size_t col = 0; col < ldc; ++col) {
                  if (i >= mr || col >= nr) {
                    ASSERT_EQ(c[i * ldc + col], c0[i * ldc + col]) << "wrote outside the tile";
                    continue;
                  }
                  const size_t p = col / uk.nr, j = col % uk.nr;
                  double want = e.accumulate ? c0[i * ldc + col] : (e.bias ? bias[p * stride + j] : 0.0);
                  for (size_t tp = 0; tp < taps; ++tp)
                    for (size_t k = 0; k < kc; ++k)
                      want += double(row(tp, i)[k]) *
                              b[p * stride + (tp * kc + k) * uk.nr + j];
                  expect_near_sum(c[i * ldc + col], apply(e, want), taps * kc, ndconv_isa_name(t->isa));
                  if (HasFailure()) {
                    FAIL() << ndconv_isa_name(t->isa) << " mr=" << mr << " nr=" << nr << " kc=" << kc
                           << " lda=" << lda << " taps=" << taps << (listed ? " (listed)" : "")
                           << " i=" << i << " col=" << col;
                  }
                }
            }
          }
        }
      }
    }
  }
}

// One call sweeping several panels: N panels for the row kernels (nr > NR),
// M blocks for the channels-first ones (mr > MR), with the packed layout's
// panel stride, against the double-precision product.
TEST_P(GemmRowptrTiles, OneCallSweepsSeveralPanels) {
  const KernelTable* t = GetParam().table;
  const GemmRowsKernel& uk = GetParam().kernel;
  const size_t kc = 37, mr = uk.mr > 1 ? uk.mr - 1 : 1;
  for (size_t nr : {uk.nr + 1, 2 * uk.nr, 3 * uk.nr - 2}) {
    const size_t panels = (nr + uk.nr - 1) / uk.nr, stride = (kc + 1) * uk.nr + 3;
    std::vector<float> packed = random_tensor(panels * stride, 31 + nr);
    for (size_t col = nr; col < panels * uk.nr; ++col)  // zero past N, as packing does
      for (size_t k = 0; k <= kc; ++k) packed[(col / uk.nr) * stride + k * uk.nr + col % uk.nr] = 0;
    std::vector<float> a_data = random_tensor(mr * kc, 37);
    std::vector<const float*> a(uk.mr);
    for (size_t i = 0; i < uk.mr; ++i) a[i] = a_data.data() + (i < mr ? i : mr - 1) * kc;
    const size_t ldc = nr + 3;
    std::vector<float> c(uk.mr * ldc, -7.0f);
    GemmRowsArgs args;
    args.a = a.data();
    args.kc = kc;
    args.bias = packed.data();
    args.b = packed.data() + uk.nr;
    args.panel_stride = stride;
    args.mr = mr;
    args.nr = nr;
    args.out = make_output({false, false, true}, c.data(), ldc);
    uk.fn(args);
    for (size_t i = 0; i < uk.mr; ++i)
      for (size_t j = 0; j < ldc; ++j) {
        if (i >= mr || j >= nr) {
          ASSERT_EQ(c[i * ldc + j], -7.0f) << "wrote outside the call's tiles";
          continue;
        }
        const float* panel = packed.data() + (j / uk.nr) * stride;
        double want = panel[j % uk.nr];
        for (size_t k = 0; k < kc; ++k) want += double(a[i][k]) * panel[uk.nr + k * uk.nr + j % uk.nr];
        ASSERT_NEAR(c[i * ldc + j], want, 1e-6 * (kc + 4))
            << ndconv_isa_name(t->isa) << " rows " << uk.mr << "x" << uk.nr << " nr=" << nr << " i=" << i
            << " j=" << j;
      }
  }
}

TEST_P(GemmColsTiles, OneCallSweepsSeveralBlocks) {
  const KernelTable* t = GetParam().table;
  const GemmColsKernel& uk = GetParam().kernel;
  const size_t kc = 29, nr = uk.nr > 1 ? uk.nr - 1 : 1;
  for (size_t mr : {uk.mr + 1, 2 * uk.mr, 3 * uk.mr - 1}) {
    const size_t panels = (mr + uk.mr - 1) / uk.mr, stride = (kc + 1) * uk.mr + 5;
    std::vector<float> packed = random_tensor(panels * stride, 41 + mr);
    for (size_t row = mr; row < panels * uk.mr; ++row)
      for (size_t k = 0; k <= kc; ++k) packed[(row / uk.mr) * stride + k * uk.mr + row % uk.mr] = 0;
    std::vector<float> b = random_tensor(kc * nr, 43);
    const size_t ldc = nr + 2;
    std::vector<float> c(panels * uk.mr * ldc, -7.0f);
    GemmColsArgs args;
    args.bias = packed.data();
    args.a = packed.data() + uk.mr;
    args.panel_stride = stride;
    args.b = b.data();
    args.ldb = static_cast<ptrdiff_t>(nr);
    args.kc = kc;
    args.mr = mr;
    args.nr = nr;
    args.out = make_output({false, false, true}, c.data(), ldc);
    args.b_prefetch = b.data();  // prefetched by the last block: must not change the result
    args.b_prefetch_ld = static_cast<ptrdiff_t>(nr);
    args.b_prefetch_kc = kc;
    args.b_prefetch_nr = nr;
    uk.fn(args);
    for (size_t i = 0; i < panels * uk.mr; ++i)
      for (size_t j = 0; j < ldc; ++j) {
        if (i >= mr || j >= nr) {
          ASSERT_EQ(c[i * ldc + j], -7.0f) << "wrote outside the call's tiles";
          continue;
        }
        const float* panel = packed.data() + (i / uk.mr) * stride;
        double want = panel[i % uk.mr];
        for (size_t k = 0; k < kc; ++k) want += double(panel[uk.mr + k * uk.mr + i % uk.mr]) * b[k * nr + j];
        ASSERT_NEAR(c[i * ldc + j], want, 1e-6 * (kc + 4))
            << ndconv_isa_name(t->isa) << " cols " << uk.mr << "x" << uk.nr << " mr=" << mr << " i=" << i
            << " j=" << j;
      }
  }
}

// The thread split of a channels-first GEMM whose tasks pack their own B
// panels: N first, so no two tasks pack the same panel; otherwise the longer
// dimension first. Every (M, N) element is covered by exactly one task.
TEST(GemmTiling, SplitsNFirstWhenAsked) {
  const size_t M = 512, N = 784, K = 256, MR = 14, NR = 32;
  const ndconv::dispatch::GemmTiling n_first =
      ndconv::dispatch::choose_gemm_tiling(ndconv::dispatch::tuning(), M, N, K, MR, NR, 1, 2, true, 4 << 20, true);
  EXPECT_EQ(n_first.m_tasks, 1u);
  EXPECT_GE(n_first.n_tasks, 4u);  // slack for dynamic balance on 2 threads
  EXPECT_GE(n_first.m_tile, M);
  EXPECT_GE(n_first.n_tile * n_first.n_tasks, N);
  EXPECT_LT(n_first.n_tile * (n_first.n_tasks - 1), N);
  const ndconv::dispatch::GemmTiling longer =
      ndconv::dispatch::choose_gemm_tiling(ndconv::dispatch::tuning(), M, N, K, MR, NR, 1, 2, true, 4 << 20, false);
  EXPECT_GT(longer.m_tasks, 1u);
  EXPECT_GE(longer.m_tile * longer.m_tasks, M);
  // Too few N panels for the threads: the rest of the split goes to M.
  const ndconv::dispatch::GemmTiling narrow =
      ndconv::dispatch::choose_gemm_tiling(ndconv::dispatch::tuning(), M, 40, K, MR, NR, 1, 2, true, 4 << 20, true);
  EXPECT_EQ(narrow.n_tasks, 2u);
  EXPECT_GT(narrow.m_tasks, 1u);
}

// A single GEMM split for 2 threads: the tasks, claimed in order by equally
// fast threads, leave neither idle for long at the end. conv1d_dilated NXC
// (1024 x 256, K = 768) had 74 M blocks in 8 tasks of 10, the last of 4: one
// thread ran 40 blocks and the other 34.
TEST(GemmTiling, BalancesTheLastTasksOfOneGemm) {
  const size_t MR = 14, NR = 32;
  for (size_t M : {1024u, 1500u, 2048u, 3136u}) {
    const ndconv::dispatch::GemmTiling t = ndconv::dispatch::choose_gemm_tiling(ndconv::dispatch::tuning(), M, 256, 768, MR, NR, 1, 2);
    ASSERT_EQ(t.n_tasks, 1u) << "M=" << M;
    ASSERT_GE(t.m_tile * t.m_tasks, M);
    ASSERT_LT(t.m_tile * (t.m_tasks - 1), M);
    size_t load[2] = {0, 0};
    for (size_t mt = 0; mt < t.m_tasks; ++mt) {
      const size_t rows = std::min(M, (mt + 1) * t.m_tile) - mt * t.m_tile;
      load[load[1] < load[0] ? 1 : 0] += (rows + MR - 1) / MR;
    }
    const size_t blocks = (M + MR - 1) / MR;
    EXPECT_LE(2 * std::max(load[0], load[1]), blocks + blocks / 20 + 1)
        << "M=" << M << ": " << load[0] << " and " << load[1] << " blocks";
  }
}

TEST_P(GemmColsTiles, ClampPropagatesNan) {
  const KernelTable* t = GetParam().table;
  const GemmColsKernel& uk = GetParam().kernel;
  std::vector<float> a(uk.mr, 1.0f), b(uk.nr, 1.0f), c(uk.mr * uk.nr, 0.0f);
  b[0] = std::numeric_limits<float>::quiet_NaN();
  GemmColsArgs args;
  args.a = a.data();
  args.b = b.data();
  args.ldb = static_cast<ptrdiff_t>(uk.nr);
  args.kc = 1;
  args.mr = uk.mr;
  args.nr = uk.nr;
  args.out.c = c.data();
  args.out.ldc = uk.nr;
  args.out.clamp = true;
  args.out.lo = 0.0f;
  args.out.hi = 6.0f;
  uk.fn(args);
  EXPECT_TRUE(std::isnan(c[0])) << ndconv_isa_name(t->isa);
  EXPECT_EQ(c[1], 1.0f);
}

// The enumeration holds the table's fields: the tests above, instantiated
// over it, cover every entry the algorithms call.
TEST_P(TableEntries, ListTheTablesFields) {
  const KernelTable* t = GetParam();
  const auto has = [](const auto& list, const auto& kernel) {
    for (const auto& k : list)
      if (k.fn == kernel.fn && k.mr == kernel.mr && k.nr == kernel.nr && std::string(k.name) == kernel.name)
        return true;
    return false;
  };
  const auto& e = t->entries;
  for (const GemmRowsKernel& k : {t->gemm_rowptr_main, t->gemm_rowptr_alt[0], t->gemm_rowptr_alt[1],
                                  t->gemm_rowptr_one_vector})
    EXPECT_TRUE(has(e.gemm_rowptr_tiles, k)) << k.name;
  for (const GemmColsKernel& k : {t->gemm_cols_main, t->gemm_cols_alt[0], t->gemm_cols_alt[1],
                                  t->gemm_cols_few_rows})
    EXPECT_TRUE(has(e.gemm_cols_tiles, k)) << k.name;
  EXPECT_TRUE(has(e.gemm_rowptr_dot_tiles, t->gemm_rowptr_dot));
  EXPECT_TRUE(has(e.gemm_rowstride_tiles, t->gemm_rowstride_main));
  EXPECT_TRUE(has(e.gemm_rowstride_tiles, t->gemm_rowstride_one_vector));
  ASSERT_NE(t->gemm_rowptr_short_rows, nullptr);
  ASSERT_EQ(e.gemm_rowptr_short_tiles.size + 1, t->gemm_rowptr_main.mr);
  for (const GemmRowsKernel& k : e.gemm_rowptr_short_tiles) {
    EXPECT_EQ(k.fn, t->gemm_rowptr_short_rows[k.mr - 1]) << k.name;
    EXPECT_EQ(k.nr, t->gemm_rowptr_main.nr) << k.name;
  }
  ASSERT_EQ(e.gemm_rowptr_small_k_tiles.size, 1u);
  EXPECT_STREQ(e.gemm_rowptr_small_k_tiles.data[0].name, t->gemm_rowptr_small_k.name);
  EXPECT_EQ(e.grouped_nxc_tiles.size, t->grouped_nxc.c2 ? 1u : 0u);
  ASSERT_EQ(e.grouped_ncx_tiles.size, 1u);
  EXPECT_EQ(e.grouped_ncx_tiles.data[0].fn, t->grouped_ncx.fn);
}

INSTANTIATE_TEST_SUITE_P(GemmRows, GemmRowptrTiles,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::gemm_rowptr_tiles)),
                         KernelCaseName());
INSTANTIATE_TEST_SUITE_P(GemmRowsShort, GemmRowptrTiles,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::gemm_rowptr_short_tiles)),
                         KernelCaseName());
INSTANTIATE_TEST_SUITE_P(GemmRowsDot, GemmRowptrDot,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::gemm_rowptr_dot_tiles)),
                         KernelCaseName());
INSTANTIATE_TEST_SUITE_P(GemmRowstride, GemmRowstrideTiles,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::gemm_rowstride_tiles)),
                         KernelCaseName());
INSTANTIATE_TEST_SUITE_P(GemmCols, GemmColsTiles,
                         ::testing::ValuesIn(kernel_cases(&KernelEntries::gemm_cols_tiles)),
                         KernelCaseName());
INSTANTIATE_TEST_SUITE_P(Isa, TableEntries, ::testing::ValuesIn(available_tables()), table_test_name);

}  // namespace
