// What every int8 algorithm needs besides its packed weights, built once at
// create from the validated shape: the per-channel scales of the epilogue,
// the user's bias, the activation folded into the epilogue's bounds (API.md,
// "Addition: quantized (int8) convolution"), and the input's byte encoding
// for the kernels (a_xor, the zero-point byte of padding rows).
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/memory.h"
#include "api/qconv_shape.h"
#include "kernels/kernel_table.h"
#include "kernels/qgemm_args.h"

namespace ndconv {
namespace dispatch {

struct QConvParams {
  QConvShape shape;
  kernels::QEpilogue epi;            // bias and scale left null: per algorithm
  AlignedArray<int32_t> user_bias;   // out_channels values (zeros without a bias)
  AlignedArray<float> scale;         // out_channels epilogue scales (F32, U8, S8)
  uint8_t a_xor = 0;                 // 0x80 for S8 input: u = x + 128
  uint8_t zero_point_byte = 0;       // the raw input zero point's byte (padding rows)
  int32_t zero_point_u = 0;          // the zero point after the flip (compensation)
  // The plan's ISA's float kernel table, whose transposers the
  // channels-first plans' copies take (addressing/channel_transpose.h);
  // null: portable code. Set by the plan after build.
  const kernels::KernelTable* transposers = nullptr;

  // False with the error recorded (OUT_OF_MEMORY, or INVALID_ARGUMENT when a
  // combined scale input_scale * weight_scales[c] (/ output_scale) is not a
  // finite float).
  ndconv_status build(const QConvShape& s, const float* weight_scales, const int32_t* bias);

  // bias[j] - zero_point_u * column_sum[j] in wrap-around int32: the
  // per-column bias the GEMM kernels add (kernels/qgemm_args.h).
  int32_t compensated_bias(int64_t channel, int64_t column_sum) const;
  size_t output_bytes() const;     // bytes per output element
};

// The epilogue of one accumulator of column `channel`, exactly the kernels'
// rules (kernels/qgemm_args.h): writes output element `index` of `out`.
// Rounding by floor and compare, the halfway case decided by the product's
// exact error (fma): U8/S8 never depend on the caller's rounding mode.
void apply_qepilogue(const kernels::QEpilogue& epi, const float* scale, const int32_t acc,
                     int64_t channel, void* out, size_t index);
// The same for n consecutive columns: scale and out offset to the first.
void apply_qepilogue_span(const kernels::QEpilogue& epi, const float* scale, const int32_t* acc,
                          size_t n, void* out);

}  // namespace dispatch
}  // namespace ndconv
