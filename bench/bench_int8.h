// `ndconv_bench --int8`: every selected shape of the suite in both layouts,
// ndconv's int8 convolution (u8 input, s8 weights, u8 output, per-channel
// scales, zero points) against oneDNN's int8 convolution with the same
// quantization, each output checked first (within 1), then interleaved rounds
// of ndconv int8, oneDNN int8 and ndconv float32 on the same shape: medians
// of the rates and of the per-round ratios, one markdown table.
#pragma once

#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "shapes.h"

namespace ndconv_bench {

// `selects(name)` says whether "<shape>/<layout>" is selected. Returns the
// exit status: 0, or 1 when an output check failed.
int run_int8(const std::vector<BenchShape>& shapes, bool (*selects)(const std::string& filter, const std::string& name),
             const std::string& filter, int threads, ndconv_threadpool* pool);

}  // namespace ndconv_bench
