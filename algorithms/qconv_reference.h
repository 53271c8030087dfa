// The exact integer int8 convolution: every rank, layout, stride, dilation,
// padding, group. acc = sum (x - x_zp) * w + bias in int64, wrapped to int32
// (the API's wrap-around int32 result). The tests' oracle, and the plan of
// last resort ("int8-reference/scalar") for shapes without a fast path.
#pragma once

#include <cstdint>
#include <memory>

#include "api/qconv_shape.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

// acc for the whole batch in the output's layout (shape.conv.layout):
// output_elements() int32 values. `input` of shape.input_type; bias may be NULL.
void qconv_reference_acc(const QConvShape& shape, const void* input, const int8_t* weights,
                         const int32_t* bias, int32_t* acc);

std::unique_ptr<QAlgorithm> make_qreference_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
