// The U8/S8 requantization where float would decide wrongly: accumulators
// above 2^24 (not floats) whose exact product with the scale lies just past
// a half-integer. acc = 16908289 = 2^24 + 2^17 + 1, scale = 2^-18:
// acc * scale = 64.5 + 2^-18, so round half to even of the exact value is 65,
// while float(acc) = 16908288 (a tie, to even) gives exactly 64.5 -> 64.
// Every path that claims an exact epilogue (kernels/qgemm_args.h: AVX2,
// AVX-VNNI, NEON and scalar kernels; the core's epilogue behind the
// depthwise and reference algorithms) must give 65 in every rounding mode;
// the AVX-512 epilogue rounds to float first (documented: within 1) and is
// held to 64 or 65 here. (The float-first x86 pointwise streams take K <= 4;
// tests/test_qpointwise_stream.cpp holds them to 64.)
#include <gtest/gtest.h>

#include <cfenv>
#include <cstdint>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/isa_param.h"
#include "tests/support/conv_desc.h"

namespace {

using ndconv::test::conv2d_desc;

constexpr int32_t kBias = 16908289;               // 2^24 + 2^17 + 1: not a float
constexpr float kWeightScale = 1.0f / 262144.0f;  // 2^-18

struct Outcome {
  std::string kernel;
  std::vector<uint8_t> output;
};

// Input at its zero point everywhere, so every accumulator is the bias.
Outcome run_qconv(const ndconv_conv_desc& conv) {
  ndconv_qconv_desc d = {};
  d.conv = conv;
  d.input_type = NDCONV_U8;
  d.output_type = NDCONV_U8;
  d.input_scale = 1.0f;
  d.input_zero_point = 100;
  d.weight_scale_count = 1;
  d.output_scale = 1.0f;
  d.output_zero_point = 0;
  const int64_t cin_g = conv.in_channels / (conv.groups > 1 ? conv.groups : 1);
  const size_t weights =
      static_cast<size_t>(conv.out_channels * cin_g * conv.kernel[0] * conv.kernel[1]);
  const std::vector<int8_t> w(weights, 37);
  const std::vector<int32_t> bias(static_cast<size_t>(conv.out_channels), kBias);
  ndconv_qconv* plan = nullptr;
  Outcome r;
  EXPECT_EQ(ndconv_qconv_create(&d, w.data(), &kWeightScale, bias.data(), &plan), NDCONV_OK)
      << ndconv_last_error();
  if (!plan) return r;
  int64_t out_size[NDCONV_MAX_RANK] = {};
  EXPECT_EQ(ndconv_qconv_output_size(&d, out_size), NDCONV_OK);
  const size_t in_elems =
      static_cast<size_t>(conv.batch * conv.in_channels * conv.in_size[0] * conv.in_size[1]);
  const std::vector<uint8_t> x(in_elems, 100);
  r.output.assign(static_cast<size_t>(conv.batch * conv.out_channels * out_size[0] * out_size[1]),
                  0);
  EXPECT_EQ(ndconv_qconv_run(plan, x.data(), r.output.data(), nullptr), NDCONV_OK);
  r.kernel = ndconv_qconv_kernel_name(plan);
  ndconv_qconv_destroy(plan);
  return r;
}

class QRequantizeExact : public ndconv::test::IsaTest {};

TEST_P(QRequantizeExact, AccumulatorsBeyondFloatRoundToNearestEven) {
  const struct {
    const char* name;
    ndconv_conv_desc conv;
  } cases[] = {
      {"pointwise", conv2d_desc(NDCONV_NXC, 8, 40, 3, 5, 1, 1, 1, NDCONV_PAD_VALID)},
      {"conv3x3", conv2d_desc(NDCONV_NXC, 5, 19, 4, 6, 3, 3, 1, NDCONV_PAD_SAME_UPPER)},
      {"depthwise", conv2d_desc(NDCONV_NXC, 21, 21, 5, 4, 3, 3, 21, NDCONV_PAD_SAME_UPPER)},
      {"depthwise_ncx", conv2d_desc(NDCONV_NCX, 21, 21, 5, 4, 3, 3, 21, NDCONV_PAD_SAME_UPPER)},
  };
  const int saved_dot = ndconv_int8_dot_product();
  for (const auto& c : cases)
    for (int dot : {1, 0})
      for (int mode : {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
        ndconv_set_int8_dot_product(dot);
        ASSERT_EQ(std::fesetround(mode), 0);
        const Outcome r = run_qconv(c.conv);
        std::fesetround(FE_TONEAREST);
        ndconv_set_int8_dot_product(saved_dot);
        ASSERT_FALSE(r.output.empty()) << c.name;
        // Float-first epilogues: the x86 kernels (variants "avx512...", "avx2...").
        const bool float_first =
            r.kernel.find("/avx512") != std::string::npos || r.kernel.find("/avx2") != std::string::npos;
        for (size_t i = 0; i < r.output.size(); ++i) {
          if (float_first)
            ASSERT_TRUE(r.output[i] == 64 || r.output[i] == 65)
                << c.name << " " << r.kernel << " [" << i << "]";
          else
            ASSERT_EQ(r.output[i], 65)
                << c.name << " " << r.kernel << " mode " << mode << " [" << i << "]";
        }
      }
}

INSTANTIATE_TEST_SUITE_P(Isa, QRequantizeExact, ::testing::ValuesIn(ndconv::test::available_isas()),
                         ndconv::test::isa_test_name);

}  // namespace
