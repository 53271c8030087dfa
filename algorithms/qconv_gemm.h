// The int8 GEMM algorithms (issue 14): every one is C[M, N] = A[M, K] * B[K, N]
// per image and group, with A rows read in place from the channels-last input
// through row pointers (the int8 rows kernel of kernels/qkernel_table.h):
//  - int8-pointwise-gemm: 1x1 kernels, no padding; A rows are input pixels
//    (stride 1: every pixel; strided: through the indirection buffer);
//  - int8-ngram-gemm: the kernel spans every trailing dim and the window is
//    contiguous (text CNN Conv2D (k, E) over [L, E], Conv1D k over E
//    channels): A row = a whole window, taps = 1, kc = its bytes;
//  - int8-indirect-gemm: everything else, one row pointer per (output pixel,
//    tap), padding taps pointing at a row of zero-point bytes.
// Channels-first callers get the same algorithms behind a transposition of
// the input into a channels-last scratch and of the output back ("-ncx").
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<QAlgorithm> make_qpointwise_algorithm(const QPlanInputs& in, ndconv_status* status);
std::unique_ptr<QAlgorithm> make_qngram_algorithm(const QPlanInputs& in, ndconv_status* status);
std::unique_ptr<QAlgorithm> make_qindirect_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
