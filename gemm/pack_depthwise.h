// Weight packing for the depthwise row kernels (kernels/depthwise.hpp; layout:
// DepthwiseParams in kernels/kernel_table.h), done once at plan creation.
// Channels-last: tap-major rows of `packed_stride` channels (bias row first,
// channels padded to whole vectors with zeros), so a vector of channels loads
// one tap's weights. Channels-first: per output channel, its bias then its
// taps (packed_stride = 1 + taps).
#pragma once

#include <cstddef>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

// Weight (o, t) -> packed, bias first. False when out of memory.
bool pack_depthwise_weights(const ConvShape& shape, const float* weights, const float* bias,
                            size_t packed_stride, AlignedArray<float>* packed);

}  // namespace dispatch
}  // namespace ndconv
