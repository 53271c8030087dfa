// The header-only C++ layer (ndconv.hpp): builder, RAII plan and pools, errors
// as exceptions carrying the status and ndconv_last_error text.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "ndconv/ndconv.hpp"
#include "tests/support/guarded_buffer.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace {

using ndconv::ConvBuilder;
using ndconv::test::GuardedBuffer;

TEST(CppApi, BuilderFillsTheDescriptorLikeTorchArguments) {
  const auto b = ConvBuilder::conv2d(32, 64, {3, 5}).batch(4).input_size({28, 30}).stride({2, 1})
                     .dilation(2).padding({1, 2}).groups(4).relu6().channels_last().weights_xio();
  const ndconv_conv_desc& d = b.desc();
  EXPECT_EQ(d.rank, 2);
  EXPECT_EQ(d.batch, 4);
  EXPECT_EQ(d.in_channels, 32);
  EXPECT_EQ(d.out_channels, 64);
  EXPECT_EQ(d.groups, 4);
  EXPECT_EQ(d.kernel[0], 3);
  EXPECT_EQ(d.kernel[1], 5);
  EXPECT_EQ(d.in_size[1], 30);
  EXPECT_EQ(d.stride[0], 2);
  EXPECT_EQ(d.stride[1], 1);
  EXPECT_EQ(d.dilation[0], 2);
  EXPECT_EQ(d.dilation[1], 2);
  EXPECT_EQ(d.padding, NDCONV_PAD_EXPLICIT);
  EXPECT_EQ(d.pad_begin[1], 2);
  EXPECT_EQ(d.pad_end[1], 2);
  EXPECT_EQ(d.activation, NDCONV_ACT_CLAMP);
  EXPECT_EQ(d.act_min, 0.0f);
  EXPECT_EQ(d.act_max, 6.0f);
  EXPECT_EQ(d.layout, NDCONV_NXC);
  EXPECT_EQ(d.weight_layout, NDCONV_XIO);
  // (28 + 2 - 5) / 2 + 1 = 13 and (30 + 4 - 9) / 1 + 1 = 26
  EXPECT_EQ(b.output_size(), (std::vector<int64_t>{13, 26}));
  const auto sizes = b.sizes();
  EXPECT_EQ(sizes.input, 4 * 32 * 28 * 30);
  EXPECT_EQ(sizes.weights, 64 * 8 * 15);
  EXPECT_EQ(sizes.output, 4 * 64 * 13 * 26);
  EXPECT_EQ(sizes.bias, 64);
}

TEST(CppApi, SamePaddingAndDepthwise) {
  const auto b = ConvBuilder::conv2d(16, 16, {3, 3}).input_size({15, 15}).stride(2).padding_same().depthwise();
  EXPECT_EQ(b.desc().padding, NDCONV_PAD_SAME_UPPER);
  EXPECT_EQ(b.desc().groups, 16);
  EXPECT_EQ(b.output_size(), (std::vector<int64_t>{8, 8}));
}

TEST(CppApi, ErrorsAreExceptionsWithStatusAndMessage) {
  try {
    ConvBuilder::conv2d(6, 8, {3, 3}).input_size({8, 8}).groups(4).sizes();
    FAIL() << "no exception";
  } catch (const ndconv::Error& e) {
    EXPECT_EQ(e.status(), NDCONV_INVALID_ARGUMENT);
    EXPECT_EQ(e.detail(), "in_channels = 6 is not divisible by groups = 4");
    EXPECT_NE(std::string(e.what()).find("NDCONV_INVALID_ARGUMENT"), std::string::npos);
  }
  const std::vector<float> w(8 * 6 * 4);
  EXPECT_THROW(ConvBuilder::conv2d(6, 8, {2, 2}).input_size({1, 8}).build(w.data()), ndconv::Error);
  EXPECT_THROW(ConvBuilder::conv2d(6, 8, {2, 2}).stride({1, 2, 3}), ndconv::Error);  // wrong length
  EXPECT_THROW(ConvBuilder::conv(1, 1, {1, 1, 1, 1, 1, 1, 1, 1, 1}), ndconv::Error);  // rank 9
  EXPECT_THROW(ndconv::Conv(ConvBuilder::conv1d(1, 1, 1).input_size({4}).desc(), nullptr), ndconv::Error);
}

TEST(CppApi, ConvRunsAndMatchesTheReference) {
  const auto b = ConvBuilder::conv3d(4, 6, {3, 1, 2}).batch(2).input_size({5, 4, 6}).padding_same_lower()
                     .groups(2).clamp(-0.25f, 0.5f);
  const auto sizes = b.sizes();
  GuardedBuffer in(sizes.input), w(sizes.weights), bias(sizes.bias), out(sizes.output);
  ndconv::test::fill_random(in.data(), in.size(), 1);
  ndconv::test::fill_random(w.data(), w.size(), 2);
  ndconv::test::fill_random(bias.data(), bias.size(), 3);
  const ndconv::Conv conv = b.build(w.data(), bias.data());
  // A fast path, on the ISA in use (the reference is only the oracle).
  EXPECT_EQ(std::string(conv.kernel_name()).find("reference"), std::string::npos) << conv.kernel_name();
  EXPECT_NE(std::string(conv.kernel_name()).find(ndconv_isa_name(ndconv_current_isa())), std::string::npos);
  ndconv::ThreadPool pool(2);
  conv.run(in.data(), out.data(), pool);
  EXPECT_TRUE(ndconv::test::matches_reference(b.desc(), in.data(), w.data(), bias.data(), out.data()));
  EXPECT_THROW(conv.run(nullptr, out.data()), ndconv::Error);
}

TEST(CppApi, MoveOnlyOwnership) {
  const std::vector<float> w(3 * 2 * 2, 1.0f);
  ndconv::Conv a = ConvBuilder::conv1d(2, 3, 2).input_size({5}).build(w.data());
  EXPECT_TRUE(a);
  ndconv::Conv b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_STREQ(a.kernel_name(), "");
  std::vector<float> in(10, 1.0f), out(12);
  b.run(in.data(), out.data());
  for (float v : out) EXPECT_EQ(v, 4.0f);  // 2 channels x 2 taps of ones
  ndconv::ThreadPool p1(2), p2(1);
  p2 = std::move(p1);
  EXPECT_NE(p2.get(), nullptr);
}

TEST(CppApi, ExternalPoolFromALambda) {
  std::atomic<int> calls{0};
  auto pool = ndconv::ThreadPool::external(
      [&](ndconv_task_fn fn, void* ctx, size_t count) {
        ++calls;
        for (size_t i = 0; i < count; ++i) fn(ctx, i);
      },
      4);
  const auto b = ConvBuilder::conv2d(8, 8, {3, 3}).input_size({20, 20}).padding(1).relu();
  const auto sizes = b.sizes();
  const auto w = ndconv::test::random_tensor(sizes.weights, 4);
  const auto in = ndconv::test::random_tensor(sizes.input, 5);
  std::vector<float> out(sizes.output);
  b.build(w.data()).run(in.data(), out.data(), pool);
  EXPECT_GE(calls.load(), 1);
  EXPECT_TRUE(ndconv::test::matches_reference(b.desc(), in.data(), w.data(), nullptr, out.data()));
  EXPECT_THROW(ndconv::ThreadPool::external(nullptr, 2), ndconv::Error);
}

}  // namespace
