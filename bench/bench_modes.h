// ndconv_bench's timing modes outside Google Benchmark (bench_modes.cpp).
#pragma once

#include <string>
#include <vector>

#include "bench_options.h"
#include "fma_peak.h"

namespace ndconv_bench {

// --ab: per selected shape and layout, rounds timing ndconv and oneDNN plain
// alternately; prints a markdown table of medians (and JSON with --json).
int run_ab(const Options& opt, const std::string& filter, const std::vector<IsaPeak>& peaks);

// --load: one plan shared by 1, 2, 4, 8 request threads; checks every output.
int run_load(const std::string& filter);

}  // namespace ndconv_bench
