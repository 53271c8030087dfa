// 1x1 convolution (any rank, stride, groups; no padding) as a GEMM with no
// copy of the input: channels-last reads input pixels as A rows in place;
// channels-first computes the transposed product, weights x input rows.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<Algorithm> make_pointwise_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const Tuning& tune,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
