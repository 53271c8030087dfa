// int8-depthwise: groups == in_channels > 1 (any channel multiplier), every
// rank, stride, dilation and padding. Channels-last direct convolution: per
// output pixel, int32 accumulators across its channels, the kernel taps read
// through the indirection buffer. The kernel table's depthwise kernel
// (kernels/qdepthwise_*.hpp: AVX2, AVX-512, with or without VNNI) takes
// channel tiles of blocks of output pixels, taps in pairs, padding taps
// pointed at a zero-point row (the bias holds the compensation); a channel
// multiplier > 1 first repeats each input channel into scratch so output
// channel c reads channel c. Levels without one (scalar, NEON) run plain
// C++ named ".../scalar" (padding taps skipped). Channels-first callers go
// through channels-last copies ("-ncx"): a slab of channels at a time
// (algorithms/qdepthwise_slabs.h, which builds its slabs' plans here), or
// whole tensors here where one layout's bytes are the other's (one pixel).
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

std::unique_ptr<QAlgorithm> make_qdepthwise_algorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
