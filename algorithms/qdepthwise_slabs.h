// int8-depthwise-ncx: a channels-first int8 depthwise convolution computed
// channels-last a slab of channels at a time. Depthwise channels are
// independent convolutions, so each task transposes one image's slab of
// channels into the thread's scratch, runs an int8-depthwise plan of the
// slab's channels on it (algorithms/qdepthwise.h, channels-last, batch 1) and
// transposes the result back, while both copies are still in L2; the float
// path does the same (algorithms/channels_last_transposed.cpp). The
// whole-tensor copies it replaces made three round trips of the tensor
// through L3 or memory, and held dw3x3_mbv2 NCX to a third of NXC's speed.
#pragma once

#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

// Channels-first depthwise (groups == C_in > 1) whose input and output both
// change bytes between the layouts; nullptr with NDCONV_OK otherwise (the
// int8-depthwise factory takes it).
std::unique_ptr<QAlgorithm> make_qdepthwise_slabs_algorithm(const QPlanInputs& in, ndconv_status* status);

// Input channels per slab: whole blocks of `block` channels, as many as keep
// a slab's input and output copies within `l2_bytes`, at most a quarter of
// the channels rounded up to a block (so a pool has slabs to share), at
// least one block. (The plan makes floor(C / slab) slabs, the last taking
// what is left.) Exposed for the tests.
int64_t qdepthwise_slab_channels(int64_t in_channels, int64_t multiplier, int64_t in_pixels,
                                 int64_t out_pixels, size_t out_bytes, size_t block, size_t l2_bytes);

}  // namespace dispatch
}  // namespace ndconv
