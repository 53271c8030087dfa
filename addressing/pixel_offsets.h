// Where each output pixel of a strided convolution reads the input: for output
// pixel p (row-major over out_size), the input pixel index of kernel tap 0.
#pragma once

#include <cstdint>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

// Ignores padding (callers use it where the pads are zero). With images > 1
// the table covers that many images of the batch, image n's entries offset by
// n * in_pixels, so a GEMM row m = n * out_pixels + p needs no division.
// False on allocation failure.
bool strided_pixel_offsets(const ConvShape& shape, AlignedArray<int64_t>* offsets,
                           int64_t images = 1);

}  // namespace dispatch
}  // namespace ndconv
