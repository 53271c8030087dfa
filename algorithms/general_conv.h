// The general N-D convolutions (any rank, stride, dilation, padding,
// groups): the algorithms a plan runs when no more specialized one applies.
// Each factory decides once whether its algorithm applies (see
// plan/planner.cpp for the order):
//  - grouped-direct (grouped_direct.cpp): channels-first grouped, few output
//    channels per group: a direct kernel over zero-padded input line copies;
//  - im2col-panel-gemm (im2col_gemm.cpp): channels-first: weights x im2col,
//    one L1-sized B panel at a time;
//  - grouped-indirect (grouped_indirect.cpp): channels-last grouped, 2 or 4
//    channels per group: the grouped kernel through an indirection buffer;
//  - indirect-gemm (indirect_gemm.cpp): channels-last: the indirect
//    convolution, input rows read in place through an indirection buffer.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<Algorithm> make_grouped_direct_algorithm(const ConvShape& shape,
                                                         const kernels::KernelTable& table,
                                                         const Tuning& tune,
                                                         const float* weights, const float* bias,
                                                         ndconv_status* status);
std::unique_ptr<Algorithm> make_im2col_gemm_algorithm(const ConvShape& shape,
                                                      const kernels::KernelTable& table,
                                                      const Tuning& tune,
                                                      const float* weights, const float* bias,
                                                      ndconv_status* status);
std::unique_ptr<Algorithm> make_grouped_indirect_algorithm(const ConvShape& shape,
                                                           const kernels::KernelTable& table,
                                                           const Tuning& tune,
                                                           const float* weights, const float* bias,
                                                           ndconv_status* status);
std::unique_ptr<Algorithm> make_indirect_gemm_algorithm(const ConvShape& shape,
                                                        const kernels::KernelTable& table,
                                                        const Tuning& tune,
                                                        const float* weights, const float* bias,
                                                        ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
