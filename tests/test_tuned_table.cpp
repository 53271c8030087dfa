// The tuned kernel table (plan/tuned_table.h): which main tiles the lean
// formulation swaps in, that it keeps what the algorithms rely on (NR, the
// short-row kernels, one MR for the channels-last pair), and that plans made
// from either table compute the same convolutions.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "api/conv_shape.h"
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

// A convolution through plan_algorithm with the given table, input and
// output against guard pages (a tile that reads or writes past a tensor
// crashes the test).
std::vector<float> run(const ndconv_conv_desc& d, const KernelTable& table, const std::vector<float>& x,
                       const std::vector<float>& w, const std::vector<float>& b, test::Guard guard,
                       std::string* name) {
  dispatch::ConvShape s;
  EXPECT_EQ(dispatch::validate_desc(&d, &s), NDCONV_OK);
  ndconv_status status = NDCONV_OK;
  std::unique_ptr<dispatch::Algorithm> algo = dispatch::plan_algorithm(s, table, w.data(), b.data(), &status);
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
// result as the default table's within float32 reassociation.
TEST_P(TunedTable, LeanPlansComputeTheSameConvolutions) {
  const KernelTable lean = dispatch::tune_kernel_table(base(), with_lean(1));
  const KernelTable plain = dispatch::tune_kernel_table(base(), with_lean(0));
  uint64_t seed = 7;
  // c = 48 in 4 groups: 13 output channels per group, the one-vector
  // kernel pair (rowptr and rowstride) of the indirect GEMM.
  for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX})
    for (int64_t k : {1, 3})
      for (int64_t c : {13, 40, 48}) {
        const int64_t groups = c == 48 ? 4 : 1, cout = c == 48 ? 52 : 37;
        const ndconv_conv_desc d = test::conv2d_desc(layout, c, cout, 11, 9, k, k, groups,
                                                     NDCONV_PAD_SAME_UPPER, 1, NDCONV_ACT_RELU);
        std::vector<float> x(static_cast<size_t>(d.batch * c * 11 * 9)),
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

INSTANTIATE_TEST_SUITE_P(Isa, TunedTable, ::testing::ValuesIn(test::available_isas()), test::isa_test_name);

}  // namespace
}  // namespace ndconv
