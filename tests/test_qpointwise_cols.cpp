// int8-pointwise-gemm-cols (algorithms/qpointwise_cols.cpp): channels-first
// pointwise convolutions through the public API, under every ISA this CPU
// runs with the dot-product variant on and off, against the exact reference
// with guard pages after input and output (tests/support/qconv_check): input
// channels 1-13 (groups of 4 and their tails), output channels 1-19 (panels
// and their tails), pixel counts over one and several chunks of both task
// orders (weights in L1 and not), batches, ranks 1-3, XIO weights,
// activations, U8 and S8 input, every output type, a thread pool and the
// shared-chunk path (few pixels, the panels split over tasks), strides.
// Where the level has no cols kernel, or the last tile would leave more
// than an eighth of its lanes idle, the channels-last GEMM runs ("-ncx").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/qkernel_table.h"
#include "ndconv/ndconv.h"
#include "tests/isa_param.h"
#include "tests/support/conv_desc.h"
#include "tests/support/qconv_check.h"

namespace {

using ndconv::test::check_qconv;
using ndconv::test::conv2d_desc;
using ndconv::test::make_qdesc;
using ndconv::test::QFill;

constexpr ndconv_dtype kOutputTypes[] = {NDCONV_S32, NDCONV_U8, NDCONV_S8, NDCONV_F32};

class QPointwiseColsTest : public ndconv::test::IsaDotTest {
 protected:
  void SetUp() override {
    IsaDotTest::SetUp();
    const ndconv::kernels::QKernelTable* table = ndconv::kernels::qkernel_table(isa(), dot());
    cols_nr_ = table && table->gemm_cols_ncx.fn ? static_cast<int64_t>(table->gemm_cols_ncx.nr) : 0;
  }

  // Whether the cols path takes a pointwise NCX shape of `pixels` per image.
  bool takes(int64_t pixels) const {
    if (cols_nr_ == 0) return false;
    const int64_t padded = (pixels + cols_nr_ - 1) / cols_nr_ * cols_nr_;
    return (padded - pixels) * 8 <= padded;
  }

  void expect_path(const ndconv::test::QCheckResult& r, int64_t pixels) const {
    if (takes(pixels))
      EXPECT_EQ(r.kernel_name.rfind("int8-pointwise-gemm-cols/", 0), 0u) << r.kernel_name;
    else
      EXPECT_EQ(r.kernel_name.find("-cols/"), std::string::npos) << r.kernel_name;
  }

  int64_t cols_nr_ = 0;
};

ndconv_conv_desc pw(int64_t k, int64_t n, int64_t h, int64_t w) {
  return conv2d_desc(NDCONV_NCX, k, n, h, w, 1, 1, 1, NDCONV_PAD_VALID);
}

// Every K <= 13 and N <= 19 over 4 x 16 pixels (two 32-pixel tiles).
TEST_P(QPointwiseColsTest, EveryChannelCount) {
  uint64_t seed = 1;
  for (int64_t k = 1; k <= 13; ++k)
    for (int64_t n = 1; n <= 19; ++n) {
      SCOPED_TRACE("K " + std::to_string(k) + " N " + std::to_string(n));
      ++seed;
      const ndconv_dtype in = seed % 2 ? NDCONV_U8 : NDCONV_S8;
      const ndconv_dtype out = kOutputTypes[seed % 4];
      expect_path(check_qconv(make_qdesc(pw(k, n, 4, 16), in, out, in == NDCONV_U8 ? 131 : -5, out == NDCONV_S8 ? -2 : 7),
                              seed, QFill::kRandom, seed % 3 != 0),
                  64);
    }
}

// Pixel counts the path takes (a last tile at least 7/8 full) and a few it
// leaves, every output type and both input types, extreme values.
TEST_P(QPointwiseColsTest, PixelCountsOutputTypesExtremes) {
  uint64_t seed = 300;
  for (int64_t pixels : {1, 28, 29, 31, 32, 49, 57, 63, 96, 160, 250})
    for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
      for (ndconv_dtype out : kOutputTypes) {
        SCOPED_TRACE("pixels " + std::to_string(pixels) + " out " + std::to_string(out));
        ++seed;
        const QFill fill = seed % 3 == 0 ? QFill::kExtremeHigh : seed % 3 == 1 ? QFill::kExtremeLow : QFill::kRandom;
        const int32_t zp = fill == QFill::kExtremeHigh ? (in == NDCONV_U8 ? 0 : -128) : (in == NDCONV_U8 ? 255 : 127);
        expect_path(check_qconv(make_qdesc(pw(9, 10, 1, pixels), in, out, zp, out == NDCONV_S8 ? -128 : 255), seed,
                                fill),
                    pixels);
      }
}

// Weights past L1 (each panel against a chunk of tiles) over several chunks,
// and weights in L1 (each tile against every panel) over several tiles,
// batches, with and without a pool.
TEST_P(QPointwiseColsTest, BothTaskOrdersBatchesAndAPool) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  uint64_t seed = 500;
  // 257 x 130 weights: 33 KiB, over 3 chunks of up to 768 pixels; 40 x 20:
  // 800 bytes, chunks of 64 pixels.
  struct Case {
    int64_t k, n, h, w, batch;
  };
  for (const Case& c : {Case{257, 130, 40, 48, 1}, Case{40, 20, 31, 32, 3}, Case{64, 33, 1, 32, 1}}) {
    ndconv_conv_desc d = pw(c.k, c.n, c.h, c.w);
    d.batch = c.batch;
    SCOPED_TRACE("K " + std::to_string(c.k) + " N " + std::to_string(c.n));
    const ndconv_qconv_desc q = make_qdesc(d, NDCONV_U8, NDCONV_U8, 77, 9);
    const auto alone = check_qconv(q, ++seed);
    expect_path(alone, c.h * c.w);
    const auto pooled = check_qconv(q, seed, QFill::kRandom, true, pool);
    EXPECT_EQ(pooled.output, alone.output);
  }
  ndconv_threadpool_destroy(pool);
}

// Ranks 1 and 3, XIO weights, RELU and CLAMP.
TEST_P(QPointwiseColsTest, RanksWeightLayoutsActivations) {
  uint64_t seed = 700;
  for (int variant = 0; variant < 4; ++variant) {
    ndconv_conv_desc d = pw(6, 11, 4, 8);
    if (variant == 0) {  // rank 1, 64 pixels
      d.rank = 1;
      d.in_size[0] = 64;
    }
    if (variant == 1) {  // rank 3, 4 x 8 x 2 pixels
      d.rank = 3;
      d.in_size[2] = 2;
      d.kernel[2] = d.stride[2] = d.dilation[2] = 1;
      d.weight_layout = NDCONV_XIO;
    }
    if (variant == 2) d.activation = NDCONV_ACT_RELU;
    if (variant == 3) {
      d.activation = NDCONV_ACT_CLAMP;
      d.act_min = -0.5f;
      d.act_max = 0.75f;
    }
    for (ndconv_dtype out : kOutputTypes) {
      if (variant == 3 && out == NDCONV_S32) continue;  // CLAMP needs a scaled output
      SCOPED_TRACE("variant " + std::to_string(variant) + " out " + std::to_string(out));
      expect_path(check_qconv(make_qdesc(d, NDCONV_S8, out, 3, 4), ++seed), variant == 0 ? 64 : variant == 1 ? 64 : 32);
    }
  }
}

// Strided shapes (each chunk's pixels gathered before the interleave): step
// 2 and other steps, per dimension, ranks 1-3, chunks that start and end
// inside an output line, both task orders, a batch and a pool.
TEST_P(QPointwiseColsTest, Strides) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  struct Case {
    int rank;
    int64_t k, n, batch, in[3], stride[3];
  };
  const Case cases[] = {
      {2, 9, 10, 1, {9, 130}, {2, 2}},          // 5 x 65 pixels: chunks cross lines
      {2, 13, 19, 2, {8, 64}, {1, 2}},          // 8 x 32
      {2, 6, 7, 1, {16, 32}, {3, 1}},           // 6 x 32: whole input lines skipped
      {1, 5, 3, 1, {190}, {3}},                 // 64
      {3, 8, 5, 1, {4, 8, 16}, {2, 2, 2}},      // 2 x 4 x 8
      {2, 257, 130, 1, {24, 64}, {2, 2}},       // 12 x 32, weights past L1
      {2, 40, 20, 3, {31, 63}, {2, 2}},         // 16 x 32, three images
  };
  uint64_t seed = 900;
  for (const Case& c : cases) {
    ndconv_conv_desc d = pw(c.k, c.n, 1, 1);
    d.rank = c.rank;
    d.batch = c.batch;
    int64_t pixels = 1;
    for (int i = 0; i < c.rank; ++i) {
      d.in_size[i] = c.in[i];
      d.kernel[i] = d.dilation[i] = 1;
      d.stride[i] = c.stride[i];
      pixels *= (c.in[i] - 1) / c.stride[i] + 1;
    }
    SCOPED_TRACE("K " + std::to_string(c.k) + " N " + std::to_string(c.n) + " pixels " + std::to_string(pixels));
    for (ndconv_dtype out : kOutputTypes) {
      const ndconv_qconv_desc q = make_qdesc(d, ++seed % 2 ? NDCONV_U8 : NDCONV_S8, out, 5, out == NDCONV_S8 ? -3 : 6);
      const auto alone = check_qconv(q, seed);
      expect_path(alone, pixels);
      const auto pooled = check_qconv(q, seed, QFill::kRandom, true, pool);
      EXPECT_EQ(pooled.output, alone.output);
    }
  }
  ndconv_threadpool_destroy(pool);
}

INSTANTIATE_TEST_SUITE_P(Isa, QPointwiseColsTest, ::testing::ValuesIn(ndconv::test::isa_dot_params()),
                         ndconv::test::isa_dot_test_name);

}  // namespace
