// Concurrency stress (issue 8), meant for the ThreadSanitizer build (`tsan`
// preset) but run by every build: many threads, for a bounded time, each
// picking at random among
//   - run a long-lived shared plan on a shared own pool, a shared external
//     pool (the host's threads), or no pool;
//   - create a fresh plan of the same shape, run it once, destroy it (creates
//     and destroys racing with other threads' runs);
//   - create a private own pool, run on it, destroy it;
//   - run the shared text-CNN block;
// and every output is compared bit for bit with a single-threaded run of the
// same plan made before the threads start. Duration: NDCONV_STRESS_SECONDS
// (default 3; the tsan stage sets it).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"
#include "tests/support/conv_desc.h"

namespace {

using Clock = std::chrono::steady_clock;

// k = 0: the n-gram case, a (3, w) kernel spanning the row.
ndconv_conv_desc desc2d(ndconv_layout layout, int64_t cin, int64_t cout, int64_t h, int64_t w,
                        int64_t k, int64_t groups, ndconv_padding padding) {
  return ndconv::test::conv2d_desc(layout, cin, cout, h, w, k == 0 ? 3 : k, k == 0 ? w : k, groups,
                                   padding, 1, NDCONV_ACT_RELU);
}

// One shape per algorithm family, small enough for TSan.
std::vector<ndconv_conv_desc> stress_shapes() {
  return {
      desc2d(NDCONV_NXC, 24, 40, 6, 7, 1, 1, NDCONV_PAD_VALID),           // pointwise NXC
      desc2d(NDCONV_NCX, 24, 40, 6, 7, 1, 1, NDCONV_PAD_VALID),           // pointwise NCX
      desc2d(NDCONV_NXC, 16, 16, 9, 9, 3, 16, NDCONV_PAD_SAME_UPPER),     // depthwise NXC
      desc2d(NDCONV_NCX, 16, 16, 9, 9, 3, 16, NDCONV_PAD_SAME_UPPER),     // depthwise NCX
      desc2d(NDCONV_NXC, 1, 24, 20, 16, 0, 1, NDCONV_PAD_VALID),          // n-gram
      desc2d(NDCONV_NXC, 8, 20, 8, 9, 3, 1, NDCONV_PAD_SAME_UPPER),       // indirect NXC
      desc2d(NDCONV_NCX, 8, 20, 8, 9, 3, 1, NDCONV_PAD_SAME_UPPER),       // im2col NCX
      desc2d(NDCONV_NXC, 8, 8, 7, 7, 3, 4, NDCONV_PAD_SAME_UPPER),        // grouped
  };
}

// A host runtime's parallel_for: its own two threads serve a queue of calls
// from any number of callers; the caller works too.
class HostPool {
 public:
  HostPool() {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { serve(); });
  }
  ~HostPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  static void parallel_for(void* self, ndconv_task_fn fn, void* ctx, size_t count) {
    static_cast<HostPool*>(self)->run(fn, ctx, count);
  }

 private:
  struct Call {
    ndconv_task_fn fn;
    void* ctx;
    size_t count;
    size_t next = 0, done = 0;
  };
  void run(ndconv_task_fn fn, void* ctx, size_t count) {
    Call call{fn, ctx, count};
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.push_back(&call);
    cv_.notify_all();
    work(lock, &call);
    done_cv_.wait(lock, [&] { return call.done == call.count; });
  }
  // Runs indices of `call` until none is left to claim; lock held on entry and exit.
  void work(std::unique_lock<std::mutex>& lock, Call* call) {
    while (call->next < call->count) {
      const size_t i = call->next++;
      if (call->next == call->count) remove(call);
      lock.unlock();
      call->fn(call->ctx, i);
      lock.lock();
      if (++call->done == call->count) done_cv_.notify_all();
    }
  }
  void remove(Call* call) {
    for (size_t i = 0; i < queue_.size(); ++i)
      if (queue_[i] == call) {
        queue_.erase(queue_.begin() + static_cast<ptrdiff_t>(i));
        return;
      }
  }
  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      work(lock, queue_.front());
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_, done_cv_;
  std::vector<Call*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

struct SharedPlan {
  ndconv_conv_desc desc{};
  std::vector<float> input, weights, bias, golden;
  ndconv_conv* conv = nullptr;
};

struct Counters {
  std::atomic<long> runs{0}, creates{0}, pool_creates{0}, textcnn_runs{0}, mismatches{0}, failures{0};
};

double stress_seconds() {
  const char* env = std::getenv("NDCONV_STRESS_SECONDS");
  const double s = env ? std::atof(env) : 3.0;
  return s > 0 ? s : 3.0;
}

TEST(Stress, ManyThreadsPlansAndPoolsAgreeBitwiseWithSingleThreadedRuns) {
  // Shared plans and their single-threaded outputs.
  std::vector<SharedPlan> plans;
  uint64_t seed = 100;
  for (const ndconv_conv_desc& d : stress_shapes()) {
    SharedPlan p;
    p.desc = d;
    const ndconv::test::TensorSizes sizes = ndconv::test::tensor_sizes(d);
    p.input = ndconv::test::random_tensor(sizes.input, ++seed);
    p.weights = ndconv::test::random_tensor(sizes.weights, ++seed);
    p.bias = ndconv::test::random_tensor(sizes.bias, ++seed);
    ASSERT_EQ(ndconv_conv_create(&d, p.weights.data(), p.bias.data(), &p.conv), NDCONV_OK)
        << ndconv_last_error();
    p.golden.assign(sizes.output, 0.0f);
    ASSERT_EQ(ndconv_conv_run(p.conv, p.input.data(), p.golden.data(), nullptr), NDCONV_OK);
    ASSERT_TRUE(ndconv::test::matches_reference(d, p.input.data(), p.weights.data(), p.bias.data(),
                                                p.golden.data()));
    plans.push_back(std::move(p));
  }

  // The shared text-CNN block.
  ndconv_textcnn_desc td = {};
  td.batch = 3;
  td.seq_len = 17;
  td.embed_dim = 12;
  td.branch_count = 3;
  td.branches[0] = {2, 9};
  td.branches[1] = {3, 17};
  td.branches[2] = {5, 8};
  td.layout = NDCONV_NXC;
  td.weight_layout = NDCONV_XIO;
  td.activation = NDCONV_ACT_RELU;
  std::vector<std::vector<float>> tw, tb;
  const float* twp[3];
  const float* tbp[3];
  for (int b = 0; b < 3; ++b) {
    tw.push_back(ndconv::test::random_tensor(td.branches[b].ngram * 12 * td.branches[b].filters, ++seed));
    tb.push_back(ndconv::test::random_tensor(td.branches[b].filters, ++seed));
    twp[b] = tw.back().data();
    tbp[b] = tb.back().data();
  }
  ndconv_textcnn* block = nullptr;
  ASSERT_EQ(ndconv_textcnn_create(&td, twp, tbp, &block), NDCONV_OK) << ndconv_last_error();
  const std::vector<float> text_in = ndconv::test::random_tensor(3 * 17 * 12, ++seed);
  std::vector<float> text_golden(3 * 34);
  ASSERT_EQ(ndconv_textcnn_run(block, text_in.data(), text_golden.data(), nullptr), NDCONV_OK);

  ndconv_threadpool* own = ndconv_threadpool_create(3);
  ASSERT_NE(own, nullptr);
  HostPool host;
  ndconv_threadpool* external = ndconv_threadpool_create_external(HostPool::parallel_for, &host, 3);
  ASSERT_NE(external, nullptr);

  const int kThreads = 8;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(stress_seconds()));
  Counters count;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1u);
      std::vector<float> out;
      while (Clock::now() < deadline) {
        SharedPlan& p = plans[rng() % plans.size()];
        ndconv_threadpool* pools[] = {nullptr, own, external};
        ndconv_threadpool* pool = pools[rng() % 3];
        out.assign(p.golden.size(), -7.0f);
        const unsigned action = rng() % 8;
        ndconv_status st = NDCONV_OK;
        if (action < 4) {  // the shared plan
          st = ndconv_conv_run(p.conv, p.input.data(), out.data(), pool);
          ++count.runs;
        } else if (action < 6) {  // a fresh plan of the same shape, racing the others
          ndconv_conv* fresh = nullptr;
          st = ndconv_conv_create(&p.desc, p.weights.data(), p.bias.data(), &fresh);
          if (st == NDCONV_OK) st = ndconv_conv_run(fresh, p.input.data(), out.data(), pool);
          ndconv_conv_destroy(fresh);
          ++count.creates;
          ++count.runs;
        } else if (action == 6) {  // a private pool, created and destroyed here
          ndconv_threadpool* mine = ndconv_threadpool_create(2);
          st = mine ? ndconv_conv_run(p.conv, p.input.data(), out.data(), mine) : NDCONV_OUT_OF_MEMORY;
          ndconv_threadpool_destroy(mine);
          ++count.pool_creates;
          ++count.runs;
        } else {  // the text-CNN block
          std::vector<float> text_out(text_golden.size(), -7.0f);
          st = ndconv_textcnn_run(block, text_in.data(), text_out.data(), pool);
          ++count.textcnn_runs;
          if (st == NDCONV_OK &&
              std::memcmp(text_out.data(), text_golden.data(), text_golden.size() * sizeof(float)) != 0)
            ++count.mismatches;
          if (st != NDCONV_OK) ++count.failures;
          continue;
        }
        if (st != NDCONV_OK) {
          ++count.failures;
        } else if (std::memcmp(out.data(), p.golden.data(), out.size() * sizeof(float)) != 0) {
          ++count.mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  std::printf("stress: %d threads, %.1f s: %ld convolution runs (%ld on fresh plans), %ld pools "
              "created and destroyed, %ld text-CNN runs, %ld mismatches, %ld failures\n",
              kThreads, stress_seconds(), count.runs.load(), count.creates.load(),
              count.pool_creates.load(), count.textcnn_runs.load(), count.mismatches.load(),
              count.failures.load());
  EXPECT_EQ(count.mismatches.load(), 0);
  EXPECT_EQ(count.failures.load(), 0);
  EXPECT_GT(count.runs.load(), kThreads);          // every thread got through at least a run
  EXPECT_GT(count.creates.load(), 0);
  EXPECT_GT(count.textcnn_runs.load(), 0);

  ndconv_threadpool_destroy(external);
  ndconv_threadpool_destroy(own);
  ndconv_textcnn_destroy(block);
  for (SharedPlan& p : plans) ndconv_conv_destroy(p.conv);
}

// Int8 plans (issue 14) of the same shapes, cycling through the input types
// (U8, S8) and output types (U8, S8, S32, F32), every third shared plan made
// with the int8 dot product off: shared plans run from many threads on the
// three kinds of pool, and fresh plans (dot product on) created, run and
// destroyed racing them; bitwise against single-threaded runs of the shared
// plans (the API promises the same results with and without dot products).
struct SharedQPlan {
  ndconv_qconv_desc desc{};
  std::vector<uint8_t> input, golden;  // golden: output bytes
  std::vector<int8_t> weights;
  std::vector<float> scales;
  std::vector<int32_t> bias;
  ndconv_qconv* plan = nullptr;
};

SharedQPlan make_qplan(const ndconv_conv_desc& d, uint8_t seed) {
  static const ndconv_dtype kOutputTypes[] = {NDCONV_U8, NDCONV_S8, NDCONV_S32, NDCONV_F32};
  SharedQPlan p;
  const ndconv::test::TensorSizes sizes = ndconv::test::tensor_sizes(d);
  p.desc.conv = d;
  p.desc.input_type = seed % 2 ? NDCONV_U8 : NDCONV_S8;
  p.desc.output_type = kOutputTypes[seed % 4];
  p.desc.input_scale = 0.1f;
  p.desc.input_zero_point = p.desc.input_type == NDCONV_U8 ? 90 : -10;
  p.desc.weight_scale_count = d.out_channels;
  p.desc.output_scale = 0.7f;
  p.desc.output_zero_point = p.desc.output_type == NDCONV_U8 ? 20 : -5;
  for (int64_t i = 0; i < sizes.input; ++i) p.input.push_back(static_cast<uint8_t>(i * 29 + seed));
  for (int64_t i = 0; i < sizes.weights; ++i) p.weights.push_back(static_cast<int8_t>(i * 17 + seed));
  p.scales.assign(static_cast<size_t>(d.out_channels), 0.02f);
  p.bias.assign(static_cast<size_t>(d.out_channels), -50);
  const bool wide = p.desc.output_type == NDCONV_S32 || p.desc.output_type == NDCONV_F32;
  p.golden.assign(static_cast<size_t>(sizes.output) * (wide ? 4 : 1), 0);
  return p;
}

TEST(Stress, Int8PlansAgreeBitwiseWithSingleThreadedRuns) {
  std::vector<SharedQPlan> plans;
  uint8_t seed = 1;
  const int dot_setting = ndconv_int8_dot_product();
  for (const ndconv_conv_desc& d : stress_shapes()) {
    ndconv_set_int8_dot_product(seed % 3 == 0 ? 0 : dot_setting);
    plans.push_back(make_qplan(d, seed++));
    SharedQPlan& p = plans.back();
    const ndconv_status created =
        ndconv_qconv_create(&p.desc, p.weights.data(), p.scales.data(), p.bias.data(), &p.plan);
    ndconv_set_int8_dot_product(dot_setting);
    ASSERT_EQ(created, NDCONV_OK) << ndconv_last_error();
    ASSERT_EQ(ndconv_qconv_run(p.plan, p.input.data(), p.golden.data(), nullptr), NDCONV_OK);
  }
  ndconv_threadpool* own = ndconv_threadpool_create(3);
  ASSERT_NE(own, nullptr);
  HostPool host;
  ndconv_threadpool* external = ndconv_threadpool_create_external(HostPool::parallel_for, &host, 3);
  ASSERT_NE(external, nullptr);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(stress_seconds() / 2));
  std::atomic<long> runs{0}, creates{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) * 104729u + 3u);
      std::vector<uint8_t> out;
      while (Clock::now() < deadline) {
        SharedQPlan& p = plans[rng() % plans.size()];
        ndconv_threadpool* pools[] = {nullptr, own, external};
        ndconv_threadpool* pool = pools[rng() % 3];
        out.assign(p.golden.size(), 0xee);
        ndconv_status st;
        if (rng() % 3 != 0) {
          st = ndconv_qconv_run(p.plan, p.input.data(), out.data(), pool);
        } else {
          ndconv_qconv* fresh = nullptr;
          st = ndconv_qconv_create(&p.desc, p.weights.data(), p.scales.data(), p.bias.data(), &fresh);
          if (st == NDCONV_OK) st = ndconv_qconv_run(fresh, p.input.data(), out.data(), pool);
          ndconv_qconv_destroy(fresh);
          ++creates;
        }
        ++runs;
        if (st != NDCONV_OK || out != p.golden) ++bad;
      }
    });
  for (auto& th : threads) th.join();
  std::printf("stress (int8): %ld runs (%ld on fresh plans), %ld failures or mismatches\n", runs.load(),
              creates.load(), bad.load());
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(runs.load(), 6);
  EXPECT_GT(creates.load(), 0);
  ndconv_threadpool_destroy(external);
  ndconv_threadpool_destroy(own);
  for (SharedQPlan& p : plans) ndconv_qconv_destroy(p.plan);
}

}  // namespace
