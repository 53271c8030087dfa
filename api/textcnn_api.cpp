// The C API of the fused text-CNN block (ndconv_textcnn_*): validation of
// ndconv_textcnn_desc and the extern "C" entry points around
// dispatch::TextCnn (algorithms/textcnn_block.h). As in api.cpp, no C++
// exception crosses into a C caller.
#include <cinttypes>
#include <new>

#include "algorithms/textcnn_block.h"
#include "api/error.h"
#include "api/memory.h"
#include "api/validation_helpers.h"
#include "plan/isa_select.h"

namespace ndconv {
namespace dispatch {
namespace {

ndconv_status check_textcnn_enums(const ndconv_textcnn_desc& d) {
  const int layout = raw_enum_value(d.layout), wlayout = raw_enum_value(d.weight_layout);
  const int act = raw_enum_value(d.activation), pooling = raw_enum_value(d.pooling);
  const ndconv_status st = check_layout_enums(layout, wlayout);
  if (st != NDCONV_OK) return st;
  if (act < NDCONV_ACT_NONE || act > NDCONV_ACT_CLAMP)
    return invalid_enum("activation", act, NDCONV_ACT_CLAMP);
  if (pooling != NDCONV_TEXTCNN_POOL_MAX) return invalid_enum("pooling", pooling, NDCONV_TEXTCNN_POOL_MAX);
  return act == NDCONV_ACT_CLAMP ? check_clamp_bounds(d.act_min, d.act_max) : NDCONV_OK;
}

// Branch b's rules; adds its filters to *features (the output's row length).
ndconv_status check_textcnn_branch(const ndconv_textcnn_desc& d, int b, int64_t* features) {
  const ndconv_textcnn_branch& br = d.branches[b];
  int64_t count = 0;
  if (br.ngram < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "branches[%d].ngram = %" PRId64 " must be >= 1", b, br.ngram);
  if (br.ngram > d.seq_len)
    return failf(NDCONV_INVALID_ARGUMENT, "branches[%d].ngram = %" PRId64 " exceeds seq_len = %" PRId64,
                 b, br.ngram, d.seq_len);
  if (br.filters < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "branches[%d].filters = %" PRId64 " must be >= 1", b,
                 br.filters);
  if (!checked_mul(br.ngram, d.embed_dim, &count) || !checked_mul(count, br.filters, &count) ||
      !checked_mul(count, 4, &count))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "branches[%d] weight byte size overflows int64 (ngram = %" PRId64
                 ", embed_dim = %" PRId64 ", filters = %" PRId64 ")",
                 b, br.ngram, d.embed_dim, br.filters);
  if (!checked_add(*features, br.filters, features))
    return failf(NDCONV_INVALID_ARGUMENT, "the sum of branches[].filters overflows int64");
  return NDCONV_OK;
}

// Every rule of the descriptor, each failure naming the field and its value.
ndconv_status validate_textcnn(const ndconv_textcnn_desc& d) {
  if (d.batch < 1) return failf(NDCONV_INVALID_ARGUMENT, "batch = %" PRId64 " must be >= 1", d.batch);
  if (d.seq_len < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "seq_len = %" PRId64 " must be >= 1", d.seq_len);
  if (d.embed_dim < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "embed_dim = %" PRId64 " must be >= 1", d.embed_dim);
  if (d.branch_count < 1 || d.branch_count > NDCONV_TEXTCNN_MAX_BRANCHES)
    return failf(NDCONV_INVALID_ARGUMENT, "branch_count = %d must be 1 .. %d", d.branch_count,
                 NDCONV_TEXTCNN_MAX_BRANCHES);
  ndconv_status st = check_textcnn_enums(d);
  if (st != NDCONV_OK) return st;
  int64_t count = 0, features = 0;
  if (!checked_mul(d.batch, d.seq_len, &count) || !checked_mul(count, d.embed_dim, &count) ||
      !checked_mul(count, 4, &count))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "input byte size overflows int64 (batch = %" PRId64 ", seq_len = %" PRId64
                 ", embed_dim = %" PRId64 ")",
                 d.batch, d.seq_len, d.embed_dim);
  for (int b = 0; b < d.branch_count; ++b)
    if ((st = check_textcnn_branch(d, b, &features)) != NDCONV_OK) return st;
  if (!checked_mul(d.batch, features, &count) || !checked_mul(count, 4, &count))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "output byte size overflows int64 (batch = %" PRId64 ", sum of filters = %" PRId64 ")",
                 d.batch, features);
  return NDCONV_OK;
}

}  // namespace
}  // namespace dispatch
}  // namespace ndconv

struct ndconv_textcnn {
  ndconv::dispatch::TextCnn* plan = nullptr;
};

using ndconv::dispatch::failf;
using ndconv::dispatch::guarded;

extern "C" ndconv_status ndconv_textcnn_create(const ndconv_textcnn_desc* desc,
                                               const float* const* weights,
                                               const float* const* biases,
                                               ndconv_textcnn** out_textcnn) {
  using namespace ndconv::dispatch;
  if (out_textcnn == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_textcnn is NULL");
  *out_textcnn = nullptr;
  if (desc == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "desc is NULL");
  ndconv_textcnn* handle = nullptr;
  TextCnn* plan = nullptr;
  const ndconv_status st = guarded("ndconv_textcnn_create", [&] {
    ndconv_status s = validate_textcnn(*desc);
    if (s != NDCONV_OK) return s;
    if (weights == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "weights is NULL");
    for (int b = 0; b < desc->branch_count; ++b)
      if (weights[b] == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "weights[%d] is NULL", b);
    const ndconv::kernels::KernelTable* table = current_kernel_table(&s);
    if (table == nullptr) return s;
    plan = new (std::nothrow) TextCnn(*desc, *table);
    if (plan == nullptr || !plan->init(weights, biases))
      return failf(NDCONV_OUT_OF_MEMORY, "out of memory packing the text-CNN weights");
    handle = create_object<ndconv_textcnn>();
    if (handle == nullptr) return failf(NDCONV_OUT_OF_MEMORY, "out of memory allocating a plan");
    handle->plan = plan;
    return NDCONV_OK;
  });
  if (st != NDCONV_OK) {
    if (handle == nullptr) delete plan;
    destroy_object(handle);
    return st;
  }
  *out_textcnn = handle;
  return NDCONV_OK;
}

extern "C" void ndconv_textcnn_destroy(ndconv_textcnn* textcnn) {
  if (textcnn) delete textcnn->plan;
  ndconv::dispatch::destroy_object(textcnn);
}

extern "C" ndconv_status ndconv_textcnn_run(const ndconv_textcnn* textcnn, const float* input,
                                            float* output, ndconv_threadpool* pool) {
  if (textcnn == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "textcnn is NULL");
  if (input == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "input is NULL");
  if (output == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "output is NULL");
  return guarded("ndconv_textcnn_run", [&] { return textcnn->plan->run(input, output, pool); });
}

extern "C" const char* ndconv_textcnn_kernel_name(const ndconv_textcnn* textcnn) {
  return textcnn ? textcnn->plan->name().c_str() : "";
}
