// The fused text-CNN block on every ISA against the reference convolution of
// each branch followed by max over time: branch configurations, batch, odd
// embedding widths, both input and weight layouts, bias per branch or none,
// every activation, guard pages on both sides, thread pools; and every
// validation error with its exact message.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ndconv/ndconv.hpp"
#include "tests/isa_param.h"
#include "tests/support/guarded_buffer.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace ndconv {
namespace test {
namespace {

struct BlockCase {
  int64_t batch, L, E;
  std::vector<std::pair<int64_t, int64_t>> branches;  // (ngram, filters)
};

ndconv_textcnn_desc make_desc(const BlockCase& c, ndconv_layout layout, ndconv_weight_layout wl,
                              ndconv_activation act) {
  ndconv_textcnn_desc d = {};
  d.batch = c.batch;
  d.seq_len = c.L;
  d.embed_dim = c.E;
  d.branch_count = static_cast<int32_t>(c.branches.size());
  for (size_t b = 0; b < c.branches.size(); ++b) d.branches[b] = {c.branches[b].first, c.branches[b].second};
  d.layout = layout;
  d.weight_layout = wl;
  d.activation = act;
  d.act_min = -0.2f;
  d.act_max = 0.3f;
  return d;
}

// Branch b as an ordinary convolution, for the reference.
ndconv_conv_desc branch_conv(const ndconv_textcnn_desc& d, int b) {
  ndconv_conv_desc c = {};
  c.rank = 1;
  c.layout = d.layout;
  c.weight_layout = d.weight_layout;
  c.batch = d.batch;
  c.in_channels = d.embed_dim;
  c.out_channels = d.branches[b].filters;
  c.in_size[0] = d.seq_len;
  c.kernel[0] = d.branches[b].ngram;
  c.activation = d.activation;
  c.act_min = d.act_min;
  c.act_max = d.act_max;
  return c;
}

enum class BiasMode { kNone, kSome, kAll };

// Runs the block on seeded data in guarded buffers and compares every feature
// with max over time of the reference branch convolution (|max a - max b| <=
// max |a - b|, so the bound is the largest per-position bound).
::testing::AssertionResult run_and_check(const ndconv_textcnn_desc& d, BiasMode bias_mode,
                                         Guard guard, ndconv_threadpool* pool, uint64_t seed,
                                         std::string* kernel_name = nullptr) {
  const size_t N = static_cast<size_t>(d.batch), L = static_cast<size_t>(d.seq_len);
  const size_t E = static_cast<size_t>(d.embed_dim);
  GuardedBuffer input(N * L * E, guard);
  fill_random(input.data(), input.size(), seed);
  std::vector<GuardedBuffer> weights, biases;
  std::vector<const float*> wptr, bptr;
  size_t features = 0;
  for (int b = 0; b < d.branch_count; ++b) {
    const size_t k = static_cast<size_t>(d.branches[b].ngram), F = static_cast<size_t>(d.branches[b].filters);
    weights.emplace_back(k * E * F, guard);
    fill_random(weights.back().data(), k * E * F, seed * 17 + static_cast<uint64_t>(b));
    biases.emplace_back(F, guard);
    fill_random(biases.back().data(), F, seed * 31 + static_cast<uint64_t>(b));
    features += F;
  }
  for (int b = 0; b < d.branch_count; ++b) {
    wptr.push_back(weights[static_cast<size_t>(b)].data());
    const bool has = bias_mode == BiasMode::kAll || (bias_mode == BiasMode::kSome && b % 2 == 0);
    bptr.push_back(has ? biases[static_cast<size_t>(b)].data() : nullptr);
  }
  GuardedBuffer output(N * features, guard);
  const std::vector<float> input_copy(input.begin(), input.end());

  ndconv_textcnn* block = nullptr;
  ndconv_status st = ndconv_textcnn_create(&d, wptr.data(),
                                           bias_mode == BiasMode::kNone ? nullptr : bptr.data(), &block);
  if (st != NDCONV_OK)
    return ::testing::AssertionFailure() << "create: " << ndconv_last_error();
  if (kernel_name) *kernel_name = ndconv_textcnn_kernel_name(block);
  st = ndconv_textcnn_run(block, input.data(), output.data(), pool);
  ndconv_textcnn_destroy(block);
  if (st != NDCONV_OK) return ::testing::AssertionFailure() << "run: " << ndconv_last_error();
  if (std::vector<float>(input.begin(), input.end()) != input_copy)
    return ::testing::AssertionFailure() << "run modified its input";

  size_t offset = 0, bad = 0;
  std::string first_bad;
  for (int b = 0; b < d.branch_count; ++b) {
    const ndconv_conv_desc c = branch_conv(d, b);
    const ReferenceOutput ref = reference_output(c, input.data(), wptr[static_cast<size_t>(b)], bptr[static_cast<size_t>(b)]);
    const size_t F = static_cast<size_t>(c.out_channels), Lo = L - static_cast<size_t>(c.kernel[0]) + 1;
    for (size_t n = 0; n < N; ++n)
      for (size_t f = 0; f < F; ++f) {
        double want = -std::numeric_limits<double>::infinity(), bound = 0;
        for (size_t l = 0; l < Lo; ++l) {
          const size_t i = d.layout == NDCONV_NXC ? (n * Lo + l) * F + f : (n * F + f) * Lo + l;
          want = std::max(want, ref.value[i]);
          bound = std::max(bound, kRelativeTolerance * ref.magnitude[i]);
        }
        const double got = output[n * features + offset + f];
        if (!(std::fabs(got - want) <= bound)) {
          if (bad++ == 0)
            first_bad = "branch " + std::to_string(b) + " sentence " + std::to_string(n) + " filter " +
                        std::to_string(f) + ": got " + std::to_string(got) + " want " +
                        std::to_string(want) + " bound " + std::to_string(bound);
        }
      }
    offset += F;
  }
  if (bad) return ::testing::AssertionFailure() << bad << " features wrong; first: " << first_bad;
  return ::testing::AssertionSuccess();
}

const BlockCase kCases[] = {
    {3, 20, 37, {{3, 7}, {4, 16}, {5, 33}}},   // Kim's 3/4/5 with filters around NR
    {1, 5, 5, {{5, 1}}},                       // L == k: one position
    {2, 9, 1, {{1, 3}, {2, 17}, {9, 2}}},      // E == 1, k == 1, k == L
    {4, 64, 300, {{3, 100}, {4, 100}, {5, 100}}},  // the benchmark block, batch 4
    {2, 31, 19, {{1, 5}, {2, 6}, {3, 7}, {4, 8}, {5, 9}, {6, 10}, {7, 40}, {8, 65}}},  // 8 branches
    {5, 16, 48, {{2, 32}}},                    // exact tiles
    // Tiles straddle sentence ends: 2 and 1 windows per sentence (one tile
    // spans up to 16 sentences), and a batch split into several runs of
    // sentences (the runs' last tiles are partial).
    {7, 3, 10, {{2, 5}, {3, 20}}},
    {80, 4, 5, {{2, 3}, {1, 18}}},
};

class TextCnnBlock : public IsaTest {};

TEST_P(TextCnnBlock, MatchesReferenceConvReluMax) {
  int i = 0;
  for (const BlockCase& c : kCases)
    for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX})
      for (ndconv_weight_layout wl : {NDCONV_XIO, NDCONV_OIX})
        for (ndconv_activation act : {NDCONV_ACT_RELU, NDCONV_ACT_NONE, NDCONV_ACT_CLAMP}) {
          const ndconv_textcnn_desc d = make_desc(c, layout, wl, act);
          const BiasMode bias = static_cast<BiasMode>(i % 3);
          std::string name;
          ASSERT_TRUE(run_and_check(d, bias, i % 2 ? Guard::kBefore : Guard::kAfter, nullptr,
                                    static_cast<uint64_t>(i + 1), &name))
              << "case " << i << " E=" << c.E << " L=" << c.L << " layout=" << layout << " wl=" << wl
              << " act=" << act;
          ASSERT_EQ(name, std::string("textcnn-fused-gemm/") + ndconv_isa_name(GetParam()));
          ++i;
        }
}

TEST_P(TextCnnBlock, ThreadPoolsGiveTheSameAnswer) {
  ndconv_threadpool* own = ndconv_threadpool_create(3);
  ASSERT_NE(own, nullptr);
  ndconv_threadpool* host = ndconv_threadpool_create_external(
      [](void*, ndconv_task_fn fn, void* ctx, size_t count) {
        for (size_t i = count; i-- > 0;) fn(ctx, i);
      },
      nullptr, 4);
  ASSERT_NE(host, nullptr);
  for (ndconv_threadpool* pool : {own, host})
    for (const BlockCase& c : kCases)
      for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX})
        EXPECT_TRUE(run_and_check(make_desc(c, layout, NDCONV_OIX, NDCONV_ACT_RELU), BiasMode::kAll,
                                  Guard::kAfter, pool, 7));
  ndconv_threadpool_destroy(own);
  ndconv_threadpool_destroy(host);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, TextCnnBlock, ::testing::ValuesIn(available_isas()), isa_test_name);

// Validation: status and the exact message for every rule.
class TextCnnValidation : public ::testing::Test {
 protected:
  ndconv_textcnn_desc good() const {
    return make_desc({2, 10, 6, {{3, 4}, {4, 5}}}, NDCONV_NXC, NDCONV_XIO, NDCONV_ACT_RELU);
  }
  void expect_invalid(const ndconv_textcnn_desc& d, const std::string& message) {
    ndconv_textcnn* block = reinterpret_cast<ndconv_textcnn*>(this);  // must be reset to NULL
    EXPECT_EQ(ndconv_textcnn_create(&d, weights_, nullptr, &block), NDCONV_INVALID_ARGUMENT) << message;
    EXPECT_EQ(block, nullptr);
    EXPECT_EQ(std::string(ndconv_last_error()), message);
  }
  std::vector<float> w0_ = std::vector<float>(3 * 6 * 4, 0.5f), w1_ = std::vector<float>(4 * 6 * 5, 0.25f);
  const float* weights_[2] = {w0_.data(), w1_.data()};
};

TEST_F(TextCnnValidation, EveryFieldNamedWithItsValue) {
  ndconv_textcnn_desc d = good();
  d.batch = 0;
  expect_invalid(d, "batch = 0 must be >= 1");
  d = good();
  d.seq_len = -3;
  expect_invalid(d, "seq_len = -3 must be >= 1");
  d = good();
  d.embed_dim = 0;
  expect_invalid(d, "embed_dim = 0 must be >= 1");
  d = good();
  d.branch_count = 0;
  expect_invalid(d, "branch_count = 0 must be 1 .. 8");
  d.branch_count = 9;
  expect_invalid(d, "branch_count = 9 must be 1 .. 8");
  d = good();
  d.layout = static_cast<ndconv_layout>(2);
  expect_invalid(d, "layout = 2 is not a valid value (0 .. 1)");
  d = good();
  d.weight_layout = static_cast<ndconv_weight_layout>(-1);
  expect_invalid(d, "weight_layout = -1 is not a valid value (0 .. 1)");
  d = good();
  d.activation = static_cast<ndconv_activation>(3);
  expect_invalid(d, "activation = 3 is not a valid value (0 .. 2)");
  d = good();
  d.pooling = static_cast<ndconv_textcnn_pooling>(1);
  expect_invalid(d, "pooling = 1 is not a valid value (0 .. 0)");
  d = good();
  d.activation = NDCONV_ACT_CLAMP;
  d.act_min = 1.0f;
  d.act_max = 0.5f;
  expect_invalid(d, "act_min = 1 exceeds act_max = 0.5 (activation = CLAMP)");
  d.act_min = std::nanf("");
  expect_invalid(d, "act_min = nan is NaN (activation = CLAMP)");
  d = good();
  d.branches[1].ngram = 0;
  expect_invalid(d, "branches[1].ngram = 0 must be >= 1");
  d.branches[1].ngram = 11;
  expect_invalid(d, "branches[1].ngram = 11 exceeds seq_len = 10");
  d = good();
  d.branches[0].filters = -2;
  expect_invalid(d, "branches[0].filters = -2 must be >= 1");
  d = good();
  d.batch = int64_t{1} << 40;
  d.seq_len = int64_t{1} << 20;
  expect_invalid(d, "input byte size overflows int64 (batch = 1099511627776, seq_len = 1048576, embed_dim = 6)");
  d = good();
  d.branches[0].filters = int64_t{1} << 61;
  expect_invalid(d, "branches[0] weight byte size overflows int64 (ngram = 3, embed_dim = 6, filters = 2305843009213693952)");
  // Entries past branch_count are not read.
  d = good();
  d.branches[5].ngram = -7;
  ndconv_textcnn* block = nullptr;
  EXPECT_EQ(ndconv_textcnn_create(&d, weights_, nullptr, &block), NDCONV_OK) << ndconv_last_error();
  ndconv_textcnn_destroy(block);
}

TEST_F(TextCnnValidation, NullPointers) {
  const ndconv_textcnn_desc d = good();
  EXPECT_EQ(ndconv_textcnn_create(&d, weights_, nullptr, nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "out_textcnn is NULL");
  ndconv_textcnn* block = nullptr;
  EXPECT_EQ(ndconv_textcnn_create(nullptr, weights_, nullptr, &block), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "desc is NULL");
  EXPECT_EQ(ndconv_textcnn_create(&d, nullptr, nullptr, &block), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "weights is NULL");
  const float* partial[2] = {weights_[0], nullptr};
  EXPECT_EQ(ndconv_textcnn_create(&d, partial, nullptr, &block), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "weights[1] is NULL");
  EXPECT_EQ(block, nullptr);

  ASSERT_EQ(ndconv_textcnn_create(&d, weights_, nullptr, &block), NDCONV_OK);
  std::vector<float> in(2 * 10 * 6, 1.0f), out(2 * 9, 0.0f);
  EXPECT_EQ(ndconv_textcnn_run(nullptr, in.data(), out.data(), nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "textcnn is NULL");
  EXPECT_EQ(ndconv_textcnn_run(block, nullptr, out.data(), nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "input is NULL");
  EXPECT_EQ(ndconv_textcnn_run(block, in.data(), nullptr, nullptr), NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(ndconv_last_error()), "output is NULL");
  EXPECT_EQ(ndconv_textcnn_run(block, in.data(), out.data(), nullptr), NDCONV_OK);
  // All-ones input and weights 0.5 / 0.25, ReLU, no bias: every feature is
  // the window sum, 3*6*0.5 = 9 and 4*6*0.25 = 6.
  for (size_t n = 0; n < 2; ++n) {
    for (size_t f = 0; f < 4; ++f) EXPECT_FLOAT_EQ(out[n * 9 + f], 9.0f);
    for (size_t f = 4; f < 9; ++f) EXPECT_FLOAT_EQ(out[n * 9 + f], 6.0f);
  }
  EXPECT_STREQ(ndconv_textcnn_kernel_name(nullptr), "");
  ndconv_textcnn_destroy(block);
  ndconv_textcnn_destroy(nullptr);
}

// The C++ layer: builder, RAII block, errors as exceptions.
TEST(TextCnnCpp, BuilderRunsAndThrows) {
  std::vector<float> w0(2 * 3 * 4, 1.0f), b0 = {0.0f, -1.0f, 1.0f, -100.0f};
  auto block = ndconv::TextCnnBuilder(1, 5, 3).branch(2, 4).relu().build({w0.data()}, {b0.data()});
  EXPECT_EQ(block.features(), 4);
  std::vector<float> in(5 * 3, 1.0f), out(4, -1.0f);
  block.run(in.data(), out.data());
  EXPECT_FLOAT_EQ(out[0], 6.0f);
  EXPECT_FLOAT_EQ(out[1], 5.0f);
  EXPECT_FLOAT_EQ(out[2], 7.0f);
  EXPECT_FLOAT_EQ(out[3], 0.0f);  // ReLU of -94
  try {
    ndconv::TextCnnBuilder(1, 5, 3).branch(6, 4).build({w0.data()});
    FAIL() << "expected ndconv::Error";
  } catch (const ndconv::Error& e) {
    EXPECT_EQ(e.status(), NDCONV_INVALID_ARGUMENT);
    EXPECT_EQ(e.detail(), "branches[0].ngram = 6 exceeds seq_len = 5");
  }
}

}  // namespace
}  // namespace test
}  // namespace ndconv
