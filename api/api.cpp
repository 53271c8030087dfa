// The C API's plan entry points. Every extern "C" function here is noexcept in
// effect: C++ exceptions never cross into C callers (bad_alloc becomes
// NDCONV_OUT_OF_MEMORY, anything else NDCONV_INTERNAL_ERROR, both with a
// message).
#include <exception>
#include <memory>
#include <new>

#include "plan/algorithm.h"
#include "api/conv_shape.h"
#include "api/error.h"
#include "plan/isa_select.h"
#include "api/memory.h"
#include "plan/measure.h"
#include "plan/tuning.h"

// The plan: the validated shape, the algorithm the planner built for it, and
// how it was chosen (ndconv_conv_tune_info).
struct ndconv_conv {
  ndconv::dispatch::ConvShape shape;
  std::unique_ptr<ndconv::dispatch::Algorithm> algorithm;
  ndconv::dispatch::TuneReport tune;
};

using ndconv::dispatch::failf;
using ndconv::dispatch::guarded;

extern "C" ndconv_status ndconv_conv_output_size(const ndconv_conv_desc* desc,
                                                 int64_t out_size[NDCONV_MAX_RANK]) {
  return guarded("ndconv_conv_output_size", [&] {
    ndconv::dispatch::ConvShape shape;
    const ndconv_status st = ndconv::dispatch::validate_desc(desc, &shape);
    if (st != NDCONV_OK) return st;
    if (out_size == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_size is NULL");
    for (int i = 0; i < shape.rank; ++i) out_size[i] = shape.out_size[i];  // [rank, 8) untouched
    return NDCONV_OK;
  });
}

extern "C" ndconv_status ndconv_conv_create(const ndconv_conv_desc* desc, const float* weights,
                                            const float* bias, ndconv_conv** out_conv) {
  return ndconv_conv_create_ex(desc, weights, bias, nullptr, out_conv);
}

extern "C" ndconv_status ndconv_conv_create_ex(const ndconv_conv_desc* desc, const float* weights,
                                               const float* bias, const ndconv_create_options* options,
                                               ndconv_conv** out_conv) {
  if (out_conv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_conv is NULL");
  *out_conv = nullptr;
  ndconv_conv* conv = nullptr;
  const ndconv_status st = guarded("ndconv_conv_create", [&] {
    ndconv::dispatch::ConvShape shape;
    ndconv_status s = ndconv::dispatch::validate_desc(desc, &shape);
    if (s != NDCONV_OK) return s;
    if (weights == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "weights is NULL");
    ndconv::dispatch::TuneRequest request;
    s = ndconv::dispatch::resolve_tune_request(options, &request);
    if (s != NDCONV_OK) return s;
    const ndconv::kernels::KernelTable* table = ndconv::dispatch::current_kernel_table(&s);
    if (table == nullptr) return s;
    conv = ndconv::dispatch::create_object<ndconv_conv>();
    if (conv == nullptr) return failf(NDCONV_OUT_OF_MEMORY, "out of memory allocating a plan");
    conv->shape = shape;
    // The ISA's own table: each candidate's formulation is applied to it.
    conv->algorithm = ndconv::dispatch::plan_tuned(shape, *ndconv::kernels::kernel_table_for(table->isa),
                                                   weights, bias, request, &conv->tune, &s);
    return conv->algorithm ? NDCONV_OK : s;
  });
  if (st != NDCONV_OK) {
    ndconv::dispatch::destroy_object(conv);
    return st;
  }
  *out_conv = conv;
  return NDCONV_OK;
}

extern "C" void ndconv_conv_destroy(ndconv_conv* conv) { ndconv::dispatch::destroy_object(conv); }

extern "C" ndconv_status ndconv_conv_run(const ndconv_conv* conv, const float* input,
                                         float* output, ndconv_threadpool* pool) {
  if (conv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "conv is NULL");
  if (input == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "input is NULL");
  if (output == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "output is NULL");
  return guarded("ndconv_conv_run",
                 [&] { return conv->algorithm->run(input, output, pool); });
}

extern "C" const char* ndconv_conv_kernel_name(const ndconv_conv* conv) {
  return conv ? conv->algorithm->name().c_str() : "";
}

extern "C" ndconv_status ndconv_conv_tune_info(const ndconv_conv* conv, ndconv_tune_info* info) {
  if (conv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "conv is NULL");
  if (info == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "info is NULL");
  ndconv::dispatch::fill_tune_info(conv->tune, info);
  return NDCONV_OK;
}

extern "C" size_t ndconv_tuning_string(char* buf, size_t size) {
  return ndconv::dispatch::format_tuning(ndconv::dispatch::cache_info(), ndconv::dispatch::tuning(),
                                         buf, buf ? size : 0);
}
