// Full-width ("n-gram") convolutions: the kernel covers the whole unpadded
// extent of every spatial dim after the first (a text CNN's (k, E) kernel over
// an [L, E] sentence, or Conv1D with kernel k over E channels). Each output
// position is one dot product of a window of k sequence steps with each
// filter, so the convolution is a GEMM whose A rows are overlapping windows of
// the input, read in place: no im2col, no copy.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

// True if `shape` is a full-width convolution this algorithm runs: groups 1;
// along dim 0 (the sequence) any kernel, stride and padding, dilation 1 (or
// kernel 1); along every dim d >= 1 kernel[d] == in_size[d] with no padding
// (and dilation 1 or kernel 1, so the kernel really covers the extent).
bool is_full_width(const ConvShape& shape, const Tuning& tune);

std::unique_ptr<Algorithm> make_ngram_algorithm(const ConvShape& shape,
                                                const kernels::KernelTable& table,
                                                const Tuning& tune,
                                                const float* weights, const float* bias,
                                                ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
