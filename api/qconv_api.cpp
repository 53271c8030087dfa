// The int8 convolution's C API entry points (ndconv_qconv_*), the same
// conventions as api/api.cpp: no exception crosses into C, every failure
// has a message, create leaves *out NULL on failure.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "algorithms/qconv_params.h"
#include "api/error.h"
#include "api/memory.h"
#include "api/qconv_shape.h"
#include "plan/isa_select.h"
#include "plan/qalgorithm.h"
#include "plan/qmeasure.h"

// The plan: parameters first, so the algorithm (which points at them) is
// destroyed before them.
struct ndconv_qconv {
  ndconv::dispatch::QConvParams params;
  std::unique_ptr<ndconv::dispatch::QAlgorithm> algorithm;
  ndconv::dispatch::TuneReport tune;  // how the algorithm was chosen (ndconv_qconv_tune_info)
};

using ndconv::dispatch::failf;
using ndconv::dispatch::guarded;

namespace {

// NDCONV_INT8_DOT=0 at load time turns the dot-product kernels off.
bool dot_product_from_environment() {
  const char* env = std::getenv("NDCONV_INT8_DOT");
  return !(env && std::strcmp(env, "0") == 0);
}
std::atomic<bool> g_int8_dot_product{dot_product_from_environment()};

// NDCONV_INT8_AMX=0 at load time turns the AMX tile off (AVX512-VNNI instead).
bool amx_from_environment() {
  const char* env = std::getenv("NDCONV_INT8_AMX");
  return !(env && std::strcmp(env, "0") == 0);
}
std::atomic<bool> g_int8_amx{amx_from_environment()};

// The int8 kernels of the plan's ISA level and dot-product variant; a level
// this build has no int8 kernels for uses the portable ones (the plan's name
// then says "scalar").
const ndconv::kernels::QKernelTable* int8_table(ndconv_isa isa) {
  const ndconv::kernels::QKernelTable* t = ndconv::kernels::qkernel_table(isa, g_int8_dot_product.load());
  return t ? t : ndconv::kernels::qkernel_table(NDCONV_ISA_SCALAR, false);
}

ndconv_status create_plan(const ndconv_qconv_desc* desc, const int8_t* weights,
                          const float* weight_scales, const int32_t* bias,
                          const ndconv_create_options* options, ndconv_qconv** out) {
  namespace nd = ndconv::dispatch;
  nd::QConvShape shape;
  ndconv_status s = nd::validate_qdesc(desc, &shape);
  if (s != NDCONV_OK) return s;
  nd::TuneRequest request;
  s = nd::resolve_tune_request(options, &request);
  if (s != NDCONV_OK) return s;
  if (weights == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "weights is NULL");
  s = nd::validate_weight_scales(shape, weight_scales);
  if (s != NDCONV_OK) return s;
  const ndconv::kernels::KernelTable* table = nd::current_kernel_table(&s);
  if (table == nullptr) return s;
  ndconv_qconv* q = nd::create_object<ndconv_qconv>();
  if (q == nullptr) return failf(NDCONV_OUT_OF_MEMORY, "out of memory allocating an int8 plan");
  s = q->params.build(shape, weight_scales, bias);
  q->params.transposers = table;
  if (s == NDCONV_OK) {
    nd::QPlanInputs in{&q->params, int8_table(table->isa), table->isa, weights};
    in.amx = g_int8_amx.load();
    q->algorithm = nd::plan_qtuned(in, request, &q->tune, &s);
  }
  if (s != NDCONV_OK) {
    nd::destroy_object(q);
    return s;
  }
  *out = q;
  return NDCONV_OK;
}

}  // namespace

extern "C" ndconv_status ndconv_qconv_output_size(const ndconv_qconv_desc* desc,
                                                  int64_t out_size[NDCONV_MAX_RANK]) {
  return guarded("ndconv_qconv_output_size", [&] {
    ndconv::dispatch::QConvShape shape;
    const ndconv_status st = ndconv::dispatch::validate_qdesc(desc, &shape);
    if (st != NDCONV_OK) return st;
    if (out_size == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_size is NULL");
    for (int i = 0; i < shape.conv.rank; ++i) out_size[i] = shape.conv.out_size[i];
    return NDCONV_OK;
  });
}

extern "C" ndconv_status ndconv_qconv_create(const ndconv_qconv_desc* desc, const int8_t* weights,
                                             const float* weight_scales, const int32_t* bias,
                                             ndconv_qconv** out_qconv) {
  if (out_qconv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_qconv is NULL");
  *out_qconv = nullptr;
  return guarded("ndconv_qconv_create",
                 [&] { return create_plan(desc, weights, weight_scales, bias, nullptr, out_qconv); });
}

extern "C" ndconv_status ndconv_qconv_create_ex(const ndconv_qconv_desc* desc, const int8_t* weights,
                                                const float* weight_scales, const int32_t* bias,
                                                const ndconv_create_options* options,
                                                ndconv_qconv** out_qconv) {
  if (out_qconv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_qconv is NULL");
  *out_qconv = nullptr;
  return guarded("ndconv_qconv_create_ex",
                 [&] { return create_plan(desc, weights, weight_scales, bias, options, out_qconv); });
}

extern "C" ndconv_status ndconv_qconv_tune_info(const ndconv_qconv* qconv, ndconv_tune_info* info) {
  if (qconv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "qconv is NULL");
  if (info == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "info is NULL");
  ndconv::dispatch::fill_tune_info(qconv->tune, info);
  return NDCONV_OK;
}

extern "C" void ndconv_qconv_destroy(ndconv_qconv* qconv) { ndconv::dispatch::destroy_object(qconv); }

extern "C" ndconv_status ndconv_qconv_run(const ndconv_qconv* qconv, const void* input,
                                          void* output, ndconv_threadpool* pool) {
  if (qconv == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "qconv is NULL");
  if (input == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "input is NULL");
  if (output == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "output is NULL");
  return guarded("ndconv_qconv_run", [&] { return qconv->algorithm->run(input, output, pool); });
}

extern "C" const char* ndconv_qconv_kernel_name(const ndconv_qconv* qconv) {
  return qconv ? qconv->algorithm->name().c_str() : "";
}

extern "C" void ndconv_set_int8_dot_product(int enable) { g_int8_dot_product.store(enable != 0); }
extern "C" int ndconv_int8_dot_product(void) { return g_int8_dot_product.load() ? 1 : 0; }
extern "C" void ndconv_set_int8_amx(int enable) { g_int8_amx.store(enable != 0); }
extern "C" int ndconv_int8_amx(void) { return g_int8_amx.load() ? 1 : 0; }
