// Depthwise convolution (groups == C_in, any multiplier C_out / C_in >= 1),
// every rank, both layouts: kernels/depthwise.hpp per output row, with the
// outer spatial dims walked here.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

// An AlgorithmFactory: nullptr with NDCONV_OK when the shape is not depthwise.
// Packs weights and bias at create (layout: DepthwiseParams in
// kernels/kernel_table.h). Named "depthwise/<isa>".
std::unique_ptr<Algorithm> make_depthwise_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const Tuning& tune,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
