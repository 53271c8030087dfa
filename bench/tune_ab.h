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

// `selected("<shape>/<layout>")` picks the rows (--benchmark_filter);
// budget_ms 0 is the library's default. Returns 0, 1 (a check failed or a
// plan could not be made) or 2 (no oneDNN).
int run_tune_ab(const std::vector<BenchShape>& shapes, int threads, double budget_ms,
                ndconv_threadpool* pool, const std::function<bool(const std::string&)>& selected);

}  // namespace ndconv_bench
