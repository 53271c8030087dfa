// The int8 pointwise stream kernels (kernels/qpointwise_stream_*.hpp,
// algorithms/qpointwise_stream.cpp) through the public API, under every ISA
// this CPU runs with the dot-product variant on and off: every pixel tail
// of the 8- and 16-pixel blocks, every K <= 4 and N <= 16 (every lane
// pattern), extreme values, U8 and S8 input, every output type, guard pages
// after input and output (tests/support/qconv_check), batches, ranks 1-3,
// XIO weights, activations, channels-first, a thread pool, and the shapes
// the stream must leave to the GEMM. S32 is compared bit for bit.
#include <gtest/gtest.h>

#include <cfenv>
#include <string>
#include <tuple>
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

class QPointwiseStreamTest : public ndconv::test::IsaDotTest {
 protected:
  void SetUp() override {
    IsaDotTest::SetUp();
    const ndconv::kernels::QKernelTable* table = ndconv::kernels::qkernel_table(isa(), dot());
    has_stream_ = table && table->pointwise_stream_nxc.fn;
    has_cols_ = table && table->gemm_cols_ncx.fn;
    variant_ = table ? table->variant : "";
  }

  // The stream where the level has it, else the pointwise GEMM. Channels-
  // first shapes the cols GEMM takes (tests/test_qpointwise_cols.cpp) leave
  // the stream.
  void expect_stream(const ndconv::test::QCheckResult& r, ndconv_layout layout) const {
    if (layout == NDCONV_NCX && r.kernel_name.rfind("int8-pointwise-gemm-cols/", 0) == 0) {
      EXPECT_TRUE(has_cols_) << r.kernel_name;
      return;
    }
    const std::string suffix = std::string(layout == NDCONV_NCX ? "-ncx/" : "/") + variant_;
    EXPECT_EQ(r.kernel_name, (has_stream_ ? "int8-pointwise-stream" : "int8-pointwise-gemm") + suffix);
  }

  bool has_stream_ = false, has_cols_ = false;
  std::string variant_;
};

// K -> N pointwise over an h x w image.
ndconv_conv_desc pw(int64_t k, int64_t n, int64_t h, int64_t w, ndconv_layout layout = NDCONV_NXC) {
  return conv2d_desc(layout, k, n, h, w, 1, 1, 1, NDCONV_PAD_VALID);
}

// Pixels 1..40: every tail of a 16-pixel (and 8-pixel) block, blocks before it.
TEST_P(QPointwiseStreamTest, EveryPixelTailEveryOutputType) {
  uint64_t seed = 1;
  for (int64_t pixels = 1; pixels <= 40; ++pixels)
    for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
      for (ndconv_dtype out : kOutputTypes) {
        SCOPED_TRACE("pixels " + std::to_string(pixels) + " in " + std::to_string(in) + " out " +
                     std::to_string(out));
        ++seed;
        const auto r = check_qconv(make_qdesc(pw(3, 5, 1, pixels), in, out, in == NDCONV_U8 ? 140 : -7, 3), seed,
                                   QFill::kRandom, seed % 3 != 0);
        expect_stream(r, NDCONV_NXC);
      }
}

// Every (K, N): each N has its own lane patterns (pixel e / N, channel e % N).
TEST_P(QPointwiseStreamTest, EveryChannelCount) {
  uint64_t seed = 100;
  for (int64_t k = 1; k <= 4; ++k)
    for (int64_t n = 1; n <= 16; ++n)
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
        for (ndconv_dtype out : kOutputTypes) {
          SCOPED_TRACE("K " + std::to_string(k) + " N " + std::to_string(n) + " out " + std::to_string(out));
          ++seed;
          expect_stream(check_qconv(make_qdesc(pw(k, n, 3, 13), in, out, in == NDCONV_U8 ? 3 : 100, out == NDCONV_S8 ? -1 : 1), seed),
                        NDCONV_NXC);
        }
}

// The largest products (a saturating instruction would show), zero points at both ends.
TEST_P(QPointwiseStreamTest, ExtremeValues) {
  uint64_t seed = 300;
  for (int64_t k : {1, 3, 4})
    for (int64_t n : {1, 5, 16})
      for (QFill fill : {QFill::kExtremeHigh, QFill::kExtremeLow})
        for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8}) {
          const int32_t lo = in == NDCONV_U8 ? 0 : -128, hi = in == NDCONV_U8 ? 255 : 127;
          for (int32_t zp : {lo, hi})
            for (ndconv_dtype out : kOutputTypes) {
              SCOPED_TRACE("K " + std::to_string(k) + " N " + std::to_string(n) + " zp " + std::to_string(zp) +
                           " out " + std::to_string(out));
              const int32_t out_zp = out == NDCONV_S8 ? -128 : out == NDCONV_U8 ? 255 : 0;
              ++seed;
              expect_stream(check_qconv(make_qdesc(pw(k, n, 2, 9), in, out, zp, out_zp), seed, fill, seed % 2 == 0),
                            NDCONV_NXC);
            }
        }
}

// Batches (one stream across images), ranks 1 and 3, XIO, activations, NCX.
TEST_P(QPointwiseStreamTest, GeometriesLayoutsActivations) {
  uint64_t seed = 700;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (int variant = 0; variant < 5; ++variant) {
      ndconv_conv_desc d = pw(3, 5, 7, 11, l);
      if (variant == 0) d.batch = 3;
      if (variant == 1) d.weight_layout = NDCONV_XIO;
      if (variant == 2) d.activation = NDCONV_ACT_RELU;
      if (variant == 3) {
        d.activation = NDCONV_ACT_CLAMP;
        d.act_min = -0.5f;
        d.act_max = 0.75f;
      }
      if (variant == 4) {  // rank 3, then rank 1 below
        d.rank = 3;
        d.in_size[2] = 3;
        d.kernel[2] = d.stride[2] = d.dilation[2] = 1;
      }
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
        for (ndconv_dtype out : kOutputTypes) {
          if (variant == 3 && out == NDCONV_S32) continue;  // CLAMP needs a scaled output
          SCOPED_TRACE("variant " + std::to_string(variant) + (l == NDCONV_NCX ? " NCX" : " NXC") + " out " +
                       std::to_string(out));
          expect_stream(check_qconv(make_qdesc(d, in, out, 9, 2), ++seed), l);
        }
    }
  ndconv_conv_desc d = {};
  d.rank = 1;
  d.layout = NDCONV_NXC;
  d.batch = 2;
  d.in_channels = 2;
  d.out_channels = 7;
  d.groups = 1;
  d.in_size[0] = 29;
  d.kernel[0] = d.stride[0] = d.dilation[0] = 1;
  expect_stream(check_qconv(make_qdesc(d, NDCONV_S8, NDCONV_S32, -3, 0), 900), NDCONV_NXC);
}

// Tasks of 2048 pixels split the stream: the same bytes with a pool.
TEST_P(QPointwiseStreamTest, ThreadPoolGivesTheSameBytes) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  const ndconv_qconv_desc d = make_qdesc(pw(3, 5, 67, 71), NDCONV_U8, NDCONV_U8, 1, 2);
  EXPECT_EQ(check_qconv(d, 77, QFill::kRandom, true, pool).output, check_qconv(d, 77).output);
  ndconv_threadpool_destroy(pool);
}

// The caller's rounding mode never changes a byte. The AVX2 stream's fast
// epilogue rounds in the caller's mode and runs only in round-to-nearest; in
// the directed modes a scalar path computes the same bytes: random data over
// tails, channel counts, input and output types against round-to-nearest.
TEST_P(QPointwiseStreamTest, SameBytesInEveryRoundingMode) {
  uint64_t seed = 1200;
  for (int64_t k : {1, 3, 4})
    for (int64_t n : {1, 5, 16})
      for (int64_t pixels : {7, 40, 133})
        for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
          for (ndconv_dtype out : {NDCONV_U8, NDCONV_S8}) {
            SCOPED_TRACE("K " + std::to_string(k) + " N " + std::to_string(n) + " pixels " + std::to_string(pixels) +
                         " in " + std::to_string(in) + " out " + std::to_string(out));
            const ndconv_qconv_desc d = make_qdesc(pw(k, n, 1, pixels), in, out, 17, out == NDCONV_S8 ? -3 : 9);
            const auto nearest = check_qconv(d, ++seed);
            expect_stream(nearest, NDCONV_NXC);
            for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
              ASSERT_EQ(std::fesetround(mode), 0);
              const auto other = check_qconv(d, seed);
              std::fesetround(FE_TONEAREST);
              EXPECT_EQ(other.output, nearest.output) << "rounding mode " << mode;
            }
          }
}

// Where the float-first requantization (the x86 epilogues and streams:
// kernels/qgemm_args.h) and the exact one differ, each path gives its own in
// every rounding mode. Input at its zero point: acc = bias. Channel 0: acc =
// 2^24 + 2^17 + 1 (not a float; float(acc) = 2^24 + 2^17, a tie to even),
// scale 2^-18: float first 64.5 -> 64, exact 64.5 + 2^-18 -> 65. Channel 1:
// acc = 3, scale float(1/6): the product 0.5 + 1.5e-8 rounds to the float
// 0.5 -> 0, exact -> 1; upward, the float product would be 0.5 + 2^-24 -> 1.
// Channels 2 and 3 the same negated; channel 4 (0.7 -> 1) where both agree.
TEST_P(QPointwiseStreamTest, FloatFirstAndExactRequantizationInEveryRoundingMode) {
  const int32_t bias[5] = {16908289, 3, -16908289, -3, 7};
  const float weight_scale[5] = {1.0f / 262144.0f, 1.0f / 6.0f, 1.0f / 262144.0f, 1.0f / 6.0f, 0.1f};
  const int32_t zp = 100;
  const int float_first[5] = {64, 0, -64, 0, 1}, exact[5] = {65, 1, -65, -1, 1};
  ndconv_qconv_desc d = {};
  d.conv = pw(3, 5, 3, 11);  // batch 2: 66 pixels
  d.input_type = NDCONV_U8;
  d.output_type = NDCONV_U8;
  d.input_scale = 1.0f;
  d.input_zero_point = 60;
  d.weight_scale_count = 5;
  d.output_scale = 1.0f;
  d.output_zero_point = zp;
  const std::vector<int8_t> w = {37, -128, 127, 5, 0, -1, 90, 90, 90, -7, 3, 1, 127, 127, 127};
  const std::vector<uint8_t> x(2 * 3 * 11 * 3, 60);
  for (int mode : {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    ndconv_qconv* plan = nullptr;
    ASSERT_EQ(ndconv_qconv_create(&d, w.data(), weight_scale, bias, &plan), NDCONV_OK) << ndconv_last_error();
    const std::string kernel = ndconv_qconv_kernel_name(plan);
    std::vector<uint8_t> y(2 * 3 * 11 * 5, 0);
    ASSERT_EQ(std::fesetround(mode), 0);
    const ndconv_status st = ndconv_qconv_run(plan, x.data(), y.data(), nullptr);
    std::fesetround(FE_TONEAREST);
    ndconv_qconv_destroy(plan);
    ASSERT_EQ(st, NDCONV_OK);
    const bool first = kernel.rfind("int8-pointwise-stream/", 0) == 0 || kernel.find("/avx512") != std::string::npos ||
                       kernel.find("/avx2") != std::string::npos;
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(y[i], zp + (first ? float_first : exact)[i % 5]) << kernel << " mode " << mode << " [" << i << "]";
  }
}

// K = 5, N = 17, stride 2, padding, groups: the pointwise GEMM, not the stream.
TEST_P(QPointwiseStreamTest, OtherShapesLeaveTheStream) {
  ndconv_conv_desc strided = pw(3, 5, 9, 9);
  strided.stride[0] = strided.stride[1] = 2;
  ndconv_conv_desc grouped = pw(4, 4, 5, 5);
  grouped.groups = 2;
  uint64_t seed = 1000;
  for (const ndconv_conv_desc& d : {pw(5, 5, 4, 7), pw(3, 17, 4, 7), strided, grouped}) {
    const auto r = check_qconv(make_qdesc(d, NDCONV_U8, NDCONV_U8, 5, 1), ++seed);
    EXPECT_EQ(r.kernel_name.rfind("int8-pointwise-gemm/", 0), 0u) << r.kernel_name;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QPointwiseStreamTest, ::testing::ValuesIn(ndconv::test::isa_dot_params()),
                         ndconv::test::isa_dot_test_name);

}  // namespace
