// ndconv_bench: ndconv against oneDNN over a shapes file (see bench/README.md).
//
// For every shape and layout (ncx, nxc) it registers `ndconv/<shape>/<layout>`,
// `onednn_plain/<shape>/<layout>` and `onednn_best/<shape>/<layout>`, each with
// the user counters `gflops` and `peak_frac` and the kernel name as label.
// Before ndconv is timed on a shape and layout, its output is checked; a
// mismatch skips that benchmark with the error and the run exits non-zero.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "ab_timing.h"
#include "checker.h"
#include "fma_peak.h"
#include "ndconv/ndconv.h"
#include "report.h"
#include "bench_int8.h"
#include "bench_options.h"
#include "shapes.h"
#include "tensors.h"
#include "tune_ab.h"

#if defined(NDCONV_HAVE_ONEDNN)
#include <omp.h>

#include "onednn_conv.h"
#endif

namespace ndconv_bench {
namespace {

#if defined(NDCONV_HAVE_ONEDNN)
constexpr bool kHaveOnednn = true;
#else
constexpr bool kHaveOnednn = false;
#endif

// ---------------------------------------------------------------- state --

const char* const kLayoutNames[2] = {"ncx", "nxc"};

struct LayoutCase {
  std::vector<float> input;   // in this layout
  std::vector<float> output;  // ndconv's, in this layout
  ndconv_conv* plan = nullptr;
#if defined(NDCONV_HAVE_ONEDNN)
  std::unique_ptr<OnednnConv> onednn[2];  // plain, best
  std::string onednn_error[2];
#endif
  ~LayoutCase() { ndconv_conv_destroy(plan); }
};

// Data and plans of the shape being benchmarked. Benchmarks run in
// registration order (shape by shape), so only one shape is kept in memory.
struct ShapeCase {
  size_t index = 0;
  std::vector<float> input_ncx, weights_oix, bias;
  LayoutCase layouts[2];
};

struct Globals {
  std::vector<BenchShape> shapes;
  ndconv_threadpool* pool = nullptr;
  int threads = 1;
  double peak = 0;  // single-core peak x threads, GFLOP/s
  std::unique_ptr<ShapeCase> current;
  std::vector<std::string> failures;
  bool verbose_checks = false;  // report mode: one line per check on stderr
  // Outcome of the correctness check per shape and layout. Kept apart from
  // ShapeCase: report mode checks every shape first, then times them.
  struct Check {
    bool done = false;
    std::string error;     // non-empty: ndconv failed here, not timed
    double seconds = 0;    // duration of the checked run
  };
  std::vector<std::array<Check, 2>> checks;
  bool inject_mismatch = false;
} g;

ShapeCase& shape_case(size_t index) {
  if (!g.current || g.current->index != index) {
    g.current.reset();  // free the previous shape first
    const BenchShape& s = g.shapes[index];
    auto c = std::make_unique<ShapeCase>();
    c->index = index;
    c->input_ncx = random_tensor(s.input_elements(), 1 + 3 * uint32_t(index));
    c->weights_oix = random_tensor(s.weight_elements(), 2 + 3 * uint32_t(index));
    c->bias = random_tensor(s.out_channels, 3 + 3 * uint32_t(index));
    c->layouts[NDCONV_NCX].input = c->input_ncx;
    c->layouts[NDCONV_NXC].input = ncx_to_nxc(c->input_ncx, s.batch, s.in_channels, s.in_pixels);
    for (LayoutCase& l : c->layouts) l.output.assign(size_t(s.output_elements()), 0.0f);
    g.current = std::move(c);
  }
  return *g.current;
}

// What ndconv's output is compared with: oneDNN (plain NCX) when it can run
// the shape, else a float64 reference. Against oneDNN, which is itself float32
// and held to the same API.md bound, the tolerance is the sum of both bounds
// (2e-5): two results each within 1e-5*terms of the truth can differ by that.
struct Expected {
  std::vector<double> values, terms;
  double rel_tol = 1e-5;
  std::string source;
};

Expected expected_output(const BenchShape& s, const ShapeCase& c) {
  Expected e;
#if defined(NDCONV_HAVE_ONEDNN)
  if (OnednnConv::supports(s)) {
    std::vector<float> out(size_t(s.output_elements()));
    OnednnConv conv(s, NDCONV_NCX, OnednnMode::plain, c.weights_oix.data(), c.bias.data());
    conv.set_input(c.input_ncx.data());
    conv.execute();
    conv.get_output(out.data());
    e.values.assign(out.begin(), out.end());
    // sum |x*w| + |bias| = the same convolution of |x|, |w| and |bias|.
    std::vector<float> abs_w = absolute(c.weights_oix), abs_b = absolute(c.bias);
    OnednnConv abs_conv(s, NDCONV_NCX, OnednnMode::plain, abs_w.data(), abs_b.data());
    std::vector<float> abs_x = absolute(c.input_ncx);
    abs_conv.set_input(abs_x.data());
    abs_conv.execute();
    abs_conv.get_output(out.data());
    e.terms.assign(out.begin(), out.end());
    e.rel_tol = 2e-5;
    e.source = "oneDNN";
    return e;
  }
#endif
  reference_conv(s, c.input_ncx, c.weights_oix, c.bias, &e.values, &e.terms);
  e.rel_tol = 1e-5;
  e.source = "float64 reference";
  return e;
}

// The shape's ndconv plan for this layout, created on first use. Plans are
// deterministic (same descriptor, weights and ISA: same kernel), so a plan
// re-created after its shape's data was freed is the one that was checked.
ndconv_status ensure_plan(size_t index, int layout) {
  const BenchShape& s = g.shapes[index];
  ShapeCase& c = shape_case(index);
  LayoutCase& l = c.layouts[layout];
  if (l.plan) return NDCONV_OK;
  ndconv_conv_desc desc = s.desc(ndconv_layout(layout));
  std::vector<float> weights =
      layout == NDCONV_NCX ? c.weights_oix
                           : oix_to_xio(c.weights_oix, s.out_channels, s.in_channels / s.groups, s.taps);
  return ndconv_conv_create(&desc, weights.data(), c.bias.data(), &l.plan);
}

// Checks one run of ndconv on (shape, layout), once per process.
void check_ndconv(size_t index, int layout) {
  Globals::Check& check = g.checks[index][size_t(layout)];
  if (check.done) return;
  check.done = true;
  const BenchShape& s = g.shapes[index];
  const std::string where = "shape " + s.name + ", layout " + kLayoutNames[layout];
  ndconv_status status = ensure_plan(index, layout);
  LayoutCase& l = g.current->layouts[layout];
  if (status == NDCONV_OK) {
    auto t0 = std::chrono::steady_clock::now();
    status = ndconv_conv_run(l.plan, l.input.data(), l.output.data(), g.pool);
    check.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (status != NDCONV_OK) {
    check.error = "ndconv failed on " + where + ": " + ndconv_status_string(status) + ": " +
                  ndconv_last_error();
  } else {
    std::vector<float> got_ncx =
        layout == NDCONV_NCX ? l.output : nxc_to_ncx(l.output, s.batch, s.out_channels, s.out_pixels);
    if (g.inject_mismatch) {
      g.inject_mismatch = false;  // once: the first checked output only
      got_ncx[got_ncx.size() / 2] += 1.0f;
    }
    Expected want = expected_output(s, *g.current);
    CheckResult r = check_close(got_ncx, want.values, want.terms, want.rel_tol);
    if (!r.ok)
      check.error = describe_failure(s, kLayoutNames[layout], want.source, r);
    else if (g.verbose_checks)
      std::fprintf(stderr, "check ndconv/%s/%s against %s: ok (worst error %.3f of its bound)\n",
                   s.name.c_str(), kLayoutNames[layout], want.source.c_str(), r.worst_ratio);
  }
  if (!check.error.empty()) {
    std::fprintf(stderr, "ndconv_bench: FAIL: %s\n", check.error.c_str());
    g.failures.push_back(check.error);
  }
}

void set_counters(benchmark::State& state, const BenchShape& s, double seconds) {
  // Wall-clock rates measured here rather than Google Benchmark's kIsRate
  // counters, which divide by the main thread's CPU time (wrong with worker
  // threads); UseRealTime() would fix that but append "/real_time" to the names.
  const double gflops = s.flops() * double(state.iterations()) / seconds / 1e9;
  state.counters["gflops"] = gflops;
  if (g.peak > 0) state.counters["peak_frac"] = gflops / g.peak;
}

void bench_ndconv(benchmark::State& state, size_t index, int layout) {
  check_ndconv(index, layout);
  const std::string& error = g.checks[index][size_t(layout)].error;
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  ndconv_status status = ensure_plan(index, layout);
  if (status != NDCONV_OK) {
    state.SkipWithError(ndconv_last_error());
    return;
  }
  LayoutCase& l = g.current->layouts[layout];
  state.SetLabel(ndconv_conv_kernel_name(l.plan));
  const float* in = l.input.data();
  float* out = l.output.data();
  auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    status = ndconv_conv_run(l.plan, in, out, g.pool);
    benchmark::ClobberMemory();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (status != NDCONV_OK) {
    state.SkipWithError(ndconv_last_error());
    return;
  }
  set_counters(state, g.shapes[index], seconds);
}

#if defined(NDCONV_HAVE_ONEDNN)
void bench_onednn(benchmark::State& state, size_t index, int layout, OnednnMode mode) {
  const BenchShape& s = g.shapes[index];
  ShapeCase& c = shape_case(index);
  LayoutCase& l = c.layouts[layout];
  const int m = mode == OnednnMode::plain ? 0 : 1;
  if (!l.onednn[m] && l.onednn_error[m].empty()) {
    try {
      l.onednn[m] = std::make_unique<OnednnConv>(s, ndconv_layout(layout), mode,
                                                 c.weights_oix.data(), c.bias.data());
      l.onednn[m]->set_input(l.input.data());  // reorder (best) or copy: untimed
    } catch (const std::exception& e) {
      l.onednn_error[m] = std::string("oneDNN: ") + e.what();
    }
  }
  if (!l.onednn_error[m].empty()) {
    state.SkipWithError(l.onednn_error[m].c_str());
    return;
  }
  OnednnConv& conv = *l.onednn[m];
  state.SetLabel(conv.impl_info());
  auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    conv.execute();
    benchmark::ClobberMemory();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  set_counters(state, s, seconds);
}
#endif

// Report mode caps the timing of a slow ndconv path (e.g. the reference
// convolution, ~1 s per run on big shapes) to about this many seconds per
// benchmark, by giving it fewer repetitions (at least 1); the table marks them.
constexpr double kReportNdconvBudgetSeconds = 1.5;

// report_repetitions: 0 outside report mode, else the repetitions asked for.
std::vector<std::string> register_benchmarks(int report_repetitions) {
  std::vector<std::string> names;
  auto add = [&](const std::string& name, auto fn, int repetitions = 0) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), fn);
    b->Unit(benchmark::kMillisecond);
    if (repetitions > 0) b->Repetitions(repetitions);
    names.push_back(name);
  };
  for (size_t i = 0; i < g.shapes.size(); ++i) {
    const BenchShape& s = g.shapes[i];
    for (int layout : {int(NDCONV_NCX), int(NDCONV_NXC)}) {
      const std::string suffix = "/" + s.name + "/" + kLayoutNames[layout];
      int repetitions = 0;  // 0: the --benchmark_repetitions flag
      const double seconds = g.checks[i][size_t(layout)].seconds;
      if (report_repetitions > 1 && seconds * report_repetitions > kReportNdconvBudgetSeconds)
        repetitions = std::max(1, int(kReportNdconvBudgetSeconds / seconds));
      add("ndconv" + suffix, [i, layout](benchmark::State& st) { bench_ndconv(st, i, layout); },
          repetitions);
#if defined(NDCONV_HAVE_ONEDNN)
      if (!OnednnConv::supports(s)) continue;  // rank > 3: ndconv alone
      add("onednn_plain" + suffix,
          [i, layout](benchmark::State& st) { bench_onednn(st, i, layout, OnednnMode::plain); });
      add("onednn_best" + suffix,
          [i, layout](benchmark::State& st) { bench_onednn(st, i, layout, OnednnMode::best); });
#endif
    }
  }
  return names;
}

// Whether --benchmark_filter selects a benchmark name, the way Google Benchmark
// matches (POSIX extended regex, searched; a leading '-' negates).
bool filter_selects(std::string filter, const std::string& name) {
  if (filter.empty() || filter == "all" || filter == ".") return true;
  bool negate = filter[0] == '-';
  if (negate) filter.erase(0, 1);
  try {
    return std::regex_search(name, std::regex(filter, std::regex::extended)) != negate;
  } catch (const std::regex_error&) {
    return true;  // Google Benchmark reports the bad regex itself
  }
}

size_t count_selected(const std::vector<std::string>& names, const std::string& filter) {
  size_t n = 0;
  for (const std::string& name : names) n += filter_selects(filter, name);
  return n;
}

const char* find_flag(int argc, char** argv, const char* prefix) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], prefix, std::strlen(prefix)) == 0) return argv[i] + std::strlen(prefix);
  return nullptr;
}

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
            const std::vector<float> input = l.input;  // own buffers, as separate requests have
            std::vector<float> output(single.size());
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

int run(int argc, char** argv) {
  Options opt;
  if (!parse_options(&argc, argv, &opt)) return 2;
  if (!opt.isa.empty() && !apply_isa(opt.isa)) return 2;

  std::vector<IsaPeak> peaks = measure_fma_peaks();
  if (opt.peak_only) {
    for (const IsaPeak& p : peaks)
      std::printf("%-7s %8.1f GFLOP/s single core (fp32 FMA, %d chains)\n", p.isa.c_str(),
                  p.gflops, kFmaChains);
    if (peaks.empty()) std::printf("no SIMD ISA probe for this CPU/build\n");
    return 0;
  }

  if (opt.shapes_path.empty()) opt.shapes_path = default_shapes_path();
  std::string error;
  if (!parse_shapes_file(opt.shapes_path, &g.shapes, &error)) {
    std::fprintf(stderr, "ndconv_bench: %s\n", error.c_str());
    return 2;
  }

  g.threads = opt.threads;
  g.verbose_checks = opt.report;
  g.inject_mismatch = opt.inject_mismatch;
  g.peak = best_peak(peaks) * opt.threads;
  // Same threads for both libraries: ndconv's own pool with N threads (none
  // for N = 1: run on the calling thread, as a single-threaded user would),
  // and oneDNN's OpenMP runtime (Debian's build: DNNL_CPU_RUNTIME = OMP).
  if (opt.threads > 1) {
    g.pool = ndconv_threadpool_create(size_t(opt.threads));
    if (!g.pool) {
      std::fprintf(stderr, "ndconv_bench: ndconv_threadpool_create(%d) failed: %s\n",
                   opt.threads, ndconv_last_error());
      return 2;
    }
  }
#if defined(NDCONV_HAVE_ONEDNN)
  omp_set_num_threads(opt.threads);
#endif
  // Threads that share a core with other work wait for each other a whole
  // scheduler slice at every barrier: measured here, oneDNN's OpenMP barriers
  // then cost ~12 ms per call on a tiny shape. Say so instead of printing it.
  double load = 0;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (opt.threads > 1 && getloadavg(&load, 1) == 1 && load > double(cores) - opt.threads + 0.5)
    std::fprintf(stderr,
                 "ndconv_bench: note: load average %.1f on %ld cores: with --threads=%d the timings "
                 "are distorted by other work (OpenMP spin-waits stall when a thread is "
                 "descheduled; OMP_WAIT_POLICY=passive helps oneDNN)\n",
                 load, cores, opt.threads);

  // Report mode: default repetitions and a short minimum time (the slow
  // reference path takes ~1 s per iteration on big shapes, so the time cap,
  // not an iteration count, bounds the run); the user's own flags win.
  std::vector<std::string> injected;
  if (opt.report) {
    if (!find_flag(argc, argv, "--benchmark_repetitions=")) injected.push_back("--benchmark_repetitions=5");
    if (!find_flag(argc, argv, "--benchmark_min_time=")) injected.push_back("--benchmark_min_time=0.05");
  }
  std::vector<char*> args(argv, argv + argc);
  for (std::string& s : injected) args.push_back(&s[0]);
  args.push_back(nullptr);
  int bench_argc = int(args.size()) - 1;
  // Read before Initialize, which removes the flags it knows from argv.
  const char* filter_flag = find_flag(bench_argc, args.data(), "--benchmark_filter=");
  const char* reps_flag = find_flag(bench_argc, args.data(), "--benchmark_repetitions=");
  const std::string filter = filter_flag ? filter_flag : "";
  const int repetitions = reps_flag ? std::atoi(reps_flag) : 1;
  benchmark::Initialize(&bench_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, args.data())) return 2;

  g.checks.assign(g.shapes.size(), {});
#if defined(NDCONV_HAVE_ONEDNN)
  if (opt.int8) {
    const int status = run_int8(g.shapes, [](const std::string& f, const std::string& n) { return filter_selects(f, n); },
                                filter, opt.threads, g.pool);
    ndconv_threadpool_destroy(g.pool);
    return status;
  }
#endif
  if (opt.ab || opt.load) {
    auto selected = [&](const std::string& name) { return filter_selects(filter, name); };
    const int status = opt.ab && opt.tune_measure ? run_tune_ab(g.shapes, opt.threads, opt.tune_budget_ms, g.pool, selected)
                       : opt.ab                   ? run_ab(opt, filter, peaks)
                                                  : run_load(filter);
    g.current.reset();
    ndconv_threadpool_destroy(g.pool);
    return status;
  }
  if (opt.report) {
    // Check every selected shape first: failures show before any timing, and
    // the checked run's duration sets the repetitions of slow ndconv paths.
    std::fprintf(stderr, "ndconv_bench --report: %zu shapes x 2 layouts from %s, %d thread(s); "
                 "checking ndconv's outputs\n", g.shapes.size(), opt.shapes_path.c_str(), opt.threads);
    for (size_t i = 0; i < g.shapes.size(); ++i)
      for (int layout : {int(NDCONV_NCX), int(NDCONV_NXC)})
        if (filter_selects(filter, "ndconv/" + g.shapes[i].name + "/" + kLayoutNames[layout]))
          check_ndconv(i, layout);
    g.current.reset();
    std::fprintf(stderr, "timing (median of %d repetitions; ndconv capped at ~%.1f s per benchmark)\n",
                 repetitions, kReportNdconvBudgetSeconds);
  }
  std::vector<std::string> names = register_benchmarks(opt.report ? repetitions : 0);
  benchmark::AddCustomContext("ndconv_isa", ndconv_isa_name(ndconv_current_isa()));
  benchmark::AddCustomContext("threads", std::to_string(opt.threads));
  for (const IsaPeak& p : peaks)
    benchmark::AddCustomContext("fma_peak_gflops_" + p.isa, std::to_string(p.gflops));
  benchmark::AddCustomContext("onednn", kHaveOnednn ? "yes" : "no");

  bool json_ok = true;
  if (opt.report) {
    MedianReporter reporter(count_selected(names, filter));
    benchmark::RunSpecifiedBenchmarks(&reporter);
    ReportHeader header;
    header.peaks = peaks;
    header.threads = opt.threads;
    header.ndconv_isa = ndconv_isa_name(ndconv_current_isa());
    header.shapes_path = opt.shapes_path;
    header.repetitions = repetitions;
    header.have_onednn = kHaveOnednn;
    std::cout << "\n";
    print_report(std::cout, header, g.shapes, reporter.results());
    std::cout.flush();
    if (!opt.json_path.empty())
      json_ok = write_json(opt.json_path, "report", opt.threads, peaks, report_rows(g.shapes, reporter.results()));
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  g.current.reset();
  ndconv_threadpool_destroy(g.pool);

  if (!g.failures.empty()) {
    std::fprintf(stderr, "ndconv_bench: %zu correctness failure(s):\n", g.failures.size());
    for (const std::string& f : g.failures) std::fprintf(stderr, "  %s\n", f.c_str());
    return 1;
  }
  return json_ok ? 0 : 1;
}

}  // namespace
}  // namespace ndconv_bench

int main(int argc, char** argv) { return ndconv_bench::run(argc, argv); }
