// Every validation rule of the int8 API (ndconv_qconv_*): the float32 rules
// through the embedded conv, and each quantization field, with a message
// naming the field and value; output_size and create agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

ndconv_qconv_desc valid_qdesc() {
  ndconv_qconv_desc q = {};
  ndconv_conv_desc& d = q.conv;
  d.rank = 2;
  d.batch = 1;
  d.in_channels = 4;
  d.out_channels = 4;
  d.in_size[0] = d.in_size[1] = 8;
  d.kernel[0] = d.kernel[1] = 3;
  q.input_type = NDCONV_U8;
  q.output_type = NDCONV_U8;
  q.input_scale = 0.5f;
  q.input_zero_point = 128;
  q.weight_scale_count = 4;
  q.output_scale = 0.25f;
  q.output_zero_point = 3;
  return q;
}

template <class Enum>
void store_raw(Enum* field, int value) {
  std::memcpy(field, &value, sizeof value);
}

const std::vector<int8_t> kWeights(4 * 4 * 9, 1);
const std::vector<float> kScales(4, 0.1f);

void expect_message(const std::string& msg, std::initializer_list<const char*> parts) {
  for (const char* p : parts)
    EXPECT_NE(msg.find(p), std::string::npos) << "message: \"" << msg << "\" lacks \"" << p << "\"";
}

// output_size and create both reject with INVALID_ARGUMENT and the same
// message, containing every part; create leaves *out NULL.
void expect_invalid(const ndconv_qconv_desc& d, std::initializer_list<const char*> parts) {
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_INVALID_ARGUMENT);
  const std::string size_msg = ndconv_last_error();
  ndconv_qconv* q = reinterpret_cast<ndconv_qconv*>(&out);
  EXPECT_EQ(ndconv_qconv_create(&d, kWeights.data(), kScales.data(), nullptr, &q),
            NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(q, nullptr);
  const std::string msg = ndconv_last_error();
  EXPECT_EQ(msg, size_msg);
  expect_message(msg, parts);
}

// Rejected by create only (the pointers output_size does not take).
void expect_create_invalid(const ndconv_qconv_desc& d, const float* scales,
                           std::initializer_list<const char*> parts) {
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK);
  ndconv_qconv* q = reinterpret_cast<ndconv_qconv*>(&out);
  EXPECT_EQ(ndconv_qconv_create(&d, kWeights.data(), scales, nullptr, &q), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(q, nullptr);
  expect_message(ndconv_last_error(), parts);
}

TEST(QValidation, ValidDescriptorIsAccepted) {
  const ndconv_qconv_desc d = valid_qdesc();
  int64_t out[NDCONV_MAX_RANK] = {};
  ASSERT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK) << ndconv_last_error();
  EXPECT_EQ(out[0], 6);
  EXPECT_EQ(out[1], 6);
  ndconv_qconv* q = nullptr;
  ASSERT_EQ(ndconv_qconv_create(&d, kWeights.data(), kScales.data(), nullptr, &q), NDCONV_OK)
      << ndconv_last_error();
  EXPECT_NE(q, nullptr);
  EXPECT_STRNE(ndconv_qconv_kernel_name(q), "");
  ndconv_qconv_destroy(q);
}

TEST(QValidation, NullPointers) {
  const ndconv_qconv_desc d = valid_qdesc();
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_qconv_output_size(nullptr, out), NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"desc is NULL"});
  EXPECT_EQ(ndconv_qconv_output_size(&d, nullptr), NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"out_size is NULL"});
  EXPECT_EQ(ndconv_qconv_create(&d, kWeights.data(), kScales.data(), nullptr, nullptr),
            NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"out_qconv is NULL"});
  ndconv_qconv* q = nullptr;
  EXPECT_EQ(ndconv_qconv_create(&d, nullptr, kScales.data(), nullptr, &q), NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"weights is NULL"});
  expect_create_invalid(d, nullptr, {"weight_scales is NULL"});
  EXPECT_EQ(ndconv_qconv_run(nullptr, kWeights.data(), out, nullptr), NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"qconv is NULL"});
  ndconv_qconv_destroy(nullptr);
  EXPECT_STREQ(ndconv_qconv_kernel_name(nullptr), "");
}

TEST(QValidation, RunRejectsNullBuffers) {
  const ndconv_qconv_desc d = valid_qdesc();
  ndconv_qconv* q = nullptr;
  ASSERT_EQ(ndconv_qconv_create(&d, kWeights.data(), kScales.data(), nullptr, &q), NDCONV_OK);
  std::vector<uint8_t> buf(4 * 64);
  EXPECT_EQ(ndconv_qconv_run(q, nullptr, buf.data(), nullptr), NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"input is NULL"});
  EXPECT_EQ(ndconv_qconv_run(q, buf.data(), nullptr, nullptr), NDCONV_INVALID_ARGUMENT);
  expect_message(ndconv_last_error(), {"output is NULL"});
  ndconv_qconv_destroy(q);
}

TEST(QValidation, FloatRulesApplyToTheEmbeddedConv) {
  ndconv_qconv_desc d = valid_qdesc();
  d.conv.rank = 0;
  expect_invalid(d, {"rank = 0"});
  d = valid_qdesc();
  d.conv.kernel[1] = 11;
  expect_invalid(d, {"kernel[1] = 11", "exceeds padded input extent 8"});
  d = valid_qdesc();
  d.conv.groups = 3;
  expect_invalid(d, {"in_channels = 4", "groups = 3"});
  d = valid_qdesc();
  store_raw(&d.conv.layout, 7);
  expect_invalid(d, {"layout = 7"});
  d = valid_qdesc();
  d.conv.activation = NDCONV_ACT_CLAMP;
  d.conv.act_min = 2.0f;
  d.conv.act_max = 1.0f;
  expect_invalid(d, {"act_min = 2", "act_max = 1"});
}

TEST(QValidation, TypesOutsideTheirLists) {
  for (int t : {-1, 0, 3, 4, 99}) {  // F32 and S32 are no input types
    ndconv_qconv_desc d = valid_qdesc();
    store_raw(&d.input_type, t);
    expect_invalid(d, {("input_type = " + std::to_string(t)).c_str()});
  }
  for (int t : {-1, 4, 1000}) {
    ndconv_qconv_desc d = valid_qdesc();
    store_raw(&d.output_type, t);
    expect_invalid(d, {("output_type = " + std::to_string(t)).c_str()});
  }
}

TEST(QValidation, ScalesMustBeFinitePositive) {
  for (float v : {0.0f, -0.0f, -1.0f, kNaN, kInf, -kInf}) {
    ndconv_qconv_desc d = valid_qdesc();
    d.input_scale = v;
    expect_invalid(d, {"input_scale = "});
    d = valid_qdesc();
    d.output_scale = v;
    expect_invalid(d, {"output_scale = "});
    d.output_type = NDCONV_S32;  // output_scale is not read for S32 and F32
    int64_t out[NDCONV_MAX_RANK];
    EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK) << ndconv_last_error();
    d.output_type = NDCONV_F32;
    EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK) << ndconv_last_error();
    std::vector<float> scales = kScales;
    scales[2] = v;
    expect_create_invalid(valid_qdesc(), scales.data(), {"weight_scales[2] = "});
  }
  ndconv_qconv_desc d = valid_qdesc();
  d.input_scale = -1.5f;
  expect_invalid(d, {"input_scale = -1.5", "finite and > 0"});
}

TEST(QValidation, CombinedScaleMustBeAFiniteFloat) {
  ndconv_qconv_desc d = valid_qdesc();
  d.input_scale = 1e30f;
  d.output_scale = 1e-30f;
  expect_create_invalid(d, kScales.data(), {"input_scale * weight_scales[0] / output_scale"});
  d.output_type = NDCONV_F32;  // the product alone overflows float
  const std::vector<float> huge(4, 1e30f);
  expect_create_invalid(d, huge.data(), {"input_scale * weight_scales[0] = "});
  // S32 output (ConvInteger) never uses the scales: the same ones are valid.
  d.output_type = NDCONV_S32;
  d.output_zero_point = 0;
  ndconv_qconv* q = nullptr;
  EXPECT_EQ(ndconv_qconv_create(&d, kWeights.data(), huge.data(), nullptr, &q), NDCONV_OK)
      << ndconv_last_error();
  EXPECT_NE(q, nullptr);
  ndconv_qconv_destroy(q);
}

TEST(QValidation, ZeroPointsInsideTheirTypesRange) {
  struct Case { ndconv_dtype type; int32_t bad; const char* range; };
  for (const Case& c : {Case{NDCONV_U8, -1, "0 .. 255"}, Case{NDCONV_U8, 256, "0 .. 255"},
                        Case{NDCONV_S8, -129, "-128 .. 127"}, Case{NDCONV_S8, 128, "-128 .. 127"}}) {
    ndconv_qconv_desc d = valid_qdesc();
    d.input_type = c.type;
    d.input_zero_point = c.bad;
    expect_invalid(d, {("input_zero_point = " + std::to_string(c.bad)).c_str(), c.range});
    d = valid_qdesc();
    d.output_type = c.type;
    d.output_zero_point = c.bad;
    expect_invalid(d, {("output_zero_point = " + std::to_string(c.bad)).c_str(), c.range});
  }
  ndconv_qconv_desc d = valid_qdesc();
  d.output_type = NDCONV_S32;
  d.output_zero_point = 1000;  // not read for S32
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK) << ndconv_last_error();
}

TEST(QValidation, WeightScaleCount) {
  for (int64_t count : {0, -1, 2, 3, 5, 8}) {
    ndconv_qconv_desc d = valid_qdesc();
    d.weight_scale_count = count;
    expect_invalid(d, {("weight_scale_count = " + std::to_string(count)).c_str(),
                       "out_channels = 4"});
  }
  ndconv_qconv_desc d = valid_qdesc();
  d.weight_scale_count = 1;
  ndconv_qconv* q = nullptr;
  ASSERT_EQ(ndconv_qconv_create(&d, kWeights.data(), kScales.data(), nullptr, &q), NDCONV_OK);
  ndconv_qconv_destroy(q);
}

TEST(QValidation, ClampWithS32OutputIsInvalid) {
  ndconv_qconv_desc d = valid_qdesc();
  d.output_type = NDCONV_S32;
  d.conv.activation = NDCONV_ACT_CLAMP;
  d.conv.act_min = 0.0f;
  d.conv.act_max = 6.0f;
  expect_invalid(d, {"activation = CLAMP", "output_type = S32"});
  d.conv.activation = NDCONV_ACT_RELU;
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK);
  d.output_type = NDCONV_F32;
  d.conv.activation = NDCONV_ACT_CLAMP;
  EXPECT_EQ(ndconv_qconv_output_size(&d, out), NDCONV_OK);
}

TEST(QValidation, DotProductSettingRoundTrips) {
  const int saved = ndconv_int8_dot_product();
  ndconv_set_int8_dot_product(0);
  EXPECT_EQ(ndconv_int8_dot_product(), 0);
  ndconv_set_int8_dot_product(5);
  EXPECT_EQ(ndconv_int8_dot_product(), 1);
  ndconv_set_int8_dot_product(saved);
}

}  // namespace
