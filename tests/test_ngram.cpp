// Full-width n-gram convolutions through the public API on every ISA: the
// one-channel Conv2D form (kernel (k, E) over [L, E]), Conv1D over E channels
// in both layouts, and a rank-3 full-width kernel; k 1..7, E around the vector
// widths, L equal to k, much longer, and shorter with sequence padding, batch,
// stride and padding (explicit asymmetric, SAME_UPPER/LOWER) on the sequence
// axis, both weight layouts, bias, activations, guard pages, thread pools.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/isa_param.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace test {
namespace {

enum class Form {
  kConv2dOneChannel,  // rank 2, C_in 1, in [L, E], kernel (k, E)
  kConv1d,            // rank 1, C_in E, in [L], kernel k
  kRank3,             // rank 3, C_in 2, in [L, 3, E], kernel (k, 3, E)
};

const char* form_name(Form f) {
  switch (f) {
    case Form::kConv2dOneChannel: return "conv2d-1ch";
    case Form::kConv1d: return "conv1d";
    case Form::kRank3: return "rank3";
  }
  return "?";
}

struct SeqPadding {
  ndconv_padding mode;
  int64_t begin, end;  // EXPLICIT only
};

struct NgramCase {
  Form form;
  int64_t batch, L, E, k, filters, stride;
  SeqPadding pad;
};

ndconv_conv_desc make_desc(const NgramCase& c, ndconv_layout layout, ndconv_weight_layout wl,
                           ndconv_activation act) {
  ndconv_conv_desc d = {};
  d.layout = layout;
  d.weight_layout = wl;
  d.batch = c.batch;
  d.out_channels = c.filters;
  d.in_size[0] = c.L;
  d.kernel[0] = c.k;
  d.stride[0] = c.stride;
  d.padding = c.pad.mode;
  d.pad_begin[0] = c.pad.begin;
  d.pad_end[0] = c.pad.end;
  if (c.form != Form::kConv1d && c.pad.mode != NDCONV_PAD_VALID && c.pad.mode != NDCONV_PAD_EXPLICIT) {
    // SAME would also pad the embedding axes (then it is no n-gram): the
    // equivalent padding of the sequence axis alone, odd extra on either side.
    d.padding = NDCONV_PAD_EXPLICIT;
    d.pad_begin[0] = c.pad.mode == NDCONV_PAD_SAME_LOWER ? c.k / 2 : (c.k - 1) / 2;
    d.pad_end[0] = c.k - 1 - d.pad_begin[0];
  }
  switch (c.form) {
    case Form::kConv2dOneChannel:
      d.rank = 2;
      d.in_channels = 1;
      d.in_size[1] = d.kernel[1] = c.E;
      d.stride[1] = 2;  // irrelevant where the output extent is 1; must not matter
      break;
    case Form::kConv1d:
      d.rank = 1;
      d.in_channels = c.E;
      break;
    case Form::kRank3:
      d.rank = 3;
      d.in_channels = 2;
      d.in_size[1] = d.kernel[1] = 3;
      d.in_size[2] = d.kernel[2] = c.E;
      break;
  }
  d.activation = act;
  d.act_min = -0.3f;
  d.act_max = 0.4f;
  return d;
}

bool is_pointwise(const ndconv_conv_desc& d) {
  for (int i = 0; i < d.rank; ++i)
    if (d.kernel[i] != 1) return false;
  if (d.padding == NDCONV_PAD_EXPLICIT)
    for (int i = 0; i < d.rank; ++i)
      if (d.pad_begin[i] || d.pad_end[i]) return false;
  return true;  // SAME with kernel 1 pads nothing
}

// Channels-first windows under 64 floats go to the general path (see
// kMinChannelsFirstWindowFloats in algorithms/ngram.cpp).
bool short_channels_first_window(const ndconv_conv_desc& d) {
  int64_t window = d.in_channels;
  for (int i = 0; i < d.rank; ++i) window *= d.kernel[i];
  return d.layout == NDCONV_NCX && window < 64;
}

std::string expected_kernel(const ndconv_conv_desc& d) {
  const char* algorithm = is_pointwise(d) ? "pointwise-gemm/"
                          : short_channels_first_window(d) ? "im2col-panel-gemm/"
                                                           : "ngram-gemm/";
  return std::string(algorithm) + ndconv_isa_name(ndconv_current_isa());
}

// k 1..7 with E of 1, 5, 37 and 300 across the three sequence regimes:
// L == k (one output), L >> k (strided, some padded), L < k (padding only).
std::vector<NgramCase> sweep_cases() {
  std::vector<NgramCase> cases;
  const int64_t embeds[] = {1, 5, 37, 300};
  const SeqPadding paddings[] = {{NDCONV_PAD_VALID, 0, 0},
                                 {NDCONV_PAD_EXPLICIT, 2, 1},
                                 {NDCONV_PAD_SAME_UPPER, 0, 0},
                                 {NDCONV_PAD_SAME_LOWER, 0, 0},
                                 {NDCONV_PAD_EXPLICIT, 0, 3}};
  int i = 0;
  for (int64_t k = 1; k <= 7; ++k)
    for (int64_t e : embeds) {
      const int64_t f = 1 + (k * 13 + e) % 40;        // 1 .. 40: around NR of every ISA
      const int64_t long_l = e == 300 ? 23 + k : 61 + 2 * k;
      cases.push_back({Form::kConv2dOneChannel, 1 + i % 2, k, e, k, f, 1, {NDCONV_PAD_VALID, 0, 0}});
      cases.push_back({Form::kConv1d, 2, long_l, e, k, f + 7, 1 + i % 3, paddings[i % 5]});
      cases.push_back({Form::kConv2dOneChannel, 3, long_l, e, k, f + 3, 1 + (i + 1) % 3, paddings[(i + 2) % 5]});
      if (k > 1)
        cases.push_back({Form::kConv1d, 2, k - 1, e, k, f, 1 + i % 2,
                         {i % 2 ? NDCONV_PAD_SAME_UPPER : NDCONV_PAD_SAME_LOWER, 0, 0}});
      if (e < 300) cases.push_back({Form::kRank3, 2, 9 + k, e, k, f, 1 + i % 2, paddings[(i + 1) % 5]});
      ++i;
    }
  return cases;
}

class Ngram : public NativeChannelsFirstIsaTest {};

TEST_P(Ngram, EveryFormAgainstTheReference) {
  int i = 0;
  for (const NgramCase& c : sweep_cases())
    for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX}) {
      const ndconv_weight_layout wl = i % 2 ? NDCONV_OIX : NDCONV_XIO;
      const ndconv_activation act = static_cast<ndconv_activation>(i % 3);
      const ndconv_conv_desc d = make_desc(c, layout, wl, act);
      RunOptions o;
      std::string name;
      o.kernel_name = &name;
      o.with_bias = i % 4 != 1;
      o.guard = i % 2 ? Guard::kBefore : Guard::kAfter;
      o.seed = static_cast<uint64_t>(i + 1);
      ASSERT_TRUE(create_run_and_check(d, o)) << form_name(c.form) << ' ' << describe(d);
      ASSERT_EQ(name, expected_kernel(d)) << describe(d);
      ++i;
    }
}

// Every epilogue and weight layout on the shapes of the benchmark suite
// (scaled down in L) and both guards.
TEST_P(Ngram, EpiloguesAndWeightLayouts) {
  const NgramCase cases[] = {
      {Form::kConv2dOneChannel, 1, 60, 300, 3, 64, 1, {NDCONV_PAD_VALID, 0, 0}},
      {Form::kConv1d, 4, 64, 300, 4, 100, 1, {NDCONV_PAD_VALID, 0, 0}},
      {Form::kConv1d, 1, 50, 128, 3, 128, 1, {NDCONV_PAD_EXPLICIT, 1, 1}},
      {Form::kConv1d, 2, 101, 70, 7, 45, 3, {NDCONV_PAD_SAME_UPPER, 0, 0}},
      // Weights past the L2-resident size (N panel outermost, K blocks) with
      // a few tail columns (the dot-product kernel on AVX-512 and AVX2).
      {Form::kConv1d, 1, 20, 1100, 5, 36, 1, {NDCONV_PAD_EXPLICIT, 2, 2}},
  };
  for (const NgramCase& c : cases)
    for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX})
      for (ndconv_weight_layout wl : {NDCONV_OIX, NDCONV_XIO})
        for (ndconv_activation act : {NDCONV_ACT_NONE, NDCONV_ACT_RELU, NDCONV_ACT_CLAMP})
          for (bool bias : {false, true}) {
            const ndconv_conv_desc d = make_desc(c, layout, wl, act);
            RunOptions o;
            std::string name;
            o.kernel_name = &name;
            o.with_bias = bias;
            o.guard = bias ? Guard::kBefore : Guard::kAfter;
            o.seed = static_cast<uint64_t>(c.L * 7 + c.k);
            ASSERT_TRUE(create_run_and_check(d, o)) << describe(d);
            ASSERT_EQ(name, expected_kernel(d));
          }
}

TEST_P(Ngram, ThreadPoolsGiveTheSameAnswer) {
  ndconv_threadpool* own = ndconv_threadpool_create(3);
  ASSERT_NE(own, nullptr);
  // A host pool that runs the tasks serially in reverse: order must not matter.
  ndconv_threadpool* host = ndconv_threadpool_create_external(
      [](void*, ndconv_task_fn fn, void* ctx, size_t count) {
        for (size_t i = count; i-- > 0;) fn(ctx, i);
      },
      nullptr, 5);
  ASSERT_NE(host, nullptr);
  const NgramCase cases[] = {
      {Form::kConv2dOneChannel, 3, 90, 37, 3, 70, 1, {NDCONV_PAD_VALID, 0, 0}},
      {Form::kConv1d, 5, 33, 21, 5, 19, 2, {NDCONV_PAD_SAME_UPPER, 0, 0}},
      {Form::kConv1d, 1, 300, 13, 4, 50, 1, {NDCONV_PAD_EXPLICIT, 3, 2}},
      {Form::kRank3, 2, 17, 6, 2, 9, 1, {NDCONV_PAD_EXPLICIT, 1, 0}},
  };
  for (ndconv_threadpool* pool : {own, host})
    for (const NgramCase& c : cases)
      for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX}) {
        const ndconv_conv_desc d = make_desc(c, layout, NDCONV_OIX, NDCONV_ACT_RELU);
        RunOptions o;
        o.pool = pool;
        std::string name;
        o.kernel_name = &name;
        EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
        EXPECT_EQ(name, expected_kernel(d));
      }
  ndconv_threadpool_destroy(own);
  ndconv_threadpool_destroy(host);
}

// Shapes that look like n-grams but are not full width go elsewhere (and
// still compute the right answer).
TEST_P(Ngram, NotFullWidthIsNotNgram) {
  std::vector<ndconv_conv_desc> descs;
  ndconv_conv_desc d = make_desc({Form::kConv2dOneChannel, 1, 12, 9, 3, 5, 1, {NDCONV_PAD_VALID, 0, 0}},
                                 NDCONV_NXC, NDCONV_OIX, NDCONV_ACT_NONE);
  ndconv_conv_desc narrow = d;  // kernel one column short of the width
  narrow.kernel[1] = 8;
  descs.push_back(narrow);
  ndconv_conv_desc padded = d;  // padding on the embedding axis
  padded.padding = NDCONV_PAD_EXPLICIT;
  padded.pad_begin[1] = 1;
  padded.kernel[1] = 10;
  descs.push_back(padded);
  ndconv_conv_desc dilated = make_desc({Form::kConv1d, 1, 20, 6, 3, 4, 1, {NDCONV_PAD_VALID, 0, 0}},
                                       NDCONV_NCX, NDCONV_OIX, NDCONV_ACT_NONE);
  dilated.dilation[0] = 2;
  descs.push_back(dilated);
  ndconv_conv_desc grouped = dilated;
  grouped.dilation[0] = 1;
  grouped.groups = 2;
  grouped.out_channels = 4;
  descs.push_back(grouped);
  for (const ndconv_conv_desc& x : descs) {
    std::string name;
    RunOptions o;
    o.kernel_name = &name;
    ASSERT_TRUE(create_run_and_check(x, o)) << describe(x);
    EXPECT_EQ(name.find("ngram"), std::string::npos) << name << ' ' << describe(x);
  }
}

// Speech-stem shapes (one input channel, K = k <= 11 floats per window): the
// K-stationary kernel in the interior where the ISA prefers it (AVX-512),
// padded borders through gemm_rows, every column tail, epilogue, a batch, and
// a thread pool splitting rows and columns.
TEST_P(Ngram, SmallReductionsSpeechStem) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  const NgramCase cases[] = {
      {Form::kConv1d, 1, 400, 1, 10, 512, 5, {NDCONV_PAD_VALID, 0, 0}},
      {Form::kConv1d, 2, 157, 1, 10, 37, 5, {NDCONV_PAD_VALID, 0, 0}},
      {Form::kConv1d, 2, 211, 1, 11, 100, 3, {NDCONV_PAD_EXPLICIT, 4, 2}},
      {Form::kConv1d, 3, 90, 1, 9, 33, 1, {NDCONV_PAD_SAME_UPPER, 0, 0}},
      {Form::kConv1d, 1, 64, 1, 10, 1, 2, {NDCONV_PAD_VALID, 0, 0}},
      {Form::kConv1d, 2, 300, 1, 8, 130, 4, {NDCONV_PAD_EXPLICIT, 0, 5}},
      {Form::kConv1d, 1, 120, 1, 3, 16, 1, {NDCONV_PAD_VALID, 0, 0}},
  };
  int i = 0;
  for (const NgramCase& c : cases)
    for (ndconv_activation act : {NDCONV_ACT_NONE, NDCONV_ACT_RELU, NDCONV_ACT_CLAMP})
      for (bool threaded : {false, true}) {
        const ndconv_conv_desc d = make_desc(c, NDCONV_NXC, i % 2 ? NDCONV_OIX : NDCONV_XIO, act);
        RunOptions o;
        std::string name;
        o.kernel_name = &name;
        o.with_bias = i % 3 != 2;
        o.guard = i % 2 ? Guard::kBefore : Guard::kAfter;
        o.seed = static_cast<uint64_t>(100 + i);
        o.pool = threaded ? pool : nullptr;
        ASSERT_TRUE(create_run_and_check(d, o)) << describe(d);
        ASSERT_EQ(name, expected_kernel(d)) << describe(d);
        ++i;
      }
  ndconv_threadpool_destroy(pool);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, Ngram, ::testing::ValuesIn(available_isas()), isa_test_name);

}  // namespace
}  // namespace test
}  // namespace ndconv
