#include "report.h"

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <utility>

#include "ndconv/ndconv.h"

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

// The "name = value" lines of ndconv_cpu_string / ndconv_tuning_string whose
// name starts with `prefix`, the prefix removed, in order.
using KeyValues = std::vector<std::pair<std::string, std::string>>;
KeyValues key_values(const std::string& text, const std::string& prefix) {
  KeyValues out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    const size_t eq = line.find(" = ");
    if (eq != std::string::npos && line.compare(0, prefix.size(), prefix) == 0)
      out.emplace_back(line.substr(prefix.size(), eq - prefix.size()), line.substr(eq + 3));
    start = end + 1;
  }
  return out;
}

std::string tuning_text() {
  std::string text(ndconv_tuning_string(nullptr, 0) + 1, '\0');
  text.resize(ndconv_tuning_string(&text[0], text.size()));
  return text;
}

std::string value_of(const KeyValues& kv, const std::string& key) {
  for (const auto& p : kv)
    if (p.first == key) return p.second;
  return "";
}

std::string kib(const std::string& bytes) {
  return std::to_string(std::strtoull(bytes.c_str(), nullptr, 10) / 1024) + " KiB";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

std::string json_object(const KeyValues& kv) {
  std::string out = "{";
  for (size_t i = 0; i < kv.size(); ++i)
    out += (i ? ", " : "") + json_string(kv[i].first) + ": " + json_string(kv[i].second);
  return out + "}";
}

}  // namespace

void print_machine(std::ostream& out, const std::vector<IsaPeak>& peaks) {
  const KeyValues cpu = key_values(ndconv_cpu_string(), "cpu.");
  const KeyValues cache = key_values(tuning_text(), "cache.");
  out << "Machine: " << value_of(cpu, "brand") << " (" << value_of(cpu, "vendor");
  if (!value_of(cpu, "implementer").empty())
    out << " implementer " << value_of(cpu, "implementer") << " part " << value_of(cpu, "part")
        << " r" << value_of(cpu, "variant") << "p" << value_of(cpu, "revision");
  else
    out << " family " << value_of(cpu, "family") << " model " << value_of(cpu, "model")
        << " stepping " << value_of(cpu, "stepping");
  out << "); microarchitecture: " << value_of(cpu, "microarchitecture")
      << "; FMA units: " << value_of(cpu, "fma_units") << " (" << value_of(cpu, "fma_units_source")
      << "); int8 dot products: " << value_of(cpu, "int8_dot_products") << "; caches: L1d " << kib(value_of(cache, "l1d_bytes")) << ", L2 "
      << kib(value_of(cache, "l2_bytes")) << ", L3 " << kib(value_of(cache, "l3_bytes"))
      << " (" << value_of(cache, "source") << "); measured single-core fp32 FMA peak:";
  if (peaks.empty()) out << " not measured";
  const char* sep = " ";
  for (const IsaPeak& p : peaks) {
    out << sep << p.isa << " " << fixed(p.gflops, 1) << " GFLOP/s";
    sep = ", ";
  }
  out << ".\n\n";
}

std::vector<ResultRow> report_rows(const std::vector<BenchShape>& shapes,
                                   const std::map<std::string, BenchResult>& results) {
  std::vector<ResultRow> rows;
  for (const BenchShape& s : shapes) {
    for (const char* layout : {"ncx", "nxc"}) {
      const std::string suffix = "/" + s.name + "/" + layout;
      if (results.find("ndconv" + suffix) == results.end()) continue;  // filtered out
      ResultRow r;
      r.shape = s.name;
      r.layout = layout;
      r.mflop = s.flops() / 1e6;
      r.ndconv_gflops = median_of(results, "ndconv" + suffix);
      r.onednn_gflops = median_of(results, "onednn_plain" + suffix);
      r.ratio = r.ndconv_gflops / r.onednn_gflops;
      r.kernel = label_of(results, "ndconv" + suffix);
      r.onednn_impl = label_of(results, "onednn_plain" + suffix);
      rows.push_back(r);
    }
  }
  return rows;
}

bool write_json(const std::string& path, const char* mode, int threads,
                const std::vector<IsaPeak>& peaks, const std::vector<ResultRow>& rows) {
  std::ofstream out(path);
  if (!out) {
    std::fprintf(stderr, "ndconv_bench: cannot write --json=%s\n", path.c_str());
    return false;
  }
  out << "{\"mode\": " << json_string(mode) << ", \"threads\": " << threads
      << ", \"ndconv_isa\": " << json_string(ndconv_isa_name(ndconv_current_isa()))
      << ",\n \"machine\": {\"cpu\": " << json_object(key_values(ndconv_cpu_string(), "cpu."))
      << ",\n  \"cache\": " << json_object(key_values(tuning_text(), "cache."))
      << ",\n  \"fma_peak_gflops\": {";
  for (size_t i = 0; i < peaks.size(); ++i)
    out << (i ? ", " : "") << json_string(peaks[i].isa) << ": " << json_number(peaks[i].gflops);
  out << "}},\n \"rows\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ResultRow& r = rows[i];
    out << (i ? ",\n  " : "\n  ") << "{\"shape\": " << json_string(r.shape)
        << ", \"layout\": " << json_string(r.layout) << ", \"mflop\": " << json_number(r.mflop)
        << ", \"ndconv_gflops\": " << json_number(r.ndconv_gflops)
        << ", \"onednn_gflops\": " << json_number(r.onednn_gflops)
        << ", \"ratio\": " << json_number(r.ratio) << ", \"kernel\": " << json_string(r.kernel)
        << ", \"onednn_impl\": " << json_string(r.onednn_impl) << "}";
  }
  out << "\n ]}\n";
  out.close();
  if (!out) std::fprintf(stderr, "ndconv_bench: writing --json=%s failed\n", path.c_str());
  return bool(out);
}

void print_report(std::ostream& out, const ReportHeader& h, const std::vector<BenchShape>& shapes,
                  const std::map<std::string, BenchResult>& results) {
  const double peak = best_peak(h.peaks) * h.threads;
  print_machine(out, h.peaks);
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
