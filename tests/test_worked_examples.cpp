// Worked examples with known answers, through the public API, with every
// tensor against a guard page.
#include <gtest/gtest.h>

#include <string>

#include <vector>

#include "ndconv/ndconv.h"
#include "ndconv/ndconv.hpp"
#include "tests/support/guarded_buffer.h"

namespace {

using ndconv::test::Guard;
using ndconv::test::GuardedBuffer;

GuardedBuffer guarded(const std::vector<float>& values, Guard guard = Guard::kAfter) {
  GuardedBuffer b(values.size(), guard);
  b.copy_from(values.data());
  return b;
}

// The classic TensorFlow / CS231n conv2d demo: 3-channel 5x5 input, one 3x3
// filter, stride 2, padding 1, no bias.
const std::vector<float> kTfInputNchw = {
    0, 0, 1, 0, 2,  1, 0, 2, 0, 1,  1, 0, 2, 2, 0,  2, 0, 0, 2, 0,  2, 1, 2, 2, 0,   // c1
    2, 1, 2, 1, 1,  2, 1, 2, 0, 1,  0, 2, 1, 0, 1,  1, 2, 2, 2, 2,  0, 1, 2, 0, 1,   // c2
    2, 1, 1, 2, 0,  1, 0, 0, 1, 0,  0, 1, 0, 0, 0,  1, 0, 2, 1, 0,  2, 2, 1, 1, 1};  // c3
const std::vector<float> kTfFilterOihw = {
    0, 1, -1,  0, -1, 0,  0, -1, 1,     // filter channel 1
    -1, 0, 0,  1, -1, 0,  1, -1, 0,     // filter channel 2
    -1, 1, -1,  0, -1, -1,  1, 0, 0};   // filter channel 3
const std::vector<float> kTfExpected = {-8, -8, -3, -3, 1, 0, -3, -8, -5};

ndconv_conv_desc tf_desc(ndconv_layout layout, ndconv_weight_layout wl) {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.layout = layout;
  d.weight_layout = wl;
  d.batch = 1;
  d.in_channels = 3;
  d.out_channels = 1;
  d.in_size[0] = d.in_size[1] = 5;
  d.kernel[0] = d.kernel[1] = 3;
  d.stride[0] = d.stride[1] = 2;
  d.pad_begin[0] = d.pad_begin[1] = d.pad_end[0] = d.pad_end[1] = 1;
  return d;
}

void run_tf_example(ndconv_layout layout, ndconv_weight_layout wl, Guard guard) {
  std::vector<float> input = kTfInputNchw, filter = kTfFilterOihw;
  if (layout == NDCONV_NXC)  // NCHW -> NHWC
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 25; ++p) input[p * 3 + c] = kTfInputNchw[c * 25 + p];
  if (wl == NDCONV_XIO)  // OIHW (O = 1) -> HWIO
    for (int c = 0; c < 3; ++c)
      for (int t = 0; t < 9; ++t) filter[t * 3 + c] = kTfFilterOihw[c * 9 + t];
  const ndconv_conv_desc d = tf_desc(layout, wl);
  GuardedBuffer in = guarded(input, guard), w = guarded(filter, guard), out(9, guard);

  int64_t out_size[NDCONV_MAX_RANK] = {};
  ASSERT_EQ(ndconv_conv_output_size(&d, out_size), NDCONV_OK);
  EXPECT_EQ(out_size[0], 3);
  EXPECT_EQ(out_size[1], 3);
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(ndconv_conv_create(&d, w.data(), nullptr, &conv), NDCONV_OK) << ndconv_last_error();
  ASSERT_EQ(ndconv_conv_run(conv, in.data(), out.data(), nullptr), NDCONV_OK) << ndconv_last_error();
  ndconv_conv_destroy(conv);
  for (size_t i = 0; i < kTfExpected.size(); ++i) EXPECT_EQ(out[i], kTfExpected[i]) << "element " << i;
}

TEST(WorkedExamples, TensorFlowConv2dStride2Pad1Nchw) { run_tf_example(NDCONV_NCX, NDCONV_OIX, Guard::kAfter); }
TEST(WorkedExamples, TensorFlowConv2dStride2Pad1Nhwc) { run_tf_example(NDCONV_NXC, NDCONV_XIO, Guard::kBefore); }
TEST(WorkedExamples, TensorFlowConv2dMixedLayouts) {
  run_tf_example(NDCONV_NXC, NDCONV_OIX, Guard::kAfter);
  run_tf_example(NDCONV_NCX, NDCONV_XIO, Guard::kBefore);
}

// Keras Conv1D over a 6-word sentence of 3-dim embeddings (NWC), one width-2
// filter, stride 2, 'valid': windows (cat, sitting), (there, dog), (resting, here).
TEST(WorkedExamples, Conv1dSentenceStride2Valid) {
  const std::vector<float> sentence = {0.7f, 0.4f, 0.5f,    // cat
                                       0.2f, -0.1f, 0.1f,   // sitting
                                       -0.5f, 0.4f, 0.1f,   // there
                                       0.6f, 0.3f, 0.5f,    // dog
                                       0.3f, -0.1f, 0.2f,   // resting
                                       -0.5f, 0.4f, 0.1f};  // here
  // XIO = [width, in_channels, filters]: tap 0 of channels 0..2, then tap 1.
  const std::vector<float> kernel = {0.6f, 0.4f, 0.5f, 0.2f, -0.1f, 0.2f};
  auto conv = ndconv::ConvBuilder::conv1d(3, 1, 2)
                  .input_size({6})
                  .stride(2)
                  .padding_valid()
                  .channels_last()
                  .weights_xio();
  ASSERT_EQ(conv.output_size(), std::vector<int64_t>{3});
  GuardedBuffer in = guarded(sentence), w = guarded(kernel), out(3);
  conv.build(w.data()).run(in.data(), out.data());
  const float want[] = {0.9f, 0.1f, 0.12f};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out[i], want[i], 1e-6) << "window " << i;
}

// The worked example is a padded 3x3: since issue 7 the general channels-first
// algorithm runs it, named "<algorithm>/<isa>".
TEST(WorkedExamples, KernelNameNamesAlgorithmAndIsa) {
  const ndconv_conv_desc d = tf_desc(NDCONV_NCX, NDCONV_OIX);
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(ndconv_conv_create(&d, kTfFilterOihw.data(), nullptr, &conv), NDCONV_OK);
  EXPECT_EQ(std::string(ndconv_conv_kernel_name(conv)),
            std::string("im2col-panel-gemm/") + ndconv_isa_name(ndconv_current_isa()));
  ndconv_conv_destroy(conv);
  EXPECT_STREQ(ndconv_conv_kernel_name(nullptr), "");
}

}  // namespace
