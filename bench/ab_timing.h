// The interleaved A/B harness's clock and timer (--ab, --ab --tune=measure).
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace ndconv_bench {

// Seconds of the clock the comparison uses: with one thread, the calling
// thread's CPU time (time the scheduler gives to other processes on a shared
// machine is not counted against either library); with several, wall time.
inline double ab_clock(int threads) {
  if (threads > 1)
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// With several threads, each round starts this long after the previous one
// ended, so that it starts on an idle machine. The OpenMP runtime oneDNN
// uses keeps its workers spinning after a parallel region (GNU libgomp with
// OMP_WAIT_POLICY unset: GOMP_SPINCOUNT = 300000 spins, milliseconds), so
// an ndconv round that followed a oneDNN round straight away shared the
// cores with those spinning workers. Measured (AMD EPYC Zen 5, 2 vCPUs,
// --threads=2, NXC): without the pause pw_res2_expand ran at 271-329
// GF/s, text_seed_conv1d 312-376, conv3x3_res2 327-355 (0.71-0.84x
// oneDNN); after 5 / 10 / 50 ms 333 / 338 / 329, 384 / 393 / 376, 389 / 399
// / 388 (0.86-1.00x), oneDNN's own rate unchanged: 10 ms was enough there.
// 50 ms leaves room for slower spins: libgomp spins with `pause`, ~20 ns
// there, ~140 cycles on Intel cores since Skylake. Sleeping
// changes neither library's behaviour, unlike OMP_WAIT_POLICY=passive,
// which slows oneDNN's next call by a wake-up.
constexpr long kSettleNanoseconds = 50'000'000;

// Runs fn repeatedly for at least `seconds`; returns seconds per run.
template <class Fn>
double ab_time(Fn&& fn, double seconds, int threads) {
  if (threads > 1) {
    timespec settle{0, kSettleNanoseconds};
    while (nanosleep(&settle, &settle) != 0) {
    }
  }
  fn();  // warm: caches, page faults, lazy pool start
  size_t runs = 0;
  const double t0 = ab_clock(threads);
  double t = t0;
  do {
    fn();
    ++runs;
    t = ab_clock(threads);
  } while (t - t0 < seconds);
  return (t - t0) / double(runs);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace ndconv_bench
