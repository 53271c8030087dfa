#include "addressing/pixel_offsets.h"

namespace ndconv {
namespace dispatch {

bool strided_pixel_offsets(const ConvShape& s, AlignedArray<int64_t>* offsets, int64_t images) {
  const int64_t pixels = s.out_pixels();
  if (!offsets->resize(static_cast<size_t>(pixels * images))) return false;
  int64_t coord[NDCONV_MAX_RANK] = {};
  for (int64_t p = 0; p < pixels; ++p) {
    int64_t in_index = 0;
    for (int d = 0; d < s.rank; ++d) in_index = in_index * s.in_size[d] + coord[d] * s.stride[d];
    (*offsets)[static_cast<size_t>(p)] = in_index;
    for (int d = s.rank - 1; d >= 0; --d) {  // odometer over out_size
      if (++coord[d] < s.out_size[d]) break;
      coord[d] = 0;
    }
  }
  for (int64_t n = 1; n < images; ++n)
    for (int64_t p = 0; p < pixels; ++p)
      (*offsets)[static_cast<size_t>(n * pixels + p)] = n * s.in_pixels() + (*offsets)[static_cast<size_t>(p)];
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
