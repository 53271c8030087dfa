// Depthwise convolution (groups == C_in) through the public API, against the
// float64 reference, under every ISA this CPU runs (one test per ISA, named
// after it: Isa/DepthwiseIsa.SamePadding/avx2), with every tensor against a
// guard page (after, and before, the data). Each test runs the table's
// depthwise_nxc_row or depthwise_ncx_row (the plan's kernel name is checked).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "plan/isa_select.h"
#include "ndconv/ndconv.h"
#include "tests/isa_param.h"
#include "tests/support/reference_check.h"

namespace {

using ndconv::test::create_run_and_check;
using ndconv::test::describe;
using ndconv::test::Guard;
using ndconv::test::RunOptions;

class Depthwise : public ::testing::Test {
 protected:
  void TearDown() override { ndconv_set_isa(NDCONV_ISA_AUTO); }
};
// The tests that sweep shapes under one ISA, each instantiated for every ISA
// this CPU runs.
class DepthwiseIsa : public ndconv::test::NativeChannelsFirstIsaTest {};

// A small deterministic generator for the shape sweeps (test data itself
// comes from the support library's seeded tensors).
struct Lcg {
  uint64_t state;
  explicit Lcg(uint64_t seed) : state(seed * 6364136223846793005ull + 1442695040888963407ull) {}
  int64_t uniform(int64_t lo, int64_t hi) {  // [lo, hi]
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(hi - lo + 1));
  }
};

ndconv_conv_desc depthwise_desc(int rank, int64_t channels, int64_t multiplier) {
  ndconv_conv_desc d = {};
  d.rank = rank;
  d.batch = 1;
  d.in_channels = channels;
  d.out_channels = channels * multiplier;
  d.groups = channels;
  return d;
}

void set_activation(ndconv_conv_desc* d, int which) {
  d->activation = static_cast<ndconv_activation>(which % 3);
  d->act_min = -0.25f;
  d->act_max = 0.5f;
}

// Creates, runs and checks `d` under `isa`, with the guard after and before
// the tensors, and checks the plan really is the depthwise algorithm.
void check(ndconv_isa isa, const ndconv_conv_desc& d, bool with_bias, uint64_t seed,
           ndconv_threadpool* pool = nullptr) {
  ASSERT_EQ(ndconv_set_isa(isa), NDCONV_OK);
  for (Guard guard : {Guard::kAfter, Guard::kBefore}) {
    RunOptions options;
    options.seed = seed;
    options.with_bias = with_bias;
    options.guard = guard;
    options.pool = pool;
    std::string name;
    options.kernel_name = &name;
    ASSERT_TRUE(create_run_and_check(d, options))
        << ndconv_isa_name(isa) << " bias=" << with_bias << " " << describe(d);
    ASSERT_EQ(name, std::string("depthwise/") + ndconv_isa_name(isa)) << describe(d);
  }
}

// Every channel count up to two AVX-512 vectors + 1 (every tail of every
// ISA), multipliers 1, 2, 4 and 8 (the NXC in-register repeat of 2, 4 or 8
// input channels per vector, on each ISA where it is narrower than a vector),
// both layouts and weight layouts, every activation, strides 1 and 2.
// (One channel is an ordinary convolution: see the test after the next ones.)
TEST_P(DepthwiseIsa, EveryChannelCountBothLayoutsMultipliers1To8) {
  const ndconv_isa isa = GetParam();
  for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
    for (int64_t m : {1, 2, 4, 8}) {
      for (int64_t c = 2; c <= 33; c += (m <= 2 ? 1 : 3)) {
        ndconv_conv_desc d = depthwise_desc(2, c, m);
        d.layout = layout;
        d.weight_layout = c % 2 ? NDCONV_OIX : NDCONV_XIO;
        d.batch = 1 + c % 2;
        d.in_size[0] = 5;
        d.in_size[1] = 7;
        d.kernel[0] = d.kernel[1] = 3;
        d.stride[0] = d.stride[1] = 1 + (c + m) % 2;
        d.pad_begin[0] = d.pad_begin[1] = d.pad_end[0] = d.pad_end[1] = 1;
        set_activation(&d, static_cast<int>(c));
        check(isa, d, c % 4 != 0, static_cast<uint64_t>(c * 16 + m));
      }
    }
  }
}

// Channels-first depthwise computed channels-last a slab of channels at a
// time (algorithms/channels_last_transposed.cpp, DepthwiseSlabsTransposed),
// forced on: channel counts that leave every remainder slab (a quarter of
// the channels rounded up to a vector: 70 channels on AVX-512 are slabs of
// 32, 32 and 6), multipliers 1 to 3, batches of 1 and 2, both weight
// layouts, guards before and after.
TEST_P(DepthwiseIsa, ChannelsFirstThroughChannelsLastSlabs) {
  const int saved = ndconv::dispatch::testing::force_ncx_channels_last(2);
  for (int64_t m : {1, 2, 3})
    for (int64_t c = 2; c <= 70; c += (c < 20 ? 1 : 9)) {
      ndconv_conv_desc d = depthwise_desc(2, c, m);
      d.layout = NDCONV_NCX;
      d.weight_layout = (c + m) % 2 ? NDCONV_OIX : NDCONV_XIO;
      d.batch = 1 + c % 2;
      d.in_size[0] = 6;
      d.in_size[1] = 9 + c % 5;
      d.kernel[0] = d.kernel[1] = 3;
      d.stride[0] = d.stride[1] = 1 + (c + m) % 2;
      d.pad_begin[0] = d.pad_begin[1] = d.pad_end[0] = d.pad_end[1] = 1;
      set_activation(&d, static_cast<int>(c));
      RunOptions options;
      options.seed = static_cast<uint64_t>(c * 7 + m);
      options.with_bias = c % 3 != 0;
      options.guard = c % 2 ? Guard::kBefore : Guard::kAfter;
      std::string name;
      options.kernel_name = &name;
      EXPECT_TRUE(create_run_and_check(d, options)) << describe(d);
      EXPECT_EQ(name, std::string("depthwise-ncx/") + ndconv_isa_name(GetParam())) << describe(d);
    }
  ndconv::dispatch::testing::force_ncx_channels_last(saved);
}

// Rows wide enough for full NCX register blocks and every tail of them, and
// for full NXC pixel blocks; 3x3 stride 1 (the sliding NXC path) and others.
TEST_P(DepthwiseIsa, WideRowsEveryWidthTail) {
  const ndconv_isa isa = GetParam();
  for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
    for (int64_t w = 1; w <= 140; w += (w < 20 ? 1 : 7)) {
      for (int variant = 0; variant < 3; ++variant) {
        ndconv_conv_desc d = depthwise_desc(2, layout == NDCONV_NXC ? 19 : 3, 1);
        d.layout = layout;
        d.in_size[0] = 4;
        d.in_size[1] = w;
        d.kernel[0] = 3;
        d.kernel[1] = variant == 2 ? 5 : 3;
        d.dilation[1] = variant == 1 ? 2 : 1;
        d.stride[1] = 1;
        d.pad_begin[0] = d.pad_end[0] = 1;
        d.pad_begin[1] = variant;
        d.pad_end[1] = 2;
        const int64_t span = d.dilation[1] * (d.kernel[1] - 1) + 1;
        if (w + d.pad_begin[1] + d.pad_end[1] < span) continue;
        set_activation(&d, variant);
        check(isa, d, true, static_cast<uint64_t>(w * 3 + variant));
      }
    }
  }
}

// The NXC sliding 3-tap path (multiplier 1, kernel width 3, stride 1,
// dilation 1; 1 to 3 input rows per output row): every channel count up to two
// AVX-512 vectors + 1 against every width up to 40 (interior blocks of 8 and 4
// pixels and every remainder, rows narrower than the kernel's window), with
// 1, 2 and 3 input rows (1: kernel height 1 or a one-row input), left
// padding 0 to 2 (border pixels on one side, both, or inside the padding
// only), every activation.
TEST_P(DepthwiseIsa, NxcSlidingThreeTapsEveryChannelCountAndWidth) {
  const ndconv_isa isa = GetParam();
  for (int64_t c = 2; c <= 33; ++c) {
    for (int64_t w = 1; w <= 40; ++w) {
      const int variant = static_cast<int>((c + w) % 3);
      ndconv_conv_desc d = depthwise_desc(2, c, 1);
      d.layout = NDCONV_NXC;
      d.weight_layout = w % 2 ? NDCONV_OIX : NDCONV_XIO;
      d.in_size[0] = variant == 0 ? 1 : 3;
      d.in_size[1] = w;
      d.kernel[0] = variant == 2 ? 1 : 3;
      d.kernel[1] = 3;
      d.pad_begin[0] = d.pad_end[0] = variant == 2 ? 0 : 1;
      d.pad_begin[1] = (c * w) % 3;
      d.pad_end[1] = 2 - d.pad_begin[1] / 2;
      if (w + d.pad_begin[1] + d.pad_end[1] < 3) continue;
      set_activation(&d, static_cast<int>(c + w / 3));
      check(isa, d, (c + w) % 4 != 0, static_cast<uint64_t>(c * 100 + w));
      if (HasFatalFailure()) return;
    }
  }
}

// The sliding path accumulating onto the output (not the first call of a
// row): 65, 66 and 67 valid outer taps are 64 rows in a first call, then 1, 2
// or 3 rows in a call that starts from the partial sums.
TEST_P(DepthwiseIsa, NxcSlidingThreeTapsAccumulatesOverCalls) {
  const ndconv_isa isa = GetParam();
  for (int64_t outer : {65, 66, 67}) {
    for (int64_t c : {5, 16, 21}) {
      ndconv_conv_desc d = depthwise_desc(2, c, 1);
      d.layout = NDCONV_NXC;
      d.in_size[0] = outer;
      d.in_size[1] = 13;
      d.kernel[0] = outer;
      d.kernel[1] = 3;
      d.pad_begin[1] = d.pad_end[1] = 1;
      d.activation = NDCONV_ACT_CLAMP;
      d.act_min = -0.5f;
      d.act_max = 0.5f;
      check(isa, d, true, static_cast<uint64_t>(outer + c));
    }
  }
}

// Random shapes, ranks 1 to 5: stride 1-3, dilation 1-2, asymmetric padding
// (also wider than the kernel, so whole rows read only padding), kernels
// larger than the unpadded input, batch > 1, multipliers 1-4, 8 and 16 (a whole
// AVX-512 vector of outputs per input channel), every activation, both
// layouts and weight layouts, bias on and off.
TEST_P(DepthwiseIsa, RandomShapesRanks1To5) {
  Lcg rng(7);
  int checked = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const int rank = 1 + iter % 5;
    const int64_t multiplier_choices[] = {1, 1, 2, 3, 4, 8, 16};
    const int64_t m = multiplier_choices[rng.uniform(0, 6)];
    const int64_t c = rng.uniform(2, rank <= 2 ? 37 : 9);  // one channel is not depthwise
    ndconv_conv_desc d = depthwise_desc(rank, c, m);
    d.layout = rng.uniform(0, 1) ? NDCONV_NXC : NDCONV_NCX;
    d.weight_layout = rng.uniform(0, 1) ? NDCONV_XIO : NDCONV_OIX;
    d.batch = rng.uniform(1, 3);
    const int64_t max_in = rank == 1 ? 40 : rank == 2 ? 12 : 5;
    bool ok = true;
    for (int i = 0; i < rank; ++i) {
      d.in_size[i] = rng.uniform(1, max_in);
      d.kernel[i] = rng.uniform(1, rank <= 2 ? 5 : 3);
      d.stride[i] = rng.uniform(1, 3);
      d.dilation[i] = rng.uniform(1, 2);
      d.pad_begin[i] = rng.uniform(0, 3);
      d.pad_end[i] = rng.uniform(0, 3);
      const int64_t span = d.dilation[i] * (d.kernel[i] - 1) + 1;
      if (d.in_size[i] + d.pad_begin[i] + d.pad_end[i] < span) ok = false;
    }
    if (!ok) continue;
    set_activation(&d, static_cast<int>(rng.uniform(0, 2)));
    const bool with_bias = rng.uniform(0, 1) != 0;
    check(GetParam(), d, with_bias, static_cast<uint64_t>(iter));
    if (HasFatalFailure()) return;
    ++checked;
  }
  EXPECT_GT(checked, 250);  // the sweep really ran (few shapes are rejected)
}

// SAME padding (upper and lower) resolved by the API, odd and even kernels,
// strides 1 and 2.
TEST_P(DepthwiseIsa, SamePadding) {
  const ndconv_isa isa = GetParam();
  for (ndconv_padding pad : {NDCONV_PAD_SAME_UPPER, NDCONV_PAD_SAME_LOWER}) {
    for (int64_t k : {2, 3, 4}) {
      for (int64_t s : {1, 2}) {
        for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
          ndconv_conv_desc d = depthwise_desc(2, 21, 1);
          d.layout = layout;
          d.padding = pad;
          d.in_size[0] = 9;
          d.in_size[1] = 20;
          d.kernel[0] = d.kernel[1] = k;
          d.stride[0] = d.stride[1] = s;
          d.activation = NDCONV_ACT_RELU;
          check(isa, d, true, static_cast<uint64_t>(k * 10 + s));
        }
      }
    }
  }
}

// Kernels larger than the unpadded input: most taps are padding, and the
// interior (all taps valid) is empty.
TEST_P(DepthwiseIsa, KernelLargerThanInput) {
  const ndconv_isa isa = GetParam();
  for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
    for (int rank : {1, 2, 3}) {
      ndconv_conv_desc d = depthwise_desc(rank, 17, 2);
      d.layout = layout;
      d.batch = 2;
      for (int i = 0; i < rank; ++i) {
        d.in_size[i] = 2 + i;
        d.kernel[i] = 5;
        d.pad_begin[i] = 3;
        d.pad_end[i] = 2;
      }
      set_activation(&d, rank);
      check(isa, d, true, static_cast<uint64_t>(rank));
    }
  }
}

// More than the kernel's 64 input rows per call: rows are accumulated over
// several kernel calls, the activation applied once at the end.
TEST_P(DepthwiseIsa, ManyOuterTapsAccumulateOverCalls) {
  const ndconv_isa isa = GetParam();
  for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
    ndconv_conv_desc d = depthwise_desc(3, 18, 1);
    d.layout = layout;
    d.in_size[0] = 12;
    d.in_size[1] = 11;
    d.in_size[2] = 6;
    d.kernel[0] = 9;
    d.kernel[1] = 9;
    d.kernel[2] = 3;
    d.pad_begin[0] = d.pad_end[0] = 4;
    d.pad_begin[1] = d.pad_end[1] = 4;
    d.pad_begin[2] = d.pad_end[2] = 1;
    d.activation = NDCONV_ACT_CLAMP;
    d.act_min = -0.5f;
    d.act_max = 0.5f;
    check(isa, d, true, 99);
  }
}

// The thread pool, including the split of channels when there is a single
// row (rank 1, batch 1), and an external parallel_for.
TEST_P(DepthwiseIsa, ThreadPoolSplitsRowsAndChannels) {
  ndconv_threadpool* pool = ndconv_threadpool_create(2);
  ASSERT_NE(pool, nullptr);
  const ndconv_isa isa = GetParam();
  for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
    for (int rank : {1, 2}) {
      ndconv_conv_desc d = depthwise_desc(rank, 77, 1);
      d.layout = layout;
      for (int i = 0; i < rank; ++i) {
        d.in_size[i] = 30;
        d.kernel[i] = 3;
        d.pad_begin[i] = d.pad_end[i] = 1;
      }
      check(isa, d, true, 5, pool);
    }
  }
  ndconv_threadpool_destroy(pool);
}

// The depthwise factory declines what is not depthwise, and one input channel
// (groups == C_in == 1), which the GEMM paths serve better.
TEST_F(Depthwise, OneInputChannelIsNotDepthwise) {
  for (int64_t m : {1, 3}) {
    ndconv_conv_desc d = depthwise_desc(2, 1, m);
    d.in_size[0] = d.in_size[1] = 5;
    d.kernel[0] = d.kernel[1] = 3;
    RunOptions options;
    std::string name;
    options.kernel_name = &name;
    ASSERT_TRUE(create_run_and_check(d, options));
    EXPECT_EQ(name.rfind("depthwise/", 0), std::string::npos) << name;
  }
}

TEST_F(Depthwise, RegularAndGroupedConvolutionsAreNotDepthwise) {
  for (int64_t groups : {1, 2}) {
    ndconv_conv_desc d = depthwise_desc(2, 4, 1);
    d.groups = groups;
    d.in_size[0] = d.in_size[1] = 5;
    d.kernel[0] = d.kernel[1] = 3;
    RunOptions options;
    std::string name;
    options.kernel_name = &name;
    ASSERT_TRUE(create_run_and_check(d, options));
    EXPECT_EQ(name.rfind("depthwise/", 0), std::string::npos) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, DepthwiseIsa, ::testing::ValuesIn(ndconv::test::available_isas()),
                         ndconv::test::isa_test_name);

}  // namespace
