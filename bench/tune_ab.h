// ndconv_bench --ab --tune=measure: the measure mode's floors, checked on
// the suite. Per shape and layout (oneDNN's ranks), interleaved rounds time
// oneDNN plain, ndconv's default plan, its measured plan
// (ndconv_conv_create_ex, NDCONV_TUNE_MEASURE, budget as given) and every
// candidate that applies (the exhaustive search over the same candidates,
// forced one by one; the reference, many times slower, is left out), each
// output first checked against oneDNN. Prints one markdown row per shape and
// layout: default and measured plans against oneDNN, the measured pick
// against the exhaustive best (floor: within 3%) and the default against the
// measured pick (floor: within 5%).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "shapes.h"

namespace ndconv_bench {

// One plan of a --tune=measure table (float32 here, int8 in tune_ab_int8.cpp):
// its label ("default", "measure (...)" or the forced name), the library's
// name of its pick, and its time per interleaved round.
struct TunePlanTimes {
  std::string label, candidate;
  std::vector<double> seconds;
};

// The rows both tables print alike. `reference` names the compared library
// ("oneDNN", "oneDNN int8"), `unit` the rate ("GF/s", "GOP/s").
void print_tune_header(const char* reference, const char* unit);
// One row: plans[0] the default plan, plans[1] the measured one, the rest
// the candidates; the reference's median round time. Appends
// the default's and the measured plan's ratios against the reference.
void print_tune_row(const std::string& shape, const char* layout, double flops, double t_reference,
                    const std::vector<const TunePlanTimes*>& plans, std::vector<double>* default_ratios,
                    std::vector<double>* measure_ratios);
void print_tune_geomean(const std::vector<double>& default_ratios, const std::vector<double>& measure_ratios);
// --tune-candidates: print_tune_row also keeps every plan's rate (default,
// measured, each candidate), and print_tune_geomean lists them after the
// table, fastest first per row: which candidates were close, not only the best.
void list_tune_candidates(bool on);

// `selected("<shape>/<layout>")` picks the rows (--benchmark_filter);
// budget_ms 0 is the library's default. Returns 0, 1 (a check failed or a
// plan could not be made) or 2 (no oneDNN).
int run_tune_ab(const std::vector<BenchShape>& shapes, int threads, double budget_ms,
                ndconv_threadpool* pool, const std::function<bool(const std::string&)>& selected);

}  // namespace ndconv_bench
