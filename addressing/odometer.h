// The row-major walk over a box of coordinates that every addressing table
// (indirection buffer, channels-first line offsets) is built by.
#pragma once

#include <cstdint>

namespace ndconv {
namespace dispatch {

// Row-major odometer over `extent[0..n)`; false when it wraps to all zeros.
inline bool next_coord(int64_t* coord, const int64_t* extent, int n) {
  for (int d = n - 1; d >= 0; --d) {
    if (++coord[d] < extent[d]) return true;
    coord[d] = 0;
  }
  return false;
}

}  // namespace dispatch
}  // namespace ndconv
