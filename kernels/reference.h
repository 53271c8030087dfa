// The reference convolution: the oracle of every test, and what a plan runs
// when no specialized algorithm applies. Plain loops over the definition in
// the C API's Semantics section, accumulating in float64; no SIMD, no cleverness.
//
// Work is addressed by the output element's index in the output tensor's own
// memory order ([N, C_out, X...] for NCX, [N, X..., C_out] for NXC), so any
// contiguous range [begin, end) of that index is an independent piece of work
// that writes exactly output[begin .. end).
#pragma once

#include <cstdint>

#include "api/conv_shape.h"

namespace ndconv {
namespace kernels {

// One output element before the activation, in float64: the value and the
// sum of |x * w| over every term plus |bias| (the scale of the API's
// tolerance: |y - value| <= 1e-5 * magnitude).
struct ReferenceElement {
  double value = 0.0;
  double magnitude = 0.0;
};

// Computes output element `index` (output memory order) before activation.
// `weights` are in shape.weight_layout; `bias` may be NULL.
ReferenceElement reference_element(const dispatch::ConvShape& shape, const float* input,
                                   const float* weights, const float* bias, int64_t index);

// shape's activation (NONE / RELU / CLAMP) applied in float64. NaN stays NaN.
double reference_activate(const dispatch::ConvShape& shape, double y);

// output[i] = float(act(value of element i)) for i in [begin, end).
void reference_conv(const dispatch::ConvShape& shape, const float* input, const float* weights,
                    const float* bias, float* output, int64_t begin, int64_t end);

// The float64 form for tests: value[i - begin] = act(value of element i) and
// magnitude[i - begin] = its magnitude, for i in [begin, end).
void reference_conv_f64(const dispatch::ConvShape& shape, const float* input,
                        const float* weights, const float* bias, double* value,
                        double* magnitude, int64_t begin, int64_t end);

}  // namespace kernels
}  // namespace ndconv
