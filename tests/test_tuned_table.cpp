// The tuned kernel table (plan/tuned_table.h): which main tiles the lean
// formulation swaps in, that it keeps what the algorithms rely on (NR, the
// short-row kernels, one MR for the channels-last pair), and that plans made
// from either table compute the same convolutions.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "api/conv_shape.h"
#include "gemm/gemm_driver.h"
#include "isa_param.h"
#include "kernels/kernel_table.h"
#include "plan/algorithm.h"
#include "plan/tuned_table.h"
#include "tests/support/conv_desc.h"
#include "tests/support/guarded_buffer.h"
#include "tests/support/random_tensor.h"

namespace ndconv {
namespace {

using dispatch::Tuning;
using kernels::KernelTable;

Tuning with_lean(size_t lean) {
  Tuning t;
  t.gemm_lean_kernels = lean;
  return t;
}

Tuning with_wide(size_t wide) {
  Tuning t;
  t.gemm_cols_wide = wide;
  return t;
}

Tuning with_rows_wide(size_t wide) {
  Tuning t;
  t.gemm_rows_wide = wide;
  return t;
}

class TunedTable : public test::IsaTest {
 protected:
  const KernelTable& base() const { return *kernels::kernel_table_for(GetParam()); }
};

TEST_P(TunedTable, DefaultKeepsTheTable) {
  const KernelTable t = dispatch::tune_kernel_table(base(), with_lean(0));
  EXPECT_EQ(t.gemm_rowptr_main.fn, base().gemm_rowptr_main.fn);
  EXPECT_EQ(t.gemm_rowstride_main.fn, base().gemm_rowstride_main.fn);
  EXPECT_EQ(t.gemm_cols_main.fn, base().gemm_cols_main.fn);
}

TEST_P(TunedTable, LeanKeepsWhatTheAlgorithmsRelyOn) {
  const KernelTable t = dispatch::tune_kernel_table(base(), with_lean(1));
  // Same packed weights (NR), same short-row kernels, one MR for the
  // channels-last pair, tiles within the driver's capacity.
  EXPECT_EQ(t.gemm_rowptr_main.nr, base().gemm_rowptr_main.nr);
  EXPECT_EQ(t.gemm_rowptr_main.short_rows, base().gemm_rowptr_main.short_rows);
  EXPECT_LE(t.gemm_rowptr_main.mr, base().gemm_rowptr_main.mr);
  EXPECT_EQ(t.gemm_rowstride_main.mr, t.gemm_rowptr_main.mr);
  EXPECT_EQ(t.gemm_rowstride_main.nr, t.gemm_rowptr_main.nr);
  EXPECT_EQ(t.gemm_rowptr_one_vector.nr, base().gemm_rowptr_one_vector.nr);
  EXPECT_EQ(t.gemm_rowstride_one_vector.mr, t.gemm_rowptr_one_vector.mr);
  EXPECT_EQ(t.gemm_rowstride_one_vector.nr, t.gemm_rowptr_one_vector.nr);
  EXPECT_LE(t.gemm_rowptr_one_vector.mr, base().gemm_rowptr_one_vector.mr);
  EXPECT_EQ(t.gemm_cols_main.mr, base().gemm_cols_main.mr);
  EXPECT_EQ(t.gemm_cols_main.nr, base().gemm_cols_main.nr);
  if (GetParam() == NDCONV_ISA_AVX512) {
    EXPECT_NE(t.gemm_rowptr_main.fn, base().gemm_rowptr_main.fn);
    EXPECT_NE(t.gemm_rowstride_main.fn, base().gemm_rowstride_main.fn);
    EXPECT_NE(t.gemm_cols_main.fn, base().gemm_cols_main.fn);
  }
  if (GetParam() == NDCONV_ISA_AVX2) EXPECT_NE(t.gemm_cols_main.fn, base().gemm_cols_main.fn);
}

// A convolution through plan_algorithm with the given table (and tuning:
// the process's when null), input and output against guard pages (a tile
// that reads or writes past a tensor crashes the test).
std::vector<float> run(const ndconv_conv_desc& d, const KernelTable& table, const std::vector<float>& x,
                       const std::vector<float>& w, const std::vector<float>& b, test::Guard guard,
                       std::string* name, const Tuning* tune = nullptr) {
  dispatch::ConvShape s;
  EXPECT_EQ(dispatch::validate_desc(&d, &s), NDCONV_OK);
  ndconv_status status = NDCONV_OK;
  std::unique_ptr<dispatch::Algorithm> algo =
      tune ? dispatch::plan_algorithm(s, table, *tune, w.data(), b.data(), &status, nullptr)
           : dispatch::plan_algorithm(s, table, w.data(), b.data(), &status);
  EXPECT_TRUE(algo) << status;
  test::GuardedBuffer input(x.size(), guard), output(static_cast<size_t>(s.output_elements()), guard);
  input.copy_from(x.data());
  if (algo) {
    algo->run(input.data(), output.data(), nullptr);
    *name = algo->name().c_str();
  }
  return std::vector<float>(output.begin(), output.end());
}

// Pointwise and general convolutions in both layouts, sizes with M and N
// tails for 12-, 14- and 6-row tiles: the lean table's plans give the same
// result as the default table's within float32 reassociation. Lines of 48
// pixels (whole blocks of 12, 6 and 8 rows) with padding 1 and 2: the
// blocks at a line's ends whose first or last rows read padding
// (GemmRowsStridedArgs::edge_pad).
TEST_P(TunedTable, LeanPlansComputeTheSameConvolutions) {
  const KernelTable lean = dispatch::tune_kernel_table(base(), with_lean(1));
  const KernelTable plain = dispatch::tune_kernel_table(base(), with_lean(0));
  uint64_t seed = 7;
  // c = 48 in 4 groups: 13 output channels per group, the one-vector
  // kernel pair (rowptr and rowstride) of the indirect GEMM.
  for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX})
    for (int64_t k : {1, 3, 5})
      for (int64_t c : {13, 40, 48}) {
        const int64_t groups = c == 48 ? 4 : 1, cout = c == 48 ? 52 : 37;
        const int64_t h = k == 5 ? 3 : 11, wd = k == 1 ? 9 : 48;
        const ndconv_conv_desc d = test::conv2d_desc(layout, c, cout, h, wd, k, k, groups,
                                                     NDCONV_PAD_SAME_UPPER, 1, NDCONV_ACT_RELU);
        std::vector<float> x(static_cast<size_t>(d.batch * c * h * wd)),
            w(static_cast<size_t>(cout * c / groups * k * k)), b(static_cast<size_t>(cout));
        test::fill_random(x.data(), x.size(), ++seed);
        test::fill_random(w.data(), w.size(), ++seed);
        test::fill_random(b.data(), b.size(), ++seed);
        std::string lean_name, plain_name;
        const test::Guard guard = c == 13 ? test::Guard::kAfter : test::Guard::kBefore;
        const std::vector<float> yl = run(d, lean, x, w, b, guard, &lean_name);
        const std::vector<float> yp = run(d, plain, x, w, b, guard, &plain_name);
        EXPECT_EQ(lean_name, plain_name);
        ASSERT_EQ(yl.size(), yp.size());
        const float tol = 1e-5f * static_cast<float>(c / groups * k * k);
        for (size_t i = 0; i < yl.size(); ++i)
          ASSERT_NEAR(yl[i], yp[i], tol) << "layout " << layout << " k " << k << " c " << c << " at " << i;
      }
}

// The wide channels-first tile: only AVX-512 has one, only where the tuning
// asks, and the ISA's own table never holds it.
TEST_P(TunedTable, WideColsTileOnlyWhereAsked) {
  EXPECT_EQ(base().gemm_cols_wide.fn, nullptr);
  EXPECT_EQ(dispatch::tune_kernel_table(base(), with_wide(0)).gemm_cols_wide.fn, nullptr);
  const KernelTable t = dispatch::tune_kernel_table(base(), with_wide(1));
  EXPECT_EQ(t.gemm_cols_main.fn, base().gemm_cols_main.fn);
  if (GetParam() != NDCONV_ISA_AVX512) {
    EXPECT_EQ(t.gemm_cols_wide.fn, nullptr);
    return;
  }
  ASSERT_NE(t.gemm_cols_wide.fn, nullptr);
  EXPECT_EQ(t.gemm_cols_wide.mr, 6u);
  EXPECT_EQ(t.gemm_cols_wide.nr, 64u);
  // The tuned_kernel_table cache hands out the same table for the same variant.
  EXPECT_EQ(dispatch::tuned_kernel_table(&base(), with_wide(1)), dispatch::tuned_kernel_table(&base(), with_wide(1)));
  EXPECT_EQ(dispatch::tuned_kernel_table(&base(), with_wide(1))->gemm_cols_wide.fn, t.gemm_cols_wide.fn);
  EXPECT_EQ(dispatch::tuned_kernel_table(&base(), with_wide(0)), &base());
}

// Which shapes take it: the ones it pads clearly less (12 output channels:
// two 6-row tiles exactly), and weights past the L2 budget (pw_seq_ffn's
// 3072 x 768); not the ones another tile fits as well (pw_mbv2_project, 24
// channels; pw_res2_reduce, 64 x 256 weights in L2).
TEST_P(TunedTable, WideColsTilePickedByPaddingAndWeightSize) {
  if (GetParam() != NDCONV_ISA_AVX512) GTEST_SKIP() << "no wide tile at this level";
  const Tuning tune = with_wide(1);
  const KernelTable t = dispatch::tune_kernel_table(base(), tune);
  const auto picks_wide = [&](size_t M, size_t N, size_t K) {
    return dispatch::pick_cols_kernel(t, M, N, K, tune).fn == t.gemm_cols_wide.fn;
  };
  EXPECT_TRUE(picks_wide(12, 3136, 64));
  EXPECT_TRUE(picks_wide(3072, 128, 768));
  EXPECT_FALSE(picks_wide(24, 3136, 144));
  EXPECT_FALSE(picks_wide(64, 3136, 256));
  // Without the wide tile the pick is the least padded of main and alt.
  EXPECT_NE(dispatch::pick_cols_kernel(base(), 12, 3136, 64, tune).fn, nullptr);
}

// Channels-first convolutions whose output channels per group take the wide
// tile (5, 12, 12 per group; 126 pixels: an N tail of 62) with M tails: the
// same results as the default table's, input and output against guard pages.
TEST_P(TunedTable, WidePlansComputeTheSameConvolutions) {
  const KernelTable wide = dispatch::tune_kernel_table(base(), with_wide(1));
  const KernelTable plain = dispatch::tune_kernel_table(base(), with_wide(0));
  uint64_t seed = 17;
  for (int64_t k : {1, 3})
    for (int64_t cout : {5, 12, 24}) {
      const int64_t c = 8, groups = cout == 24 ? 2 : 1, h = 9, w_ = 14;
      if (wide.gemm_cols_wide.fn) {
        const size_t M = static_cast<size_t>(cout / groups), K = static_cast<size_t>(c / groups * k * k);
        ASSERT_EQ(dispatch::pick_cols_kernel(wide, M, h * w_, K, with_wide(1)).fn, wide.gemm_cols_wide.fn)
            << "cout " << cout << " k " << k;
      }
      const ndconv_conv_desc d = test::conv2d_desc(NDCONV_NCX, c, cout, h, w_, k, k, groups,
                                                   NDCONV_PAD_SAME_UPPER, 1, NDCONV_ACT_RELU);
      std::vector<float> x(static_cast<size_t>(d.batch * c * h * w_)),
          w(static_cast<size_t>(cout * c / groups * k * k)), b(static_cast<size_t>(cout));
      test::fill_random(x.data(), x.size(), ++seed);
      test::fill_random(w.data(), w.size(), ++seed);
      test::fill_random(b.data(), b.size(), ++seed);
      for (test::Guard guard : {test::Guard::kAfter, test::Guard::kBefore}) {
        std::string wide_name, plain_name;
        const std::vector<float> yw = run(d, wide, x, w, b, guard, &wide_name);
        const std::vector<float> yp = run(d, plain, x, w, b, guard, &plain_name);
        EXPECT_EQ(wide_name, plain_name);
        ASSERT_EQ(yw.size(), yp.size());
        const float tol = 1e-5f * static_cast<float>(c / groups * k * k);
        for (size_t i = 0; i < yw.size(); ++i) ASSERT_NEAR(yw[i], yp[i], tol) << "k " << k << " cout " << cout << " at " << i;
      }
    }
}

// The channels-last depthwise 3-tap rows with their prefetch on (1, 8 and
// 64 pixels ahead: Tuning::depthwise_nxc_prefetch_pixels) and off: the same
// results, widths around the distances, input and output against guard
// pages (the prefetch stays inside the rows).
TEST_P(TunedTable, DepthwisePrefetchComputesTheSameConvolutions) {
  uint64_t seed = 29;
  for (int64_t c : {16, 37})
    for (int64_t width : {3, 9, 17, 70}) {
      const ndconv_conv_desc d = test::conv2d_desc(NDCONV_NXC, c, c, 5, width, 3, 3, c, NDCONV_PAD_SAME_UPPER, 1,
                                                   NDCONV_ACT_RELU);
      std::vector<float> x(static_cast<size_t>(d.batch * c * 5 * width)), w(static_cast<size_t>(c * 9)),
          b(static_cast<size_t>(c));
      test::fill_random(x.data(), x.size(), ++seed);
      test::fill_random(w.data(), w.size(), ++seed);
      test::fill_random(b.data(), b.size(), ++seed);
      Tuning off;
      off.depthwise_nxc_prefetch_pixels = 0;
      std::string off_name;
      const std::vector<float> want = run(d, base(), x, w, b, test::Guard::kAfter, &off_name, &off);
      EXPECT_EQ(off_name, std::string("depthwise/") + ndconv_isa_name(GetParam()));
      for (size_t ahead : {1, 8, 64})
        for (test::Guard guard : {test::Guard::kAfter, test::Guard::kBefore}) {
          Tuning on;
          on.depthwise_nxc_prefetch_pixels = ahead;
          std::string name;
          const std::vector<float> got = run(d, base(), x, w, b, guard, &name, &on);
          ASSERT_EQ(got, want) << "c " << c << " width " << width << " ahead " << ahead;
        }
    }
}

// The output-bound channels-first GEMMs with and without their C prefetch
// (Tuning::cols_prefetch_c_max_k: 0 never, 1024 every K here): the same
// results, bit for bit, for the pointwise (in place) and im2col paths, K
// from 1 to 30 (one K block), rows of odd lengths (no row starts on a
// line), M and N tails, the output against guard pages before and after.
TEST_P(TunedTable, ColsCPrefetchComputesTheSameConvolutions) {
  uint64_t seed = 41;
  for (int64_t k : {1, 3})
    for (int64_t cin : {1, 3, 10})
      for (int64_t cout : {5, 37}) {
        const int64_t stride = k == 3 ? 2 : 1;  // a strided im2col too
        const ndconv_conv_desc d = test::conv2d_desc(NDCONV_NCX, cin, cout, 7, 101, k, k, 1, NDCONV_PAD_VALID,
                                                     stride, NDCONV_ACT_RELU);
        std::vector<float> x(static_cast<size_t>(d.batch * cin * 7 * 101)), w(static_cast<size_t>(cout * cin * k * k)),
            b(static_cast<size_t>(cout));
        test::fill_random(x.data(), x.size(), ++seed);
        test::fill_random(w.data(), w.size(), ++seed);
        test::fill_random(b.data(), b.size(), ++seed);
        Tuning off = dispatch::tuning();
        off.cols_prefetch_c_max_k = 0;
        off.ncx_channels_last = 0;  // the channels-first algorithms' C prefetch
        std::string off_name;
        const std::vector<float> want = run(d, base(), x, w, b, test::Guard::kAfter, &off_name, &off);
        EXPECT_EQ(off_name.rfind(k == 1 ? "pointwise-gemm/" : "im2col-panel-gemm/", 0), 0u) << off_name;
        for (test::Guard guard : {test::Guard::kAfter, test::Guard::kBefore}) {
          Tuning on = off;
          on.cols_prefetch_c_max_k = 1024;
          std::string name;
          const std::vector<float> got = run(d, base(), x, w, b, guard, &name, &on);
          EXPECT_EQ(name, off_name);
          ASSERT_EQ(got, want) << "k " << k << " cin " << cin << " cout " << cout;
        }
      }
}

// The wide channels-last tile: AVX-512 only, only where asked, and not in
// the ISA's own table.
TEST_P(TunedTable, WideRowsTileOnlyWhereAsked) {
  EXPECT_EQ(base().gemm_rowptr_wide.fn, nullptr);
  EXPECT_EQ(dispatch::tune_kernel_table(base(), with_rows_wide(0)).gemm_rowptr_wide.fn, nullptr);
  const KernelTable t = dispatch::tune_kernel_table(base(), with_rows_wide(1));
  EXPECT_EQ(t.gemm_rowptr_main.fn, base().gemm_rowptr_main.fn);
  EXPECT_EQ(t.gemm_cols_wide.fn, nullptr);
  if (GetParam() != NDCONV_ISA_AVX512) {
    EXPECT_EQ(t.gemm_rowptr_wide.fn, nullptr);
    return;
  }
  ASSERT_NE(t.gemm_rowptr_wide.fn, nullptr);
  EXPECT_EQ(t.gemm_rowptr_wide.mr, 6u);
  EXPECT_EQ(t.gemm_rowptr_wide.nr, 64u);
  ASSERT_NE(t.gemm_rowstride_wide.fn, nullptr);
  EXPECT_EQ(t.gemm_rowstride_wide.mr, t.gemm_rowptr_wide.mr);
  EXPECT_EQ(t.gemm_rowstride_wide.nr, t.gemm_rowptr_wide.nr);
  const KernelTable* cached = dispatch::tuned_kernel_table(&base(), with_rows_wide(1));
  EXPECT_EQ(cached, dispatch::tuned_kernel_table(&base(), with_rows_wide(1)));
  EXPECT_EQ(cached->gemm_rowptr_wide.fn, t.gemm_rowptr_wide.fn);
}

// Runs `d` with the wide-rows table and tuning and with the plain ones,
// input and output against guard pages before and after: the same plan
// (its name returned) and results within `tol`.
std::string expect_wide_rows_match(const ndconv_conv_desc& d, const KernelTable& wide, const KernelTable& plain,
                                   const std::vector<float>& x, const std::vector<float>& w,
                                   const std::vector<float>& b, float tol) {
  std::string wide_name;
  for (test::Guard guard : {test::Guard::kAfter, test::Guard::kBefore}) {
    std::string plain_name;
    const Tuning on = with_rows_wide(1), off = with_rows_wide(0);
    const std::vector<float> yw = run(d, wide, x, w, b, guard, &wide_name, &on);
    const std::vector<float> yp = run(d, plain, x, w, b, guard, &plain_name, &off);
    EXPECT_EQ(wide_name, plain_name);
    EXPECT_EQ(yw.size(), yp.size());
    for (size_t i = 0; i < yw.size() && i < yp.size(); ++i)
      if (std::fabs(yw[i] - yp[i]) > tol) {
        ADD_FAILURE() << "at " << i << ": " << yw[i] << " against " << yp[i] << " (tolerance " << tol << ")";
        break;
      }
  }
  return wide_name;
}

// Channels-last pointwise convolutions where the wide tile is picked (120
// and 256 output channels: an N tail of 56 and none; 11 x 21 pixels: an M
// tail of 3 rows of 6, and 6 x 11 at stride 2) and where it is not (24
// output channels): the same results as the default table's, the tensors
// against guard pages.
TEST_P(TunedTable, WideRowsPlansComputeTheSameConvolutions) {
  const KernelTable wide = dispatch::tune_kernel_table(base(), with_rows_wide(1));
  const KernelTable plain = dispatch::tune_kernel_table(base(), with_rows_wide(0));
  uint64_t seed = 41;
  // (k = 3: indirect-gemm's wide pair, rows and strided tiles)
  for (int64_t k : {1, 3})
  for (int64_t cout : {24, 120, 256})
    for (int64_t stride : {1, 2}) {
      const int64_t c = 19, h = 11, w_ = 21;
      ndconv_conv_desc d = test::conv2d_desc(NDCONV_NXC, c, cout, h, w_, k, k, 1, NDCONV_PAD_SAME_UPPER, 1,
                                             NDCONV_ACT_RELU);
      d.stride[0] = d.stride[1] = stride;
      std::vector<float> x(static_cast<size_t>(d.batch * c * h * w_)), w(static_cast<size_t>(cout * c * k * k)),
          b(static_cast<size_t>(cout));
      test::fill_random(x.data(), x.size(), ++seed);
      test::fill_random(w.data(), w.size(), ++seed);
      test::fill_random(b.data(), b.size(), ++seed);
      SCOPED_TRACE(::testing::Message() << "k " << k << " cout " << cout << " stride " << stride);
      expect_wide_rows_match(d, wide, plain, x, w, b, 1e-5f * static_cast<float>(c * k * k));
    }
}

// Channels-last n-gram convolutions (kernel spanning the embedding) where
// the wide tile is picked (64 and 128 filters; 50 and 37 windows: M tails
// of 2 and 1 rows of 6; 'same' padding: the border taps form, a padding
// step read from the zero row) and where it is not (40 filters: a narrow
// tail): the same results as the default table's, against guard pages.
TEST_P(TunedTable, WideRowsNgramPlansComputeTheSameConvolutions) {
  const KernelTable wide = dispatch::tune_kernel_table(base(), with_rows_wide(1));
  const KernelTable plain = dispatch::tune_kernel_table(base(), with_rows_wide(0));
  uint64_t seed = 53;
  for (int64_t cout : {40, 64, 128})
    for (int64_t length : {37, 50})
      for (bool same : {false, true}) {
        const int64_t c = 24, k = 3;
        ndconv_conv_desc d = {};
        d.rank = 1;
        d.layout = NDCONV_NXC;
        d.batch = 2;
        d.in_channels = c;
        d.out_channels = cout;
        d.in_size[0] = length;
        d.kernel[0] = k;
        d.padding = same ? NDCONV_PAD_SAME_UPPER : NDCONV_PAD_VALID;
        d.activation = NDCONV_ACT_RELU;
        std::vector<float> x(static_cast<size_t>(d.batch * c * length)), w(static_cast<size_t>(cout * c * k)),
            b(static_cast<size_t>(cout));
        test::fill_random(x.data(), x.size(), ++seed);
        test::fill_random(w.data(), w.size(), ++seed);
        test::fill_random(b.data(), b.size(), ++seed);
        SCOPED_TRACE(::testing::Message() << "cout " << cout << " length " << length << " same " << same);
        const std::string name = expect_wide_rows_match(d, wide, plain, x, w, b, 1e-5f * static_cast<float>(c * k));
        EXPECT_EQ(name, std::string("ngram-gemm/") + ndconv_isa_name(GetParam()));
      }
}

INSTANTIATE_TEST_SUITE_P(Isa, TunedTable, ::testing::ValuesIn(test::available_isas()), test::isa_test_name);

}  // namespace
}  // namespace ndconv
