// ndconv's thread pools: its own std::thread workers, or the host runtime's
// parallel_for callback.
//
// Own pool design. A parallel_for call publishes a Job that lives on the
// caller's stack in an intrusive FIFO list (no allocation per call), wakes
// sleeping workers, and then works on its own job too. Indices are claimed
// with one atomic fetch_add each, so any number of threads (workers and
// callers of concurrent parallel_for calls on the same pool) share a job
// without further coordination. A worker takes a reference on a job (under
// the mutex) before touching it; the caller unlinks its job once every index
// is claimed and returns only when no worker holds a reference, so the stack
// frame outlives every use. Each caller always makes progress on its own job,
// so concurrent calls cannot deadlock. Idle workers spin briefly on a
// generation counter before sleeping, because runs of small convolutions
// come back to back within microseconds.
#include "api/threadpool.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#include "api/error.h"
#include "api/memory.h"
#include "plan/tuning.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace ndconv {
namespace dispatch {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

struct Job {
  ndconv_task_fn fn = nullptr;
  void* ctx = nullptr;
  size_t count = 0;
  std::atomic<size_t> next_index{0};
  std::atomic<int> refs{0};     // workers inside; changed only under the pool mutex
  bool listed = false;          // in the pool's list; guarded by the mutex
  bool caller_waiting = false;  // guarded by the mutex
  Job* prev = nullptr;          // list links; guarded by the mutex
  Job* next = nullptr;

  bool exhausted() const { return next_index.load(std::memory_order_relaxed) >= count; }
  void run_claimed_indices() {
    for (;;) {
      const size_t i = next_index.fetch_add(1, std::memory_order_relaxed);
      if (i >= count) return;
      fn(ctx, i);
    }
  }
};

}  // namespace

class WorkerPool {
 public:
  WorkerPool() noexcept {}
  ~WorkerPool() { stop(); }

  // Starts `workers` threads; false (and no threads left running) on failure.
  // The std::thread array comes from allocate() like every other allocation
  // (only std::thread's own start-up state uses the global operator new).
  bool start(size_t workers) noexcept {
    threads_ = static_cast<std::thread*>(allocate(workers * sizeof(std::thread)));
    if (!threads_) return false;
    try {
      for (; thread_count_ < workers; ++thread_count_)
        new (threads_ + thread_count_) std::thread([this] { worker_main(); });
      return true;
    } catch (...) {  // std::system_error (no more threads) or std::bad_alloc
      stop();
      return false;
    }
  }

  void parallel_for(size_t count, ndconv_task_fn fn, void* ctx) {
    Job job;
    job.fn = fn;
    job.ctx = ctx;
    job.count = count;
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      link(&job);
      generation_.fetch_add(1, std::memory_order_release);
      wake = sleepers_ > 0;
    }
    if (wake) work_cv_.notify_all();
    job.run_claimed_indices();

    std::unique_lock<std::mutex> lock(mutex_);
    if (job.listed) unlink(&job);
    if (job.refs.load() == 0) return;
    lock.unlock();
    for (size_t spin = 0; spin < caller_spins_ && job.refs.load(std::memory_order_acquire) != 0; ++spin)
      cpu_relax();
    lock.lock();
    job.caller_waiting = true;
    done_cv_.wait(lock, [&] { return job.refs.load() == 0; });
  }

 private:
  void link(Job* job) {
    job->listed = true;
    job->prev = tail_;
    job->next = nullptr;
    (tail_ ? tail_->next : head_) = job;
    tail_ = job;
  }
  void unlink(Job* job) {
    (job->prev ? job->prev->next : head_) = job->next;
    (job->next ? job->next->prev : tail_) = job->prev;
    job->listed = false;
  }
  // First job with unclaimed indices, dropping exhausted ones on the way.
  Job* next_job() {
    while (head_ && head_->exhausted()) unlink(head_);
    return head_;
  }

  void worker_main() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (stopping_.load(std::memory_order_relaxed)) return;
      if (Job* job = next_job()) {
        job->refs.fetch_add(1);
        lock.unlock();
        job->run_claimed_indices();
        lock.lock();
        if (job->refs.fetch_sub(1) == 1 && job->caller_waiting) done_cv_.notify_all();
        continue;
      }
      // Idle: spin a little without the lock, then sleep until a job arrives.
      const uint64_t seen = generation_.load(std::memory_order_acquire);
      lock.unlock();
      for (size_t spin = 0; spin < worker_spins_; ++spin) {
        if (generation_.load(std::memory_order_acquire) != seen ||
            stopping_.load(std::memory_order_relaxed))
          break;
        cpu_relax();
      }
      lock.lock();
      ++sleepers_;
      work_cv_.wait(lock, [&] { return stopping_.load() || next_job() != nullptr; });
      --sleepers_;
    }
  }

  void stop() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_.store(true);
    }
    work_cv_.notify_all();
    for (size_t i = 0; i < thread_count_; ++i) {
      if (threads_[i].joinable()) threads_[i].join();
      threads_[i].~thread();
    }
    deallocate(threads_);
    threads_ = nullptr;
    thread_count_ = 0;
  }

  std::mutex mutex_;
  std::condition_variable work_cv_;  // workers sleep here
  std::condition_variable done_cv_;  // callers wait here for workers to leave their job
  Job* head_ = nullptr;
  Job* tail_ = nullptr;
  size_t sleepers_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  std::thread* threads_ = nullptr;  // [thread_count_], from allocate()
  size_t thread_count_ = 0;
  // Spins before sleeping (~ tens of microseconds; plan/tuning.h), read once
  // when the pool is made.
  const size_t worker_spins_ = tuning().threadpool_worker_spins;
  const size_t caller_spins_ = tuning().threadpool_caller_spins;
};

}  // namespace dispatch
}  // namespace ndconv

struct ndconv_threadpool {
  size_t threads = 1;                          // the split hint, >= 1
  ndconv_parallel_for_fn external = nullptr;   // the host's parallel_for, or
  void* external_ctx = nullptr;
  ndconv::dispatch::WorkerPool* workers = nullptr;  // our own threads (NULL: 1 thread)
};

namespace ndconv {
namespace dispatch {

size_t threadpool_threads(const ndconv_threadpool* pool) { return pool ? pool->threads : 1; }

void parallel_for(ndconv_threadpool* pool, size_t count, ndconv_task_fn task, void* ctx) {
  if (count == 0) return;
  if (pool && pool->external) {
    pool->external(pool->external_ctx, task, ctx, count);
    return;
  }
  if (pool && pool->workers && count > 1) {
    pool->workers->parallel_for(count, task, ctx);
    return;
  }
  for (size_t i = 0; i < count; ++i) task(ctx, i);
}

}  // namespace dispatch
}  // namespace ndconv

namespace {
size_t all_cores() {
  const unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}
}  // namespace

using ndconv::dispatch::create_object;
using ndconv::dispatch::destroy_object;
using ndconv::dispatch::fail;
using ndconv::dispatch::failf;

extern "C" ndconv_threadpool* ndconv_threadpool_create(size_t threads) {
  if (threads == 0) threads = all_cores();
  auto* pool = create_object<ndconv_threadpool>();
  if (!pool) {
    fail(NDCONV_OUT_OF_MEMORY, "out of memory creating a thread pool");
    return nullptr;
  }
  pool->threads = threads;
  if (threads > 1) {
    pool->workers = create_object<ndconv::dispatch::WorkerPool>();
    if (!pool->workers || !pool->workers->start(threads - 1)) {
      failf(pool->workers ? NDCONV_INTERNAL_ERROR : NDCONV_OUT_OF_MEMORY,
            "could not start %zu worker threads (threads = %zu)", threads - 1, threads);
      destroy_object(pool->workers);
      destroy_object(pool);
      return nullptr;
    }
  }
  return pool;
}

extern "C" ndconv_threadpool* ndconv_threadpool_create_external(ndconv_parallel_for_fn parallel_for,
                                                                void* pool_ctx, size_t threads) {
  if (parallel_for == nullptr) {
    fail(NDCONV_INVALID_ARGUMENT, "parallel_for is NULL");
    return nullptr;
  }
  auto* pool = create_object<ndconv_threadpool>();
  if (!pool) {
    fail(NDCONV_OUT_OF_MEMORY, "out of memory creating a thread pool");
    return nullptr;
  }
  pool->threads = threads ? threads : all_cores();
  pool->external = parallel_for;
  pool->external_ctx = pool_ctx;
  return pool;
}

extern "C" void ndconv_threadpool_destroy(ndconv_threadpool* pool) {
  if (!pool) return;
  destroy_object(pool->workers);
  destroy_object(pool);
}
