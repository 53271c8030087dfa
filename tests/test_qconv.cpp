// The int8 convolution through the public API, under every ISA this CPU runs
// and with the int8 dot-product instructions on and off: every algorithm's
// shapes (pointwise, general/indirect, n-gram, depthwise, grouped, both
// layouts, ranks 1-3, stride, dilation, SAME, M/N tails, K not a multiple of
// 4), every output type and activation, u8 and s8 input, extreme values and
// zero points, against the exact integer reference (tests/support/qconv_check).
#include <gtest/gtest.h>

#include <cfenv>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "ndconv/ndconv.h"
#include "api/qconv_shape.h"
#include "kernels/qkernel_table.h"
#include "tests/isa_param.h"
#include "tests/support/conv_desc.h"
#include "tests/support/qconv_check.h"

namespace {

using ndconv::test::check_qconv;
using ndconv::test::conv2d_desc;
using ndconv::test::make_qdesc;
using ndconv::test::QFill;

struct NamedConv {
  const char* name;
  ndconv_conv_desc conv;
};

ndconv_conv_desc conv1d(ndconv_layout layout, int64_t cin, int64_t cout, int64_t len, int64_t k,
                        int64_t stride = 1, int64_t dilation = 1, ndconv_padding pad = NDCONV_PAD_VALID) {
  ndconv_conv_desc d = {};
  d.rank = 1;
  d.layout = layout;
  d.batch = 2;
  d.in_channels = cin;
  d.out_channels = cout;
  d.in_size[0] = len;
  d.kernel[0] = k;
  d.stride[0] = stride;
  d.dilation[0] = dilation;
  d.padding = pad;
  return d;
}

// The text-CNN Conv2D form: a (k, E) kernel over an [L, E] "image" of 1 channel.
ndconv_conv_desc text_conv2d(ndconv_layout layout, int64_t len, int64_t embed, int64_t k, int64_t f) {
  ndconv_conv_desc d = conv2d_desc(layout, 1, f, len, embed, k, embed, 1, NDCONV_PAD_VALID);
  return d;
}

ndconv_conv_desc conv3d(ndconv_layout layout) {
  ndconv_conv_desc d = {};
  d.rank = 3;
  d.layout = layout;
  d.weight_layout = NDCONV_XIO;
  d.batch = 1;
  d.in_channels = 5;
  d.out_channels = 6;
  for (int i = 0; i < 3; ++i) {
    d.in_size[i] = 5 + i;
    d.kernel[i] = 3;
    d.pad_begin[i] = 1;
    d.pad_end[i] = i;
  }
  d.dilation[2] = 2;
  return d;
}

std::vector<NamedConv> shapes(ndconv_layout l) {
  std::vector<NamedConv> v = {
      {"pointwise", conv2d_desc(l, 16, 24, 5, 7, 1, 1, 1, NDCONV_PAD_VALID)},
      {"pointwise_tails", conv2d_desc(l, 13, 37, 3, 5, 1, 1, 1, NDCONV_PAD_VALID)},
      {"pointwise_strided", conv2d_desc(l, 8, 17, 7, 7, 1, 1, 1, NDCONV_PAD_VALID, 2)},
      // 64 pixels, channels-first: the cols GEMM where the level has it.
      {"pointwise_cols", conv2d_desc(l, 20, 19, 4, 16, 1, 1, 1, NDCONV_PAD_VALID)},
      // One vector of outputs or less: the one-vector tile (AVX512-VNNI
      // 16x16), its row tails (72 = 4 x 16 + 8 pixels), stride 2 (K > 4:
      // not the stream).
      {"pointwise_narrow", conv2d_desc(l, 7, 5, 9, 8, 1, 1, 1, NDCONV_PAD_VALID)},
      // K <= 4, N <= 16, stride 1: the pointwise stream where the level has one.
      {"stream_3to5", conv2d_desc(l, 3, 5, 9, 8, 1, 1, 1, NDCONV_PAD_VALID)},
      {"pointwise_narrow_strided", conv2d_desc(l, 7, 16, 9, 9, 1, 1, 1, NDCONV_PAD_VALID, 2)},
      {"conv3x3_same", conv2d_desc(l, 8, 20, 7, 6, 3, 3, 1, NDCONV_PAD_SAME_UPPER)},
      {"conv3x3_k_tail", conv2d_desc(l, 3, 33, 6, 9, 3, 3, 1, NDCONV_PAD_SAME_LOWER)},
      {"conv5x3_stride2", conv2d_desc(l, 6, 9, 11, 8, 5, 3, 1, NDCONV_PAD_SAME_UPPER, 2)},
      {"grouped", conv2d_desc(l, 12, 18, 6, 6, 3, 3, 3, NDCONV_PAD_SAME_UPPER)},
      {"grouped_2x2", conv2d_desc(l, 8, 8, 5, 5, 3, 3, 4, NDCONV_PAD_VALID)},
      {"depthwise", conv2d_desc(l, 19, 19, 6, 7, 3, 3, 19, NDCONV_PAD_SAME_UPPER)},
      {"depthwise_x2", conv2d_desc(l, 8, 16, 6, 5, 3, 3, 8, NDCONV_PAD_SAME_UPPER, 2)},
      {"conv1d", conv1d(l, 10, 21, 19, 3)},
      {"conv1d_dilated_same", conv1d(l, 7, 9, 17, 3, 1, 2, NDCONV_PAD_SAME_UPPER)},
      {"conv1d_stride", conv1d(l, 9, 5, 23, 4, 3)},
      {"text_conv2d", text_conv2d(l, 12, 10, 3, 19)},  // NCX: one input channel, read in place
      {"whole_image", conv2d_desc(l, 5, 7, 3, 4, 3, 4, 1, NDCONV_PAD_VALID)},  // one output pixel: in place
      {"conv3d", conv3d(l)},
      // Merged kx taps (int8-indirect-gemm, C_in <= 32): the stem's 7x7 /2
      // (K = 21 per ky row, runs gathered at both borders), and a kernel
      // wider than the input (every run straddles both borders at once).
      {"stem7x7_s2", conv2d_desc(l, 3, 35, 13, 11, 7, 7, 1, NDCONV_PAD_SAME_UPPER, 2)},
      {"kernel_wider_than_input", conv2d_desc(l, 2, 17, 6, 4, 3, 7, 1, NDCONV_PAD_SAME_LOWER)},
      // Output lines wider than the 14-row tile: tiles inside one line take
      // evenly spaced row pointers, those across a line break (and at the
      // padded top and bottom lines) per-row ones; stride 2 and dilation 2.
      {"wide_rows_3x3", conv2d_desc(l, 36, 20, 5, 30, 3, 3, 1, NDCONV_PAD_SAME_UPPER)},
      {"wide_rows_stride2", conv2d_desc(l, 33, 9, 7, 61, 3, 3, 1, NDCONV_PAD_SAME_LOWER, 2)},
      {"conv1d_dilated_long", conv1d(l, 40, 9, 47, 3, 1, 2, NDCONV_PAD_SAME_UPPER)},
      // Merged taps over lines wider than the tile: tiles whose runs all
      // lie inside the input take evenly spaced pointers, the others gather.
      {"stem_wide_lines", conv2d_desc(l, 3, 20, 9, 70, 7, 7, 1, NDCONV_PAD_SAME_UPPER, 2)},
      {"conv1d_merged_long", conv1d(l, 4, 11, 60, 5, 1, 1, NDCONV_PAD_SAME_UPPER)},
      // Weights past the L2 budget: 2.15 MB, a quarter per task (the GEMM
      // splits N in 4 when M is one block), 544 KB or less against 512 KiB
      // or less: swept in chunks of panels, the last chunk partial.
      {"pointwise_weights_past_l2", conv2d_desc(l, 1024, 2100, 4, 3, 1, 1, 1, NDCONV_PAD_VALID)},
  };
  v.push_back({"xio_weights", conv2d_desc(l, 6, 10, 6, 6, 3, 3, 1, NDCONV_PAD_SAME_UPPER)});
  v.back().conv.weight_layout = NDCONV_XIO;
  return v;
}

// (ISA, dot product on).
using QConvTest = ndconv::test::IsaDotTest;

TEST_P(QConvTest, EveryShapeEveryOutputType) {
  uint64_t seed = 1;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (const NamedConv& s : shapes(l))
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8})
        for (ndconv_dtype out : {NDCONV_S32, NDCONV_U8, NDCONV_S8, NDCONV_F32}) {
          SCOPED_TRACE(std::string(s.name) + (l == NDCONV_NXC ? " NXC" : " NCX") + " in " +
                       std::to_string(in) + " out " + std::to_string(out));
          check_qconv(make_qdesc(s.conv, in, out, in == NDCONV_U8 ? 131 : -9, out == NDCONV_S8 ? -5 : 3),
                      ++seed);
        }
}

TEST_P(QConvTest, ActivationsAndPerTensorScale) {
  uint64_t seed = 100;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (ndconv_activation act : {NDCONV_ACT_RELU, NDCONV_ACT_CLAMP})
      for (ndconv_dtype out : {NDCONV_S32, NDCONV_U8, NDCONV_S8, NDCONV_F32}) {
        if (out == NDCONV_S32 && act == NDCONV_ACT_CLAMP) continue;
        for (const char* which : {"conv3x3_same", "pointwise_tails", "depthwise"}) {
          for (const NamedConv& s : shapes(l)) {
            if (std::string(s.name) != which) continue;
            ndconv_qconv_desc d = make_qdesc(s.conv, NDCONV_U8, out, 100, out == NDCONV_S8 ? -20 : 40);
            d.conv.activation = act;
            d.conv.act_min = -0.3f;
            d.conv.act_max = 0.9f;
            d.weight_scale_count = 1;
            SCOPED_TRACE(std::string(which) + " act " + std::to_string(act) + " out " + std::to_string(out));
            ++seed;  // before the call: its arguments' order of evaluation is unspecified
            check_qconv(d, seed, QFill::kRandom, seed % 2 == 0);
          }
        }
      }
}

// x = 255 (or 127) against w = -128 / 127 everywhere, and x = 0 (or -128):
// the sums that saturate vpmaddubsw pairs; zero points at both ends.
TEST_P(QConvTest, ExtremeValuesAndZeroPoints) {
  uint64_t seed = 500;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (const NamedConv& s : shapes(l))
      for (QFill fill : {QFill::kExtremeHigh, QFill::kExtremeLow})
        for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8}) {
          const ndconv::dispatch::DtypeRange r = in == NDCONV_U8 ? ndconv::dispatch::DtypeRange{0, 255}
                                                                 : ndconv::dispatch::DtypeRange{-128, 127};
          for (int64_t zp : {r.min, r.max}) {
            SCOPED_TRACE(std::string(s.name) + " zp " + std::to_string(zp));
            check_qconv(make_qdesc(s.conv, in, NDCONV_S32, static_cast<int32_t>(zp)), ++seed, fill);
            check_qconv(make_qdesc(s.conv, in, NDCONV_U8, static_cast<int32_t>(zp), 255), ++seed, fill);
            check_qconv(make_qdesc(s.conv, in, NDCONV_S8, static_cast<int32_t>(zp), -128), ++seed, fill, false);
          }
        }
}

// The caller's rounding mode (MXCSR / FPCR) never changes a requantized
// result (round half to even is explicit). F32 output is checked against
// float64 under every mode by check_qconv; its last bit may follow the mode,
// as float32 convolutions do.
TEST_P(QConvTest, RoundingIndependentOfTheCallersMode) {
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (const NamedConv& s : shapes(l)) {
      for (ndconv_dtype out : {NDCONV_U8, NDCONV_S8, NDCONV_S32}) {
        const ndconv_qconv_desc d = make_qdesc(s.conv, NDCONV_U8, out, 128, 0);
        SCOPED_TRACE(std::string(s.name) + " out " + std::to_string(out));
        const auto nearest = check_qconv(d, 900);
        for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
          ASSERT_EQ(std::fesetround(mode), 0);
          const auto other = check_qconv(d, 900);
          std::fesetround(FE_TONEAREST);
          EXPECT_EQ(other.output, nearest.output) << "rounding mode " << mode;
        }
      }
    }
}

TEST_P(QConvTest, ThreadPoolGivesTheSameBytes) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (const NamedConv& s : shapes(l)) {
      ndconv_conv_desc c = s.conv;
      c.batch = 3;
      const ndconv_qconv_desc d = make_qdesc(c, NDCONV_S8, NDCONV_U8, 1, 2);
      SCOPED_TRACE(s.name);
      EXPECT_EQ(check_qconv(d, 77, QFill::kRandom, true, pool).output, check_qconv(d, 77).output);
    }
  ndconv_threadpool_destroy(pool);
}

// The planner's choice per shape, named honestly: algorithm, layout suffix,
// and the kernel table's variant of the forced ISA ("scalar" for the plain
// C++ depthwise of a level without a depthwise kernel).
TEST_P(QConvTest, KernelNamesSayWhatRuns) {
  const ndconv::kernels::QKernelTable* table = ndconv::kernels::qkernel_table(isa(), dot());
  const std::string variant = table ? table->variant : "scalar";
  // Depthwise: the table's SIMD kernel, or the plain C++ path where the level has none (NEON).
  const std::string depthwise_isa = table && table->depthwise_nxc.fn ? table->variant : "scalar";
  const bool stream = table && table->pointwise_stream_nxc.fn;
  const bool grouped = table && table->grouped_nxc.fn;
  const bool cols = table && table->gemm_cols_ncx.fn;
  // The GEMMs of rows (not the cols GEMM) take the AMX tile where allowed
  // and K holds a block (AmxOnAndOffGiveTheSameBytes checks which): either
  // name is right for them then. "?" marks the variant in want.
  const ndconv::kernels::QKernelTable* amx = ndconv_int8_amx() ? ndconv::kernels::qkernel_amx_table(table) : nullptr;
  const std::string gemm = "?";
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (const NamedConv& s : shapes(l)) {
      const std::string name = s.name;
      const std::string suffix = l == NDCONV_NCX ? "-ncx/" : "/";
      std::string want;
      if (name == "pointwise_cols" && l == NDCONV_NCX && cols) want = "int8-pointwise-gemm-cols/" + variant;
      else if (name == "stream_3to5") want = stream ? "int8-pointwise-stream" + suffix + variant : "int8-pointwise-gemm" + suffix + gemm;
      else if (name == "grouped") want = grouped ? "int8-grouped" + suffix + variant : "int8-indirect-gemm" + suffix + gemm;  // C_in / g = 4
      else if (name.rfind("pointwise", 0) == 0) want = "int8-pointwise-gemm" + suffix + gemm;
      else if (name == "conv1d" || name == "conv1d_stride" || name == "text_conv2d" || name == "whole_image") want = "int8-ngram-gemm" + suffix + gemm;
      else if (name.rfind("depthwise", 0) == 0) want = "int8-depthwise" + suffix + depthwise_isa;
      else want = "int8-indirect-gemm" + suffix + gemm;
      const auto r = check_qconv(make_qdesc(s.conv, NDCONV_U8, NDCONV_U8), 3);
      const bool either = want.back() == '?';
      if (either) want.pop_back();
      const bool named = r.kernel_name.rfind(want + variant, 0) == 0 ||
                         (either && amx && r.kernel_name.rfind(want + amx->variant, 0) == 0) ||
                         (!either && r.kernel_name.rfind(want, 0) == 0);
      EXPECT_TRUE(named) << name << ": " << r.kernel_name << " does not start with " << want;
    }
}

// AMX (ndconv_set_int8_amx) on and off give the same bytes on every shape,
// both checked against the exact reference; with it on, the GEMMs of rows
// say "avx512-amx" where the CPU has it, and a K past the tile's A scratch
// (2 KiB per row) keeps the VNNI tile. Off, no plan says amx.
TEST_P(QConvTest, AmxOnAndOffGiveTheSameBytes) {
  const ndconv::kernels::QKernelTable* amx = ndconv::kernels::qkernel_amx_table(
      ndconv::kernels::qkernel_table(isa(), dot()));
  const int saved = ndconv_int8_amx();
  uint64_t seed = 4000;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX}) {
    std::vector<NamedConv> v = shapes(l);
    v.push_back({"pointwise_k_past_scratch", conv2d_desc(l, 2100, 40, 3, 3, 1, 1, 1, NDCONV_PAD_VALID)});
    v.push_back({"pointwise_k_under_a_block", conv2d_desc(l, 60, 40, 5, 7, 1, 1, 1, NDCONV_PAD_VALID)});
    v.push_back({"pointwise_k_one_block", conv2d_desc(l, 64, 40, 5, 7, 1, 1, 1, NDCONV_PAD_VALID)});
    // 9 taps of 221 channels, each padded to 224: a 2016-byte row, the
    // 64-byte-rounded 2048 the scratch holds (K = 1989, not a multiple of 4).
    v.push_back({"conv3x3_pack_at_scratch", conv2d_desc(l, 221, 33, 6, 5, 3, 3, 1, NDCONV_PAD_SAME_UPPER)});
    // conv3d_s2 of the suite, smaller: 27 taps of 32 channels, stride 2.
    ndconv_conv_desc c3 = {};
    c3.rank = 3;
    c3.layout = l;
    c3.batch = 2;
    c3.in_channels = 32;
    c3.out_channels = 64;
    for (int i = 0; i < 3; ++i) {
      c3.in_size[i] = i == 0 ? 6 : 20;
      c3.kernel[i] = 3;
      c3.stride[i] = 2;
      c3.pad_begin[i] = c3.pad_end[i] = 1;
    }
    c3.padding = NDCONV_PAD_EXPLICIT;
    v.push_back({"conv3d_s2", c3});
    for (const NamedConv& s : v) {
      const std::string name = s.name;
      SCOPED_TRACE(name + (l == NDCONV_NXC ? " NXC" : " NCX"));
      const ndconv_qconv_desc d = make_qdesc(s.conv, NDCONV_U8, NDCONV_U8, 7, 120);
      ndconv_set_int8_amx(1);
      const auto on = check_qconv(d, ++seed);
      ndconv_set_int8_amx(0);
      const auto off = check_qconv(d, seed);
      EXPECT_EQ(on.output, off.output);
      EXPECT_EQ(off.kernel_name.find("amx"), std::string::npos) << off.kernel_name;
      const bool rows_gemm = on.kernel_name.find("-gemm") != std::string::npos &&
                             on.kernel_name.find("-cols") == std::string::npos;
      const bool amx_named = on.kernel_name.find("/avx512-amx") != std::string::npos;
      // Only the row-major GEMMs; K past the scratch or under one block
      // (Tuning::qgemm_amx_min_k_bytes) keeps VNNI; these three take it.
      if (amx_named) EXPECT_TRUE(amx != nullptr && rows_gemm) << on.kernel_name;
      if (name == "pointwise_k_past_scratch" || name == "pointwise_k_under_a_block") EXPECT_FALSE(amx_named);
      if (name == "conv3x3_pack_at_scratch" || name == "conv3d_s2" || name == "pointwise_k_one_block")
        EXPECT_EQ(amx_named, amx != nullptr) << on.kernel_name;
    }
  }
  ndconv_set_int8_amx(saved);
}

// Weights in [-64, 64] on a level without dot products take its vpmaddubsw
// tiles ("<isa>-maddubsw"), exact, with every input type and the extreme
// same-sign pairs; one weight past 64 keeps the widening tiles. Levels with
// dot products (and the depthwise, stream and grouped kernels) never change.
TEST_P(QConvTest, SevenBitWeightsTakeTheMaddubswTiles) {
  const ndconv::kernels::QKernelTable* table = ndconv::kernels::qkernel_table(isa(), dot());
  const ndconv::kernels::QKernelTable* pairs = ndconv::kernels::qkernel_pairs_table(table);
  uint64_t seed = 2000;
  for (ndconv_layout l : {NDCONV_NXC, NDCONV_NCX})
    for (const NamedConv& s : shapes(l))
      for (ndconv_dtype in : {NDCONV_U8, NDCONV_S8}) {
        const std::string name = s.name;
        SCOPED_TRACE(name + (l == NDCONV_NXC ? " NXC" : " NCX") + " in " + std::to_string(in));
        for (QFill fill : {QFill::kRandom7Bit, QFill::kExtreme7Bit}) {
          const auto r32 = check_qconv(make_qdesc(s.conv, in, NDCONV_S32, in == NDCONV_U8 ? 255 : -128), ++seed, fill);
          check_qconv(make_qdesc(s.conv, in, NDCONV_U8, in == NDCONV_U8 ? 9 : 100, 17), ++seed, fill);
          // The GEMM plans (not depthwise, stream or grouped kernels).
          const bool gemm = r32.kernel_name.find("-gemm") != std::string::npos;
          const bool named = r32.kernel_name.find("-maddubsw") != std::string::npos;
          EXPECT_EQ(named, pairs != nullptr && gemm) << r32.kernel_name;
          if (named) EXPECT_NE(r32.kernel_name.find(std::string("/") + pairs->variant), std::string::npos);
        }
        const auto wide = check_qconv(make_qdesc(s.conv, in, NDCONV_S32), ++seed, QFill::kRandom7BitButOne);
        EXPECT_EQ(wide.kernel_name.find("-maddubsw"), std::string::npos) << wide.kernel_name;
      }
}

// A stride of INT64_MAX with one output row (the fuzzer found the n-gram
// plan multiplying it by the row length: signed overflow, which UBSan in the
// asan preset reports): the n-gram plan, exact, in the 1-D and Conv2D forms.
TEST_P(QConvTest, NgramWithStrideInt64Max) {
  const int64_t huge = std::numeric_limits<int64_t>::max();
  ndconv_conv_desc conv1 = conv1d(NDCONV_NXC, 17, 5, 9, 4, huge);
  ndconv_conv_desc conv2 = text_conv2d(NDCONV_NCX, 7, 6, 3, 4);
  conv2.stride[0] = huge;
  for (const ndconv_conv_desc& c : {conv1, conv2}) {
    SCOPED_TRACE("rank " + std::to_string(c.rank));
    const auto r = check_qconv(make_qdesc(c, NDCONV_S8, NDCONV_S32), 5);
    EXPECT_EQ(r.kernel_name.rfind("int8-ngram-gemm", 0), 0u) << r.kernel_name;
  }
}

// The same stride through the indirect and the strided pointwise plans,
// channels-last with one output pixel per line (the fuzzer found the
// indirect plan's row step, stride x C_in, overflowing; UBSan in the asan
// preset reports it): exact, whatever the plan.
TEST_P(QConvTest, IndirectAndPointwiseWithStrideInt64Max) {
  const int64_t huge = std::numeric_limits<int64_t>::max();
  ndconv_conv_desc indirect = conv1d(NDCONV_NXC, 16, 5, 3, 3, huge);
  indirect.padding = NDCONV_PAD_EXPLICIT;
  indirect.pad_begin[0] = 1;
  indirect.pad_end[0] = 1;
  ndconv_conv_desc pointwise = conv1d(NDCONV_NXC, 16, 5, 3, 1, huge);
  ndconv_conv_desc conv2 = conv2d_desc(NDCONV_NXC, 16, 5, 4, 3, 3, 3, 1, NDCONV_PAD_SAME_UPPER);
  conv2.stride[1] = huge;
  for (const ndconv_conv_desc& c : {indirect, pointwise, conv2}) {
    SCOPED_TRACE("rank " + std::to_string(c.rank) + ", kernel " + std::to_string(c.kernel[0]));
    check_qconv(make_qdesc(c, NDCONV_U8, NDCONV_S32), 7);
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, QConvTest, ::testing::ValuesIn(ndconv::test::isa_dot_params()),
                         ndconv::test::isa_dot_test_name);

}  // namespace
