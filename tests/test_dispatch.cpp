// Runtime ISA dispatch: names, override, availability, the NDCONV_ISA variable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "plan/cpu_features.h"
#include "plan/isa_select.h"
#include "ndconv/ndconv.h"

namespace {

// First in this file: the fixture below resets the ISA. Run by CTest under NDCONV_ISA=scalar|avx2|avx512|neon|<junk>: the variable is
// honoured when it names an available ISA, and otherwise reported as an error
// (plans cannot be created) rather than silently ignored.
TEST(DispatchEnvironment, NdconvIsaVariableIsHonouredOrReported) {
  const char* env = std::getenv("NDCONV_ISA");
  if (env == nullptr || *env == '\0' || std::strcmp(env, "auto") == 0) {
    EXPECT_EQ(ndconv_current_isa(), ndconv_detected_isa());
    return;
  }
  const auto* table = ndconv::dispatch::current_kernel_table();
  bool known = false;
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON}) {
    if (std::strcmp(env, ndconv_isa_name(isa)) != 0) continue;
    known = true;
    if (ndconv::dispatch::isa_available(isa)) {
      ASSERT_NE(table, nullptr);
      EXPECT_EQ(table->isa, isa);
      EXPECT_EQ(ndconv_current_isa(), isa);
    } else {
      EXPECT_EQ(table, nullptr);
      EXPECT_NE(std::strstr(ndconv_last_error(), "is not available"), nullptr) << ndconv_last_error();
      EXPECT_EQ(ndconv_current_isa(), NDCONV_ISA_AUTO);  // no ISA: plans fail
    }
  }
  if (!known) {
    EXPECT_EQ(table, nullptr);
    EXPECT_NE(std::strstr(ndconv_last_error(), "is not an ISA name"), nullptr) << ndconv_last_error();
    EXPECT_EQ(ndconv_current_isa(), NDCONV_ISA_AUTO);
  }
}

// Restores the process-wide ISA after each test.
class Dispatch : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = ndconv_current_isa(); }
  void TearDown() override { ndconv_set_isa(NDCONV_ISA_AUTO); }
  ndconv_isa saved_ = NDCONV_ISA_AUTO;
};

TEST_F(Dispatch, IsaNamesAreExact) {
  EXPECT_STREQ(ndconv_isa_name(NDCONV_ISA_AUTO), "auto");
  EXPECT_STREQ(ndconv_isa_name(NDCONV_ISA_SCALAR), "scalar");
  EXPECT_STREQ(ndconv_isa_name(NDCONV_ISA_AVX2), "avx2");
  EXPECT_STREQ(ndconv_isa_name(NDCONV_ISA_AVX512), "avx512");
  EXPECT_STREQ(ndconv_isa_name(NDCONV_ISA_NEON), "neon");
}

TEST_F(Dispatch, DetectedIsaIsConcreteAndSettable) {
  const ndconv_isa detected = ndconv_detected_isa();
  EXPECT_NE(detected, NDCONV_ISA_AUTO);
  EXPECT_EQ(ndconv_set_isa(detected), NDCONV_OK);
  EXPECT_EQ(ndconv_current_isa(), detected);
  ASSERT_NE(ndconv::dispatch::current_kernel_table(), nullptr);
  EXPECT_EQ(ndconv::dispatch::current_kernel_table()->isa, detected);
}

TEST_F(Dispatch, AutoMeansDetected) {
  ASSERT_EQ(ndconv_set_isa(NDCONV_ISA_AUTO), NDCONV_OK);
  EXPECT_EQ(ndconv_current_isa(), ndconv_detected_isa());
}

TEST_F(Dispatch, ScalarIsAlwaysAvailable) {
  ASSERT_EQ(ndconv_set_isa(NDCONV_ISA_SCALAR), NDCONV_OK);
  EXPECT_EQ(ndconv_current_isa(), NDCONV_ISA_SCALAR);
  EXPECT_EQ(ndconv::dispatch::current_kernel_table()->vector_floats, 1u);
}

TEST_F(Dispatch, OutOfEnumIsInvalidArgument) {
  EXPECT_EQ(ndconv_set_isa(static_cast<ndconv_isa>(5)), NDCONV_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(ndconv_last_error(), "isa = 5"), nullptr) << ndconv_last_error();
  EXPECT_EQ(ndconv_set_isa(static_cast<ndconv_isa>(-1)), NDCONV_INVALID_ARGUMENT);
}

TEST_F(Dispatch, ForeignIsaIsUnsupported) {
#if defined(__x86_64__)
  EXPECT_EQ(ndconv_set_isa(NDCONV_ISA_NEON), NDCONV_UNSUPPORTED);
  EXPECT_NE(std::strstr(ndconv_last_error(), "neon"), nullptr) << ndconv_last_error();
#elif defined(__aarch64__)
  EXPECT_EQ(ndconv_set_isa(NDCONV_ISA_AVX2), NDCONV_UNSUPPORTED);
  EXPECT_EQ(ndconv_set_isa(NDCONV_ISA_AVX512), NDCONV_UNSUPPORTED);
#endif
}

TEST_F(Dispatch, EveryAvailableLevelCanBeForced) {
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON}) {
    if (!ndconv::dispatch::isa_available(isa)) {
      EXPECT_EQ(ndconv_set_isa(isa), NDCONV_UNSUPPORTED) << ndconv_isa_name(isa);
      continue;
    }
    ASSERT_EQ(ndconv_set_isa(isa), NDCONV_OK) << ndconv_isa_name(isa);
    EXPECT_EQ(ndconv::dispatch::current_kernel_table()->isa, isa);
  }
}

TEST_F(Dispatch, DetectionMatchesTheBuildTarget) {
  const auto& f = ndconv::dispatch::cpu_features();
#if defined(__aarch64__)
  EXPECT_TRUE(f.neon);
  EXPECT_EQ(ndconv_detected_isa(), NDCONV_ISA_NEON);  // NEON really dispatched
#elif defined(__x86_64__)
  EXPECT_FALSE(f.neon);
  if (f.avx512) EXPECT_TRUE(f.avx2_fma);  // a level implies the ones below
  EXPECT_EQ(ndconv_detected_isa(), f.avx512 ? NDCONV_ISA_AVX512
                                            : f.avx2_fma ? NDCONV_ISA_AVX2 : NDCONV_ISA_SCALAR);
#endif
}

}  // namespace
