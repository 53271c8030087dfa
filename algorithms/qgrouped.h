// int8-grouped: groups > 1 (not depthwise) with C_in per group a multiple of
// 4, every rank, stride, dilation and padding. Channels-last direct
// convolution through the kernel table's grouped kernel
// (kernels/qgrouped_args.h): per output pixel, vectors of consecutive output
// channels whatever their groups, the taps read through the indirection
// buffer, padding taps pointed at a zero-point row. The indirect GEMM runs
// one small GEMM per group instead, most of its tile idle when a group has
// few outputs (grouped_resnext: 4 of 32 columns). Levels without the kernel
// (scalar, NEON) do not take it. Channels-first callers go through
// channels-last scratch copies ("-ncx").
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<QAlgorithm> make_qgrouped_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
