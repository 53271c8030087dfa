// Validation of ndconv_qconv_desc: every float32 rule (validate_desc on the
// embedded conv), then the quantization fields, each failure naming the field
// and its value, as api/validate.cpp does for the float32 descriptor.
#include <cinttypes>
#include <cmath>

#include "api/error.h"
#include "api/qconv_shape.h"
#include "api/validation_helpers.h"

namespace ndconv {
namespace dispatch {
namespace {

const char* dtype_name(int type) {
  switch (type) {
    case NDCONV_F32: return "F32";
    case NDCONV_U8: return "U8";
    case NDCONV_S8: return "S8";
    case NDCONV_S32: return "S32";
    default: return "not an ndconv_dtype";
  }
}

ndconv_status check_types(int input_type, int output_type) {
  if (input_type != NDCONV_U8 && input_type != NDCONV_S8)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "input_type = %d (%s) is not NDCONV_U8 (1) or NDCONV_S8 (2)", input_type,
                 dtype_name(input_type));
  if (output_type < NDCONV_F32 || output_type > NDCONV_S32)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "output_type = %d is not a valid value (NDCONV_F32, U8, S8 or S32: 0 .. 3)",
                 output_type);
  return NDCONV_OK;
}

ndconv_status check_scale(const char* field, float scale) {
  if (!std::isfinite(scale) || !(scale > 0.0f))
    return failf(NDCONV_INVALID_ARGUMENT, "%s = %g must be finite and > 0", field,
                 static_cast<double>(scale));
  return NDCONV_OK;
}

ndconv_status check_zero_point(const char* field, int32_t zero_point, ndconv_dtype type) {
  const DtypeRange r = dtype_range(type);
  if (zero_point < r.min || zero_point > r.max)
    return failf(NDCONV_INVALID_ARGUMENT, "%s = %d is outside %s's range %" PRId64 " .. %" PRId64,
                 field, static_cast<int>(zero_point), dtype_name(type), r.min, r.max);
  return NDCONV_OK;
}

ndconv_status check_quantization(const ndconv_qconv_desc& d, const QConvShape& s) {
  ndconv_status st = check_scale("input_scale", d.input_scale);
  if (st == NDCONV_OK) st = check_zero_point("input_zero_point", d.input_zero_point, s.input_type);
  if (st != NDCONV_OK) return st;
  if (d.weight_scale_count != 1 && d.weight_scale_count != s.conv.out_channels)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "weight_scale_count = %" PRId64 " must be 1 or out_channels = %" PRId64,
                 d.weight_scale_count, s.conv.out_channels);
  if (s.output_type == NDCONV_U8 || s.output_type == NDCONV_S8) {
    st = check_scale("output_scale", d.output_scale);
    if (st == NDCONV_OK)
      st = check_zero_point("output_zero_point", d.output_zero_point, s.output_type);
    if (st != NDCONV_OK) return st;
  }
  if (s.output_type == NDCONV_S32 && s.conv.activation == NDCONV_ACT_CLAMP)
    return failf(NDCONV_INVALID_ARGUMENT,
                 "conv.activation = CLAMP (2) is not available with output_type = S32 (3): "
                 "use NONE or RELU");
  return NDCONV_OK;
}

}  // namespace

DtypeRange dtype_range(ndconv_dtype type) {
  switch (type) {
    case NDCONV_U8: return {0, 255};
    case NDCONV_S8: return {-128, 127};
    default: return {INT32_MIN, INT32_MAX};
  }
}

ndconv_status validate_qdesc(const ndconv_qconv_desc* desc, QConvShape* shape) {
  if (desc == nullptr) return fail(NDCONV_INVALID_ARGUMENT, "desc is NULL");
  const ndconv_qconv_desc& d = *desc;
  QConvShape s;
  ndconv_status st = validate_desc(&d.conv, &s.conv);
  if (st != NDCONV_OK) return st;
  const int input_type = raw_enum_value(d.input_type), output_type = raw_enum_value(d.output_type);
  st = check_types(input_type, output_type);
  if (st != NDCONV_OK) return st;
  s.input_type = static_cast<ndconv_dtype>(input_type);
  s.output_type = static_cast<ndconv_dtype>(output_type);
  st = check_quantization(d, s);
  if (st != NDCONV_OK) return st;
  s.input_scale = d.input_scale;
  s.input_zero_point = d.input_zero_point;
  s.weight_scale_count = d.weight_scale_count;
  if (s.output_type == NDCONV_U8 || s.output_type == NDCONV_S8) {
    s.output_scale = d.output_scale;
    s.output_zero_point = d.output_zero_point;
  }
  if (shape) *shape = s;
  return NDCONV_OK;
}

ndconv_status validate_weight_scales(const QConvShape& s, const float* weight_scales) {
  if (weight_scales == nullptr) return fail(NDCONV_INVALID_ARGUMENT, "weight_scales is NULL");
  for (int64_t c = 0; c < s.weight_scale_count; ++c) {
    const float v = weight_scales[c];
    if (!std::isfinite(v) || !(v > 0.0f))
      return failf(NDCONV_INVALID_ARGUMENT, "weight_scales[%" PRId64 "] = %g must be finite and > 0",
                   c, static_cast<double>(v));
  }
  return NDCONV_OK;
}

}  // namespace dispatch
}  // namespace ndconv
