// Checked arithmetic and enum reading shared by the descriptor validations
// (api/validate.cpp for ndconv_conv_desc, api/textcnn_api.cpp for
// ndconv_textcnn_desc).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "api/error.h"
#include "api/raw_enum.h"  // raw_enum_value

namespace ndconv {
namespace dispatch {

inline bool checked_mul(int64_t a, int64_t b, int64_t* r) { return !__builtin_mul_overflow(a, b, r); }
inline bool checked_add(int64_t a, int64_t b, int64_t* r) { return !__builtin_add_overflow(a, b, r); }

inline ndconv_status invalid_enum(const char* field, int value, int last) {
  return failf(NDCONV_INVALID_ARGUMENT, "%s = %d is not a valid value (0 .. %d)", field, value, last);
}

// The tensor layout fields both descriptors have, read as raw enum values.
inline ndconv_status check_layout_enums(int layout, int weight_layout) {
  if (layout < NDCONV_NCX || layout > NDCONV_NXC) return invalid_enum("layout", layout, NDCONV_NXC);
  if (weight_layout < NDCONV_OIX || weight_layout > NDCONV_XIO)
    return invalid_enum("weight_layout", weight_layout, NDCONV_XIO);
  return NDCONV_OK;
}

// The bounds of activation = CLAMP: neither NaN, min <= max.
inline ndconv_status check_clamp_bounds(float act_min, float act_max) {
  if (std::isnan(act_min)) return failf(NDCONV_INVALID_ARGUMENT, "act_min = nan is NaN (activation = CLAMP)");
  if (std::isnan(act_max)) return failf(NDCONV_INVALID_ARGUMENT, "act_max = nan is NaN (activation = CLAMP)");
  if (act_min > act_max)
    return failf(NDCONV_INVALID_ARGUMENT, "act_min = %g exceeds act_max = %g (activation = CLAMP)",
                 static_cast<double>(act_min), static_cast<double>(act_max));
  return NDCONV_OK;
}

}  // namespace dispatch
}  // namespace ndconv
