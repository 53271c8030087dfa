#include "fma_peak.h"

#include <algorithm>
#include <ctime>

#include "ndconv/ndconv.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace ndconv_bench {

#if defined(__aarch64__)
// Advanced SIMD is baseline on AArch64: no special flags needed.
float fma_chains_neon(int64_t iterations) {
  const float32x4_t a = vdupq_n_f32(0.9999999f), b = vdupq_n_f32(1e-3f);
  float32x4_t acc[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i) acc[i] = vdupq_n_f32(float(i));
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kFmaChains; ++i) acc[i] = vfmaq_f32(b, acc[i], a);
  }
  float32x4_t sum = acc[0];
  for (int i = 1; i < kFmaChains; ++i) sum = vaddq_f32(sum, acc[i]);
  return vaddvq_f32(sum);
}
#endif

namespace {

volatile float g_sink;  // keeps the probe results observable

// CPU time of the calling thread: time the thread spent descheduled (another
// process on its core) does not count against the probe.
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// The peak is the fastest of many short runs: on a shared or virtual machine
// most runs lose some of their time to other work (a descheduled thread, a
// busy SMT sibling, the hypervisor), so a single run, or a few, reads low and
// moves from one invocation to the next. Runs of ~2 ms of thread CPU time;
// at least kMinRuns of them and kMinSeconds, then more until the best has not
// improved by 0.5% for kQuietRuns runs in a row, or kMaxSeconds have passed.
IsaPeak probe(const char* isa, float (*chains)(int64_t), int lanes) {
  constexpr int kMinRuns = 50, kQuietRuns = 50;
  constexpr double kRunSeconds = 0.002, kMinSeconds = 0.25, kMaxSeconds = 1.5;
  int64_t iterations = 1 << 12;
  for (;;) {  // grow until one run takes kRunSeconds
    const double t0 = thread_seconds();
    g_sink = chains(iterations);
    if (thread_seconds() - t0 > kRunSeconds || iterations > (int64_t(1) << 40)) break;
    iterations *= 2;
  }
  const double flops = 2.0 * double(iterations) * kFmaChains * lanes;
  std::vector<double> rates;
  double best = 0, spent = 0;
  int since_better = 0;
  while (spent < kMaxSeconds) {
    const double t0 = thread_seconds();
    g_sink = chains(iterations);
    const double seconds = thread_seconds() - t0;
    spent += seconds;
    const double rate = flops / seconds / 1e9;
    rates.push_back(rate);
    if (rate > best * 1.005) since_better = 0; else ++since_better;
    best = std::max(best, rate);
    if (int(rates.size()) >= kMinRuns && spent >= kMinSeconds && since_better >= kQuietRuns) break;
  }
  std::sort(rates.begin(), rates.end());
  return {isa, best, rates[rates.size() / 2], int(rates.size())};
}

}  // namespace

std::vector<IsaPeak> measure_fma_peaks() {
  std::vector<IsaPeak> peaks;
  const ndconv_isa detected = ndconv_detected_isa();
#if defined(NDCONV_BENCH_X86_PROBES)
  if (detected == NDCONV_ISA_AVX2 || detected == NDCONV_ISA_AVX512)
    peaks.push_back(probe("avx2", fma_chains_avx2, 8));
  if (detected == NDCONV_ISA_AVX512) peaks.push_back(probe("avx512", fma_chains_avx512, 16));
#endif
#if defined(__aarch64__)
  if (detected == NDCONV_ISA_NEON) peaks.push_back(probe("neon", fma_chains_neon, 4));
#endif
  (void)detected;
  return peaks;
}

double best_peak(const std::vector<IsaPeak>& peaks) {
  double best = 0;
  for (const IsaPeak& p : peaks) best = std::max(best, p.gflops);
  return best;
}

}  // namespace ndconv_bench
