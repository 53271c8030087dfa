// The int8 measure mode (plan/qmeasure.cpp, ndconv_qconv_create_ex) under
// every ISA and dot-product variant: each rows tile a GEMM plan can be forced
// to gives the default plan's bytes; measuring times those tiles, reports
// it, caches the pick and exports it as wisdom; plans without a tile have
// the one candidate "int8"; bad names and arguments fail with a message.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/isa_param.h"
#include "tests/support/conv_desc.h"
#include "tests/support/qconv_check.h"

namespace {

using ndconv::test::conv2d_desc;
using ndconv::test::make_qdesc;

// A plan's inputs, filled from a seed, and its output bytes.
struct QProblem {
  ndconv_qconv_desc desc;
  std::vector<uint8_t> input;
  std::vector<int8_t> weights;
  std::vector<float> scales;
  std::vector<int32_t> bias;
  size_t output_bytes = 0;

  QProblem(const ndconv_qconv_desc& d, uint32_t seed) : desc(d) {
    const ndconv_conv_desc& c = d.conv;
    int64_t out[NDCONV_MAX_RANK];
    EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK);
    int64_t in_pixels = 1, out_pixels = 1, taps = 1;
    for (int i = 0; i < c.rank; ++i) in_pixels *= c.in_size[i], out_pixels *= out[i], taps *= c.kernel[i];
    const int64_t groups = c.groups == 0 ? 1 : c.groups;
    input.resize(static_cast<size_t>(c.batch * c.in_channels * in_pixels));
    weights.resize(static_cast<size_t>(c.out_channels * (c.in_channels / groups) * taps));
    scales.assign(static_cast<size_t>(d.weight_scale_count), 0.0f);
    bias.resize(static_cast<size_t>(c.out_channels));
    uint32_t x = seed * 2654435761u + 1;
    auto next = [&] { return x = x * 1664525u + 1013904223u, x >> 8; };
    for (uint8_t& v : input) v = static_cast<uint8_t>(next());
    for (int8_t& w : weights) w = static_cast<int8_t>(next());
    for (size_t i = 0; i < scales.size(); ++i) scales[i] = 0.002f + 0.0001f * float(i % 7);
    for (int32_t& b : bias) b = static_cast<int32_t>(next() % 2001) - 1000;
    const size_t element = d.output_type == NDCONV_S32 || d.output_type == NDCONV_F32 ? 4 : 1;
    output_bytes = static_cast<size_t>(c.batch * c.out_channels * out_pixels) * element;
  }

  // Creates with `options`; on success runs and returns the output in `out`.
  ndconv_status create_and_run(const ndconv_create_options* options, std::vector<uint8_t>* out,
                               std::string* candidate = nullptr, ndconv_tune_info* info = nullptr) {
    ndconv_qconv* q = nullptr;
    const ndconv_status st =
        ndconv_qconv_create_ex(&desc, weights.data(), scales.data(), bias.data(), options, &q);
    if (st != NDCONV_OK) {
      EXPECT_EQ(q, nullptr);
      return st;
    }
    out->assign(output_bytes, 0xEE);
    EXPECT_EQ(ndconv_qconv_run(q, input.data(), out->data(), nullptr), NDCONV_OK);
    ndconv_tune_info t = {};
    EXPECT_EQ(ndconv_qconv_tune_info(q, &t), NDCONV_OK);
    if (candidate) *candidate = t.candidate;
    if (info) *info = t, info->candidate = nullptr;  // the string dies with the plan
    ndconv_qconv_destroy(q);
    return NDCONV_OK;
  }
};

ndconv_create_options forced(const char* name) {
  ndconv_create_options o = {};
  o.candidate = name;
  return o;
}

// The GEMM shapes: pointwise (M = 196 rows: a tail for every tile), 3x3
// through the indirection buffer, a text-CNN n-gram.
std::vector<ndconv_qconv_desc> gemm_shapes() {
  std::vector<ndconv_qconv_desc> v;
  v.push_back(make_qdesc(conv2d_desc(NDCONV_NXC, 64, 64, 14, 14, 1, 1, 1, NDCONV_PAD_EXPLICIT), NDCONV_U8, NDCONV_U8));
  v.push_back(make_qdesc(conv2d_desc(NDCONV_NXC, 32, 48, 11, 13, 3, 3, 1, NDCONV_PAD_SAME_UPPER), NDCONV_S8,
                         NDCONV_S32));
  v.push_back(make_qdesc(conv2d_desc(NDCONV_NCX, 1, 40, 30, 24, 3, 24, 1, NDCONV_PAD_EXPLICIT), NDCONV_U8, NDCONV_F32));
  return v;
}

class QMeasure : public ndconv::test::IsaDotTest {
 protected:
  void SetUp() override {
    IsaDotTest::SetUp();
    ndconv_wisdom_clear();
  }
  void TearDown() override {
    ndconv_wisdom_clear();
    IsaDotTest::TearDown();
  }
};

// Forcing each rows count: the plans that take it give the default plan's
// bytes and report it; the others are UNSUPPORTED, naming the candidate.
// The default's own tile is among those taken.
TEST_P(QMeasure, EveryForcedTileGivesTheDefaultBytes) {
  uint32_t seed = 1;
  for (const ndconv_qconv_desc& d : gemm_shapes()) {
    QProblem p(d, seed++);
    std::vector<uint8_t> want, got;
    std::string default_candidate;
    ASSERT_EQ(p.create_and_run(nullptr, &want, &default_candidate), NDCONV_OK) << ndconv_last_error();
    ASSERT_EQ(default_candidate.rfind("int8:mr=", 0), 0u) << default_candidate;
    int taken = 0;
    bool default_taken = false;
    for (int mr = 1; mr <= 32; ++mr) {
      const std::string name = "int8:mr=" + std::to_string(mr);
      const ndconv_create_options o = forced(name.c_str());
      std::string candidate;
      const ndconv_status st = p.create_and_run(&o, &got, &candidate);
      if (st == NDCONV_UNSUPPORTED) {
        EXPECT_NE(std::string(ndconv_last_error()).find(name), std::string::npos) << ndconv_last_error();
        continue;
      }
      ASSERT_EQ(st, NDCONV_OK) << name << ": " << ndconv_last_error();
      EXPECT_EQ(candidate, name);
      EXPECT_TRUE(got == want) << name << " differs from the default plan (" << default_candidate << ")";
      ++taken;
      default_taken = default_taken || name == default_candidate;
    }
    EXPECT_GE(taken, 1);
    EXPECT_TRUE(default_taken) << default_candidate;
  }
}

// Measuring: the tiles are timed (as many as forcing takes, the budget being
// ample), the pick is reported, gives the same bytes, is cached (the next
// create says CACHED) and leaves an ":int8-" wisdom line that an import
// brings back.
TEST_P(QMeasure, MeasuresCachesAndExportsThePick) {
  const ndconv_qconv_desc d = gemm_shapes()[0];
  QProblem p(d, 7);
  std::vector<uint8_t> want, got;
  ASSERT_EQ(p.create_and_run(nullptr, &want), NDCONV_OK);
  int takes = 0;
  for (int mr = 1; mr <= 32; ++mr) {
    const std::string name = "int8:mr=" + std::to_string(mr);
    const ndconv_create_options o = forced(name.c_str());
    takes += p.create_and_run(&o, &got) == NDCONV_OK;
  }
  ndconv_create_options measure = {};
  measure.tune = NDCONV_TUNE_MEASURE;
  measure.budget_ms = 2000;
  ndconv_tune_info info = {};
  std::string picked;
  ASSERT_EQ(p.create_and_run(&measure, &got, &picked, &info), NDCONV_OK) << ndconv_last_error();
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_MEASURED);
  EXPECT_EQ(info.candidates_timed, takes);
  EXPECT_GE(info.timed_runs, info.candidates_timed);
  EXPECT_GT(info.timing_ms, 0.0);
  EXPECT_EQ(info.budget_ms, 2000.0);
  EXPECT_EQ(picked.rfind("int8:mr=", 0), 0u) << picked;
  EXPECT_TRUE(got == want);

  std::string again;
  ASSERT_EQ(p.create_and_run(&measure, &got, &again, &info), NDCONV_OK);
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_CACHED);
  EXPECT_EQ(again, picked);

  std::vector<char> text(ndconv_wisdom_export(nullptr, 0) + 1);
  ndconv_wisdom_export(text.data(), text.size());
  const std::string wisdom(text.data());
  const size_t line = wisdom.find(std::string("\n") + ndconv_isa_name(isa()) + ":int8-");
  ASSERT_NE(line, std::string::npos) << wisdom;
  EXPECT_NE(wisdom.find(" " + picked + "\n", line), std::string::npos) << wisdom;
  ndconv_wisdom_clear();
  ASSERT_EQ(ndconv_wisdom_import(wisdom.c_str()), NDCONV_OK) << ndconv_last_error();
  ndconv_create_options wise = {};
  wise.tune = NDCONV_TUNE_WISDOM;
  ASSERT_EQ(p.create_and_run(&wise, &got, &again, &info), NDCONV_OK);
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_CACHED);
  EXPECT_EQ(again, picked);
  EXPECT_TRUE(got == want);
}

// A depthwise plan is no GEMM: one candidate, "int8", which measuring
// reports without a comparison; a rows count does not apply.
TEST_P(QMeasure, PlansWithoutATileHaveOneCandidate) {
  QProblem p(make_qdesc(conv2d_desc(NDCONV_NXC, 24, 24, 9, 9, 3, 3, 24, NDCONV_PAD_SAME_UPPER), NDCONV_U8,
                        NDCONV_U8),
             3);
  std::vector<uint8_t> want, got;
  std::string candidate;
  ASSERT_EQ(p.create_and_run(nullptr, &want, &candidate), NDCONV_OK);
  EXPECT_EQ(candidate, "int8");
  ndconv_create_options measure = {};
  measure.tune = NDCONV_TUNE_MEASURE;
  ndconv_tune_info info = {};
  ASSERT_EQ(p.create_and_run(&measure, &got, &candidate, &info), NDCONV_OK);
  EXPECT_EQ(candidate, "int8");
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_MEASURED);
  EXPECT_EQ(info.candidates_timed, 1);
  EXPECT_TRUE(got == want);
  const ndconv_create_options one = forced("int8");
  ASSERT_EQ(p.create_and_run(&one, &got, &candidate, &info), NDCONV_OK);
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_FORCED);
  EXPECT_TRUE(got == want);
  const ndconv_create_options rows = forced("int8:mr=8");
  EXPECT_EQ(p.create_and_run(&rows, &got), NDCONV_UNSUPPORTED);
  EXPECT_NE(std::string(ndconv_last_error()).find("int8:mr=8"), std::string::npos) << ndconv_last_error();
}

TEST_P(QMeasure, BadNamesAndArgumentsFailWithAMessage) {
  QProblem p(gemm_shapes()[0], 5);
  std::vector<uint8_t> got;
  for (const char* name : {"int8:mr=0", "int8:mr=", "int8:mr=8x", "int8:mr=99", "pointwise-gemm", ""}) {
    const ndconv_create_options o = forced(name);
    EXPECT_EQ(p.create_and_run(&o, &got), NDCONV_INVALID_ARGUMENT) << name;
    EXPECT_NE(std::string(ndconv_last_error()).find("options->candidate"), std::string::npos)
        << name << ": " << ndconv_last_error();
  }
  ndconv_create_options bad_mode = {};
  reinterpret_cast<int32_t&>(bad_mode.tune) = 7;
  EXPECT_EQ(p.create_and_run(&bad_mode, &got), NDCONV_INVALID_ARGUMENT);
  EXPECT_NE(std::string(ndconv_last_error()).find("options->tune = 7"), std::string::npos) << ndconv_last_error();
  ndconv_tune_info info;
  EXPECT_EQ(ndconv_qconv_tune_info(nullptr, &info), NDCONV_INVALID_ARGUMENT);
  ndconv_qconv* q = nullptr;
  EXPECT_EQ(ndconv_qconv_create_ex(&p.desc, p.weights.data(), p.scales.data(), nullptr, nullptr, nullptr),
            NDCONV_INVALID_ARGUMENT);
  ASSERT_EQ(ndconv_qconv_create_ex(&p.desc, p.weights.data(), p.scales.data(), nullptr, nullptr, &q), NDCONV_OK);
  EXPECT_EQ(ndconv_qconv_tune_info(q, nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(ndconv_qconv_tune_info(q, &info), NDCONV_OK);
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_HEURISTIC);
  ndconv_qconv_destroy(q);
}

// Plain ndconv_qconv_create follows NDCONV_TUNE as ndconv_conv_create does
// (ctest runs this in processes of its own: tests/CMakeLists.txt).
TEST(QMeasureEnvironment, PlainCreateFollowsTheEnvironment) {
  const char* tune = std::getenv("NDCONV_TUNE");
  if (!tune) GTEST_SKIP() << "run by ctest with NDCONV_TUNE set";
  QProblem p(gemm_shapes()[0], 9);
  ndconv_qconv* q = nullptr;
  const ndconv_status st = ndconv_qconv_create(&p.desc, p.weights.data(), p.scales.data(), nullptr, &q);
  if (std::strcmp(tune, "measure") == 0) {
    ASSERT_EQ(st, NDCONV_OK) << ndconv_last_error();
    ndconv_tune_info info = {};
    ASSERT_EQ(ndconv_qconv_tune_info(q, &info), NDCONV_OK);
    EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_MEASURED);
    EXPECT_GE(info.candidates_timed, 1);
    ndconv_qconv_destroy(q);
  } else {
    EXPECT_EQ(st, NDCONV_INVALID_ARGUMENT);
    EXPECT_EQ(q, nullptr);
    EXPECT_NE(std::string(ndconv_last_error()).find("NDCONV_TUNE"), std::string::npos) << ndconv_last_error();
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QMeasure, ::testing::ValuesIn(ndconv::test::isa_dot_params()),
                         ndconv::test::isa_dot_test_name);

}  // namespace
