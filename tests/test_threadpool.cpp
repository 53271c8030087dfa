// The thread pools under dispatch::parallel_for: every index runs exactly
// once, on several threads, with concurrent callers sharing one pool.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "api/threadpool.h"
#include "ndconv/ndconv.h"

namespace {

using ndconv::dispatch::parallel_for;
using ndconv::dispatch::threadpool_threads;

// Runs parallel_for over `count` indices and checks each ran exactly once.
void expect_each_index_once(ndconv_threadpool* pool, size_t count) {
  std::vector<std::atomic<int>> hits(count);
  auto task = [&](size_t i) { hits[i].fetch_add(1); };
  parallel_for(pool, count, task);
  for (size_t i = 0; i < count; ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << count;
}

TEST(ThreadPool, NullPoolRunsInlineOnTheCaller) {
  EXPECT_EQ(threadpool_threads(nullptr), 1u);
  const auto caller = std::this_thread::get_id();
  bool other_thread = false;
  auto task = [&](size_t) { other_thread |= std::this_thread::get_id() != caller; };
  parallel_for(nullptr, 100, task);
  EXPECT_FALSE(other_thread);
  expect_each_index_once(nullptr, 33);
}

TEST(ThreadPool, OwnPoolRunsEveryIndexOnce) {
  for (size_t threads : {1, 2, 3, 8}) {
    ndconv_threadpool* pool = ndconv_threadpool_create(threads);
    ASSERT_NE(pool, nullptr);
    EXPECT_EQ(threadpool_threads(pool), threads);
    for (size_t count : {0, 1, 2, 3, 7, 64, 1000, 10007}) expect_each_index_once(pool, count);
    ndconv_threadpool_destroy(pool);
  }
  ndconv_threadpool_destroy(nullptr);  // a no-op
}

TEST(ThreadPool, ZeroMeansAllCores) {
  ndconv_threadpool* pool = ndconv_threadpool_create(0);
  ASSERT_NE(pool, nullptr);
  const unsigned cores = std::thread::hardware_concurrency();
  EXPECT_EQ(threadpool_threads(pool), cores ? cores : 1u);
  expect_each_index_once(pool, 500);
  ndconv_threadpool_destroy(pool);
}

TEST(ThreadPool, OwnPoolReallyUsesSeveralThreads) {
  ndconv_threadpool* pool = ndconv_threadpool_create(4);
  ASSERT_NE(pool, nullptr);
  std::mutex mu;
  std::set<std::thread::id> ids;
  auto task = [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // long enough for workers to join
    std::lock_guard<std::mutex> lock(mu);
    ids.insert(std::this_thread::get_id());
  };
  parallel_for(pool, 40, task);
  EXPECT_GE(ids.size(), 2u);
  EXPECT_LE(ids.size(), 4u);
  ndconv_threadpool_destroy(pool);
}

TEST(ThreadPool, ConcurrentCallersShareOnePool) {
  ndconv_threadpool* pool = ndconv_threadpool_create(3);
  ASSERT_NE(pool, nullptr);
  std::atomic<bool> failed{false};
  std::vector<std::thread> callers;
  for (int t = 0; t < 5; ++t)
    callers.emplace_back([&, t] {
      for (int iter = 0; iter < 300; ++iter) {
        const size_t count = 1 + (iter * 7 + t) % 50;
        std::vector<std::atomic<int>> hits(count);
        auto task = [&](size_t i) { hits[i].fetch_add(1); };
        parallel_for(pool, count, task);
        for (auto& h : hits) failed = failed || h.load() != 1;
      }
    });
  for (auto& c : callers) c.join();
  EXPECT_FALSE(failed.load());
  ndconv_threadpool_destroy(pool);
}

TEST(ThreadPool, CreateAndDestroyRepeatedly) {
  for (int i = 0; i < 50; ++i) {
    ndconv_threadpool* pool = ndconv_threadpool_create(1 + i % 4);
    ASSERT_NE(pool, nullptr);
    if (i % 2) expect_each_index_once(pool, 17);
    ndconv_threadpool_destroy(pool);
  }
}

struct ExternalPool {
  std::atomic<int> calls{0};
  std::atomic<size_t> tasks{0};
};

void serial_parallel_for(void* pool_ctx, ndconv_task_fn fn, void* ctx, size_t count) {
  auto* p = static_cast<ExternalPool*>(pool_ctx);
  p->calls.fetch_add(1);
  // Reverse order: ndconv must not depend on the order tasks run in.
  for (size_t i = count; i-- > 0;) {
    fn(ctx, i);
    p->tasks.fetch_add(1);
  }
}

TEST(ThreadPool, ExternalPoolCallsTheHostCallback) {
  ExternalPool host;
  ndconv_threadpool* pool = ndconv_threadpool_create_external(serial_parallel_for, &host, 6);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(threadpool_threads(pool), 6u);
  expect_each_index_once(pool, 77);
  EXPECT_EQ(host.calls.load(), 1);
  EXPECT_EQ(host.tasks.load(), 77u);
  ndconv_threadpool_destroy(pool);
}

TEST(ThreadPool, ExternalPoolWithoutCallbackIsRejected) {
  EXPECT_EQ(ndconv_threadpool_create_external(nullptr, nullptr, 4), nullptr);
  EXPECT_STREQ(ndconv_last_error(), "parallel_for is NULL");
}

}  // namespace
