// Every validation rule of the C API: the status, and a message
// (ndconv_last_error) that names the field and its value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "ndconv/ndconv.h"

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// A valid 2-D convolution: 1x4x8x8 input, 3x3 kernel, 4 output channels.
ndconv_conv_desc valid_desc() {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.batch = 1;
  d.in_channels = 4;
  d.out_channels = 4;
  d.in_size[0] = d.in_size[1] = 8;
  d.kernel[0] = d.kernel[1] = 3;
  return d;
}

// Stores an arbitrary integer in an enum field, as a C caller can (a C++
// static_cast to an out-of-range enum value would itself be undefined).
template <class Enum>
void store_raw(Enum* field, int value) {
  std::memcpy(field, &value, sizeof value);
}

const std::vector<float> kWeights(4 * 4 * 9, 0.5f);

// create and output_size must both reject `d` with INVALID_ARGUMENT and a
// message containing every string in `parts`; create must leave *out NULL.
void expect_invalid(const ndconv_conv_desc& d, std::initializer_list<const char*> parts) {
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_conv_output_size(&d, out), NDCONV_INVALID_ARGUMENT);
  const std::string size_msg = ndconv_last_error();
  ndconv_conv* conv = reinterpret_cast<ndconv_conv*>(&out);  // garbage that must be overwritten
  // Weights are only read for valid descriptors; a big enough buffer anyway.
  EXPECT_EQ(ndconv_conv_create(&d, kWeights.data(), nullptr, &conv), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(conv, nullptr);
  const std::string msg = ndconv_last_error();
  EXPECT_EQ(msg, size_msg);
  for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: \"" << msg << "\" lacks \"" << p << "\"";
}

TEST(Validation, ValidDescriptorIsAccepted) {
  const ndconv_conv_desc d = valid_desc();
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(ndconv_conv_create(&d, kWeights.data(), nullptr, &conv), NDCONV_OK) << ndconv_last_error();
  EXPECT_NE(conv, nullptr);
  ndconv_conv_destroy(conv);
}

TEST(Validation, NullPointers) {
  const ndconv_conv_desc d = valid_desc();
  ndconv_conv* conv = nullptr;
  EXPECT_EQ(ndconv_conv_create(nullptr, kWeights.data(), nullptr, &conv), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "desc is NULL");
  EXPECT_EQ(ndconv_conv_create(&d, nullptr, nullptr, &conv), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "weights is NULL");
  EXPECT_EQ(conv, nullptr);
  EXPECT_EQ(ndconv_conv_create(&d, kWeights.data(), nullptr, nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "out_conv is NULL");
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_conv_output_size(nullptr, out), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "desc is NULL");
  EXPECT_EQ(ndconv_conv_output_size(&d, nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "out_size is NULL");

  ASSERT_EQ(ndconv_conv_create(&d, kWeights.data(), nullptr, &conv), NDCONV_OK);
  std::vector<float> in(4 * 64), o(4 * 36);
  EXPECT_EQ(ndconv_conv_run(nullptr, in.data(), o.data(), nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "conv is NULL");
  EXPECT_EQ(ndconv_conv_run(conv, nullptr, o.data(), nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "input is NULL");
  EXPECT_EQ(ndconv_conv_run(conv, in.data(), nullptr, nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_STREQ(ndconv_last_error(), "output is NULL");
  ndconv_conv_destroy(conv);
  ndconv_conv_destroy(nullptr);  // a no-op
}

TEST(Validation, Rank) {
  for (int32_t rank : {0, -1, 9, 1000, std::numeric_limits<int32_t>::min()}) {
    ndconv_conv_desc d = valid_desc();
    d.rank = rank;
    expect_invalid(d, {"rank", std::to_string(rank).c_str()});
  }
}

TEST(Validation, EnumValues) {
  ndconv_conv_desc d = valid_desc();
  store_raw(&d.layout, 2);
  expect_invalid(d, {"layout = 2"});
  d = valid_desc();
  store_raw(&d.layout, -1);
  expect_invalid(d, {"layout = -1"});
  d = valid_desc();
  store_raw(&d.weight_layout, 7);
  expect_invalid(d, {"weight_layout = 7"});
  d = valid_desc();
  store_raw(&d.padding, 4);
  expect_invalid(d, {"padding = 4"});
  d = valid_desc();
  store_raw(&d.activation, 3);
  expect_invalid(d, {"activation = 3"});
}

TEST(Validation, CountsBelowOne) {
  ndconv_conv_desc d = valid_desc();
  d.batch = 0;
  expect_invalid(d, {"batch = 0"});
  d = valid_desc();
  d.in_channels = -3;
  expect_invalid(d, {"in_channels = -3"});
  d = valid_desc();
  d.out_channels = 0;
  expect_invalid(d, {"out_channels = 0"});
  d = valid_desc();
  d.in_size[1] = 0;
  expect_invalid(d, {"in_size[1] = 0"});
  d = valid_desc();
  d.kernel[0] = -2;
  expect_invalid(d, {"kernel[0] = -2"});
}

TEST(Validation, Groups) {
  ndconv_conv_desc d = valid_desc();
  d.groups = -1;
  expect_invalid(d, {"groups = -1"});
  d = valid_desc();
  d.in_channels = 6;
  d.out_channels = 8;
  d.groups = 4;
  expect_invalid(d, {"in_channels = 6 is not divisible by groups = 4"});
  d = valid_desc();
  d.out_channels = 6;
  d.groups = 4;
  expect_invalid(d, {"out_channels = 6 is not divisible by groups = 4"});
}

TEST(Validation, NegativeStrideDilationPadding) {
  ndconv_conv_desc d = valid_desc();
  d.stride[1] = -1;
  expect_invalid(d, {"stride[1] = -1"});
  d = valid_desc();
  d.dilation[0] = -5;
  expect_invalid(d, {"dilation[0] = -5"});
  d = valid_desc();
  d.pad_begin[1] = -1;
  expect_invalid(d, {"pad_begin[1] = -1"});
  d = valid_desc();
  d.pad_end[0] = -2;
  expect_invalid(d, {"pad_end[0] = -2"});
}

TEST(Validation, PaddingIgnoredUnlessExplicit) {
  for (ndconv_padding p : {NDCONV_PAD_VALID, NDCONV_PAD_SAME_UPPER, NDCONV_PAD_SAME_LOWER}) {
    ndconv_conv_desc d = valid_desc();
    d.padding = p;
    d.pad_begin[0] = -7;
    d.pad_end[1] = kMax;
    int64_t out[NDCONV_MAX_RANK];
    EXPECT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK) << ndconv_last_error();
  }
}

TEST(Validation, EntriesBeyondRankAreIgnored) {
  ndconv_conv_desc d = valid_desc();
  for (int i = d.rank; i < NDCONV_MAX_RANK; ++i) {
    d.in_size[i] = -1;
    d.kernel[i] = 0;
    d.stride[i] = -3;
    d.dilation[i] = -4;
    d.pad_begin[i] = -5;
    d.pad_end[i] = kMax;
  }
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(ndconv_conv_create(&d, kWeights.data(), nullptr, &conv), NDCONV_OK) << ndconv_last_error();
  ndconv_conv_destroy(conv);
}

TEST(Validation, KernelLargerThanPaddedInput) {
  ndconv_conv_desc d = valid_desc();
  d.in_size[1] = 298;
  d.pad_begin[1] = 1;
  d.pad_end[1] = 1;
  d.kernel[1] = 301;
  expect_invalid(d, {"kernel[1] = 301 exceeds padded input extent 300"});
  d = valid_desc();  // dilation makes a 3-tap kernel span 5 > 4
  d.in_size[0] = 4;
  d.dilation[0] = 2;
  expect_invalid(d, {"kernel[0] = 3", "dilation[0] = 2", "spans 5", "padded input extent 4"});
  d = valid_desc();  // VALID: the kernel must fit the input itself
  d.padding = NDCONV_PAD_VALID;
  d.in_size[0] = 2;
  expect_invalid(d, {"kernel[0] = 3 exceeds padded input extent 2"});
}

TEST(Validation, ClampBounds) {
  ndconv_conv_desc d = valid_desc();
  d.activation = NDCONV_ACT_CLAMP;
  d.act_min = 2.0f;
  d.act_max = 1.0f;
  expect_invalid(d, {"act_min = 2", "act_max = 1"});
  d.act_min = std::nanf("");
  expect_invalid(d, {"act_min", "NaN"});
  d.act_min = 0.0f;
  d.act_max = std::nanf("");
  expect_invalid(d, {"act_max", "NaN"});
  // Ignored unless CLAMP; equal bounds are valid.
  d.activation = NDCONV_ACT_RELU;
  int64_t out[NDCONV_MAX_RANK];
  EXPECT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK);
  d.activation = NDCONV_ACT_CLAMP;
  d.act_min = d.act_max = 0.25f;
  EXPECT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK);
}

TEST(Validation, PaddedExtentOverflow) {
  ndconv_conv_desc d = valid_desc();
  d.in_size[1] = kMax - 1;
  d.pad_begin[1] = 1;
  d.pad_end[1] = 1;
  expect_invalid(d, {"in_size[1] + pad_begin[1] + pad_end[1] overflows int64"});
}

TEST(Validation, DilatedKernelOverflow) {
  ndconv_conv_desc d = valid_desc();
  d.dilation[0] = kMax / 2;
  d.kernel[0] = 4;
  expect_invalid(d, {"dilation[0] * (kernel[0] - 1) + 1 overflows int64"});
  d.dilation[0] = kMax;  // (kernel - 1) * dilation fits only for kernel 2, then + 1 overflows
  d.kernel[0] = 2;
  expect_invalid(d, {"dilation[0] * (kernel[0] - 1) + 1 overflows int64"});
}

TEST(Validation, ElementCountOverflow) {
  ndconv_conv_desc d = valid_desc();  // input: 2^31 * 2^31 * 8 * 8 elements
  d.batch = int64_t{1} << 31;
  d.in_channels = int64_t{1} << 31;
  d.out_channels = 1;
  expect_invalid(d, {"input element count overflows int64", "batch = 2147483648"});
  d = valid_desc();  // weights: out_channels * in_channels * 3 * 3 overflows, input fits
  d.rank = 1;
  d.in_channels = int64_t{1} << 31;
  d.out_channels = int64_t{1} << 31;
  d.groups = 1;
  d.in_size[0] = 3;
  d.kernel[0] = 3;
  expect_invalid(d, {"weights element count overflows int64"});
  d = valid_desc();  // output: a huge stride-1 extent times many output channels
  d.rank = 1;
  d.in_channels = 1;
  d.out_channels = int64_t{1} << 40;
  d.in_size[0] = int64_t{1} << 30;
  d.kernel[0] = 1;
  expect_invalid(d, {"output element count overflows int64"});
}

TEST(Validation, ByteSizeOverflow) {
  // Element counts that fit in int64 but whose 4-byte sizes do not.
  ndconv_conv_desc d = valid_desc();
  d.rank = 1;
  d.in_channels = 1;
  d.out_channels = 1;
  d.in_size[0] = kMax / 2;
  d.kernel[0] = 1;
  expect_invalid(d, {"input byte size overflows int64"});
  d.in_size[0] = 1;
  d.kernel[0] = 1;
  d.in_channels = kMax / 2;
  d.out_channels = 1;
  expect_invalid(d, {"input byte size overflows int64"});
  d = valid_desc();
  d.rank = 1;
  d.in_channels = 1;
  d.in_size[0] = 1;
  d.kernel[0] = 1;
  d.out_channels = kMax / 2;
  expect_invalid(d, {"weights byte size overflows int64"});
}

TEST(Validation, OutputExtentBelowOneIsRejected) {
  // in + pads < dilated kernel is the only way to an extent below 1.
  ndconv_conv_desc d = valid_desc();
  d.in_size[0] = 1;
  d.kernel[0] = 2;
  d.stride[0] = 5;
  expect_invalid(d, {"kernel[0] = 2 exceeds padded input extent 1"});
}

TEST(Validation, ErrorStateIsThreadLocal) {
  ndconv_conv_desc d = valid_desc();
  d.batch = 0;
  int64_t out[NDCONV_MAX_RANK];
  ASSERT_EQ(ndconv_conv_output_size(&d, out), NDCONV_INVALID_ARGUMENT);
  std::string other;
  std::thread t([&] { other = ndconv_last_error(); });
  t.join();
  EXPECT_EQ(other, "");
  EXPECT_STREQ(ndconv_last_error(), "batch = 0 must be >= 1");
}

TEST(Validation, StatusStrings) {
  EXPECT_STREQ(ndconv_status_string(NDCONV_OK), "NDCONV_OK");
  EXPECT_STREQ(ndconv_status_string(NDCONV_INVALID_ARGUMENT), "NDCONV_INVALID_ARGUMENT");
  EXPECT_STREQ(ndconv_status_string(NDCONV_OUT_OF_MEMORY), "NDCONV_OUT_OF_MEMORY");
}

}  // namespace
