#include "api/conv_shape.h"

namespace ndconv {
namespace dispatch {
namespace {
// validate_desc has already proved that every product below fits in int64.
int64_t product(const int64_t* dims, int rank) {
  int64_t p = 1;
  for (int i = 0; i < rank; ++i) p *= dims[i];
  return p;
}
}  // namespace

int64_t ConvShape::in_pixels() const { return product(in_size, rank); }
int64_t ConvShape::out_pixels() const { return product(out_size, rank); }
int64_t ConvShape::kernel_taps() const { return product(kernel, rank); }

bool ConvShape::has_padding() const {
  for (int d = 0; d < rank; ++d)
    if (pad_begin[d] != 0 || pad_end[d] != 0) return true;
  return false;
}

bool ConvShape::has_stride() const {
  for (int d = 0; d < rank; ++d)
    if (stride[d] != 1) return true;
  return false;
}

bool ConvShape::is_pointwise() const {
  for (int d = 0; d < rank; ++d)
    if (kernel[d] != 1) return false;
  return !has_padding();
}

}  // namespace dispatch
}  // namespace ndconv
