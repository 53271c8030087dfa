// ndconv_bench's command line: its own flags (taken out of argv before
// Google Benchmark sees the rest), the usage text and the --isa switch.
#pragma once

#include <string>

namespace ndconv_bench {

struct Options {
  std::string shapes_path;
  int threads = 1;
  std::string isa;  // empty: ndconv's default
  bool report = false;
  bool peak_only = false;
  bool ab = false;  // interleaved ndconv vs oneDNN rounds (run_ab)
  bool load = false;  // one plan run from 1, 2, 4, 8 threads at once (run_load)
  bool int8 = false;  // int8 convolutions vs oneDNN int8 (bench_int8.cpp)
  bool inject_mismatch = false;  // corrupt one ndconv output before the check
  bool tune_measure = false;  // --tune=measure (with --ab: run_tune_ab)
  double tune_budget_ms = 0;  // --tune-budget=MS (0: the library's default)
  bool tune_candidates = false;  // --tune-candidates: list every plan's rate (tune_ab.h)
  std::string json_path;  // --json: the --report / --ab rows as JSON too
};

// The usage text (printed for --help, before Google Benchmark's own).
extern const char kUsage[];

// The suite's shapes file: the source tree's bench/shapes.tsv, else the copy
// next to the binary.
std::string default_shapes_path();

// Takes our flags out of argv (Google Benchmark rejects unknown ones); false
// with a message on stderr for a bad value.
bool parse_options(int* argc, char** argv, Options* o);

// ndconv_set_isa by name ("auto", "scalar", "avx2", "avx512", "neon"); false
// with a message when unknown or not runnable here.
bool apply_isa(const std::string& name);

}  // namespace ndconv_bench
