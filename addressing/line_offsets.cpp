#include "addressing/line_offsets.h"

#include "addressing/odometer.h"

namespace ndconv {
namespace dispatch {

bool LineOffsets::build(const ConvShape& s) {
  const int inner = s.rank - 1;
  out_width_ = s.out_size[inner];
  lines_ = static_cast<size_t>(s.out_pixels() / out_width_);
  outer_taps_ = static_cast<size_t>(s.kernel_taps() / s.kernel[inner]);
  if (!offset_.resize(lines_ * outer_taps_)) return false;
  int64_t o[NDCONV_MAX_RANK] = {};  // outer output coordinates
  int64_t* entry = offset_.data();
  do {
    int64_t k[NDCONV_MAX_RANK] = {};
    do {
      int64_t offset = 0;
      bool padding = false;
      for (int d = 0; d < inner; ++d) {
        const int64_t i = o[d] * s.stride[d] + k[d] * s.dilation[d] - s.pad_begin[d];
        // Stop at padding: its coordinates can be huge (a large pad or
        // dilation), and the offset would overflow; it is never used.
        if (i < 0 || i >= s.in_size[d]) {
          padding = true;
          break;
        }
        offset = offset * s.in_size[d] + i;
      }
      *entry++ = padding ? -1 : offset * s.in_size[inner];
    } while (inner > 0 && next_coord(k, s.kernel, inner));
  } while (inner > 0 && next_coord(o, s.out_size, inner));
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
