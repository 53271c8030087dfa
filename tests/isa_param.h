// Parameterizing kernel tests over every ISA level this CPU runs.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "algorithms/channels_last_transposed.h"
#include "plan/isa_select.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace test {

inline std::vector<ndconv_isa> available_isas() {
  std::vector<ndconv_isa> isas;
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON})
    if (dispatch::isa_available(isa)) isas.push_back(isa);
  return isas;
}

inline std::string isa_test_name(const ::testing::TestParamInfo<ndconv_isa>& info) {
  return ndconv_isa_name(info.param);
}

// Every ISA level this CPU runs, each with the int8 dot-product variant on
// and forced off (the int8 kernels' parameter).
inline std::vector<std::tuple<ndconv_isa, bool>> isa_dot_params() {
  std::vector<std::tuple<ndconv_isa, bool>> v;
  for (ndconv_isa isa : available_isas())
    for (bool dot : {true, false}) v.emplace_back(isa, dot);
  return v;
}

inline std::string isa_dot_test_name(const ::testing::TestParamInfo<std::tuple<ndconv_isa, bool>>& info) {
  return std::string(ndconv_isa_name(std::get<0>(info.param))) + (std::get<1>(info.param) ? "_dot" : "_nodot");
}

// A test fixture that forces its ISA for plans created in the test, and puts
// the process-wide setting back afterwards.
class IsaTest : public ::testing::TestWithParam<ndconv_isa> {
 protected:
  void SetUp() override {
    saved_ = ndconv_current_isa();
    ASSERT_EQ(ndconv_set_isa(GetParam()), NDCONV_OK);
  }
  void TearDown() override { ndconv_set_isa(saved_); }

 private:
  ndconv_isa saved_ = NDCONV_ISA_AUTO;
};

// IsaTest for the tests of one channels-first algorithm (its kernels, tails
// and name): channels-first plans created in the test run that algorithm,
// not the channels-last one between transposes that the tuning's rules may
// pick (algorithms/channels_last_transposed.h; tested on its own in
// tests/test_channels_last_transposed.cpp).
class NativeChannelsFirstIsaTest : public IsaTest {
 protected:
  void SetUp() override {
    IsaTest::SetUp();
    saved_ = dispatch::testing::force_ncx_channels_last(0);
  }
  void TearDown() override {
    dispatch::testing::force_ncx_channels_last(saved_);
    IsaTest::TearDown();
  }

 private:
  int saved_ = -1;
};

// IsaTest for the int8 kernels: forces the ISA and the int8 dot-product
// variant (on, or off as NDCONV_INT8_DOT=0 would) for plans created in the
// test, and puts both process-wide settings back afterwards.
class IsaDotTest : public ::testing::TestWithParam<std::tuple<ndconv_isa, bool>> {
 protected:
  void SetUp() override {
    saved_isa_ = ndconv_current_isa();
    saved_dot_ = ndconv_int8_dot_product();
    ASSERT_EQ(ndconv_set_isa(isa()), NDCONV_OK);
    ndconv_set_int8_dot_product(dot() ? 1 : 0);
  }
  void TearDown() override {
    ndconv_set_isa(saved_isa_);
    ndconv_set_int8_dot_product(saved_dot_);
  }
  ndconv_isa isa() const { return std::get<0>(GetParam()); }
  bool dot() const { return std::get<1>(GetParam()); }

 private:
  ndconv_isa saved_isa_ = NDCONV_ISA_AUTO;
  int saved_dot_ = 1;
};

}  // namespace test
}  // namespace ndconv
