// General N-D convolution (any rank, stride, dilation, padding, groups) as a
// GEMM without an im2col of the whole tensor:
//  - channels-last: the indirect convolution. An indirection buffer built at
//    create holds, per output pixel and kernel tap, the input pixel it reads
//    (or a padding marker pointing at a zero row of the plan); the rows
//    microkernel reads those rows in place, K = taps * C_in/groups.
//  - channels-first: weights x im2col, one L1-sized (kc x NR) B panel at a
//    time, packed from the input by the panel source and reused for every M
//    block.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<Algorithm> make_indirect_algorithm(const ConvShape& shape,
                                                   const kernels::KernelTable& table,
                                                   const float* weights, const float* bias,
                                                   ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
