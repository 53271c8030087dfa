// ndconv_bench's timing modes outside Google Benchmark: --ab (ndconv and
// oneDNN interleaved, round by round) and --load (one plan, many callers).
#include "bench_modes.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>
#include <vector>

#include "ab_timing.h"
#include "bench_state.h"
#include "report.h"

namespace ndconv_bench {

// ------------------------------------------------------ interleaved A/B --

// For each selected shape and layout: `rounds` rounds, each timing ndconv and
// oneDNN plain for ~20 ms apiece in alternating order, so both libraries see
// the same machine state; prints medians of the rates and of the per-round
// ndconv/oneDNN ratio as a markdown table.
int run_ab(const Options& opt, const std::string& filter, const std::vector<IsaPeak>& peaks) {
#if !defined(NDCONV_HAVE_ONEDNN)
  std::fprintf(stderr, "ndconv_bench --ab needs oneDNN (not found at configure time)\n");
  return 2;
#else
  constexpr int kRounds = 15;
  constexpr double kRoundSeconds = 0.02;
  print_machine(std::cout, peaks);
  std::cout.flush();
  std::vector<ResultRow> rows;
  std::printf("| shape | layout | ndconv GF/s | oneDNN plain GF/s | ndconv/plain (median of %d rounds) | "
              "ndconv kernel | oneDNN impl |\n|---|---|---:|---:|---:|---|---|\n", kRounds);
  std::vector<double> ratios;
  for (size_t i = 0; i < g.shapes.size(); ++i) {
    const BenchShape& s = g.shapes[i];
    if (!OnednnConv::supports(s)) continue;
    for (int layout : {int(NDCONV_NCX), int(NDCONV_NXC)}) {
      if (!filter_selects(filter, s.name + "/" + kLayoutNames[layout])) continue;
      check_ndconv(i, layout);
      if (!g.checks[i][size_t(layout)].error.empty()) continue;
      if (ensure_plan(i, layout) != NDCONV_OK) continue;
      ShapeCase& c = shape_case(i);
      LayoutCase& l = c.layouts[layout];
      OnednnConv onednn(s, ndconv_layout(layout), OnednnMode::plain, c.weights_oix.data(),
                        c.bias.data());
      onednn.set_input(l.input.data());
      auto run_ndconv = [&] { ndconv_conv_run(l.plan, l.input.data(), l.output.data(), g.pool); };
      auto run_onednn = [&] { onednn.execute(); };
      std::vector<double> ours, theirs, ratio;
      for (int r = 0; r < kRounds; ++r) {
        double a, b;
        if (r % 2) {
          b = ab_time(run_onednn, kRoundSeconds, opt.threads);
          a = ab_time(run_ndconv, kRoundSeconds, opt.threads);
        } else {
          a = ab_time(run_ndconv, kRoundSeconds, opt.threads);
          b = ab_time(run_onednn, kRoundSeconds, opt.threads);
        }
        ours.push_back(s.flops() / a / 1e9);
        theirs.push_back(s.flops() / b / 1e9);
        ratio.push_back(b / a);
      }
      ratios.push_back(median(ratio));
      rows.push_back({s.name, kLayoutNames[layout], s.flops() / 1e6, median(ours), median(theirs),
                      median(ratio), ndconv_conv_kernel_name(l.plan), onednn.impl_info()});
      std::printf("| %s | %s | %.1f | %.1f | %.3f | %s | %s |\n", s.name.c_str(), kLayoutNames[layout],
                  median(ours), median(theirs), median(ratio), ndconv_conv_kernel_name(l.plan),
                  onednn.impl_info().c_str());
      std::fflush(stdout);
    }
  }
  double log_sum = 0;
  for (double r : ratios) log_sum += std::log(r);
  if (!ratios.empty())
    std::printf("| **geometric mean** | | | | %.3f | | |\n", std::exp(log_sum / double(ratios.size())));
  if (!opt.json_path.empty() && !write_json(opt.json_path, "ab", opt.threads, peaks, rows)) return 1;
  return g.failures.empty() ? 0 : 1;
#endif
}

// ------------------------------------------------------ concurrent load --

// A server's view: ONE plan shared by T request threads, each calling run at
// once with its own input and output and no pool (the plan is immutable, so
// this is the documented way to scale with requests). For each selected shape
// and layout and T = 1, 2, 4, 8: every thread runs for kLoadSeconds; reports
// the total throughput and checks every output bit for bit against a
// single-threaded run of the same plan (itself checked by check_ndconv).
int run_load(const std::string& filter) {
  constexpr double kLoadSeconds = 0.5;
  const std::string selected = filter.empty() ? "^(text_query_same|pw_seq_ffn)/" : filter;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  std::printf("| shape | layout | kernel | threads | runs/s | GFLOP/s | vs 1 thread | runs | bitwise equal |\n"
              "|---|---|---|---:|---:|---:|---:|---:|---|\n");
  bool all_equal = true;
  for (size_t i = 0; i < g.shapes.size(); ++i) {
    const BenchShape& s = g.shapes[i];
    for (int layout : {int(NDCONV_NCX), int(NDCONV_NXC)}) {
      if (!filter_selects(selected, s.name + "/" + kLayoutNames[layout])) continue;
      check_ndconv(i, layout);
      if (!g.checks[i][size_t(layout)].error.empty() || ensure_plan(i, layout) != NDCONV_OK) continue;
      LayoutCase& l = shape_case(i).layouts[layout];
      std::vector<float> single(l.output.size());
      if (ndconv_conv_run(l.plan, l.input.data(), single.data(), nullptr) != NDCONV_OK) continue;
      double one_thread_rate = 0;
      for (int threads : {1, 2, 4, 8}) {
        std::atomic<long> runs{0}, mismatches{0};
        std::atomic<int> ready{0};
        std::vector<std::thread> pool;
        double start = 0, end = 0;
        for (int t = 0; t < threads; ++t)
          pool.emplace_back([&, t] {
            const AlignedFloats input = l.input;  // own buffers, as separate requests have
            AlignedFloats output(single.size());
            ++ready;
            while (ready.load() < threads) std::this_thread::yield();
            const auto t0 = std::chrono::steady_clock::now();
            if (t == 0) start = std::chrono::duration<double>(t0.time_since_epoch()).count();
            long mine = 0, bad = 0;
            for (auto now = t0; std::chrono::duration<double>(now - t0).count() < kLoadSeconds;
                 now = std::chrono::steady_clock::now()) {
              if (ndconv_conv_run(l.plan, input.data(), output.data(), nullptr) != NDCONV_OK ||
                  std::memcmp(output.data(), single.data(), single.size() * sizeof(float)) != 0)
                ++bad;
              ++mine;
            }
            runs += mine;
            mismatches += bad;
          });
        for (std::thread& th : pool) th.join();
        end = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        const double seconds = end - start, rate = double(runs.load()) / seconds;
        if (threads == 1) one_thread_rate = rate;
        all_equal &= mismatches.load() == 0;
        std::printf("| %s | %s | %s | %d | %.0f | %.1f | %.2fx | %ld | %s |\n", s.name.c_str(),
                    kLayoutNames[layout], ndconv_conv_kernel_name(l.plan), threads, rate, rate * s.flops() / 1e9, one_thread_rate > 0 ? rate / one_thread_rate : 0.0,
                    runs.load(), mismatches.load() == 0 ? "yes" : "NO");
        std::fflush(stdout);
      }
    }
  }
  double load = 0;
  if (getloadavg(&load, 1) != 1) load = -1;
  // More threads than free cores cannot add throughput: say how busy the machine was.
  std::printf("\n%ld cores, load average %.1f at the end; %s\n", cores, load,
              all_equal ? "every output matched the single-threaded run bit for bit"
                        : "MISMATCHES: some outputs differed from the single-threaded run");
  return all_equal && g.failures.empty() ? 0 : 1;
}

}  // namespace ndconv_bench
