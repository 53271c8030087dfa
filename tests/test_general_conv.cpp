// General N-D convolutions (indirect GEMM for channels-last, im2col panels
// for channels-first, the grouped kernels) through the public API on every
// ISA: ranks 1 to 5, stride, dilation, asymmetric and SAME padding, kernels
// larger than the input, groups, channel counts off the vector width, batch,
// both weight layouts, every activation, guard pages on either side, single
// thread and a pool.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "tests/isa_param.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace test {
namespace {

struct GeneralCase {
  int rank;
  int64_t batch, cin, cout, groups;
  std::initializer_list<int64_t> size, kernel, stride, dilation, pad_begin, pad_end;
  ndconv_padding padding;
};

ndconv_conv_desc make_desc(const GeneralCase& c, ndconv_layout layout, ndconv_weight_layout wl,
                           ndconv_activation act) {
  ndconv_conv_desc d = {};
  d.rank = c.rank;
  d.layout = layout;
  d.weight_layout = wl;
  d.batch = c.batch;
  d.in_channels = c.cin;
  d.out_channels = c.cout;
  d.groups = c.groups;
  auto fill = [&](int64_t* dst, std::initializer_list<int64_t> v, int64_t dflt) {
    for (int i = 0; i < c.rank; ++i) dst[i] = dflt;
    int i = 0;
    for (int64_t x : v) dst[i++] = x;
  };
  fill(d.in_size, c.size, 1);
  fill(d.kernel, c.kernel, 1);
  fill(d.stride, c.stride, 1);
  fill(d.dilation, c.dilation, 1);
  fill(d.pad_begin, c.pad_begin, 0);
  fill(d.pad_end, c.pad_end, 0);
  d.padding = c.padding;
  d.activation = act;
  d.act_min = -0.3f;
  d.act_max = 0.4f;
  return d;
}

constexpr ndconv_padding kExplicit = NDCONV_PAD_EXPLICIT;

const GeneralCase kCases[] = {
    // rank 1: padded, merged C_in = 1 taps with stride (audio stem), dilation,
    // kernel larger than the input, K sliced past the L1 block (C_in = 300).
    {1, 1, 3, 5, 1, {17}, {3}, {1}, {1}, {1}, {1}, kExplicit},
    {1, 2, 1, 7, 1, {43}, {10}, {5}, {1}, {0}, {0}, kExplicit},
    {1, 1, 4, 9, 1, {20}, {3}, {1}, {2}, {2}, {2}, kExplicit},
    {1, 1, 2, 3, 1, {3}, {6}, {1}, {1}, {2}, {3}, kExplicit},
    {1, 1, 300, 20, 1, {9}, {3}, {2}, {1}, {1}, {0}, kExplicit},
    // stride 2 along long lines (full-vector strided panel copies; the last
    // tap reads the input's last float, next to the guard page).
    {1, 1, 3, 5, 1, {80}, {3}, {2}, {1}, {1}, {0}, kExplicit},
    {2, 1, 2, 3, 1, {5, 71}, {3, 3}, {1, 2}, {1, 1}, {1, 1}, {1, 0}, kExplicit},
    // rank 2: the stem's merged 7-pixel runs crossing both borders, 3x3
    // padded, asymmetric pads with stride and dilation per dim, SAME padding,
    // kernel larger than the input, C_out over several NR panels.
    {2, 1, 3, 17, 1, {11, 9}, {7, 7}, {2, 2}, {1, 1}, {3, 3}, {3, 3}, kExplicit},
    {2, 1, 16, 33, 1, {7, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 2, 5, 6, 1, {9, 8}, {3, 2}, {2, 1}, {1, 2}, {0, 2}, {1, 0}, kExplicit},
    {2, 1, 7, 11, 1, {8, 10}, {3, 3}, {2, 2}, {1, 1}, {}, {}, NDCONV_PAD_SAME_UPPER},
    {2, 1, 6, 4, 1, {5, 7}, {4, 2}, {1, 3}, {1, 1}, {}, {}, NDCONV_PAD_SAME_LOWER},
    {2, 1, 2, 5, 1, {3, 4}, {5, 6}, {1, 1}, {1, 1}, {2, 3}, {2, 2}, kExplicit},
    {2, 1, 40, 70, 1, {5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    // Output lines longer than two AVX-512 M blocks (14 rows): blocks inside
    // one line whose rows all read the input in place take the evenly spaced
    // row pointers; blocks at a line's ends or across lines the per-row ones.
    // Merged 7- and 5-pixel runs (C_in 3 and 2), then unmerged taps (C_in 40)
    // with dilation, whose first or last row reads padding.
    {2, 1, 3, 20, 1, {9, 70}, {7, 7}, {2, 2}, {1, 1}, {3, 3}, {3, 2}, kExplicit},
    {2, 1, 3, 17, 1, {5, 130}, {7, 7}, {2, 2}, {1, 1}, {3, 3}, {3, 3}, kExplicit},
    {2, 1, 2, 9, 1, {6, 40}, {3, 5}, {1, 1}, {1, 1}, {1, 2}, {1, 2}, kExplicit},
    {2, 1, 40, 18, 1, {4, 37}, {3, 3}, {1, 1}, {1, 2}, {1, 2}, {1, 2}, kExplicit},
    // Full M blocks at both ends of a line whose taps read padding in their
    // first or last 1 or 2 rows (GemmRowsStridedArgs::edge_pad: the strided
    // kernel skips those rows): lines of 42, 48 and 56 pixels (whole blocks
    // of 14, 6 and 8 rows), padding 1 and 2, kernel 5, dilation 2, and
    // groups swept with the one-vector tile (C_in/G odd, each group's rows
    // 15 floats further on) or the k-pair kernels where the core takes them
    // (C_in/G 16).
    {2, 1, 16, 20, 1, {3, 42}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 1, 6, 24, 1, {2, 42}, {3, 5}, {1, 1}, {1, 1}, {1, 2}, {1, 2}, kExplicit},
    {2, 1, 6, 24, 1, {2, 48}, {3, 5}, {1, 1}, {1, 1}, {1, 2}, {1, 2}, kExplicit},
    {1, 1, 8, 20, 1, {56}, {3}, {1}, {2}, {2}, {2}, kExplicit},
    {2, 1, 30, 24, 2, {2, 56}, {3, 5}, {1, 1}, {1, 1}, {1, 2}, {1, 2}, kExplicit},
    {2, 1, 32, 32, 2, {2, 56}, {3, 5}, {1, 1}, {1, 1}, {1, 2}, {1, 2}, kExplicit},
    // rank 3 to 5.
    {3, 1, 5, 6, 1, {4, 5, 3}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, kExplicit},
    {4, 1, 3, 4, 1, {3, 3, 4, 3}, {2, 2, 2, 3}, {1, 2, 1, 1}, {1, 1, 2, 1}, {0, 1, 0, 1}, {1, 0, 1, 1}, kExplicit},
    {5, 2, 2, 3, 1, {2, 3, 2, 3, 4}, {2, 1, 2, 2, 3}, {1, 1, 1, 2, 1}, {1, 1, 1, 1, 1}, {1, 0, 0, 1, 1}, {0, 0, 1, 0, 1}, kExplicit},
    // groups: C_in/G = 1..5, C_out/G not a vector multiple, ResNeXt-like 4x4.
    {2, 1, 8, 12, 4, {6, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 2, 15, 10, 5, {5, 6}, {3, 3}, {2, 1}, {1, 1}, {1, 0}, {0, 1}, kExplicit},
    {2, 1, 16, 16, 4, {7, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 1, 64, 64, 16, {6, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {1, 1, 10, 14, 2, {12}, {3}, {1}, {2}, {2}, {1}, kExplicit},
    {2, 1, 6, 12, 6, {5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {3, 1, 12, 8, 4, {3, 4, 5}, {2, 3, 3}, {1, 1, 2}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, kExplicit},
    // The grouped kernel (C_in/G == C_out/G of 2 or 4): channel counts that
    // leave a partial vector, rank 1 and 3, stride, dilation, batch.
    {1, 2, 8, 8, 4, {13}, {5}, {2}, {1}, {2}, {1}, kExplicit},
    {2, 1, 36, 36, 9, {6, 7}, {3, 3}, {1, 2}, {2, 1}, {2, 1}, {1, 0}, kExplicit},
    {3, 2, 20, 20, 10, {3, 4, 4}, {2, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, kExplicit},
    {2, 1, 10, 10, 5, {4, 3}, {5, 4}, {1, 1}, {1, 1}, {2, 1}, {2, 2}, kExplicit},
    // Groups of at most one vector of output channels swept together by the
    // indirect GEMM (one plan per M block, each group's channels further on):
    // lines longer than two M blocks (evenly spaced rows, padding at the line
    // ends), an output-channel tail in the vector (12 of 16 on AVX-512, 3 of
    // 4 on NEON), 1 channel per group (the scalar one-vector tile), stride,
    // batch.
    {2, 1, 32, 24, 2, {5, 33}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 2, 24, 12, 4, {4, 31}, {3, 3}, {1, 2}, {1, 1}, {1, 1}, {1, 0}, kExplicit},
    {2, 1, 8, 4, 4, {3, 37}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    // The same on the k-pair kernels where the core takes them (AVX-512,
    // Tuning::indirect_kpair): 8, 12, 16 and 24 input channels per group
    // (even: pairs of k inside each tap), 16 or 12 output channels, lines
    // of 33, 45 and 16 pixels (not multiples of the 14-row tile), stride 2,
    // dilation 2, batch; and 15 per group (odd: the one-vector tile).
    {2, 1, 32, 64, 4, {5, 33}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 1, 48, 48, 4, {4, 45}, {3, 3}, {1, 1}, {1, 2}, {1, 2}, {1, 2}, kExplicit},
    {2, 1, 64, 64, 4, {6, 31}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 2, 48, 32, 2, {4, 16}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
    {2, 1, 30, 32, 2, {4, 29}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
};

// Shapes the grouped channels-last kernel takes where the ISA has one.
bool takes_grouped_kernel(const GeneralCase& c) {
  const int64_t per_group = c.cin / c.groups;
  return c.groups > 1 && c.groups != c.cin && c.cout == c.cin && (per_group == 2 || per_group == 4);
}

// Channels-first shapes the direct grouped kernel takes (every ISA): groups,
// not depthwise, at most 4 output channels per group.
bool takes_grouped_direct(const GeneralCase& c) {
  return c.groups > 1 && c.groups != c.cin && c.cout / c.groups <= 4;
}

// The general algorithms, or the n-gram GEMM, which also claims rank-1
// convolutions without dilation (every rank-1 kernel "spans the trailing dims").
bool is_general_kernel(const std::string& name, const ndconv_conv_desc& d) {
  const bool ngram_claims = d.rank == 1 && (d.groups <= 1) && (d.dilation[0] <= 1 || d.kernel[0] == 1);
  if (ngram_claims && name.rfind("ngram-gemm/", 0) == 0) return true;
  return name.rfind("indirect-gemm/", 0) == 0 || name.rfind("im2col-panel-gemm/", 0) == 0 ||
         name.rfind("grouped-", 0) == 0;
}

class GeneralConv : public NativeChannelsFirstIsaTest {};

TEST_P(GeneralConv, MatchesReferenceEveryLayoutAndEpilogue) {
  for (const GeneralCase& c : kCases)
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC})
      for (ndconv_weight_layout wl : {NDCONV_OIX, NDCONV_XIO})
        for (ndconv_activation act : {NDCONV_ACT_NONE, NDCONV_ACT_RELU, NDCONV_ACT_CLAMP}) {
          const ndconv_conv_desc d = make_desc(c, layout, wl, act);
          RunOptions o;
          std::string name;
          o.kernel_name = &name;
          o.with_bias = act != NDCONV_ACT_RELU;
          o.guard = (c.cin + c.cout + act) % 2 ? Guard::kBefore : Guard::kAfter;
          o.seed = static_cast<uint64_t>(c.cin * 131 + c.cout * 7 + c.rank);
          ASSERT_TRUE(create_run_and_check(d, o)) << describe(d);
          const bool depthwise = c.groups == c.cin && c.groups > 1;
          if (depthwise)
            EXPECT_EQ(name.find("reference"), std::string::npos) << name;
          else
            EXPECT_TRUE(is_general_kernel(name, d)) << name << " for " << describe(d);
          EXPECT_NE(name.find(ndconv_isa_name(GetParam())), std::string::npos) << name;
          const bool x86_simd = GetParam() == NDCONV_ISA_AVX2 || GetParam() == NDCONV_ISA_AVX512;
          if (layout == NDCONV_NXC && x86_simd && takes_grouped_kernel(c))
            EXPECT_EQ(name.rfind("grouped-indirect/", 0), 0u) << name;
          if (layout == NDCONV_NCX)
            EXPECT_EQ(name.rfind("grouped-direct/", 0) == 0, takes_grouped_direct(c)) << name;
        }
}

// Every case channels-first through the channels-last algorithms between
// two transposes (algorithms/channels_last_transposed.h), whatever the
// tuning's rules would pick: both weight layouts, every epilogue, guards
// after and before.
TEST_P(GeneralConv, ChannelsFirstComputedChannelsLast) {
  const int saved = dispatch::testing::force_ncx_channels_last(2);
  for (const GeneralCase& c : kCases)
    for (ndconv_weight_layout wl : {NDCONV_OIX, NDCONV_XIO})
      for (ndconv_activation act : {NDCONV_ACT_NONE, NDCONV_ACT_RELU, NDCONV_ACT_CLAMP}) {
        const ndconv_conv_desc d = make_desc(c, NDCONV_NCX, wl, act);
        RunOptions o;
        std::string name;
        o.kernel_name = &name;
        o.with_bias = act != NDCONV_ACT_CLAMP;
        o.guard = (c.cin + c.cout + act + wl) % 2 ? Guard::kBefore : Guard::kAfter;
        o.seed = static_cast<uint64_t>(c.cin * 17 + c.cout * 3 + c.rank);
        EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
        EXPECT_NE(name.find(std::string("-ncx/") + ndconv_isa_name(GetParam())), std::string::npos)
            << name << " for " << describe(d);
      }
  dispatch::testing::force_ncx_channels_last(saved);
}

TEST_P(GeneralConv, ThreadPoolGivesTheSameAnswer) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  for (const GeneralCase& c : kCases)
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
      const ndconv_conv_desc d = make_desc(c, layout, NDCONV_OIX, NDCONV_ACT_RELU);
      RunOptions o;
      o.pool = pool;
      o.guard = Guard::kBefore;
      EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
    }
  ndconv_threadpool_destroy(pool);
}

// Larger than the unit cases: several M tiles, K blocks and N panels per
// task, so the blocking loops (and the thread split of them) are exercised.
TEST_P(GeneralConv, BlockedShapes) {
  const GeneralCase cases[] = {
      {2, 1, 64, 40, 1, {20, 19}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
      {2, 1, 3, 20, 1, {30, 29}, {7, 7}, {2, 2}, {1, 1}, {3, 3}, {3, 3}, kExplicit},
      {2, 1, 32, 32, 8, {17, 15}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
      // 4 groups of 16 (grouped_g4x16 of the bench, smaller): swept groups,
      // several M tiles split between threads.
      {2, 2, 64, 64, 4, {12, 29}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
  };
  ndconv_threadpool* pool = ndconv_threadpool_create(2);
  ASSERT_NE(pool, nullptr);
  for (const GeneralCase& c : cases)
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC})
      for (ndconv_threadpool* p : {static_cast<ndconv_threadpool*>(nullptr), pool}) {
        const ndconv_conv_desc d = make_desc(c, layout, NDCONV_XIO, NDCONV_ACT_CLAMP);
        RunOptions o;
        o.pool = p;
        EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
      }
  ndconv_threadpool_destroy(pool);
}

// A stride or dilation far beyond the input, made valid by as much padding:
// each output line has one pixel that reads the input, and the spacing of a
// line's rows (stride * C_in floats) or a padding tap's flattened offset does
// not fit in 64 bits. Found by the fuzzer (UBSan in the indirect GEMM).
TEST_P(GeneralConv, StrideOrDilationBeyondTheInputWithHugePadding) {
  constexpr int64_t kHuge = int64_t{1} << 60;
  const GeneralCase cases[] = {
      {1, 1, 8, 8, 1, {4}, {3}, {kHuge}, {1}, {kHuge}, {kHuge}, kExplicit},
      {2, 2, 16, 5, 1, {3, 4}, {3, 2}, {1, kHuge}, {1, 1}, {1, kHuge}, {1, kHuge}, kExplicit},
      // Huge dilation: the first taps' coordinates are near -2^61, whose
      // flattened offset would overflow (the indirection build).
      {2, 1, 8, 12, 1, {10, 6}, {3, 3}, {1, 1}, {kHuge, 1}, {2 * kHuge, 1}, {0, 1}, kExplicit},
      // The same with groups (channels-first: the direct grouped kernel,
      // whose outer lines come from the same coordinates).
      {2, 1, 8, 8, 4, {10, 6}, {3, 3}, {1, 1}, {kHuge, 1}, {2 * kHuge, 1}, {0, 1}, kExplicit},
      {2, 1, 4, 4, 2, {3, 5}, {3, 3}, {kHuge, 1}, {1, 1}, {kHuge, 1}, {kHuge, 1}, kExplicit},
      // Groups the indirect GEMM sweeps together (3 input, 4 output
      // channels each): blocks reading only padding, at the zero row plus
      // each group's channel offset.
      {2, 1, 6, 8, 2, {3, 5}, {3, 3}, {kHuge, 1}, {1, 1}, {kHuge, 1}, {kHuge, 1}, kExplicit},
      // The largest stride: a textbook ceiling division by it overflows
      // (found by the fuzzer: UBSan in the channels-first im2col panels).
      {1, 1, 8, 8, 1, {4}, {3}, {INT64_MAX}, {1}, {1}, {1}, kExplicit},
      {2, 1, 6, 9, 1, {5, 7}, {3, 3}, {INT64_MAX, INT64_MAX}, {1, 2}, {1, 2}, {1, 0}, kExplicit},
  };
  for (const GeneralCase& c : cases)
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
      const ndconv_conv_desc d = make_desc(c, layout, NDCONV_OIX, NDCONV_ACT_NONE);
      RunOptions o;
      o.with_bias = true;
      EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
    }
}

// The channels-first direct grouped kernel: every pixel-vector tail of a
// line (widths 1 to 70 cover 0..4 whole vectors plus any partial one on
// every ISA), 1 to 4 output channels per group, 1 to 5 input channels per
// group, strides 1 to 3 with dilation (the stride phases of a line copy),
// padding wider than the kernel, outer dims that read only padding, ranks 1
// to 4 (a 3-D kernel reads 9 lines per output line: the line cache evicts
// around the ones in use), batch, guard pages on both sides, one thread and
// a pool (line ranges split across tasks).
TEST_P(GeneralConv, GroupedDirectChannelsFirst) {
  // (GeneralCase holds initializer lists: each case is used where it is made.)
  const GeneralCase cases[] = {
      {2, 1, 8, 8, 2, {5, 56}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit},
      {2, 2, 12, 6, 3, {4, 33}, {3, 3}, {2, 2}, {1, 2}, {1, 2}, {0, 1}, kExplicit},
      {2, 1, 10, 15, 5, {6, 40}, {3, 5}, {1, 3}, {2, 1}, {2, 4}, {2, 3}, kExplicit},
      {1, 2, 6, 3, 3, {50}, {4}, {2}, {3}, {5}, {6}, kExplicit},
      {1, 1, 16, 8, 4, {17}, {3}, {1}, {1}, {9}, {12}, kExplicit},
      {3, 1, 8, 8, 2, {4, 5, 19}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, kExplicit},
      {3, 1, 6, 6, 3, {3, 4, 9}, {2, 3, 3}, {2, 1, 2}, {1, 2, 1}, {3, 1, 1}, {2, 2, 0}, kExplicit},
      {4, 1, 4, 4, 2, {3, 3, 3, 21}, {2, 2, 2, 3}, {1, 1, 1, 1}, {1, 1, 1, 1}, {1, 0, 1, 1}, {0, 1, 1, 1}, kExplicit},
      {2, 1, 32, 32, 8, {9, 9}, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, NDCONV_PAD_SAME_UPPER},
  };
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  int index = 0;
  auto check = [&](const GeneralCase& c) {
    for (ndconv_threadpool* p : {static_cast<ndconv_threadpool*>(nullptr), pool}) {
      ++index;
      const ndconv_weight_layout wl = index % 2 ? NDCONV_OIX : NDCONV_XIO;
      const ndconv_activation act = index % 3 == 0 ? NDCONV_ACT_NONE : index % 3 == 1 ? NDCONV_ACT_RELU : NDCONV_ACT_CLAMP;
      const ndconv_conv_desc d = make_desc(c, NDCONV_NCX, wl, act);
      RunOptions o;
      std::string name;
      o.kernel_name = &name;
      o.pool = p;
      o.with_bias = index % 4 != 1;
      o.guard = index % 2 ? Guard::kBefore : Guard::kAfter;
      o.seed = static_cast<uint64_t>(index);
      EXPECT_TRUE(create_run_and_check(d, o)) << describe(d);
      EXPECT_EQ(name, std::string("grouped-direct/") + ndconv_isa_name(GetParam())) << describe(d);
    }
  };
  for (const GeneralCase& c : cases) check(c);
  for (int64_t width = 1; width <= 70; ++width)
    check({2, 1, 8, 4 + 4 * (width % 4 != 0), 2, {3, width}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, kExplicit});
  ndconv_threadpool_destroy(pool);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, GeneralConv, ::testing::ValuesIn(available_isas()), isa_test_name);

}  // namespace
}  // namespace test
}  // namespace ndconv
