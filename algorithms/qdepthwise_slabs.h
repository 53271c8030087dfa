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

}  // namespace dispatch
}  // namespace ndconv
