// int8-pointwise-gemm-cols: a channels-first pointwise convolution (every
// kernel dim 1, any stride, no padding, one group; ONNX's QLinearConv
// layout) as output channels x pixels, through the kernel table's cols
// kernel (kernels/qgemm_args.h: QGemmColsArgs). The input is interleaved
// once per run into groups of 4 channels per pixel ([image][C_in / 4]
// [pixels][4], the vpdpbusd operand; S8 input flipped to u8 there), the
// output written in place. With a stride, each chunk's pixels are first
// gathered per group of 4 channels (pw_res3_down_s2 NCX: 395 GOP/s through
// the transposes, 525-618 this way, AMD EPYC Zen 5). The channels-last GEMM it replaces ran through two transposed
// copies, the output's the larger.
// Levels without the kernel (all but AVX512-VNNI today) do not take it.
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<QAlgorithm> make_qpointwise_cols_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
