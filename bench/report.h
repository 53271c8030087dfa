// `ndconv_bench --report`: a Google Benchmark reporter that shows progress on
// stderr and keeps the median `gflops` of every benchmark, then one markdown
// table comparing ndconv with oneDNN per shape and layout.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "fma_peak.h"
#include "shapes.h"

namespace ndconv_bench {

struct BenchResult {
  std::vector<double> gflops;  // one per repetition
  std::string label;           // kernel / implementation name
  std::string error;           // set if the benchmark was skipped with an error
  double median() const;       // NaN if there are no samples
};

class MedianReporter : public benchmark::BenchmarkReporter {
 public:
  // expected_benchmarks: shown as the progress total (0: unknown).
  explicit MedianReporter(size_t expected_benchmarks) : expected_(expected_benchmarks) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;

  // Results by registered benchmark name, e.g. "ndconv/pw_seq_ffn/ncx".
  const std::map<std::string, BenchResult>& results() const { return results_; }

 private:
  size_t expected_;
  size_t done_ = 0;
  std::map<std::string, BenchResult> results_;
};

struct ReportHeader {
  std::vector<IsaPeak> peaks;
  int threads = 1;
  std::string ndconv_isa;
  std::string shapes_path;
  int repetitions = 1;
  bool have_onednn = false;
};

// The machine, at the top of every report (--report and --ab): the CPU's
// brand string, identity, microarchitecture and FMA units
// (ndconv_cpu_string), the caches (ndconv_tuning_string) and the measured
// FMA peak per ISA.
void print_machine(std::ostream& out, const std::vector<IsaPeak>& peaks);

// One shape and layout of a report, as the JSON output (--json) has it.
struct ResultRow {
  std::string shape, layout;
  double mflop = 0;
  double ndconv_gflops = 0, onednn_gflops = 0;  // NaN: missing or failed
  double ratio = 0;                             // ndconv / oneDNN plain (--ab: median per round)
  std::string kernel, onednn_impl;
};

// The --report table's rows (ndconv against oneDNN plain, same layout).
std::vector<ResultRow> report_rows(const std::vector<BenchShape>& shapes,
                                   const std::map<std::string, BenchResult>& results);

// Writes {"mode", "threads", "ndconv_isa", "machine": {"cpu": {...}, "cache":
// {...}, "fma_peak_gflops": {...}}, "rows": [...]} to `path` (non-finite
// numbers as null); false with a message on stderr if it cannot.
bool write_json(const std::string& path, const char* mode, int threads,
                const std::vector<IsaPeak>& peaks, const std::vector<ResultRow>& rows);

// Writes the table: one row per shape and layout, geometric means of the two
// ratios at the bottom.
void print_report(std::ostream& out, const ReportHeader& header,
                  const std::vector<BenchShape>& shapes,
                  const std::map<std::string, BenchResult>& results);

}  // namespace ndconv_bench
