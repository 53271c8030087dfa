// The int8 grouped kernels (kernels/qgrouped_x86.hpp, algorithms/qgrouped.cpp)
// through the public API, under every ISA this CPU runs with the dot-product
// variant on and off: C_in per group 4, 8, 12, 16 (one, two, three, four
// k-groups), outputs per group 1..17 so vectors start, end and straddle
// groups and every channel tail of the 8- and 16-lane vectors shows, every
// pixel tail of the kernel's 4-pixel tile, extreme values, U8 and S8
// input, every output type, guard pages (tests/support/qconv_check), ranks
// 1-3, strides, dilation, padding, XIO, channels-first, a thread pool, and
// the shapes it must leave to the indirect GEMM. S32 is compared bit for bit.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

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

class QGroupedTest : public ndconv::test::IsaDotTest {
 protected:
  void SetUp() override {
    IsaDotTest::SetUp();
    const ndconv::kernels::QKernelTable* table = ndconv::kernels::qkernel_table(isa(), dot());
    has_grouped_ = table && table->grouped_nxc.fn;
    variant_ = table ? table->variant : "";
  }

  // The grouped kernel where the level has it, else the indirect GEMM.
  void expect_grouped(const ndconv::test::QCheckResult& r, ndconv_layout layout) const {
    const std::string suffix = std::string(layout == NDCONV_NCX ? "-ncx/" : "/") + variant_;
    EXPECT_EQ(r.kernel_name, (has_grouped_ ? "int8-grouped" : "int8-indirect-gemm") + suffix);
  }

  bool has_grouped_ = false;
  std::string variant_;
};

// g groups of icg -> ocg channels, 3x3 SAME over h x w.
ndconv_conv_desc grouped(int64_t g, int64_t icg, int64_t ocg, int64_t h = 4, int64_t w = 5,
                         ndconv_layout layout = NDCONV_NXC) {
  return conv2d_desc(layout, g * icg, g * ocg, h, w, 3, 3, g, NDCONV_PAD_SAME_UPPER);
}

TEST_P(QGroupedTest, EveryGroupShapeEveryOutputType) {
  uint64_t seed = 1;
  for (int64_t icg : {4, 8, 12, 16})
    for (int64_t ocg = 1; ocg <= 17; ++ocg)
      for (int64_t g : {2, 3, 5}) {
        if (icg == 16 && ocg == 1 && g == 5) continue;  // fine either way; keep the run short
        for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
          for (ndconv_dtype out : kOutputTypes) {
            SCOPED_TRACE("icg " + std::to_string(icg) + " ocg " + std::to_string(ocg) + " g " + std::to_string(g) +
                         " out " + std::to_string(out));
            ++seed;
            const int32_t zp = in == NDCONV_U8 ? 140 : -7, out_zp = out == NDCONV_S8 ? -3 : 3;
            const auto r = check_qconv(make_qdesc(grouped(g, icg, ocg, 3, 3 + seed % 2), in, out, zp, out_zp), seed,
                                       QFill::kRandom, seed % 3 != 0);
            // A vector's groups may span more than 4 L input bytes (icg 16,
            // ocg 1: 16 groups of 16 bytes): then the GEMM, also correct.
            if (icg * 16 / ocg <= 32) expect_grouped(r, NDCONV_NXC);
          }
      }
}

// Pixels 1..9 in one row: every tail of the kernel's 4-pixel tile, with
// permuted (C_out per group 4, 12) and broadcast (16: whole vectors per group) inputs.
TEST_P(QGroupedTest, EveryPixelTail) {
  uint64_t seed = 200;
  for (int64_t ocg : {4, 12, 16})
    for (int64_t w = 1; w <= 9; ++w)
      for (ndconv_dtype out : {NDCONV_S32, NDCONV_U8}) {
        SCOPED_TRACE("ocg " + std::to_string(ocg) + " w " + std::to_string(w) + " out " + std::to_string(out));
        expect_grouped(check_qconv(make_qdesc(grouped(4, 4, ocg, 1, w), NDCONV_S8, out, -5, 4), ++seed), NDCONV_NXC);
      }
}

// The largest products (a saturating instruction would show), zero points at both ends.
TEST_P(QGroupedTest, ExtremeValues) {
  uint64_t seed = 300;
  for (int64_t icg : {4, 16})
    for (int64_t ocg : {4, 12, 16})  // 16: whole vectors in a group (broadcast, vpshufd)
      for (QFill fill : {QFill::kExtremeHigh, QFill::kExtremeLow})
        for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8}) {
          const int32_t lo = in == NDCONV_U8 ? 0 : -128, hi = in == NDCONV_U8 ? 255 : 127;
          for (int32_t zp : {lo, hi})
            for (ndconv_dtype out : kOutputTypes) {
              SCOPED_TRACE("icg " + std::to_string(icg) + " ocg " + std::to_string(ocg) + " zp " +
                           std::to_string(zp) + " out " + std::to_string(out));
              const int32_t out_zp = out == NDCONV_S8 ? -128 : out == NDCONV_U8 ? 255 : 0;
              ++seed;
              expect_grouped(
                  check_qconv(make_qdesc(grouped(3, icg, ocg), in, out, zp, out_zp), seed, fill, seed % 2 == 0),
                  NDCONV_NXC);
            }
        }
}

ndconv_conv_desc grouped_rank(int rank, int64_t g, int64_t icg, int64_t ocg) {
  ndconv_conv_desc d = {};
  d.rank = rank;
  d.layout = NDCONV_NXC;
  d.batch = 2;
  d.in_channels = g * icg;
  d.out_channels = g * ocg;
  d.groups = g;
  d.padding = NDCONV_PAD_EXPLICIT;
  for (int i = 0; i < rank; ++i) {
    d.in_size[i] = 9 - i;
    d.kernel[i] = 2 + i;
    d.stride[i] = 1 + i % 2;
    d.dilation[i] = 1 + (i == rank - 1);
    d.pad_begin[i] = i;
    d.pad_end[i] = 1;
  }
  return d;
}

TEST_P(QGroupedTest, GeometriesLayouts) {
  uint64_t seed = 700;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (int variant = 0; variant < 6; ++variant) {
      ndconv_conv_desc d = variant < 3 ? grouped_rank(variant + 1, 4, 4, 5) : grouped(6, 8, 3, 7, 6);
      if (variant == 4) d.weight_layout = NDCONV_XIO;
      if (variant == 5) {
        d = conv2d_desc(NDCONV_NXC, 32, 64, 9, 8, 5, 3, 4, NDCONV_PAD_SAME_LOWER, 2);
        d.activation = NDCONV_ACT_RELU;
      }
      d.layout = l;
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
        for (ndconv_dtype out : kOutputTypes) {
          SCOPED_TRACE("variant " + std::to_string(variant) + (l == NDCONV_NCX ? " NCX" : " NXC") + " out " +
                       std::to_string(out));
          expect_grouped(check_qconv(make_qdesc(d, in, out, 9, 2), ++seed), l);
        }
    }
}

TEST_P(QGroupedTest, ThreadPoolGivesTheSameBytes) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  const ndconv_qconv_desc d = make_qdesc(grouped(32, 4, 4, 13, 11), NDCONV_S8, NDCONV_U8, 1, 2);
  EXPECT_EQ(check_qconv(d, 77, QFill::kRandom, true, pool).output, check_qconv(d, 77).output);
  ndconv_threadpool_destroy(pool);
}

// C_in per group not a multiple of 4, or a vector's groups wider than 4 L
// bytes: the indirect GEMM.
TEST_P(QGroupedTest, OtherShapesLeaveTheKernel) {
  uint64_t seed = 1000;
  for (const ndconv_conv_desc& d : {grouped(4, 2, 4), grouped(3, 6, 5), grouped(4, 64, 1)}) {
    const auto r = check_qconv(make_qdesc(d, NDCONV_U8, NDCONV_U8, 5, 1), ++seed);
    EXPECT_EQ(r.kernel_name.rfind("int8-indirect-gemm/", 0), 0u) << r.kernel_name;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QGroupedTest, ::testing::ValuesIn(ndconv::test::isa_dot_params()),
                         ndconv::test::isa_dot_test_name);

}  // namespace
