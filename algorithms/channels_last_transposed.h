// Channels-first convolutions computed channels-last: the input transposed
// into a channels-last scratch, the channels-last algorithm the planner picks
// for the same shape run on it, and its output transposed back. The plan is
// named after the algorithm inside, with "-ncx" ("indirect-gemm-ncx/avx512").
//
// Why: the channels-last kernels read every input row in place through
// row pointers and reach 90-97% of the FMA peak, where the channels-first
// im2col panels cost a pack per panel; for a convolution whose FMAs per
// element moved are many (a 3x3 over 64 channels: 576 FLOPs per input or
// output element), the two transposes cost a few percent of that.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<Algorithm> make_channels_last_transposed_algorithm(const ConvShape& shape,
                                                                   const kernels::KernelTable& table,
                                                                   const Tuning& tune,
                                                                   const float* weights, const float* bias,
                                                                   ndconv_status* status);

namespace testing {
// Tests only: plans created from now on take `mode` where the tuning says 1
// (Tuning::ncx_channels_last: 0 the channels-first algorithms, 1 the rules,
// 2 channels-last wherever it applies); -1 goes back to the tuning's value.
// Returns the previous override. (The measure mode's forced candidate keeps
// its 2.)
int force_ncx_channels_last(int mode) noexcept;
}  // namespace testing

}  // namespace dispatch
}  // namespace ndconv
