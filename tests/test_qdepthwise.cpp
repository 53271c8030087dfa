// The int8 depthwise convolution's SIMD kernels (kernels/qdepthwise_*.hpp,
// algorithms/qdepthwise.cpp) through the public API, under every ISA this
// CPU runs with the dot-product variant on and off: every channel tail of
// the 16- and 32-channel tiles (C = 2..70), extreme values, U8 and S8
// input, every output type, guard pages after input and output
// (tests/support/qconv_check), ranks 1-3, strides, dilation, asymmetric
// padding, odd and even tap counts, channel multipliers > 1, channels-first,
// and the plain C++ path for more taps than a task's row pointers hold.
// S32 output is compared bit for bit with the exact integer reference.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "api/qconv_shape.h"
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

// (ISA, dot product on): the avx512 / avx512-vnni and avx2 / avx2-vnni
// kernels differ (vpmaddwd + vpaddd or vpdpwssd).
class QDepthwiseTest : public ndconv::test::IsaDotTest {
 protected:
  void SetUp() override {
    IsaDotTest::SetUp();
    const ndconv::kernels::QKernelTable* table = ndconv::kernels::qkernel_table(isa(), dot());
    // The plan names the table's variant where the level has a depthwise
    // kernel (every x86 level but scalar), else the plain C++ path.
    variant_ = table && table->depthwise_nxc.fn ? table->variant : "scalar";
  }

  void expect_name(const ndconv::test::QCheckResult& r, ndconv_layout layout) const {
    const std::string want = std::string(layout == NDCONV_NCX ? "int8-depthwise-ncx/" : "int8-depthwise/") + variant_;
    EXPECT_EQ(r.kernel_name, want);
  }

  std::string variant_;
};

// A depthwise 3x3 SAME over a small image with C channels (multiplier m).
ndconv_conv_desc dw3x3(int64_t c, int64_t m = 1, ndconv_layout layout = NDCONV_NXC) {
  return conv2d_desc(layout, c, c * m, 4, 5, 3, 3, c, NDCONV_PAD_SAME_UPPER);
}

TEST_P(QDepthwiseTest, EveryChannelTailEveryOutputType) {
  uint64_t seed = 1;
  for (int64_t c = 2; c <= 70; ++c)  // C = 1 is a plain convolution (groups 1)
    for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
      for (ndconv_dtype out : kOutputTypes) {
        SCOPED_TRACE("C " + std::to_string(c) + " in " + std::to_string(in) + " out " + std::to_string(out));
        ++seed;
        const auto r = check_qconv(make_qdesc(dw3x3(c), in, out, in == NDCONV_U8 ? 140 : -7, 3), seed,
                                   QFill::kRandom, seed % 3 != 0);
        expect_name(r, NDCONV_NXC);
      }
}

// x = 255 / 127 against w = -128 / 127 and x = 0 / -128: the largest pair
// sums (a saturating instruction would show), zero points at both ends.
TEST_P(QDepthwiseTest, ExtremeValuesOnEveryTail) {
  uint64_t seed = 300;
  for (int64_t c : {2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 97, 128, 144})
    for (QFill fill : {QFill::kExtremeHigh, QFill::kExtremeLow})
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8}) {
        const int32_t lo = in == NDCONV_U8 ? 0 : -128, hi = in == NDCONV_U8 ? 255 : 127;
        for (int32_t zp : {lo, hi})
          for (ndconv_dtype out : kOutputTypes) {
            SCOPED_TRACE("C " + std::to_string(c) + " zp " + std::to_string(zp) + " out " + std::to_string(out));
            const int32_t out_zp = out == NDCONV_S8 ? -128 : out == NDCONV_U8 ? 255 : 0;
            ++seed;
            expect_name(check_qconv(make_qdesc(dw3x3(c), in, out, zp, out_zp), seed, fill, seed % 2 == 0),
                        NDCONV_NXC);
          }
      }
}

struct Geometry {
  const char* name;
  ndconv_conv_desc conv;
};

ndconv_conv_desc dw_rank(int rank, int64_t c, int64_t m) {
  ndconv_conv_desc d = {};
  d.rank = rank;
  d.layout = NDCONV_NXC;
  d.batch = 2;
  d.in_channels = c;
  d.out_channels = c * m;
  d.groups = c;
  d.padding = NDCONV_PAD_EXPLICIT;
  for (int i = 0; i < rank; ++i) {
    d.in_size[i] = 9 - i;
    d.kernel[i] = 2 + i;     // 2, 3, 4: even and odd tap counts
    d.stride[i] = 1 + i % 2;
    d.dilation[i] = 1 + (i == rank - 1);
    d.pad_begin[i] = i;      // asymmetric
    d.pad_end[i] = 1;
  }
  return d;
}

std::vector<Geometry> geometries() {
  std::vector<Geometry> v;
  // 37, 100: the dot-product form's masked last block (more than 32
  // channels); 74, 200: whole blocks and a tail of the tap-pair path.
  for (int64_t c : {5, 19, 37, 100})
    for (int rank = 1; rank <= 3; ++rank) {
      v.push_back({"rank", dw_rank(rank, c, 1)});
      v.push_back({"rank_x2", dw_rank(rank, c, 2)});
    }
  v.push_back({"1tap", conv2d_desc(NDCONV_NXC, 21, 21, 5, 6, 1, 1, 21, NDCONV_PAD_VALID)});
  v.push_back({"5x5_stride2", conv2d_desc(NDCONV_NXC, 40, 40, 11, 9, 5, 5, 40, NDCONV_PAD_SAME_LOWER, 2)});
  v.push_back({"1tap_wide", conv2d_desc(NDCONV_NXC, 80, 80, 5, 6, 1, 1, 80, NDCONV_PAD_VALID)});
  v.push_back({"5x5_wide", conv2d_desc(NDCONV_NXC, 100, 100, 7, 9, 5, 5, 100, NDCONV_PAD_SAME_UPPER)});
  v.push_back({"x3_tail", dw3x3(11, 3)});
  v.push_back({"x5_tiles", dw3x3(7, 5)});  // 35 output channels from 7
  v.push_back({"valid", conv2d_desc(NDCONV_NXC, 33, 33, 6, 6, 3, 3, 33, NDCONV_PAD_VALID)});
  v.push_back({"xio", dw3x3(18)});
  v.back().conv.weight_layout = NDCONV_XIO;
  return v;
}

TEST_P(QDepthwiseTest, GeometriesMultipliersLayouts) {
  uint64_t seed = 700;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (Geometry g : geometries()) {
      g.conv.layout = l;
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
        for (ndconv_dtype out : kOutputTypes) {
          SCOPED_TRACE(std::string(g.name) + " C " + std::to_string(g.conv.in_channels) + " x" +
                       std::to_string(g.conv.out_channels / g.conv.in_channels) + " rank " +
                       std::to_string(g.conv.rank) + (l == NDCONV_NCX ? " NCX" : " NXC") + " out " +
                       std::to_string(out));
          const int32_t zp = in == NDCONV_U8 ? 77 : 20, out_zp = out == NDCONV_S8 ? -2 : 5;
          expect_name(check_qconv(make_qdesc(g.conv, in, out, zp, out_zp), ++seed), l);
        }
    }
}

// The sliding form (AVX512-VNNI and AVX-VNNI, U8/S8 output): 3 taps across
// at stride and dilation 1, 3 or 4 kernel rows; whole blocks of 64 or 32,
// the overlapping last block (zmm) and the tap-pair path's tail (ymm); runs
// of 1 to 38 pixels, split by the 64-pixel tasks;
// strided and dilated rows, a third dim, a multiplier. Every other output
// type and ISA runs the same shapes through its own path.
std::vector<Geometry> sliding_geometries() {
  std::vector<Geometry> v;
  for (int64_t c : {64, 100, 130, 144})
    v.push_back({"3x3_wide", conv2d_desc(NDCONV_NXC, c, c, 6, 40, 3, 3, c, NDCONV_PAD_SAME_UPPER)});
  v.push_back({"4x3", conv2d_desc(NDCONV_NXC, 96, 96, 7, 11, 4, 3, 96, NDCONV_PAD_SAME_LOWER)});
  v.push_back({"run_of_1", conv2d_desc(NDCONV_NXC, 64, 64, 5, 3, 3, 3, 64, NDCONV_PAD_SAME_UPPER)});
  v.push_back({"valid_x2", conv2d_desc(NDCONV_NXC, 40, 80, 5, 9, 3, 3, 40, NDCONV_PAD_VALID)});
  ndconv_conv_desc d = conv2d_desc(NDCONV_NXC, 72, 72, 9, 13, 3, 3, 72, NDCONV_PAD_EXPLICIT);
  d.stride[0] = 2;
  d.dilation[0] = 2;
  d.pad_begin[0] = 2;
  d.pad_end[0] = 1;
  d.pad_begin[1] = 1;
  d.pad_end[1] = 0;
  v.push_back({"rows_strided_dilated", d});
  d = dw_rank(3, 65, 1);
  for (int i = 0; i < 3; ++i) {
    d.in_size[i] = 5 + i;
    d.kernel[i] = i == 0 ? 1 : 3;
    d.stride[i] = i == 1 ? 2 : 1;
    d.dilation[i] = 1;
  }
  v.push_back({"rank3_1x3x3", d});
  return v;
}

TEST_P(QDepthwiseTest, SlidingFormGeometries) {
  uint64_t seed = 900;
  for (const Geometry& g : sliding_geometries())
    for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
      for (ndconv_dtype out : kOutputTypes)
        for (QFill fill : {QFill::kRandom, QFill::kExtremeHigh}) {
          SCOPED_TRACE(std::string(g.name) + " C " + std::to_string(g.conv.out_channels) + " in " +
                       std::to_string(in) + " out " + std::to_string(out));
          const int32_t zp = in == NDCONV_U8 ? 201 : -90, out_zp = out == NDCONV_S8 ? 3 : 128;
          ++seed;
          expect_name(check_qconv(make_qdesc(g.conv, in, out, zp, out_zp), seed, fill, seed % 2 == 0), NDCONV_NXC);
        }
}

// A thread pool splits the pixels and the multiplier's expansion: same bytes.
TEST_P(QDepthwiseTest, ThreadPoolGivesTheSameBytes) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  for (int64_t m : {1, 2}) {
    ndconv_conv_desc c = conv2d_desc(NDCONV_NXC, 45, 45 * m, 21, 17, 3, 3, 45, NDCONV_PAD_SAME_UPPER);
    const ndconv_qconv_desc d = make_qdesc(c, NDCONV_S8, NDCONV_U8, 1, 2);
    EXPECT_EQ(check_qconv(d, 77, QFill::kRandom, true, pool).output, check_qconv(d, 77).output);
  }
  ndconv_threadpool_destroy(pool);
}

// Channels-first runs channels-last a slab of channels at a time
// (algorithms/qdepthwise_slabs.h): several slabs (whole blocks of the
// kernel's channel block, the last one taking the rest, with less than a
// block joining it), one slab per image (a batch, or the single-task path of
// one image), multipliers, both weight layouts, strides, a pool of 3
// threads; pixel counts that are not multiples of the byte transposer's
// 16 x 16 tile. Every output checked against the exact reference.
TEST_P(QDepthwiseTest, ChannelsFirstSlabs) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  uint64_t seed = 1200;
  for (int64_t c : {17, 130, 144, 200, 260})
    for (int64_t m : {1, 2})
      for (int64_t batch : {1, 2}) {
        ndconv_conv_desc d = conv2d_desc(NDCONV_NCX, c, c * m, 7 + batch, 9, 3, 3, c, NDCONV_PAD_SAME_UPPER,
                                         m == 2 ? 2 : 1);
        d.batch = batch;
        d.weight_layout = seed % 2 ? NDCONV_XIO : NDCONV_OIX;
        for (ndconv_dtype out : kOutputTypes) {
          SCOPED_TRACE("C " + std::to_string(c) + " x" + std::to_string(m) + " batch " + std::to_string(batch) +
                       " out " + std::to_string(out));
          ++seed;
          const ndconv_dtype in = seed % 2 ? NDCONV_U8 : NDCONV_S8;
          const ndconv_qconv_desc q = make_qdesc(d, in, out, in == NDCONV_U8 ? 140 : -3, out == NDCONV_S8 ? -9 : 4);
          const auto r = check_qconv(q, seed, QFill::kRandom, true, seed % 3 == 0 ? pool : nullptr);
          expect_name(r, NDCONV_NCX);
        }
      }
  ndconv_threadpool_destroy(pool);
}

// One pixel's taps fill the row pointers' stack array (4096) at most: a
// kernel of 4000 taps runs one pixel per kernel call, 4100 the plain C++ path.
TEST_P(QDepthwiseTest, VeryManyTaps) {
  for (int64_t k : {4000, 4100}) {
    ndconv_conv_desc d = {};
    d.rank = 1;
    d.layout = NDCONV_NXC;
    d.batch = 1;
    d.in_channels = d.out_channels = d.groups = 3;
    d.in_size[0] = k + 20;
    d.kernel[0] = k;
    const auto r = check_qconv(make_qdesc(d, NDCONV_U8, NDCONV_S32, 9, 0), 5);
    EXPECT_EQ(r.kernel_name, std::string("int8-depthwise/") + (k > 4096 ? "scalar" : variant_)) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QDepthwiseTest, ::testing::ValuesIn(ndconv::test::isa_dot_params()),
                         ndconv::test::isa_dot_test_name);

}  // namespace
