// Measure mode and wisdom (plan/measure.h, plan/wisdom.h, ndconv.h): every
// candidate computes the convolution within the API tolerance, a measured
// plan agrees with the default one (bit for bit when it is the same
// candidate), picks round-trip through wisdom without timing, bad wisdom and
// bad options are errors or ignored as documented, the budget bounds timing.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "api/conv_shape.h"
#include "isa_param.h"
#include "ndconv/ndconv.h"
#include "ndconv/ndconv.hpp"
#include "kernels/kernel_table.h"
#include "plan/measure.h"
#include "plan/wisdom.h"
#include "tests/support/conv_desc.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace {

using test::conv2d_desc;

// One convolution's data, and plans made from it.
struct Case {
  ndconv_conv_desc desc;
  std::vector<float> input, weights, bias;
  explicit Case(const ndconv_conv_desc& d) : desc(d) {
    const test::TensorSizes n = test::tensor_sizes(d);
    input = test::random_tensor(n.input, 1);
    weights = test::random_tensor(n.weights, 2);
    bias = test::random_tensor(n.bias, 3);
  }
  ndconv_status create(const ndconv_create_options* o, ndconv_conv** conv) const {
    return ndconv_conv_create_ex(&desc, weights.data(), bias.data(), o, conv);
  }
  std::vector<float> run(const ndconv_conv* conv) const {
    std::vector<float> out(test::tensor_sizes(desc).output, -1.0f);
    EXPECT_EQ(ndconv_conv_run(conv, input.data(), out.data(), nullptr), NDCONV_OK) << ndconv_last_error();
    return out;
  }
  ::testing::AssertionResult matches(const std::vector<float>& out) const {
    return test::matches_reference(desc, input.data(), weights.data(), bias.data(), out.data());
  }
};

ndconv_create_options measure_options(double budget_ms) {
  ndconv_create_options o = {};
  o.tune = NDCONV_TUNE_MEASURE;
  o.budget_ms = budget_ms;
  return o;
}

ndconv_tune_info info_of(const ndconv_conv* conv) {
  ndconv_tune_info info = {};
  EXPECT_EQ(ndconv_conv_tune_info(conv, &info), NDCONV_OK);
  return info;
}

std::vector<std::string> candidate_names() {
  std::string text(ndconv_tune_candidates(nullptr, 0), '\0');
  ndconv_tune_candidates(&text[0], text.size() + 1);
  std::vector<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) names.push_back(line);
  return names;
}

std::string wisdom_text() {
  std::string text(ndconv_wisdom_export(nullptr, 0), '\0');
  ndconv_wisdom_export(&text[0], text.size() + 1);
  return text;
}

// Shapes of every algorithm of the planner's list, both layouts.
std::vector<ndconv_conv_desc> shapes() {
  std::vector<ndconv_conv_desc> v;
  for (ndconv_layout l : {NDCONV_NCX, NDCONV_NXC}) {
    v.push_back(conv2d_desc(l, 24, 40, 9, 11, 1, 1, 1, NDCONV_PAD_VALID));                 // pointwise
    v.push_back(conv2d_desc(l, 8, 20, 10, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER, 1, NDCONV_ACT_RELU));
    v.push_back(conv2d_desc(l, 6, 12, 11, 10, 3, 3, 1, NDCONV_PAD_VALID, 2));             // strided
    v.push_back(conv2d_desc(l, 1, 16, 20, 12, 3, 12, 1, NDCONV_PAD_VALID));               // n-gram
    v.push_back(conv2d_desc(l, 12, 12, 8, 9, 3, 3, 12, NDCONV_PAD_SAME_UPPER));           // depthwise
    v.push_back(conv2d_desc(l, 16, 16, 8, 7, 3, 3, 4, NDCONV_PAD_SAME_UPPER));            // grouped
  }
  return v;
}

class Measure : public test::IsaTest {
 protected:
  void SetUp() override {
    test::IsaTest::SetUp();
    ndconv_wisdom_clear();
  }
  void TearDown() override {
    ndconv_wisdom_clear();
    test::IsaTest::TearDown();
  }
};

TEST_P(Measure, EveryCandidateThatAppliesMatchesTheReference) {
  const std::vector<std::string> names = candidate_names();
  ASSERT_FALSE(names.empty());
  // None cut at the name's capacity (63 characters, plan/wisdom.h).
  for (const std::string& name : names) EXPECT_LT(name.size(), 63u) << name;
  for (const ndconv_conv_desc& d : shapes()) {
    const Case c(d);
    size_t applied = 0;
    for (const std::string& name : names) {
      ndconv_create_options o = {};
      o.candidate = name.c_str();
      ndconv_conv* conv = nullptr;
      const ndconv_status st = c.create(&o, &conv);
      if (st == NDCONV_UNSUPPORTED) continue;  // does not apply to this shape
      ASSERT_EQ(st, NDCONV_OK) << name << ": " << ndconv_last_error();
      ++applied;
      const ndconv_tune_info info = info_of(conv);
      EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_FORCED);
      EXPECT_EQ(std::string(info.candidate), name);
      EXPECT_TRUE(c.matches(c.run(conv))) << name << ' ' << test::describe(d);
      ndconv_conv_destroy(conv);
    }
    EXPECT_GE(applied, 2u) << test::describe(d);  // at least a specialized one and the reference
  }
}

// indirect-gemm's merged-taps loop the tuning does not pick is one more
// candidate (lines=padded or lines=indexed, the tuned budgets); forced on a
// stem-like shape it builds that plan and says so.
TEST_P(Measure, MergedTapsLoopIsACandidate) {
  std::vector<std::string> lines;
  for (const std::string& name : candidate_names())
    if (name.find(":lines=") != std::string::npos) lines.push_back(name);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("indirect-gemm:", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(":kblock=1x:mblock=1x:lines="), std::string::npos) << lines[0];
  const Case c(conv2d_desc(NDCONV_NXC, 3, 20, 15, 33, 7, 7, 1, NDCONV_PAD_SAME_UPPER, 2));
  for (const char* loop : {"padded", "indexed"}) {
    const std::string name = std::string("indirect-gemm:tiles=gemmtile:kblock=1x:mblock=1x:lines=") + loop;
    ndconv_create_options o = {};
    o.candidate = name.c_str();
    ndconv_conv* conv = nullptr;
    ASSERT_EQ(c.create(&o, &conv), NDCONV_OK) << name << ": " << ndconv_last_error();
    EXPECT_EQ(std::string(info_of(conv).candidate), name);
    EXPECT_TRUE(c.matches(c.run(conv))) << name;
    ndconv_conv_destroy(conv);
  }
}

// indirect-gemm's one-vector formulation the tuning does not pick is one
// more candidate where the ISA has the k-pair kernels (AVX-512: kpair=on or
// kpair=off, the tuned budgets); forced on 4 groups of 16 channels (swept,
// even C_in/groups) either builds its plan and gives the reference's answer.
TEST_P(Measure, KPairIsACandidateWhereTheIsaHasIt) {
  std::vector<std::string> kpairs;
  for (const std::string& name : candidate_names())
    if (name.find(":kpair=") != std::string::npos) kpairs.push_back(name);
  ASSERT_EQ(kpairs.size(), GetParam() == NDCONV_ISA_AVX512 ? 1u : 0u);
  if (kpairs.empty()) return;
  EXPECT_EQ(kpairs[0].rfind("indirect-gemm:", 0), 0u) << kpairs[0];
  EXPECT_NE(kpairs[0].find(":kblock=1x:mblock=1x:kpair="), std::string::npos) << kpairs[0];
  // Both tile formulations: the lean one-vector tile's MR (12) differs from
  // the k-pair kernels' (14), so the plan's taps are planned again.
  const Case c(conv2d_desc(NDCONV_NXC, 64, 64, 9, 31, 3, 3, 4, NDCONV_PAD_SAME_UPPER));
  for (const char* tiles : {"gemmtile", "lean"})
  for (const char* on : {"on", "off"}) {
    const std::string name = std::string("indirect-gemm:tiles=") + tiles + ":kblock=1x:mblock=1x:kpair=" + on;
    ndconv_create_options o = {};
    o.candidate = name.c_str();
    ndconv_conv* conv = nullptr;
    ASSERT_EQ(c.create(&o, &conv), NDCONV_OK) << name << ": " << ndconv_last_error();
    EXPECT_EQ(std::string(info_of(conv).candidate), name);
    EXPECT_EQ(std::string(ndconv_conv_kernel_name(conv)).rfind("indirect-gemm/", 0), 0u);
    EXPECT_TRUE(c.matches(c.run(conv))) << name;
    ndconv_conv_destroy(conv);
  }
}

// The wide 6 x 64 tiles are one or two more candidates per GEMM algorithm
// where the ISA has them (AVX-512: wide=on and/or wide=off, the tuned
// budgets), none elsewhere; forced on shapes whose pad rules take a wide
// tile (channels-first M = 12; channels-last 60 and 100 output channels,
// padded to 64 and 128 by both widths) and on one that does not
// (channels-last N = 12), every plan gives the reference's answer and names
// the candidate.
TEST_P(Measure, WideTilesAreACandidateWhereTheIsaHasThem) {
  std::vector<std::string> wide;
  for (const std::string& name : candidate_names())
    if (name.find(":wide=") != std::string::npos) wide.push_back(name);
  if (GetParam() != NDCONV_ISA_AVX512) {
    EXPECT_TRUE(wide.empty()) << wide[0];
    return;
  }
  ASSERT_GE(wide.size(), 4u);  // pointwise-gemm, ngram-gemm, im2col-panel-gemm, indirect-gemm
  for (const std::string& name : wide) EXPECT_NE(name.find(":kblock=1x:mblock=1x:wide="), std::string::npos) << name;
  const ndconv_conv_desc shapes[] = {
      conv2d_desc(NDCONV_NCX, 40, 12, 9, 11, 1, 1, 1, NDCONV_PAD_VALID),           // pointwise, channels-first
      conv2d_desc(NDCONV_NXC, 40, 12, 9, 11, 1, 1, 1, NDCONV_PAD_VALID),           // pointwise, channels-last
      conv2d_desc(NDCONV_NXC, 24, 60, 9, 13, 1, 1, 1, NDCONV_PAD_VALID, 2),        // pointwise, strided
      conv2d_desc(NDCONV_NXC, 16, 100, 10, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER, 1),  // indirect
      conv2d_desc(NDCONV_NCX, 16, 100, 10, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER, 1),  // im2col
  };
  for (const ndconv_conv_desc& d : shapes) {
    const Case c(d);
    for (const char* tiles : {"gemmtile", "lean"})
      for (const char* algorithm : {"pointwise-gemm", "indirect-gemm", "im2col-panel-gemm"})
        for (const char* on : {"on", "off"}) {
          const std::string name = std::string(algorithm) + ":tiles=" + tiles + ":kblock=1x:mblock=1x:wide=" + on;
          ndconv_create_options o = {};
          o.candidate = name.c_str();
          ndconv_conv* conv = nullptr;
          const ndconv_status st = c.create(&o, &conv);
          if (st == NDCONV_UNSUPPORTED) continue;  // the algorithm does not take this shape
          ASSERT_EQ(st, NDCONV_OK) << name << ": " << ndconv_last_error();
          EXPECT_EQ(std::string(info_of(conv).candidate), name);
          EXPECT_TRUE(c.matches(c.run(conv))) << name << ' ' << test::describe(d);
          ndconv_conv_destroy(conv);
        }
  }
}

// depthwise's prefetch setting the tuning does not pick is one more
// candidate (prefetch=on or prefetch=off); forced on a channels-last 3x3
// depthwise shape either gives the reference's answer.
TEST_P(Measure, DepthwisePrefetchIsACandidate) {
  std::vector<std::string> prefetch;
  for (const std::string& name : candidate_names())
    if (name.find(":prefetch=") != std::string::npos) prefetch.push_back(name);
  ASSERT_EQ(prefetch.size(), 1u);
  EXPECT_EQ(prefetch[0].rfind("depthwise:prefetch=", 0), 0u) << prefetch[0];
  const Case c(conv2d_desc(NDCONV_NXC, 48, 48, 17, 23, 3, 3, 48, NDCONV_PAD_SAME_UPPER));
  for (const char* name : {"depthwise:prefetch=on", "depthwise:prefetch=off", "depthwise"}) {
    ndconv_create_options o = {};
    o.candidate = name;
    ndconv_conv* conv = nullptr;
    ASSERT_EQ(c.create(&o, &conv), NDCONV_OK) << name << ": " << ndconv_last_error();
    EXPECT_EQ(std::string(info_of(conv).candidate), name);
    EXPECT_EQ(std::string(ndconv_conv_kernel_name(conv)).rfind("depthwise/", 0), 0u);
    EXPECT_TRUE(c.matches(c.run(conv))) << name;
    ndconv_conv_destroy(conv);
  }
}

TEST_P(Measure, MeasuredPlanAgreesWithTheDefaultPlan) {
  for (const ndconv_conv_desc& d : shapes()) {
    const Case c(d);
    ndconv_conv *plain = nullptr, *measured = nullptr;
    ASSERT_EQ(c.create(nullptr, &plain), NDCONV_OK) << ndconv_last_error();
    const ndconv_create_options o = measure_options(50);
    ASSERT_EQ(c.create(&o, &measured), NDCONV_OK) << ndconv_last_error();
    const ndconv_tune_info a = info_of(plain), b = info_of(measured);
    EXPECT_EQ(a.source, NDCONV_TUNE_SOURCE_HEURISTIC);
    EXPECT_EQ(b.source, NDCONV_TUNE_SOURCE_MEASURED);
    EXPECT_GE(b.timed_runs, 1);
    const std::vector<float> x = c.run(plain), y = c.run(measured);
    EXPECT_TRUE(c.matches(y)) << b.candidate << ' ' << test::describe(d);
    if (std::string(a.candidate) == b.candidate) {
      EXPECT_STREQ(ndconv_conv_kernel_name(plain), ndconv_conv_kernel_name(measured));
      EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)), 0) << b.candidate;
    }
    ndconv_conv_destroy(plain);
    ndconv_conv_destroy(measured);
  }
}

TEST_P(Measure, WisdomRoundTripPicksTheSameCandidateWithoutTiming) {
  const Case c(conv2d_desc(NDCONV_NXC, 16, 32, 12, 12, 3, 3, 1, NDCONV_PAD_SAME_UPPER));
  // Budget enough for two candidates also where a run is 50x slower (qemu,
  // sanitizers); natively measuring stops long before, when all are timed.
  const ndconv_create_options o = measure_options(5000);
  ndconv_conv* first = nullptr;
  ASSERT_EQ(c.create(&o, &first), NDCONV_OK);
  const ndconv_tune_info measured = info_of(first);
  ASSERT_EQ(measured.source, NDCONV_TUNE_SOURCE_MEASURED);
  ASSERT_GE(measured.candidates_timed, 2);
  const std::string wisdom = wisdom_text();
  EXPECT_EQ(wisdom.rfind("ndconv-wisdom 1\n", 0), 0u) << wisdom;
  EXPECT_NE(wisdom.find(std::string(" ") + measured.candidate + "\n"), std::string::npos) << wisdom;

  ndconv_wisdom_clear();
  EXPECT_EQ(wisdom_text(), "ndconv-wisdom 1\n");
  ASSERT_EQ(ndconv_wisdom_import(wisdom.c_str()), NDCONV_OK) << ndconv_last_error();
  EXPECT_EQ(wisdom_text(), wisdom);
  for (ndconv_tune_mode mode : {NDCONV_TUNE_MEASURE, NDCONV_TUNE_WISDOM}) {
    ndconv_create_options again = o;
    again.tune = mode;
    ndconv_conv* second = nullptr;
    ASSERT_EQ(c.create(&again, &second), NDCONV_OK);
    const ndconv_tune_info cached = info_of(second);
    EXPECT_EQ(cached.source, NDCONV_TUNE_SOURCE_CACHED);
    EXPECT_EQ(cached.timed_runs, 0);
    EXPECT_STREQ(cached.candidate, measured.candidate);
    EXPECT_STREQ(ndconv_conv_kernel_name(second), ndconv_conv_kernel_name(first));
    const std::vector<float> x = c.run(first), y = c.run(second);
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)), 0);
    ndconv_conv_destroy(second);
  }
  ndconv_conv_destroy(first);
}

TEST_P(Measure, WisdomFilesRoundTrip) {
  const Case c(conv2d_desc(NDCONV_NCX, 16, 24, 10, 10, 1, 1, 1, NDCONV_PAD_VALID));
  const ndconv_create_options o = measure_options(20);
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(c.create(&o, &conv), NDCONV_OK);
  ndconv_conv_destroy(conv);
  // One file per process and ISA: ctest runs the ISAs' instances at once.
  const std::string path = ::testing::TempDir() + "ndconv_wisdom_test_" + ndconv_isa_name(GetParam()) + "_" +
                           std::to_string(static_cast<long>(getpid())) + ".txt";
  ASSERT_EQ(ndconv_wisdom_export_file(path.c_str()), NDCONV_OK) << ndconv_last_error();
  const std::string wisdom = wisdom_text();
  ndconv_wisdom_clear();
  ASSERT_EQ(ndconv_wisdom_import_file(path.c_str()), NDCONV_OK) << ndconv_last_error();
  EXPECT_EQ(wisdom_text(), wisdom);
  std::remove(path.c_str());
  EXPECT_EQ(ndconv_wisdom_import_file(path.c_str()), NDCONV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(ndconv_last_error()).find(path), std::string::npos) << ndconv_last_error();
  EXPECT_EQ(ndconv_wisdom_import_file(nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(ndconv_wisdom_export_file("/nonexistent-dir/wisdom.txt"), NDCONV_INVALID_ARGUMENT);
}

TEST_P(Measure, BadWisdomIsAnErrorAndImportsNothing) {
  ASSERT_EQ(ndconv_wisdom_import("ndconv-wisdom 1\navx512:kept indirect-gemm\n"), NDCONV_OK);
  const std::string before = wisdom_text();
  const struct {
    const char* text;
    ndconv_status status;
    const char* message;
  } bad[] = {
      {"", NDCONV_INVALID_ARGUMENT, "empty"},
      {"hello world\n", NDCONV_INVALID_ARGUMENT, "wisdom line 1"},
      {"ndconv-wisdom 2\navx2:x depthwise\n", NDCONV_UNSUPPORTED, "version 2"},
      {"ndconv-wisdom 1\navx2:x depthwise extra\n", NDCONV_INVALID_ARGUMENT, "wisdom line 2"},
      {"ndconv-wisdom 1\n# note\navx2:x\n", NDCONV_INVALID_ARGUMENT, "wisdom line 3"},
      {"ndconv-wisdom 1\nsse9:x depthwise\n", NDCONV_INVALID_ARGUMENT, "ISA name"},
  };
  for (const auto& b : bad) {
    EXPECT_EQ(ndconv_wisdom_import(b.text), b.status) << b.text;
    EXPECT_NE(std::string(ndconv_last_error()).find(b.message), std::string::npos) << ndconv_last_error();
    EXPECT_EQ(wisdom_text(), before) << b.text;
  }
  EXPECT_EQ(ndconv_wisdom_import(nullptr), NDCONV_INVALID_ARGUMENT);
  // Random bytes: an error, never a crash.
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string junk = i % 2 ? "ndconv-wisdom 1\n" : "";
    for (int k = 0; k < 60; ++k) junk += static_cast<char>(1 + rng() % 255);
    const ndconv_status st = ndconv_wisdom_import(junk.c_str());
    EXPECT_TRUE(st == NDCONV_OK || st == NDCONV_INVALID_ARGUMENT || st == NDCONV_UNSUPPORTED);
  }
}

// Entries naming a candidate that does not exist or does not apply are kept
// but ignored: the plan measures as if they were not there.
TEST_P(Measure, StaleWisdomEntriesAreIgnored) {
  const ndconv_conv_desc d = conv2d_desc(NDCONV_NXC, 8, 16, 9, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER);
  dispatch::ConvShape shape;
  ASSERT_EQ(dispatch::validate_desc(&d, &shape), NDCONV_OK);
  const std::string key = dispatch::shape_key(shape, GetParam()).c_str();
  const Case c(d);
  for (const char* stale : {"no-such-algorithm:tiles=lean", "depthwise", "im2col-panel-gemm:tiles=lean:kblock=1x:mblock=1x"}) {
    ndconv_wisdom_clear();
    ASSERT_EQ(ndconv_wisdom_import(("ndconv-wisdom 1\n" + key + " " + stale + "\n").c_str()), NDCONV_OK);
    const ndconv_create_options o = measure_options(10);
    ndconv_conv* conv = nullptr;
    ASSERT_EQ(c.create(&o, &conv), NDCONV_OK) << stale << ": " << ndconv_last_error();
    EXPECT_EQ(info_of(conv).source, NDCONV_TUNE_SOURCE_MEASURED) << stale;
    EXPECT_TRUE(c.matches(c.run(conv)));
    ndconv_conv_destroy(conv);
  }
}

TEST_P(Measure, BudgetBoundsTheTiming) {
  const Case c(conv2d_desc(NDCONV_NXC, 32, 32, 16, 16, 3, 3, 1, NDCONV_PAD_SAME_UPPER));
  // A budget shorter than any run: one run of the heuristic's candidate only.
  ndconv_create_options o = measure_options(1e-6);
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(c.create(&o, &conv), NDCONV_OK);
  ndconv_tune_info info = info_of(conv);
  EXPECT_EQ(info.timed_runs, 1);
  EXPECT_EQ(info.candidates_timed, 1);
  ndconv_conv* plain = nullptr;
  ASSERT_EQ(c.create(nullptr, &plain), NDCONV_OK);
  EXPECT_STREQ(info.candidate, info_of(plain).candidate);
  ndconv_conv_destroy(conv);
  // Nothing compared: not cached, so the next plan measures again.
  EXPECT_EQ(wisdom_text(), "ndconv-wisdom 1\n");
  // A small budget: it is checked before every run, so it is exceeded by
  // less than one run. A run's length, timed here: a fraction of a
  // millisecond natively, tens under qemu; plus 20 ms of slack for a
  // preempted run on a shared machine.
  const auto t0 = std::chrono::steady_clock::now();
  (void)c.run(plain);
  const double run_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  o = measure_options(3);
  ASSERT_EQ(c.create(&o, &conv), NDCONV_OK);
  info = info_of(conv);
  EXPECT_EQ(info.budget_ms, 3);
  EXPECT_LE(info.timing_ms, 3 + 2 * run_ms + 20.0);
  EXPECT_GE(info.timed_runs, 1);
  ndconv_conv_destroy(conv);
  // WISDOM mode never times.
  ndconv_wisdom_clear();
  o.tune = NDCONV_TUNE_WISDOM;
  ASSERT_EQ(c.create(&o, &conv), NDCONV_OK);
  info = info_of(conv);
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_HEURISTIC);
  EXPECT_EQ(info.timed_runs, 0);
  EXPECT_STREQ(info.candidate, info_of(plain).candidate);
  ndconv_conv_destroy(conv);
  ndconv_conv_destroy(plain);
}

TEST_P(Measure, BadOptionsNameTheField) {
  const Case c(conv2d_desc(NDCONV_NCX, 4, 4, 6, 6, 3, 3, 1, NDCONV_PAD_VALID));
  ndconv_conv* conv = reinterpret_cast<ndconv_conv*>(&conv);
  ndconv_create_options o = {};
  const int seven = 7;  // as a C caller may store it (an out-of-range enum value is UB in C++)
  std::memcpy(&o.tune, &seven, sizeof seven);
  EXPECT_EQ(c.create(&o, &conv), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(conv, nullptr);
  EXPECT_NE(std::string(ndconv_last_error()).find("options->tune = 7"), std::string::npos);
  for (double budget : {-1.0, std::nan(""), 1e9}) {
    o = measure_options(budget);
    EXPECT_EQ(c.create(&o, &conv), NDCONV_INVALID_ARGUMENT) << budget;
    EXPECT_NE(std::string(ndconv_last_error()).find("options->budget_ms"), std::string::npos);
  }
  o = {};
  o.candidate = "fastest-please";
  EXPECT_EQ(c.create(&o, &conv), NDCONV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(ndconv_last_error()).find("'fastest-please' is not a candidate"), std::string::npos);
  o.candidate = "depthwise";  // not a depthwise shape
  EXPECT_EQ(c.create(&o, &conv), NDCONV_UNSUPPORTED);
  EXPECT_NE(std::string(ndconv_last_error()).find("does not apply"), std::string::npos);
  EXPECT_EQ(ndconv_conv_tune_info(nullptr, nullptr), NDCONV_INVALID_ARGUMENT);
  ASSERT_EQ(c.create(nullptr, &conv), NDCONV_OK);
  EXPECT_EQ(ndconv_conv_tune_info(conv, nullptr), NDCONV_INVALID_ARGUMENT);
  ndconv_conv_destroy(conv);
}

TEST_P(Measure, CppBuilderMeasures) {
  const auto b = ndconv::ConvBuilder::conv2d(8, 16, {3, 3}).input_size({10, 10}).padding_same().channels_last();
  const auto weights = test::random_tensor(static_cast<size_t>(b.sizes().weights), 4);
  const ndconv::Conv plain = b.build(weights.data());
  const ndconv::Conv measured = ndconv::ConvBuilder(b).measure(10).build(weights.data());
  EXPECT_EQ(plain.tune_info().source, NDCONV_TUNE_SOURCE_HEURISTIC);
  EXPECT_EQ(measured.tune_info().source, NDCONV_TUNE_SOURCE_MEASURED);
  EXPECT_EQ(measured.tune_info().budget_ms, 10);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, Measure, ::testing::ValuesIn(test::available_isas()), test::isa_test_name);

// NDCONV_TUNE and NDCONV_WISDOM are read at the first create, so each value
// runs in its own process (tests/CMakeLists.txt sets them): what a plain
// ndconv_conv_create does under each.
TEST(MeasureEnvironment, PlainCreateFollowsTheEnvironment) {
  const char* tune = std::getenv("NDCONV_TUNE");
  const char* wisdom_path = std::getenv("NDCONV_WISDOM");
  if (!tune) GTEST_SKIP() << "run by ctest with NDCONV_TUNE set";
  const ndconv_conv_desc d = conv2d_desc(NDCONV_NXC, 8, 16, 9, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER);
  const char* forced = "indirect-gemm:tiles=gemmtile:kblock=0.5x:mblock=2x";
  if (wisdom_path) {  // written before the first create, which reads it
    dispatch::ConvShape shape;
    ASSERT_EQ(dispatch::validate_desc(&d, &shape), NDCONV_OK);
    std::FILE* f = std::fopen(wisdom_path, "w");
    ASSERT_NE(f, nullptr);
    const ndconv_isa isa = ndconv_current_isa() == NDCONV_ISA_AUTO ? ndconv_detected_isa() : ndconv_current_isa();
    std::fprintf(f, "ndconv-wisdom 1\n%s %s\n", dispatch::shape_key(shape, isa).c_str(), forced);
    std::fclose(f);
  }
  const Case c(d);
  ndconv_conv* conv = nullptr;
  const ndconv_status st = ndconv_conv_create(&d, c.weights.data(), c.bias.data(), &conv);
  if (std::string(tune) == "bogus") {
    EXPECT_EQ(st, NDCONV_INVALID_ARGUMENT);
    EXPECT_NE(std::string(ndconv_last_error()).find("NDCONV_TUNE = 'bogus'"), std::string::npos);
    const ndconv_create_options o = {};  // explicit options do not read NDCONV_TUNE
    ASSERT_EQ(c.create(&o, &conv), NDCONV_OK);
    ndconv_conv_destroy(conv);
    return;
  }
  ASSERT_EQ(st, NDCONV_OK) << ndconv_last_error();
  const ndconv_tune_info info = info_of(conv);
  if (wisdom_path) {
    EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_CACHED);
    EXPECT_STREQ(info.candidate, forced);
  } else {
    EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_MEASURED);
  }
  EXPECT_TRUE(c.matches(c.run(conv)));
  ndconv_conv_destroy(conv);
  if (wisdom_path) std::remove(wisdom_path);
}

// The measure mode times a variant knob only where it can change the plan:
// lines= for rank-2 merged taps (few channels, one group, dense inner dim),
// kpair= for groups of at most one vector of outputs (the table's
// one-vector width); the other candidates everywhere.
TEST(MeasureCandidates, KnobsApplyOnlyWhereTheyCanChangeThePlan) {
  const kernels::KernelTable* table = kernels::kernel_table_for(NDCONV_ISA_SCALAR);
  ASSERT_NE(table, nullptr);
  auto shape_of = [](const ndconv_conv_desc& d) {
    dispatch::ConvShape s;
    EXPECT_EQ(dispatch::validate_desc(&d, &s), NDCONV_OK);
    return s;
  };
  const dispatch::ConvShape stem = shape_of(conv2d_desc(NDCONV_NXC, 3, 8, 20, 20, 7, 7, 1, NDCONV_PAD_SAME_UPPER, 2));
  const dispatch::ConvShape wide = shape_of(conv2d_desc(NDCONV_NXC, 64, 64, 8, 8, 3, 3, 1, NDCONV_PAD_SAME_UPPER));
  const dispatch::ConvShape narrow_groups = shape_of(conv2d_desc(NDCONV_NXC, 64, 64, 8, 8, 3, 3, 4, NDCONV_PAD_SAME_UPPER));
  // 32 outputs per group: wider than one vector of every ISA
  const dispatch::ConvShape wide_groups = shape_of(conv2d_desc(NDCONV_NXC, 64, 64, 8, 8, 3, 3, 2, NDCONV_PAD_SAME_UPPER));
  const int64_t one_vector = static_cast<int64_t>(table->gemm_rowptr_one_vector.nr);
  dispatch::Candidate lines, kpair, plain;
  lines.lines = 1;
  kpair.kpair = 1;
  EXPECT_TRUE(dispatch::knob_applies(lines, stem, *table));
  EXPECT_FALSE(dispatch::knob_applies(lines, wide, *table));
  EXPECT_FALSE(dispatch::knob_applies(lines, narrow_groups, *table));
  EXPECT_EQ(dispatch::knob_applies(kpair, narrow_groups, *table), 16 <= one_vector);
  EXPECT_EQ(dispatch::knob_applies(kpair, wide_groups, *table), 32 <= one_vector);
  EXPECT_FALSE(dispatch::knob_applies(kpair, stem, *table));
  for (const dispatch::ConvShape* s : {&stem, &wide, &narrow_groups, &wide_groups})
    EXPECT_TRUE(dispatch::knob_applies(plain, *s, *table));
}

}  // namespace
}  // namespace ndconv
