// The bias + activation epilogue under every ISA this CPU runs (one test per
// ISA, named after it: Isa/BiasAct.AllTailsAllActivations/avx512), on every
// tail size, against a plain loop.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "plan/isa_select.h"
#include "kernels/kernel_table.h"
#include "tests/support/kernel_tables.h"

namespace {

using ndconv::kernels::Activation;
using ndconv::kernels::KernelTable;

using ndconv::test::available_tables;
using ndconv::test::table_test_name;

class BiasAct : public ::testing::TestWithParam<const KernelTable*> {};

float expected(float y, float bias, const Activation& act) {
  float v = y + bias;
  if (act.kind == NDCONV_ACT_RELU) v = v < 0 ? 0 : v;
  if (act.kind == NDCONV_ACT_CLAMP) v = v < act.min ? act.min : (v > act.max ? act.max : v);
  return v;
}

TEST_P(BiasAct, AllTailsAllActivations) {
  const Activation acts[] = {{NDCONV_ACT_NONE, 0, 0}, {NDCONV_ACT_RELU, 0, 0},
                             {NDCONV_ACT_CLAMP, -0.5f, 0.75f}};
  const KernelTable* t = GetParam();
  for (const Activation& act : acts) {
    for (size_t cols = 1; cols <= 40; ++cols) {
      for (bool per_col : {true, false}) {
        const size_t rows = 3, ld = cols + 5;
        std::vector<float> y(rows * ld), bias(per_col ? cols : rows);
        for (size_t i = 0; i < y.size(); ++i) y[i] = std::sin(0.37f * i) * 2;
        for (size_t i = 0; i < bias.size(); ++i) bias[i] = std::cos(0.11f * i);
        std::vector<float> want = y;
        for (size_t r = 0; r < rows; ++r)
          for (size_t c = 0; c < cols; ++c)
            want[r * ld + c] = expected(y[r * ld + c], per_col ? bias[c] : bias[r], act);
        t->bias_act(y.data(), rows, cols, static_cast<ptrdiff_t>(ld), bias.data(), per_col, act);
        for (size_t i = 0; i < y.size(); ++i)
          ASSERT_EQ(y[i], want[i]) << ndconv_isa_name(t->isa) << " cols=" << cols << " i=" << i
                                   << " act=" << act.kind;
      }
    }
  }
}

TEST_P(BiasAct, NanPropagatesThroughActivation) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const KernelTable* t = GetParam();
  for (Activation act : {Activation{NDCONV_ACT_RELU, 0, 0}, Activation{NDCONV_ACT_CLAMP, -1, 1}}) {
    std::vector<float> y(19, 2.0f);
    y[3] = nan;
    y[17] = nan;
    t->bias_act(y.data(), 1, y.size(), 0, nullptr, true, act);
    EXPECT_TRUE(std::isnan(y[3])) << ndconv_isa_name(t->isa);
    EXPECT_TRUE(std::isnan(y[17])) << ndconv_isa_name(t->isa);
    EXPECT_EQ(y[0], act.kind == NDCONV_ACT_RELU ? 2.0f : 1.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, BiasAct, ::testing::ValuesIn(available_tables()), table_test_name);

}  // namespace
