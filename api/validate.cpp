// Descriptor validation: every rule of the C API's Semantics section, each
// failure reported with a message naming the field and its value. Sizes are
// computed with checked arithmetic so that no later code (packing, the
// reference, the kernels' index math) can overflow int64.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "api/conv_shape.h"
#include "api/error.h"
#include "api/validation_helpers.h"

namespace ndconv {
namespace dispatch {
namespace {

constexpr int64_t kFloatBytes = static_cast<int64_t>(sizeof(float));

// "[3, 224, 224]" for messages about a whole per-dimension array, in a fixed
// buffer: rejecting a descriptor allocates nothing.
struct DimsText {
  char text[NDCONV_MAX_RANK * 22 + 4];
};
DimsText dims_text(const int64_t* dims, int rank) {
  DimsText t;
  size_t used = static_cast<size_t>(std::snprintf(t.text, sizeof t.text, "["));
  for (int i = 0; i < rank && used < sizeof t.text; ++i)
    used += static_cast<size_t>(std::snprintf(t.text + used, sizeof t.text - used, "%s%" PRId64,
                                              i ? ", " : "", dims[i]));
  if (used < sizeof t.text) std::snprintf(t.text + used, sizeof t.text - used, "]");
  return t;
}

// Element count of a tensor = lead0 * lead1 * prod(dims), then its byte size.
// `what` names the tensor ("input", "weights", "output") in messages.
ndconv_status check_tensor_size(const char* what, const char* lead0_name, int64_t lead0,
                                const char* lead1_name, int64_t lead1, const char* dims_name,
                                const int64_t* dims, int rank) {
  int64_t count = 0, bytes = 0;
  bool ok = checked_mul(lead0, lead1, &count);
  for (int i = 0; ok && i < rank; ++i) ok = checked_mul(count, dims[i], &count);
  if (!ok)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "%s element count overflows int64 (%s = %" PRId64 ", %s = %" PRId64 ", %s = %s)",
                 what, lead0_name, lead0, lead1_name, lead1, dims_name,
                 dims_text(dims, rank).text);
  if (!checked_mul(count, kFloatBytes, &bytes))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "%s byte size overflows int64 (%" PRId64 " elements of 4 bytes)", what, count);
  return NDCONV_OK;
}

ndconv_status check_enums(const ndconv_conv_desc& d) {
  const int layout = raw_enum_value(d.layout), wlayout = raw_enum_value(d.weight_layout);
  const int padding = raw_enum_value(d.padding), act = raw_enum_value(d.activation);
  const ndconv_status st = check_layout_enums(layout, wlayout);
  if (st != NDCONV_OK) return st;
  if (padding < NDCONV_PAD_EXPLICIT || padding > NDCONV_PAD_SAME_LOWER)
    return invalid_enum("padding", padding, NDCONV_PAD_SAME_LOWER);
  if (act < NDCONV_ACT_NONE || act > NDCONV_ACT_CLAMP)
    return invalid_enum("activation", act, NDCONV_ACT_CLAMP);
  return NDCONV_OK;
}

ndconv_status check_counts(const ndconv_conv_desc& d, ConvShape* s) {
  if (d.batch < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "batch = %" PRId64 " must be >= 1", d.batch);
  if (d.in_channels < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "in_channels = %" PRId64 " must be >= 1", d.in_channels);
  if (d.out_channels < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "out_channels = %" PRId64 " must be >= 1",
                 d.out_channels);
  if (d.groups < 0)
    return failf(NDCONV_INVALID_ARGUMENT, "groups = %" PRId64 " must be >= 0 (0 means 1)",
                 d.groups);
  const int64_t groups = d.groups == 0 ? 1 : d.groups;
  if (d.in_channels % groups != 0)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "in_channels = %" PRId64 " is not divisible by groups = %" PRId64, d.in_channels,
                 groups);
  if (d.out_channels % groups != 0)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "out_channels = %" PRId64 " is not divisible by groups = %" PRId64,
                 d.out_channels, groups);
  s->batch = d.batch;
  s->in_channels = d.in_channels;
  s->out_channels = d.out_channels;
  s->groups = groups;
  return NDCONV_OK;
}

// Per-dimension fields that need no arithmetic: ranges and the 0-means-1 defaults.
ndconv_status check_dim_fields(const ndconv_conv_desc& d, int i, ConvShape* s) {
  if (d.in_size[i] < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "in_size[%d] = %" PRId64 " must be >= 1", i, d.in_size[i]);
  if (d.kernel[i] < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "kernel[%d] = %" PRId64 " must be >= 1", i, d.kernel[i]);
  if (d.stride[i] < 0)
    return failf(NDCONV_INVALID_ARGUMENT, "stride[%d] = %" PRId64 " must be >= 0 (0 means 1)", i,
                 d.stride[i]);
  if (d.dilation[i] < 0)
    return failf(NDCONV_INVALID_ARGUMENT, "dilation[%d] = %" PRId64 " must be >= 0 (0 means 1)",
                 i, d.dilation[i]);
  if (d.padding == NDCONV_PAD_EXPLICIT) {
    if (d.pad_begin[i] < 0)
      return failf(NDCONV_INVALID_ARGUMENT, "pad_begin[%d] = %" PRId64 " must be >= 0", i,
                   d.pad_begin[i]);
    if (d.pad_end[i] < 0)
      return failf(NDCONV_INVALID_ARGUMENT, "pad_end[%d] = %" PRId64 " must be >= 0", i,
                   d.pad_end[i]);
  }
  s->in_size[i] = d.in_size[i];
  s->kernel[i] = d.kernel[i];
  s->stride[i] = d.stride[i] == 0 ? 1 : d.stride[i];
  s->dilation[i] = d.dilation[i] == 0 ? 1 : d.dilation[i];
  return NDCONV_OK;
}

// Resolves the padding mode of dimension i into explicit pads and computes
// the output extent.
ndconv_status resolve_extent(ndconv_padding mode, const ndconv_conv_desc& d, int i, ConvShape* s) {
  const int64_t in = s->in_size[i], k = s->kernel[i], stride = s->stride[i], dil = s->dilation[i];
  int64_t span = 0;  // dilation * (kernel - 1) + 1: the input extent one output reads
  if (!checked_mul(dil, k - 1, &span) || !checked_add(span, 1, &span))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "dilation[%d] * (kernel[%d] - 1) + 1 overflows int64 (dilation = %" PRId64
                 ", kernel = %" PRId64 ")",
                 i, i, dil, k);
  int64_t pad_begin = 0, pad_end = 0;
  if (mode == NDCONV_PAD_EXPLICIT) {
    pad_begin = d.pad_begin[i];
    pad_end = d.pad_end[i];
  } else if (mode == NDCONV_PAD_SAME_UPPER || mode == NDCONV_PAD_SAME_LOWER) {
    // ONNX auto_pad: out = ceil(in / stride). span - in cannot overflow (both
    // in [1, INT64_MAX]) and (out - 1) * stride < in, so adding it in that
    // order stays below span. ((out - 1) * stride + span first overflows when
    // span is near INT64_MAX: found by the fuzzer.)
    const int64_t out = in / stride + (in % stride != 0);
    int64_t total = (span - in) + (out - 1) * stride;
    if (total < 0) total = 0;
    const int64_t half = total / 2;
    pad_begin = mode == NDCONV_PAD_SAME_UPPER ? half : total - half;
    pad_end = total - pad_begin;
  }
  int64_t padded = 0;
  if (!checked_add(in, pad_begin, &padded) || !checked_add(padded, pad_end, &padded))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "in_size[%d] + pad_begin[%d] + pad_end[%d] overflows int64 (%" PRId64 " + %" PRId64
                 " + %" PRId64 ")",
                 i, i, i, in, pad_begin, pad_end);
  if (span > padded) {
    // Equivalent to an output extent below 1.
    if (dil == 1)
      return failf(NDCONV_INVALID_ARGUMENT,
                   "kernel[%d] = %" PRId64 " exceeds padded input extent %" PRId64, i, k, padded);
    return failf(NDCONV_INVALID_ARGUMENT,
                 "kernel[%d] = %" PRId64 " with dilation[%d] = %" PRId64 " spans %" PRId64
                 ", which exceeds padded input extent %" PRId64,
                 i, k, i, dil, span, padded);
  }
  s->pad_begin[i] = pad_begin;
  s->pad_end[i] = pad_end;
  s->out_size[i] = (padded - span) / stride + 1;
  return NDCONV_OK;
}

ndconv_status check_activation(const ndconv_conv_desc& d, ConvShape* s) {
  s->activation = d.activation;
  if (d.activation != NDCONV_ACT_CLAMP) return NDCONV_OK;
  const ndconv_status st = check_clamp_bounds(d.act_min, d.act_max);
  if (st != NDCONV_OK) return st;
  s->act_min = d.act_min;
  s->act_max = d.act_max;
  return NDCONV_OK;
}

}  // namespace

ndconv_status validate_desc(const ndconv_conv_desc* desc, ConvShape* shape) {
  if (desc == nullptr) return fail(NDCONV_INVALID_ARGUMENT, "desc is NULL");
  const ndconv_conv_desc& d = *desc;
  ConvShape s;
  if (d.rank < 1 || d.rank > NDCONV_MAX_RANK)
    return failf(NDCONV_INVALID_ARGUMENT, "rank = %d is outside 1 .. %d", static_cast<int>(d.rank),
                 NDCONV_MAX_RANK);
  s.rank = d.rank;
  ndconv_status st = check_enums(d);
  if (st == NDCONV_OK) st = check_counts(d, &s);
  for (int i = 0; st == NDCONV_OK && i < s.rank; ++i) st = check_dim_fields(d, i, &s);
  for (int i = 0; st == NDCONV_OK && i < s.rank; ++i) st = resolve_extent(d.padding, d, i, &s);
  if (st == NDCONV_OK) st = check_activation(d, &s);
  if (st != NDCONV_OK) return st;
  s.layout = d.layout;
  s.weight_layout = d.weight_layout;

  // Every tensor's element count and byte size must fit in int64 (and so in
  // the index arithmetic of everything downstream).
  st = check_tensor_size("input", "batch", s.batch, "in_channels", s.in_channels, "in_size",
                         s.in_size, s.rank);
  if (st == NDCONV_OK)
    st = check_tensor_size("weights", "out_channels", s.out_channels, "in_channels / groups",
                           s.in_channels / s.groups, "kernel", s.kernel, s.rank);
  if (st == NDCONV_OK)
    st = check_tensor_size("output", "batch", s.batch, "out_channels", s.out_channels, "out_size",
                           s.out_size, s.rank);
  if (st != NDCONV_OK) return st;
  if (shape) *shape = s;
  return NDCONV_OK;
}

}  // namespace dispatch
}  // namespace ndconv
