#include "addressing/indirection.h"

#include <cstring>

#include "addressing/odometer.h"

namespace ndconv {
namespace dispatch {

bool TapIndirection::build(const ConvShape& s, int64_t span, size_t zero_floats, bool with_entries) {
  const int inner = s.rank - 1;
  span_ = span;
  taps_ = static_cast<size_t>(s.kernel_taps() / span);
  const size_t out_pixels = static_cast<size_t>(s.out_pixels());
  if (!zero_row_.resize(zero_floats)) return false;
  std::memset(zero_row_.data(), 0, zero_floats * sizeof(float));
  if (!with_entries) return true;
  if (!entries_.resize(out_pixels * taps_)) return false;
  if (span > 1 && !inner_start_.resize(out_pixels)) return false;

  int64_t tap_extent[NDCONV_MAX_RANK];
  for (int d = 0; d < s.rank; ++d) tap_extent[d] = s.kernel[d];
  tap_extent[inner] = s.kernel[inner] / span;
  int64_t o[NDCONV_MAX_RANK] = {};
  int64_t* entry = entries_.data();
  size_t p = 0;
  do {
    if (span > 1) inner_start_[p] = o[inner] * s.stride[inner] - s.pad_begin[inner];
    int64_t k[NDCONV_MAX_RANK] = {};
    do {
      int64_t offset = 0;
      bool padding = false;
      for (int d = 0; d < s.rank; ++d) {
        const int64_t i = o[d] * s.stride[d] + k[d] * s.dilation[d] - s.pad_begin[d];
        // A merged run [i, i + span) reads padding only if it misses the input.
        const int64_t reach = d == inner ? span : 1;
        // Stop at padding: its coordinates can be huge (a large pad or
        // stride) and its offset is never used.
        if (i + reach <= 0 || i >= s.in_size[d]) {
          padding = true;
          break;
        }
        offset = offset * s.in_size[d] + i;
      }
      *entry++ = padding ? kPaddingTap : offset;
    } while (next_coord(k, tap_extent, s.rank));
    ++p;
  } while (next_coord(o, s.out_size, s.rank));
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
