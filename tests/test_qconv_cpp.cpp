// The C++ layer's int8 builder and plan (ndconv.hpp: QConvBuilder, QConv).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ndconv/ndconv.hpp"

namespace {

using ndconv::ConvBuilder;
using ndconv::QConvBuilder;

TEST(CppQConv, BuilderFillsTheQuantizationFields) {
  const auto b = QConvBuilder(ConvBuilder::conv2d(8, 16, {3, 3}).input_size({6, 6}).channels_last())
                     .input_s8(0.5f, -3).output_u8(0.25f, 9).per_channel_scales();
  const ndconv_qconv_desc& d = b.desc();
  EXPECT_EQ(d.conv.in_channels, 8);
  EXPECT_EQ(d.conv.layout, NDCONV_NXC);
  EXPECT_EQ(d.input_type, NDCONV_S8);
  EXPECT_EQ(d.input_scale, 0.5f);
  EXPECT_EQ(d.input_zero_point, -3);
  EXPECT_EQ(d.output_type, NDCONV_U8);
  EXPECT_EQ(d.output_scale, 0.25f);
  EXPECT_EQ(d.output_zero_point, 9);
  EXPECT_EQ(d.weight_scale_count, 16);
  EXPECT_EQ(QConvBuilder(d.conv).desc().output_type, NDCONV_S32);
  EXPECT_EQ(QConvBuilder(d.conv).per_channel_scales().per_tensor_scale().desc().weight_scale_count, 1);
}

// A 1x1 ConvInteger whose result is known by hand: acc = sum (x - zp) * w + bias.
TEST(CppQConv, RunsAndComputesConvInteger) {
  const auto conv = ConvBuilder::conv2d(2, 1, {1, 1}).input_size({1, 2}).channels_last();
  const std::vector<int8_t> w = {3, -2};
  const float scale = 1.0f;
  const int32_t bias = 10;
  ndconv::QConv q = QConvBuilder(conv).input_u8(1.0f, 100).output_s32().build(w.data(), &scale, &bias);
  ASSERT_TRUE(q);
  EXPECT_STRNE(q.kernel_name(), "");
  const std::vector<uint8_t> x = {105, 90, 100, 255};  // pixel 0: (5, -10), pixel 1: (0, 155)
  std::vector<int32_t> y(2);
  q.run(x.data(), y.data());
  EXPECT_EQ(y[0], 5 * 3 + (-10) * (-2) + 10);
  EXPECT_EQ(y[1], 155 * (-2) + 10);
}

TEST(CppQConv, InvalidDescriptorThrowsWithTheMessage) {
  const auto conv = ConvBuilder::conv2d(2, 2, {1, 1}).input_size({2, 2});
  const std::vector<int8_t> w(4, 1);
  const float scale = 1.0f;
  try {
    QConvBuilder(conv).input_u8(0.0f, 0).build(w.data(), &scale);
    FAIL() << "no exception";
  } catch (const ndconv::Error& e) {
    EXPECT_EQ(e.status(), NDCONV_INVALID_ARGUMENT);
    EXPECT_NE(e.detail().find("input_scale = 0"), std::string::npos) << e.detail();
  }
}

// measure() reaches ndconv_qconv_create_ex: the plan says it was measured,
// names its tile, and computes what the default plan computes.
TEST(CppQConv, MeasureTimesTheTilesAndGivesTheSameResult) {
  ndconv_wisdom_clear();
  const auto conv = ConvBuilder::conv2d(16, 32, {1, 1}).input_size({7, 9}).channels_last();
  std::vector<int8_t> w(16 * 32);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(i * 7 % 255 - 127);
  std::vector<uint8_t> x(7 * 9 * 16);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 13);
  const float scale = 1.0f;
  const ndconv::QConv plain = QConvBuilder(conv).input_u8(1.0f, 3).output_s32().build(w.data(), &scale);
  const ndconv::QConv measured =
      QConvBuilder(conv).input_u8(1.0f, 3).output_s32().measure(50).build(w.data(), &scale);
  EXPECT_EQ(plain.tune_info().source, NDCONV_TUNE_SOURCE_HEURISTIC);
  const ndconv_tune_info info = measured.tune_info();
  EXPECT_EQ(info.source, NDCONV_TUNE_SOURCE_MEASURED);
  EXPECT_EQ(std::string(info.candidate).rfind("int8:mr=", 0), 0u) << info.candidate;
  std::vector<int32_t> a(7 * 9 * 32), b(7 * 9 * 32, -1);
  plain.run(x.data(), a.data());
  measured.run(x.data(), b.data());
  EXPECT_EQ(a, b);
  ndconv_wisdom_clear();
}

}  // namespace
