// int8-pointwise-stream: a channels-last pointwise convolution (every kernel
// dim 1, stride 1, no padding, one group) with K <= 4 input and N <= 16
// output channels, the pixels as one contiguous stream through the kernel
// table's stream kernel (kernels/qpointwise_stream_args.h): every int32 lane
// an output element in channels-last order. Such shapes (pw_tiny_3to5, a
// colour head) left the GEMM tile's lanes mostly idle: K = 3 padded to one
// k-group, 5 of 16 columns, a broadcast and a row pointer per pixel.
// Levels without the kernel (scalar, NEON) do not take it: the GEMM runs.
// Channels-first callers go through channels-last scratch copies ("-ncx").
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<QAlgorithm> make_qpointwise_stream_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
