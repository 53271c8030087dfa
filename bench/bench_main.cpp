// ndconv_bench: ndconv against oneDNN over a shapes file (see bench/README.md).
//
// For every shape and layout (ncx, nxc) it registers `ndconv/<shape>/<layout>`,
// `onednn_plain/<shape>/<layout>` and `onednn_best/<shape>/<layout>`, each with
// the user counters `gflops` and `peak_frac` and the kernel name as label.
// Before ndconv is timed on a shape and layout, its output is checked; a
// mismatch skips that benchmark with the error and the run exits non-zero.
// The other modes: --ab and --load (bench_modes.cpp), --int8 (bench_int8.cpp),
// --ab --tune=measure (tune_ab.cpp; with --int8, tune_ab_int8.cpp).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_int8.h"
#include "bench_modes.h"
#include "bench_options.h"
#include "bench_state.h"
#include "fma_peak.h"
#include "ndconv/ndconv.h"
#include "report.h"
#include "shapes.h"
#include "tune_ab.h"

#if defined(NDCONV_HAVE_ONEDNN)
#include <omp.h>
#endif

namespace ndconv_bench {
namespace {

#if defined(NDCONV_HAVE_ONEDNN)
constexpr bool kHaveOnednn = true;
#else
constexpr bool kHaveOnednn = false;
#endif

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

// Loads the shapes and sets the same thread count for both libraries: ndconv's
// own pool with N threads (none for N = 1: run on the calling thread, as a
// single-threaded user would), and oneDNN's OpenMP runtime (Debian's build:
// DNNL_CPU_RUNTIME = OMP). False with a message on stderr.
bool set_up(Options* opt, const std::vector<IsaPeak>& peaks) {
  if (opt->shapes_path.empty()) opt->shapes_path = default_shapes_path();
  std::string error;
  if (!parse_shapes_file(opt->shapes_path, &g.shapes, &error)) {
    std::fprintf(stderr, "ndconv_bench: %s\n", error.c_str());
    return false;
  }
  g.threads = opt->threads;
  g.verbose_checks = opt->report;
  g.inject_mismatch = opt->inject_mismatch;
  g.peak = best_peak(peaks) * opt->threads;
  g.checks.assign(g.shapes.size(), {});
  if (opt->threads > 1) {
    g.pool = ndconv_threadpool_create(size_t(opt->threads));
    if (!g.pool) {
      std::fprintf(stderr, "ndconv_bench: ndconv_threadpool_create(%d) failed: %s\n",
                   opt->threads, ndconv_last_error());
      return false;
    }
  }
#if defined(NDCONV_HAVE_ONEDNN)
  omp_set_num_threads(opt->threads);
#endif
  // Threads that share a core with other work wait for each other a whole
  // scheduler slice at every barrier: measured here, oneDNN's OpenMP barriers
  // then cost ~12 ms per call on a tiny shape. Say so instead of printing it.
  double load = 0;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (opt->threads > 1 && getloadavg(&load, 1) == 1 && load > double(cores) - opt->threads + 0.5)
    std::fprintf(stderr,
                 "ndconv_bench: note: load average %.1f on %ld cores: with --threads=%d the timings "
                 "are distorted by other work (OpenMP spin-waits stall when a thread is "
                 "descheduled; OMP_WAIT_POLICY=passive helps oneDNN)\n",
                 load, cores, opt->threads);
  return true;
}

// Google Benchmark's command line after ours: in report mode, default
// repetitions and a short minimum time (the slow reference path takes ~1 s
// per iteration on big shapes, so the time cap, not an iteration count,
// bounds the run); the user's own flags win.
struct BenchArgs {
  std::vector<std::string> injected;
  std::vector<char*> argv;
  int argc = 0;
  std::string filter;
  int repetitions = 1;
};

void make_bench_args(int argc, char** argv, bool report, BenchArgs* a) {
  if (report) {
    if (!find_flag(argc, argv, "--benchmark_repetitions=")) a->injected.push_back("--benchmark_repetitions=5");
    if (!find_flag(argc, argv, "--benchmark_min_time=")) a->injected.push_back("--benchmark_min_time=0.05");
  }
  a->argv.assign(argv, argv + argc);
  for (std::string& s : a->injected) a->argv.push_back(&s[0]);
  a->argv.push_back(nullptr);
  a->argc = int(a->argv.size()) - 1;
  // Read before Initialize, which removes the flags it knows from argv.
  const char* filter_flag = find_flag(a->argc, a->argv.data(), "--benchmark_filter=");
  const char* reps_flag = find_flag(a->argc, a->argv.data(), "--benchmark_repetitions=");
  a->filter = filter_flag ? filter_flag : "";
  a->repetitions = reps_flag ? std::atoi(reps_flag) : 1;
}

// Report mode: checks every selected shape first, so failures show before any
// timing and the checked run's duration sets the repetitions of slow paths.
void check_selected(const Options& opt, const std::string& filter, int repetitions) {
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

// The registered benchmarks, run by Google Benchmark (report mode: our
// median table and JSON). False if the JSON could not be written.
bool run_registered(const Options& opt, const BenchArgs& a, const std::vector<IsaPeak>& peaks) {
  if (opt.report) check_selected(opt, a.filter, a.repetitions);
  std::vector<std::string> names = register_benchmarks(opt.report ? a.repetitions : 0);
  benchmark::AddCustomContext("ndconv_isa", ndconv_isa_name(ndconv_current_isa()));
  benchmark::AddCustomContext("threads", std::to_string(opt.threads));
  for (const IsaPeak& p : peaks)
    benchmark::AddCustomContext("fma_peak_gflops_" + p.isa, std::to_string(p.gflops));
  benchmark::AddCustomContext("onednn", kHaveOnednn ? "yes" : "no");
  if (!opt.report) {
    benchmark::RunSpecifiedBenchmarks();
    return true;
  }
  MedianReporter reporter(count_selected(names, a.filter));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  ReportHeader header;
  header.peaks = peaks;
  header.threads = opt.threads;
  header.ndconv_isa = ndconv_isa_name(ndconv_current_isa());
  header.shapes_path = opt.shapes_path;
  header.repetitions = a.repetitions;
  header.have_onednn = kHaveOnednn;
  std::cout << "\n";
  print_report(std::cout, header, g.shapes, reporter.results());
  std::cout.flush();
  return opt.json_path.empty() ||
         write_json(opt.json_path, "report", opt.threads, peaks, report_rows(g.shapes, reporter.results()));
}

// The modes that time on their own (--int8, --ab, --load): their exit status.
int run_own_mode(const Options& opt, const std::string& filter, const std::vector<IsaPeak>& peaks) {
  auto selected = [&](const std::string& name) { return filter_selects(filter, name); };
  list_tune_candidates(opt.tune_candidates);
#if defined(NDCONV_HAVE_ONEDNN)
  const auto selects = [](const std::string& f, const std::string& n) { return filter_selects(f, n); };
  if (opt.int8 && opt.ab && opt.tune_measure)
    return run_tune_ab_int8(g.shapes, selects, filter, opt.threads, opt.tune_budget_ms, g.pool);
  if (opt.int8) return run_int8(g.shapes, selects, filter, opt.threads, g.pool);
#else
  if (opt.int8) {
    std::fprintf(stderr, "ndconv_bench --int8 needs oneDNN (not found at configure time)\n");
    return 2;
  }
#endif
  if (opt.ab && opt.tune_measure) return run_tune_ab(g.shapes, opt.threads, opt.tune_budget_ms, g.pool, selected);
  return opt.ab ? run_ab(opt, filter, peaks) : run_load(filter);
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
  if (!set_up(&opt, peaks)) return 2;

  BenchArgs args;
  make_bench_args(argc, argv, opt.report, &args);
  benchmark::Initialize(&args.argc, args.argv.data());
  if (benchmark::ReportUnrecognizedArguments(args.argc, args.argv.data())) return 2;

  const bool own_mode = opt.int8 || opt.ab || opt.load;
  int status = 0;
  if (own_mode) {
    status = run_own_mode(opt, args.filter, peaks);
  } else {
    status = run_registered(opt, args, peaks) ? 0 : 1;
    benchmark::Shutdown();
  }
  g.current.reset();
  ndconv_threadpool_destroy(g.pool);
  if (!own_mode && !g.failures.empty()) {
    std::fprintf(stderr, "ndconv_bench: %zu correctness failure(s):\n", g.failures.size());
    for (const std::string& f : g.failures) std::fprintf(stderr, "  %s\n", f.c_str());
    return 1;
  }
  return status;
}

}  // namespace
}  // namespace ndconv_bench

int main(int argc, char** argv) { return ndconv_bench::run(argc, argv); }