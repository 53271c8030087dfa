// Output extent and resolved padding for EXPLICIT, VALID, SAME_UPPER and
// SAME_LOWER (ONNX auto_pad semantics; TensorFlow 'same' is SAME_UPPER).
#include <gtest/gtest.h>

#include <algorithm>

#include "api/conv_shape.h"
#include "ndconv/ndconv.h"

namespace {

using ndconv::dispatch::ConvShape;

ndconv_conv_desc desc_1d(int64_t in, int64_t k, int64_t s, int64_t dil, ndconv_padding p) {
  ndconv_conv_desc d = {};
  d.rank = 1;
  d.batch = d.in_channels = d.out_channels = 1;
  d.in_size[0] = in;
  d.kernel[0] = k;
  d.stride[0] = s;
  d.dilation[0] = dil;
  d.padding = p;
  return d;
}

int64_t out_1d(const ndconv_conv_desc& d) {
  int64_t out[NDCONV_MAX_RANK] = {};
  EXPECT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK) << ndconv_last_error();
  return out[0];
}

TEST(OutputSize, ExplicitKnownValues) {
  ndconv_conv_desc d = desc_1d(7, 3, 2, 1, NDCONV_PAD_EXPLICIT);
  d.pad_begin[0] = d.pad_end[0] = 1;
  EXPECT_EQ(out_1d(d), 4);  // floor((7 + 2 - 3) / 2) + 1
  d = desc_1d(224, 7, 2, 1, NDCONV_PAD_EXPLICIT);  // ResNet stem
  d.pad_begin[0] = d.pad_end[0] = 3;
  EXPECT_EQ(out_1d(d), 112);
  d = desc_1d(10, 3, 1, 4, NDCONV_PAD_EXPLICIT);  // dilated span 9
  EXPECT_EQ(out_1d(d), 2);
  d = desc_1d(5, 2, 0, 0, NDCONV_PAD_EXPLICIT);  // 0 stride / dilation mean 1
  EXPECT_EQ(out_1d(d), 4);
  d = desc_1d(5, 3, 1, 1, NDCONV_PAD_EXPLICIT);  // asymmetric pads
  d.pad_begin[0] = 0;
  d.pad_end[0] = 2;
  EXPECT_EQ(out_1d(d), 5);
}

TEST(OutputSize, ValidIgnoresPads) {
  ndconv_conv_desc d = desc_1d(7, 3, 2, 1, NDCONV_PAD_VALID);
  d.pad_begin[0] = d.pad_end[0] = 100;
  EXPECT_EQ(out_1d(d), 3);
  EXPECT_EQ(out_1d(desc_1d(3, 3, 1, 1, NDCONV_PAD_VALID)), 1);
}

TEST(OutputSize, EveryModeMatchesTheFormulaExhaustively) {
  for (int64_t in = 1; in <= 13; ++in)
    for (int64_t k = 1; k <= 5; ++k)
      for (int64_t s = 1; s <= 4; ++s)
        for (int64_t dil = 1; dil <= 3; ++dil) {
          const int64_t span = dil * (k - 1) + 1;
          // SAME: out = ceil(in / s), pads from the ONNX formula.
          const int64_t same_out = (in + s - 1) / s;
          const int64_t total = std::max<int64_t>((same_out - 1) * s + span - in, 0);
          for (ndconv_padding mode : {NDCONV_PAD_SAME_UPPER, NDCONV_PAD_SAME_LOWER}) {
            const ndconv_conv_desc d = desc_1d(in, k, s, dil, mode);
            ConvShape shape;
            ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &shape), NDCONV_OK) << ndconv_last_error();
            EXPECT_EQ(shape.out_size[0], same_out) << in << " " << k << " " << s << " " << dil;
            const int64_t small = total / 2, big = total - small;
            EXPECT_EQ(shape.pad_begin[0], mode == NDCONV_PAD_SAME_UPPER ? small : big);
            EXPECT_EQ(shape.pad_end[0], mode == NDCONV_PAD_SAME_UPPER ? big : small);
          }
          // VALID and EXPLICIT: the general formula, or an error when below 1.
          for (int64_t pb = 0; pb <= 2; ++pb)
            for (int64_t pe = 0; pe <= 2; ++pe) {
              ndconv_conv_desc d = desc_1d(in, k, s, dil, NDCONV_PAD_EXPLICIT);
              d.pad_begin[0] = pb;
              d.pad_end[0] = pe;
              int64_t out[NDCONV_MAX_RANK] = {};
              const ndconv_status st = ndconv_conv_output_size(&d, out);
              if (in + pb + pe >= span) {
                ASSERT_EQ(st, NDCONV_OK) << ndconv_last_error();
                EXPECT_EQ(out[0], (in + pb + pe - span) / s + 1);
              } else {
                EXPECT_EQ(st, NDCONV_INVALID_ARGUMENT);
              }
            }
        }
}

TEST(OutputSize, SameKnownValues) {
  // TensorFlow 'same', stride 2 on an even input: pad only at the end.
  ndconv_conv_desc d = desc_1d(6, 3, 2, 1, NDCONV_PAD_SAME_UPPER);
  ConvShape s;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK);
  EXPECT_EQ(s.out_size[0], 3);
  EXPECT_EQ(s.pad_begin[0], 0);
  EXPECT_EQ(s.pad_end[0], 1);
  d.padding = NDCONV_PAD_SAME_LOWER;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK);
  EXPECT_EQ(s.pad_begin[0], 1);
  EXPECT_EQ(s.pad_end[0], 0);
  // Stride larger than the kernel: total padding clamps at 0.
  d = desc_1d(5, 1, 3, 1, NDCONV_PAD_SAME_UPPER);
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK);
  EXPECT_EQ(s.out_size[0], 2);
  EXPECT_EQ(s.pad_begin[0] + s.pad_end[0], 0);
  // A kernel much larger than the input still gives ceil(in / stride).
  d = desc_1d(2, 8, 1, 1, NDCONV_PAD_SAME_UPPER);  // total 7
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK);
  EXPECT_EQ(s.out_size[0], 2);
  EXPECT_EQ(s.pad_begin[0], 3);
  EXPECT_EQ(s.pad_end[0], 4);
}

TEST(OutputSize, PerDimensionAndOnlyUpToRank) {
  ndconv_conv_desc d = {};
  d.rank = 3;
  d.batch = d.in_channels = d.out_channels = 1;
  const int64_t in[] = {9, 10, 11}, k[] = {3, 1, 4}, st[] = {1, 3, 2};
  for (int i = 0; i < 3; ++i) {
    d.in_size[i] = in[i];
    d.kernel[i] = k[i];
    d.stride[i] = st[i];
  }
  d.padding = NDCONV_PAD_SAME_UPPER;
  int64_t out[NDCONV_MAX_RANK];
  for (int64_t& o : out) o = -42;
  ASSERT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK);
  EXPECT_EQ(out[0], 9);
  EXPECT_EQ(out[1], 4);
  EXPECT_EQ(out[2], 6);
  for (int i = 3; i < NDCONV_MAX_RANK; ++i) EXPECT_EQ(out[i], -42) << "entry beyond rank written";
  d.padding = NDCONV_PAD_VALID;
  ASSERT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK);
  EXPECT_EQ(out[0], 7);
  EXPECT_EQ(out[1], 4);
  EXPECT_EQ(out[2], 4);
}

TEST(OutputSize, RankEight) {
  ndconv_conv_desc d = {};
  d.rank = 8;
  d.batch = d.in_channels = d.out_channels = 1;
  for (int i = 0; i < 8; ++i) {
    d.in_size[i] = 3 + i;
    d.kernel[i] = 2;
  }
  int64_t out[NDCONV_MAX_RANK];
  ASSERT_EQ(ndconv_conv_output_size(&d, out), NDCONV_OK);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], 2 + i);
}

// The shape predicates the planners choose by read every spatial dim and
// the resolved padding (SAME padding of a 1x1 kernel is none).
TEST(ConvShapePredicates, PaddingStridePointwiseDepthwise) {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.batch = 1;
  d.in_channels = d.out_channels = 8;
  d.in_size[0] = d.in_size[1] = 6;
  d.kernel[0] = d.kernel[1] = 1;
  ConvShape s;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_TRUE(s.is_pointwise());
  EXPECT_FALSE(s.has_padding());
  EXPECT_FALSE(s.has_stride());
  EXPECT_FALSE(s.is_depthwise());

  d.padding = NDCONV_PAD_SAME_UPPER;  // a 1x1 kernel: SAME pads nothing
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_TRUE(s.is_pointwise());

  d.padding = NDCONV_PAD_EXPLICIT;
  d.pad_end[1] = 1;  // only the last dim's end
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_TRUE(s.has_padding());
  EXPECT_FALSE(s.is_pointwise());
  d.pad_end[1] = 0;

  d.stride[1] = 2;  // a strided 1x1 is still pointwise
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_TRUE(s.has_stride());
  EXPECT_TRUE(s.is_pointwise());
  d.stride[1] = 1;

  d.kernel[1] = 3;
  d.padding = NDCONV_PAD_SAME_UPPER;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_TRUE(s.has_padding());
  EXPECT_FALSE(s.is_pointwise());

  d.groups = 8;  // one channel per group
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_TRUE(s.is_depthwise());
  d.groups = 4;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_FALSE(s.is_depthwise());
  d.groups = 1;  // groups == C_in == 1: an ordinary convolution
  d.in_channels = 1;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&d, &s), NDCONV_OK) << ndconv_last_error();
  EXPECT_FALSE(s.is_depthwise());
}

}  // namespace
