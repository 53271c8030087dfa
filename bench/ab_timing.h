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

// Runs fn repeatedly for at least `seconds`; returns seconds per run.
template <class Fn>
double ab_time(Fn&& fn, double seconds, int threads) {
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
