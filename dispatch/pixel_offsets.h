// Where each output pixel of a strided convolution reads the input: for output
// pixel p (row-major over out_size), the input pixel index of kernel tap 0.
#pragma once

#include <cstdint>

#include "dispatch/conv_shape.h"
#include "dispatch/memory.h"

namespace ndconv {
namespace dispatch {

// Ignores padding (callers use it where the pads are zero). False on
// allocation failure.
bool strided_pixel_offsets(const ConvShape& shape, AlignedArray<int64_t>* offsets);

// True if any spatial stride is not 1.
bool has_stride(const ConvShape& shape);

}  // namespace dispatch
}  // namespace ndconv
