// 1x1 convolutions through the public API on every ISA: both layouts and
// weight layouts, ranks 1 to 3, stride, groups, batch, bias, activations,
// channel counts around the tile sizes and K past the K block, guard pages on
// both sides, single thread and a pool.
#include <gtest/gtest.h>

#include <string>

#include "tests/isa_param.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace test {
namespace {

struct PointwiseCase {
  int rank;
  int64_t batch, cin, cout, groups;
  int64_t size, stride;
};

ndconv_conv_desc make_desc(const PointwiseCase& c, ndconv_layout layout, ndconv_weight_layout wl,
                           ndconv_activation act) {
  ndconv_conv_desc d = {};
  d.rank = c.rank;
  d.layout = layout;
  d.weight_layout = wl;
  d.batch = c.batch;
  d.in_channels = c.cin;
  d.out_channels = c.cout;
  d.groups = c.groups;
  for (int i = 0; i < c.rank; ++i) {
    d.in_size[i] = c.size + i;  // unequal extents catch transposed indexing
    d.kernel[i] = 1;
    d.stride[i] = c.stride;
  }
  d.activation = act;
  d.act_min = -0.3f;
  d.act_max = 0.4f;
  return d;
}

const PointwiseCase kCases[] = {
    {2, 1, 1, 1, 1, 3, 1},      {2, 1, 3, 5, 1, 7, 1},     {1, 2, 17, 33, 1, 29, 1},
    {2, 1, 64, 47, 1, 6, 1},    {3, 1, 9, 31, 1, 4, 1},    {2, 2, 300, 40, 1, 5, 1},  // K > K block
    {2, 1, 24, 16, 1, 9, 2},    {1, 1, 13, 29, 1, 50, 3},  {3, 2, 8, 12, 1, 5, 2},
    {2, 1, 12, 18, 3, 6, 1},    {2, 2, 8, 8, 8, 5, 2},     {1, 1, 520, 17, 1, 3, 1},
    {2, 1, 64, 96, 2, 15, 1},   {1, 3, 7, 65, 1, 33, 1},
    // Shapes whose M or N fit the alternative tile shapes better.
    {2, 1, 16, 48, 1, 4, 1},    {1, 2, 9, 24, 1, 64, 1},   {2, 1, 30, 8, 1, 12, 1},
    // Channels-first B panels with many M blocks and K blocks: rows 4 KiB
    // apart alias in L1 and are copied; 420-pixel rows are read in place.
    {1, 1, 300, 64, 1, 1024, 1}, {2, 1, 300, 64, 1, 20, 1},
    // Weights past the L2-resident size (N panel outermost), K past the
    // L2-sized K block of every tile width (several K blocks accumulating
    // into C, a tail N panel, a short M block).
    {1, 1, 4200, 50, 1, 3, 1},  {2, 1, 1500, 130, 1, 4, 1},
    // Stride 2 with output rows longer than a vector (the channels-first
    // panel's strided copy at full vectors, runs split at row ends); odd
    // last extents, so the last output pixel reads the input's last float
    // (against the guard page after it).
    {1, 1, 20, 50, 1, 101, 2},  {2, 1, 24, 40, 1, 40, 2},   {3, 1, 6, 18, 1, 35, 2},
    // A few input channels into at most one vector of outputs (channels-last:
    // the K-stationary narrow kernel, 32 rows per call): K = 11 with 16
    // outputs (a full AVX-512 vector), strided, and 1 -> 3 over a batch.
    {1, 3, 11, 16, 1, 37, 1},   {2, 1, 3, 5, 1, 9, 2},      {2, 2, 1, 3, 1, 11, 1},
    // The same, one group at stride 1 (channels-last: the stream form on
    // AVX-512, whole blocks of a vector of pixels, the rest per
    // row): a block tail over a batch, fewer pixels than a block, and
    // channel counts whose output vectors read two input vectors.
    {2, 2, 3, 5, 1, 13, 1},     {1, 1, 2, 16, 1, 5, 1},     {1, 1, 5, 4, 1, 50, 1},
    {1, 2, 8, 7, 1, 33, 1},
};

class Pointwise : public NativeChannelsFirstIsaTest {};

TEST_P(Pointwise, MatchesReferenceEveryLayoutAndEpilogue) {
  for (const PointwiseCase& c : kCases)
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC})
      for (ndconv_weight_layout wl : {NDCONV_OIX, NDCONV_XIO})
        for (ndconv_activation act : {NDCONV_ACT_NONE, NDCONV_ACT_RELU, NDCONV_ACT_CLAMP}) {
          const ndconv_conv_desc d = make_desc(c, layout, wl, act);
          RunOptions o;
          std::string name;
          o.kernel_name = &name;
          o.with_bias = act != NDCONV_ACT_RELU;
          o.guard = (c.cin + c.cout) % 2 ? Guard::kBefore : Guard::kAfter;
          o.seed = static_cast<uint64_t>(c.cin * 131 + c.cout);
          ASSERT_TRUE(create_run_and_check(d, o)) << describe(d);
          // A 1x1 depthwise convolution is the depthwise kernel's (a per-channel scale).
          const bool depthwise = c.groups == c.cin && c.cin > 1;
          ASSERT_EQ(name, std::string(depthwise ? "depthwise/" : "pointwise-gemm/") +
                              ndconv_isa_name(GetParam()));
        }
}

TEST_P(Pointwise, ThreadPoolGivesTheSameAnswer) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  for (const PointwiseCase& c : kCases)
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
      const ndconv_conv_desc d = make_desc(c, layout, NDCONV_OIX, NDCONV_ACT_RELU);
      RunOptions o;
      o.pool = pool;
      EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
    }
  ndconv_threadpool_destroy(pool);
}

TEST_P(Pointwise, PaddedOneByOneIsNotPointwise) {
  ndconv_conv_desc d = make_desc({2, 1, 4, 4, 1, 5, 1}, NDCONV_NXC, NDCONV_OIX, NDCONV_ACT_NONE);
  d.pad_begin[0] = 1;
  std::string name;
  RunOptions o;
  o.kernel_name = &name;
  ASSERT_TRUE(create_run_and_check(d, o));
  EXPECT_EQ(name.find("pointwise"), std::string::npos) << name;
}

INSTANTIATE_TEST_SUITE_P(AllIsas, Pointwise, ::testing::ValuesIn(available_isas()), isa_test_name);

}  // namespace
}  // namespace test
}  // namespace ndconv
