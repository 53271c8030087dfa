#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

namespace ndconv_bench {

double BenchResult::median() const {
  if (gflops.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v = gflops;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

bool MedianReporter::ReportContext(const Context&) { return true; }

void MedianReporter::ReportRuns(const std::vector<Run>& runs) {
  // Google Benchmark hands over all repetitions of one benchmark in one call,
  // then (separately) its aggregates, which are recomputed here as medians.
  std::string name;
  for (const Run& run : runs) {
    if (run.run_type != Run::RT_Iteration) continue;
    name = run.run_name.function_name;
    BenchResult& result = results_[name];
    if (run.error_occurred) {
      result.error = run.error_message;
      continue;
    }
    auto counter = run.counters.find("gflops");
    if (counter != run.counters.end()) result.gflops.push_back(counter->second.value);
    if (!run.report_label.empty()) result.label = run.report_label;
  }
  if (name.empty()) return;
  const BenchResult& result = results_[name];
  ++done_;
  if (expected_)
    std::fprintf(stderr, "[%3zu/%zu] ", done_, expected_);
  else
    std::fprintf(stderr, "[%3zu] ", done_);
  if (!result.error.empty())
    std::fprintf(stderr, "%-44s ERROR: %s\n", name.c_str(), result.error.c_str());
  else
    std::fprintf(stderr, "%-44s %8.2f GFLOP/s  %s\n", name.c_str(), result.median(),
                 result.label.c_str());
  std::fflush(stderr);
}

namespace {

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "–";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

// A result's median, or NaN when it is missing or failed.
double median_of(const std::map<std::string, BenchResult>& results, const std::string& name) {
  auto it = results.find(name);
  if (it == results.end() || !it->second.error.empty()) return std::numeric_limits<double>::quiet_NaN();
  return it->second.median();
}

std::string label_of(const std::map<std::string, BenchResult>& results, const std::string& name) {
  auto it = results.find(name);
  if (it == results.end()) return "–";
  if (!it->second.error.empty()) return "error: " + it->second.error;
  return it->second.label.empty() ? "–" : it->second.label;
}

}  // namespace

void print_report(std::ostream& out, const ReportHeader& h, const std::vector<BenchShape>& shapes,
                  const std::map<std::string, BenchResult>& results) {
  const double peak = best_peak(h.peaks) * h.threads;
  out << "ndconv vs oneDNN, fp32, GFLOP/s = median of " << h.repetitions
      << " repetitions; threads: " << h.threads << "; ndconv ISA: " << h.ndconv_isa
      << "; shapes: " << h.shapes_path;
  if (!h.have_onednn) out << "; oneDNN: not built in";
  out << ".\n\nSingle-core fp32 FMA peak, measured at start-up (best of many ~2 ms runs of "
         "independent FMA chains; the median run shows how much the machine disturbed it):";
  if (h.peaks.empty()) out << " not measured";
  const char* sep = " ";
  for (const IsaPeak& p : h.peaks) {
    out << sep << p.isa << " " << fixed(p.gflops, 1) << " GFLOP/s (best of " << p.runs
        << ", median " << fixed(p.median_gflops, 1) << ")";
    sep = "; ";
  }
  out << ". \"% of peak\" = ndconv GF/s / (" << h.threads << " x " << fixed(best_peak(h.peaks), 1)
      << ") = ndconv GF/s / " << fixed(peak, 1)
      << ": the share of this machine's FMA throughput ndconv reached, counting every tap "
         "(padding included), so a path that skips padding can exceed 100. "
         "ndconv cells marked (n=K): a slow path, timed K times (about 1.5 s per cell).";
  out << "\n\n";
  out << "| shape | layout | MFLOP | ndconv GF/s | oneDNN plain GF/s | oneDNN best GF/s | "
         "ndconv/plain | ndconv/best | % of peak | ndconv kernel | oneDNN plain impl | "
         "oneDNN best impl |\n";
  out << "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n";
  double log_plain = 0, log_best = 0;
  int n_plain = 0, n_best = 0;
  for (const BenchShape& s : shapes) {
    for (const char* layout : {"ncx", "nxc"}) {
      const std::string suffix = "/" + s.name + "/" + layout;
      const double nd = median_of(results, "ndconv" + suffix);
      std::string nd_cell = fixed(nd, 2);
      auto nd_result = results.find("ndconv" + suffix);
      if (std::isfinite(nd) && nd_result != results.end() &&
          int(nd_result->second.gflops.size()) < h.repetitions)
        nd_cell += " (n=" + std::to_string(nd_result->second.gflops.size()) + ")";
      const double plain = median_of(results, "onednn_plain" + suffix);
      const double best = median_of(results, "onednn_best" + suffix);
      const double r_plain = nd / plain, r_best = nd / best;
      if (std::isfinite(r_plain) && r_plain > 0) log_plain += std::log(r_plain), ++n_plain;
      if (std::isfinite(r_best) && r_best > 0) log_best += std::log(r_best), ++n_best;
      out << "| " << s.name << " | " << layout << " | " << fixed(s.flops() / 1e6, 2) << " | "
          << nd_cell << " | " << fixed(plain, 2) << " | " << fixed(best, 2) << " | "
          << fixed(r_plain, 3) << " | " << fixed(r_best, 3) << " | "
          << (peak > 0 ? fixed(100.0 * nd / peak, 1) : std::string("–")) << " | "
          << label_of(results, "ndconv" + suffix) << " | "
          << label_of(results, "onednn_plain" + suffix) << " | "
          << label_of(results, "onednn_best" + suffix) << " |\n";
    }
  }
  out << "| **geometric mean** | | | | | | "
      << (n_plain ? fixed(std::exp(log_plain / n_plain), 3) : "–") << " | "
      << (n_best ? fixed(std::exp(log_best / n_best), 3) : "–") << " | | | | |\n";
}

}  // namespace ndconv_bench
