// A validated int8 convolution (ndconv_qconv_desc): the float32 ConvShape of
// its `conv` part plus the quantization fields, read by the int8 algorithms
// and the integer reference instead of the user's descriptor.
#pragma once

#include <cstdint>

#include "api/conv_shape.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

struct QConvShape {
  ConvShape conv;
  ndconv_dtype input_type = NDCONV_U8;
  ndconv_dtype output_type = NDCONV_S32;
  float input_scale = 1.0f;
  int32_t input_zero_point = 0;
  int64_t weight_scale_count = 1;
  float output_scale = 1.0f;     // 1 unless the output is U8/S8
  int32_t output_zero_point = 0; // 0 unless the output is U8/S8
};

// The range of an integer dtype (U8, S8; S32: int32's).
struct DtypeRange {
  int64_t min, max;
};
DtypeRange dtype_range(ndconv_dtype type);

// Every rule of the API's int8 section (the float32 rules through
// validate_desc first), messages naming the field and value. Does not
// allocate. Weight scales are checked by validate_weight_scales (create only).
ndconv_status validate_qdesc(const ndconv_qconv_desc* desc, QConvShape* shape);
// weight_scales: not NULL, every one of the shape's count finite and > 0.
ndconv_status validate_weight_scales(const QConvShape& shape, const float* weight_scales);

}  // namespace dispatch
}  // namespace ndconv
