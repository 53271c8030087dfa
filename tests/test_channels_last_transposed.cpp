// Channels-first plans computed channels-last between two transposes
// (algorithms/channels_last_transposed.h): the register-tile transposers
// (4-byte elements and bytes) of every ISA table on every tail, against plain indexing, with guard pages;
// the tuning's rules on shapes of the benchmark suite's kinds; in-place
// tensors (one channel) and thread pools. (Every general case channels-first
// through it: tests/test_general_conv.cpp, GeneralConv.ChannelsFirstComputedChannelsLast.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "algorithms/channels_last_transposed.h"
#include "addressing/channel_transpose.h"
#include "api/memory.h"
#include "tests/isa_param.h"
#include "tests/support/conv_desc.h"
#include "tests/support/guarded_buffer.h"
#include "tests/support/kernel_tables.h"
#include "tests/support/qconv_check.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace {

using test::Guard;
using test::GuardedBuffer;

class TransposeWords : public ::testing::TestWithParam<const kernels::KernelTable*> {};

// 4-byte elements (floats here) in 8 x 8 and 4 x 4 tiles: rows x cols from 1
// to 19 (every tail, both walk orders), strides wider than the rows, guards
// after and before both tensors: every destination element written once with
// its source element's bits, nothing else touched.
TEST_P(TransposeWords, EveryTailMatchesIndexing) {
  const kernels::TransposeWordsFn fn = GetParam()->transpose_words;
  ASSERT_NE(fn, nullptr);
  for (Guard guard : {Guard::kAfter, Guard::kBefore})
    for (size_t rows = 1; rows < 20; ++rows)
      for (size_t cols = 1; cols < 20; ++cols) {
        const size_t src_stride = cols + rows % 3, dst_stride = rows + cols % 2;
        GuardedBuffer src((rows - 1) * src_stride + cols, guard, 0.0f);
        GuardedBuffer dst((cols - 1) * dst_stride + rows, guard, -1.0f);
        for (size_t i = 0; i < src.size(); ++i) src.data()[i] = static_cast<float>(i) + 0.5f;
        fn(src.data(), src_stride, dst.data(), dst_stride, rows, cols);
        for (size_t j = 0; j < cols; ++j)
          for (size_t i = 0; i < dst_stride && j * dst_stride + i < dst.size(); ++i) {
            const float want = i < rows ? src.data()[i * src_stride + j] : -1.0f;  // the gaps stay untouched
            ASSERT_EQ(dst.data()[j * dst_stride + i], want)
                << "rows " << rows << " cols " << cols << " dst[" << j << "][" << i << "]";
          }
      }
}

// Bit for bit: NaN payloads, negative zero and int32 patterns that are
// signalling NaNs as floats come through unchanged (an 8 x 8 tile and its edges).
TEST_P(TransposeWords, CopiesBitsNotValues) {
  const kernels::TransposeWordsFn fn = GetParam()->transpose_words;
  ASSERT_NE(fn, nullptr);
  const size_t rows = 11, cols = 9;
  std::vector<uint32_t> src(rows * cols), dst(rows * cols, 0);
  const uint32_t patterns[] = {0x7f800001u, 0xff800001u, 0x7fc00123u, 0x80000000u, 0xffffffffu, 0x00000001u};
  for (size_t i = 0; i < src.size(); ++i) src[i] = patterns[i % 6] ^ static_cast<uint32_t>(i << 8);
  fn(src.data(), cols, dst.data(), rows, rows, cols);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) ASSERT_EQ(dst[c * rows + r], src[r * cols + c]) << r << " " << c;
}

INSTANTIATE_TEST_SUITE_P(Isa, TransposeWords, ::testing::ValuesIn(test::available_tables()),
                         test::table_test_name);

class TransposeBytes : public ::testing::TestWithParam<const kernels::KernelTable*> {};

// The byte transposer (16 x 16 tiles): rows x cols from 1 to 35 (every tail
// of one and two tiles, both walk orders), strides wider than the rows, the
// last byte of the destination against a PROT_NONE page: every destination
// byte written once with its source byte, the gaps untouched.
TEST_P(TransposeBytes, EveryTailMatchesIndexing) {
  const kernels::TransposeBytesFn fn = GetParam()->transpose_bytes;
  ASSERT_NE(fn, nullptr);
  for (size_t rows = 1; rows < 36; ++rows)
    for (size_t cols = 1; cols < 36; ++cols) {
      const size_t src_stride = cols + rows % 3, dst_stride = rows + cols % 2;
      test::GuardedBytes src((rows - 1) * src_stride + cols);
      test::GuardedBytes dst((cols - 1) * dst_stride + rows);
      for (size_t i = 0; i < src.size(); ++i) src.data()[i] = static_cast<uint8_t>(i * 7 + 1);
      std::memset(dst.data(), 0xEE, dst.size());
      fn(src.data(), src_stride, dst.data(), dst_stride, rows, cols);
      for (size_t j = 0; j < cols; ++j)
        for (size_t i = 0; i < dst_stride && j * dst_stride + i < dst.size(); ++i) {
          const int want = i < rows ? src.data()[i * src_stride + j] : 0xEE;
          ASSERT_EQ(dst.data()[j * dst_stride + i], want)
              << "rows " << rows << " cols " << cols << " dst[" << j << "][" << i << "]";
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Isa, TransposeBytes, ::testing::ValuesIn(test::available_tables()),
                         test::table_test_name);

// The depthwise slabs (float32 and int8; here int8's byte input): whole blocks, at
// least one, at most a quarter of the channels rounded up to a block, within
// the L2 budget where a block fits it.
TEST(DepthwiseSlabChannels, WholeBlocksWithinTheBudgetAndAQuarter) {
  // dw3x3_mbv2: 144 channels, 56 x 56, U8 out: 6272 bytes a channel.
  EXPECT_EQ(dispatch::depthwise_slab_channels(144, 1, 3136, 3136, 1, 1, 64, 512 * 1024), 64);
  EXPECT_EQ(dispatch::depthwise_slab_channels(144, 1, 3136, 3136, 1, 1, 16, 512 * 1024), 48);  // the quarter
  EXPECT_EQ(dispatch::depthwise_slab_channels(1024, 1, 3136, 3136, 1, 1, 16, 512 * 1024), 80);  // the budget
  EXPECT_EQ(dispatch::depthwise_slab_channels(1024, 2, 3136, 3136, 1, 4, 16, 512 * 1024), 16);  // F32 out, x2
  EXPECT_EQ(dispatch::depthwise_slab_channels(8, 1, 1 << 20, 1 << 20, 1, 1, 64, 512 * 1024), 64);  // one block
  EXPECT_EQ(dispatch::depthwise_slab_channels(144, 1, 3136, 3136, 4, 4, 16, 512 * 1024), 16);  // float32's
  for (int64_t c : {2, 17, 100, 257, 1000})
    for (size_t block : {16, 32, 64}) {
      const int64_t slab = dispatch::depthwise_slab_channels(c, 1, 400, 400, 1, 1, block, 64 * 1024);
      EXPECT_EQ(slab % static_cast<int64_t>(block), 0) << c << " " << block;
      EXPECT_GE(slab, static_cast<int64_t>(block)) << c << " " << block;
      EXPECT_LE(slab, std::max<int64_t>(static_cast<int64_t>(block), ((c + 3) / 4 + static_cast<int64_t>(block) - 1) /
                                                                         static_cast<int64_t>(block) * static_cast<int64_t>(block)));
      EXPECT_LE(slab * 800, std::max<int64_t>(64 * 1024, static_cast<int64_t>(block) * 800)) << c << " " << block;
    }
}

std::string kernel_of(const ndconv_conv_desc& d) {
  const std::vector<float> w(static_cast<size_t>(d.out_channels * d.in_channels / d.groups * d.kernel[0] *
                                                 (d.rank > 1 ? d.kernel[1] : 1)),
                             0.25f);
  ndconv_conv* conv = nullptr;
  EXPECT_EQ(ndconv_conv_create(&d, w.data(), nullptr, &conv), NDCONV_OK) << ndconv_last_error();
  const std::string name = conv ? ndconv_conv_kernel_name(conv) : "";
  ndconv_conv_destroy(conv);
  return name;
}

ndconv_conv_desc conv1d_desc(int64_t cin, int64_t cout, int64_t length, int64_t k, int64_t stride) {
  ndconv_conv_desc d = {};
  d.rank = 1;
  d.layout = NDCONV_NCX;
  d.batch = 1;
  d.in_channels = cin;
  d.out_channels = cout;
  d.groups = 1;
  d.in_size[0] = length;
  d.kernel[0] = k;
  d.stride[0] = stride;
  d.padding = NDCONV_PAD_VALID;
  return d;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

class ChannelsLastRules : public test::IsaTest {};

// The default tuning (Tuning::ncx_channels_last = 1) on shapes of the
// suite's kinds, channels-first: many FLOPs per transposed element go
// channels-last, few stay; pointwise only on few pixels; depthwise with a
// vector of channels on short lines; groups of a few channels keep
// grouped-direct.
TEST_P(ChannelsLastRules, SuiteKindsTakeTheirPath) {
  const int saved = dispatch::testing::force_ncx_channels_last(-1);
  // conv3x3_res2 at 28 x 28: 576 FLOPs per element.
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NCX, 64, 64, 28, 28, 3, 3, 1, NDCONV_PAD_SAME_UPPER)),
                          "indirect-gemm-ncx/"));
  // The speech stem: one input channel, 20 FLOPs per output element.
  EXPECT_TRUE(starts_with(kernel_of(conv1d_desc(1, 512, 4000, 10, 5)), "im2col-panel-gemm/"));
  // pw_res5_expand (49 pixels) and a pointwise layer over 56 x 56.
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NCX, 512, 512, 7, 7, 1, 1, 1, NDCONV_PAD_VALID)),
                          "pointwise-gemm-ncx/"));
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NCX, 64, 256, 56, 56, 1, 1, 1, NDCONV_PAD_VALID)),
                          "pointwise-gemm/"));
  // Depthwise: 144 channels (a vector or more on every ISA) at 28 x 28; a
  // rank-1 line of 1000.
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NCX, 144, 144, 28, 28, 3, 3, 144, NDCONV_PAD_SAME_UPPER)),
                          "depthwise-ncx/"));
  ndconv_conv_desc dw1d = conv1d_desc(64, 64, 1000, 7, 1);
  dw1d.groups = 64;
  EXPECT_TRUE(starts_with(kernel_of(dw1d), "depthwise/"));
  // ResNeXt's 32 groups of 4.
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NCX, 128, 128, 28, 28, 3, 3, 32, NDCONV_PAD_SAME_UPPER)),
                          "grouped-direct/"));
  // Channels-last plans never transpose.
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NXC, 64, 64, 28, 28, 3, 3, 1, NDCONV_PAD_SAME_UPPER)),
                          "indirect-gemm/"));
  // Forced off, the channels-first algorithm.
  dispatch::testing::force_ncx_channels_last(0);
  EXPECT_TRUE(starts_with(kernel_of(test::conv2d_desc(NDCONV_NCX, 64, 64, 28, 28, 3, 3, 1, NDCONV_PAD_SAME_UPPER)),
                          "im2col-panel-gemm/"));
  dispatch::testing::force_ncx_channels_last(saved);
}

// Tensors whose two layouts are the same bytes (one input channel, one
// output channel) are read and written in place; batches of several images;
// three threads and a pool that runs the tasks in reverse.
TEST_P(ChannelsLastRules, InPlaceTensorsBatchesAndPools) {
  const int saved = dispatch::testing::force_ncx_channels_last(2);
  ndconv_threadpool* own = ndconv_threadpool_create(3);
  ndconv_threadpool* host = ndconv_threadpool_create_external(
      [](void*, ndconv_task_fn fn, void* ctx, size_t count) {
        for (size_t i = count; i-- > 0;) fn(ctx, i);
      },
      nullptr, 5);
  ASSERT_NE(own, nullptr);
  ASSERT_NE(host, nullptr);
  const ndconv_conv_desc descs[] = {
      test::conv2d_desc(NDCONV_NCX, 1, 9, 13, 70, 3, 3, 1, NDCONV_PAD_SAME_UPPER),      // input in place
      test::conv2d_desc(NDCONV_NCX, 7, 1, 13, 70, 3, 3, 1, NDCONV_PAD_VALID, 2),         // output in place
      test::conv2d_desc(NDCONV_NCX, 1, 1, 9, 67, 5, 5, 1, NDCONV_PAD_SAME_LOWER),        // both
      test::conv2d_desc(NDCONV_NCX, 17, 33, 11, 71, 3, 3, 1, NDCONV_PAD_SAME_UPPER, 1,   // pixel blocks of 64 + a tail
                        NDCONV_ACT_RELU),
  };
  for (const ndconv_conv_desc& d : descs)
    for (ndconv_threadpool* pool : {static_cast<ndconv_threadpool*>(nullptr), own, host}) {
      test::RunOptions o;
      o.pool = pool;
      std::string name;
      o.kernel_name = &name;
      o.guard = pool == host ? Guard::kBefore : Guard::kAfter;
      EXPECT_TRUE(test::create_run_and_check(d, o)) << test::describe(d);
      EXPECT_NE(name.find("-ncx/"), std::string::npos) << name;
    }
  ndconv_threadpool_destroy(own);
  ndconv_threadpool_destroy(host);
  dispatch::testing::force_ncx_channels_last(saved);
}

// The transposes' scratch is the calling thread's, allocated on its first
// run (a new thread here): when that allocation fails the run says so and
// writes nothing; the next run allocates it and computes the convolution.
TEST_P(ChannelsLastRules, ScratchAllocationFailureIsAnError) {
  const int saved = dispatch::testing::force_ncx_channels_last(2);
  const ndconv_conv_desc d = test::conv2d_desc(NDCONV_NCX, 6, 10, 9, 21, 3, 3, 1, NDCONV_PAD_SAME_UPPER);
  const std::vector<float> x = test::random_tensor(static_cast<size_t>(2 * 6 * 9 * 21), 3),
                           w = test::random_tensor(static_cast<size_t>(10 * 6 * 9), 4);
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(ndconv_conv_create(&d, w.data(), nullptr, &conv), NDCONV_OK) << ndconv_last_error();
  EXPECT_NE(std::string(ndconv_conv_kernel_name(conv)).find("-ncx/"), std::string::npos);
  std::thread fresh([&] {
    std::vector<float> y(static_cast<size_t>(2 * 10 * 9 * 21), 7.0f);
    dispatch::testing::fail_allocations_from(1);
    EXPECT_EQ(ndconv_conv_run(conv, x.data(), y.data(), nullptr), NDCONV_OUT_OF_MEMORY);
    dispatch::testing::fail_allocations_from(0);
    EXPECT_NE(std::string(ndconv_last_error()).find("channels-last scratch"), std::string::npos)
        << ndconv_last_error();
    for (float v : y) ASSERT_EQ(v, 7.0f);
    ASSERT_EQ(ndconv_conv_run(conv, x.data(), y.data(), nullptr), NDCONV_OK) << ndconv_last_error();
    EXPECT_TRUE(test::matches_reference(d, x.data(), w.data(), nullptr, y.data()));
  });
  fresh.join();
  ndconv_conv_destroy(conv);
  dispatch::testing::force_ncx_channels_last(saved);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, ChannelsLastRules, ::testing::ValuesIn(test::available_isas()),
                         test::isa_test_name);

}  // namespace
}  // namespace ndconv
