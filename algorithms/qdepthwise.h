// int8-depthwise: groups == in_channels > 1 (any channel multiplier), every
// rank, stride, dilation and padding. Channels-last direct convolution:
// per output pixel, int32 accumulators across its channels, one pass per
// kernel tap read through the
// indirection buffer, padding taps skipped (they contribute 0: padding is the
// zero point). Channels-first callers go through channels-last scratch
// copies ("-ncx"). Plain C++ in the baseline ISA's TU, named ".../scalar":
// correct, but slow (no SIMD kernel yet; the scalar requantization of
// every output dominates).
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<QAlgorithm> make_qdepthwise_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
