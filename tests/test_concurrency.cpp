// ndconv_conv_run from many threads on one plan, with and without pools: the
// plan is immutable, so every run gives the same numbers.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/support/guarded_buffer.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace {

using ndconv::test::GuardedBuffer;

ndconv_conv_desc test_desc() {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.layout = NDCONV_NXC;
  d.batch = 2;
  d.in_channels = 8;
  d.out_channels = 12;
  d.groups = 2;
  d.in_size[0] = 13;
  d.in_size[1] = 11;
  d.kernel[0] = d.kernel[1] = 3;
  d.padding = NDCONV_PAD_SAME_UPPER;
  d.activation = NDCONV_ACT_RELU;
  return d;
}

struct Fixture {
  ndconv_conv_desc desc = test_desc();
  ndconv::test::TensorSizes sizes = ndconv::test::tensor_sizes(desc);
  GuardedBuffer input{sizes.input}, weights{sizes.weights}, bias{sizes.bias};
  ndconv_conv* conv = nullptr;
  std::vector<float> single;  // output of a plain single-threaded run

  Fixture() {
    ndconv::test::fill_random(input.data(), input.size(), 11);
    ndconv::test::fill_random(weights.data(), weights.size(), 12);
    ndconv::test::fill_random(bias.data(), bias.size(), 13);
    EXPECT_EQ(ndconv_conv_create(&desc, weights.data(), bias.data(), &conv), NDCONV_OK) << ndconv_last_error();
    GuardedBuffer out(sizes.output);
    EXPECT_EQ(ndconv_conv_run(conv, input.data(), out.data(), nullptr), NDCONV_OK);
    EXPECT_TRUE(ndconv::test::matches_reference(desc, input.data(), weights.data(), bias.data(), out.data()));
    single.assign(out.begin(), out.end());
  }
  ~Fixture() { ndconv_conv_destroy(conv); }

  // Runs on `pool` from `threads` threads at once, `iterations` times each;
  // true if every output equals the single-threaded one bit for bit.
  bool concurrent_runs_agree(ndconv_threadpool* pool, int threads, int iterations) {
    std::atomic<bool> ok{true};
    std::vector<std::thread> runners;
    for (int t = 0; t < threads; ++t)
      runners.emplace_back([&] {
        GuardedBuffer out(sizes.output);
        for (int i = 0; i < iterations; ++i) {
          out.fill(-1.0f);
          if (ndconv_conv_run(conv, input.data(), out.data(), pool) != NDCONV_OK ||
              std::memcmp(out.data(), single.data(), single.size() * sizeof(float)) != 0)
            ok = false;
        }
      });
    for (auto& r : runners) r.join();
    return ok;
  }
};

TEST(Concurrency, ManyThreadsOnOnePlanWithoutPool) {
  Fixture f;
  EXPECT_TRUE(f.concurrent_runs_agree(nullptr, 4, 20));
}

TEST(Concurrency, ManyThreadsOnOnePlanSharingOnePool) {
  Fixture f;
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  EXPECT_TRUE(f.concurrent_runs_agree(pool, 4, 20));
  ndconv_threadpool_destroy(pool);
}

// A host pool that really runs tasks on its own threads (one std::thread per
// task chunk per call), counting its calls.
struct HostPool {
  std::atomic<int> calls{0};
  std::atomic<size_t> tasks{0};
  static void parallel_for(void* self, ndconv_task_fn fn, void* ctx, size_t count) {
    auto* host = static_cast<HostPool*>(self);
    host->calls.fetch_add(1);
    std::vector<std::thread> threads;
    for (size_t part = 0; part < 2; ++part)
      threads.emplace_back([=] {
        for (size_t i = part; i < count; i += 2) {
          fn(ctx, i);
          host->tasks.fetch_add(1);
        }
      });
    for (auto& t : threads) t.join();
  }
};

TEST(Concurrency, ExternalPoolIsReallyUsedByRun) {
  Fixture f;
  HostPool host;
  ndconv_threadpool* pool = ndconv_threadpool_create_external(&HostPool::parallel_for, &host, 4);
  ASSERT_NE(pool, nullptr);
  GuardedBuffer out(f.sizes.output);
  ASSERT_EQ(ndconv_conv_run(f.conv, f.input.data(), out.data(), pool), NDCONV_OK);
  EXPECT_GE(host.calls.load(), 1);
  EXPECT_GE(host.tasks.load(), 2u);  // the work was split for the 4-thread hint
  EXPECT_EQ(std::memcmp(out.data(), f.single.data(), f.single.size() * sizeof(float)), 0);
  EXPECT_TRUE(f.concurrent_runs_agree(pool, 3, 5));
  ndconv_threadpool_destroy(pool);
}

TEST(Concurrency, PoolSizesAllGiveTheSameNumbers) {
  Fixture f;
  for (size_t threads : {1, 2, 5}) {
    ndconv_threadpool* pool = ndconv_threadpool_create(threads);
    ASSERT_NE(pool, nullptr);
    GuardedBuffer out(f.sizes.output);
    ASSERT_EQ(ndconv_conv_run(f.conv, f.input.data(), out.data(), pool), NDCONV_OK);
    EXPECT_EQ(std::memcmp(out.data(), f.single.data(), f.single.size() * sizeof(float)), 0) << threads;
    ndconv_threadpool_destroy(pool);
  }
}

}  // namespace
