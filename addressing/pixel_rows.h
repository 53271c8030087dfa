// Operand A of a channels-last pointwise (1x1) convolution, C = A x W: A row
// m is the C_in/groups channels of one group at input pixel m (stride 1, all
// images of the batch in one M) or at input pixel offsets[m] (strided; see
// addressing/pixel_offsets.h), read in place.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ndconv {
namespace dispatch {

// A RowFn of gemm_rows_task: row(m, tap) (one tap).
struct PixelRows {
  const float* group_input;  // the input's first pixel, at the group's first channel
  const int64_t* offsets;    // input pixel of each output pixel, or NULL (stride 1)
  size_t cin;                // floats from one input pixel to the next
  const float* operator()(size_t m, size_t) const {
    return group_input + (offsets ? static_cast<size_t>(offsets[m]) : m) * cin;
  }
};

}  // namespace dispatch
}  // namespace ndconv
