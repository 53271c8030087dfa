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
#include "onednn_qconv.h"
#include "shapes.h"
#include "tensors.h"

namespace ndconv_bench {

// One shape's int8 case, the same in every int8 table: OIX int8 weights
// (and XIO, what a channels-last user hands over) in [-63, 63], the same as
// floats for the float32 plan, u8 input, s32 bias, per-channel scales.
struct QCase {
  std::vector<int8_t> w_oix, w_xio;
  std::vector<float> wf_oix, wf_xio, scales, bias_f;
  std::vector<int32_t> bias;
  AlignedBytes input;     // timed tensors: on cache lines (bench/tensors.h)
  AlignedFloats input_f;
  QuantParams q;
  // The int8 weights in the layout's order (OIX for NCX, XIO for NXC).
  const int8_t* weights(ndconv_layout layout) const {
    return layout == NDCONV_NXC ? w_xio.data() : w_oix.data();
  }
};
QCase make_int8_case(const BenchShape& s);
// The descriptor of the case: u8 in and out, the case's quantization.
ndconv_qconv_desc int8_desc(const BenchShape& s, ndconv_layout layout, const QCase& c);
// Every element within 1 of oneDNN's: "" or the first miss.
std::string check_outputs(const AlignedBytes& ours, const std::vector<uint8_t>& theirs);

// `selects(name)` says whether "<shape>/<layout>" is selected. Returns the
// exit status: 0, or 1 when an output check failed.
int run_int8(const std::vector<BenchShape>& shapes, bool (*selects)(const std::string& filter, const std::string& name),
             const std::string& filter, int threads, ndconv_threadpool* pool);

// `ndconv_bench --int8 --ab --tune=measure` (tune_ab_int8.cpp): the int8
// measure mode's table, as run_tune_ab's for float32: per shape and layout,
// oneDNN int8, ndconv's default int8 plan, its measured plan
// (ndconv_qconv_create_ex, NDCONV_TUNE_MEASURE) and every candidate that
// applies ("int8:mr=<rows>" forced one by one), interleaved. Every plan's
// bytes are checked first: the default's within 1 of oneDNN's, every other
// plan's equal to the default's (the API's promise: same bytes whatever the
// pick). budget_ms 0 is the library's default. Returns 0, or 1 when a check
// failed or a plan could not be made.
int run_tune_ab_int8(const std::vector<BenchShape>& shapes,
                     bool (*selects)(const std::string& filter, const std::string& name), const std::string& filter,
                     int threads, double budget_ms, ndconv_threadpool* pool);

}  // namespace ndconv_bench
