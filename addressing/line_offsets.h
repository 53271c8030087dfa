// Channels-first addressing by output line: for each output line (a run
// along the innermost dim) and each tap of the outer kernel dims, the input
// line it reads, as the offset of that line's first pixel in a channel plane,
// or -1 when the tap reads padding. The innermost dim (taps, stride, padding
// along the line) is left to the caller: the im2col panel copy
// (addressing/im2col_panels.h) or the line copies (addressing/line_copies.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

class LineOffsets {
 public:
  // False on allocation failure.
  bool build(const ConvShape& shape);

  size_t lines() const { return lines_; }            // output lines per image
  size_t outer_taps() const { return outer_taps_; }  // taps of the outer kernel dims
  int64_t out_width() const { return out_width_; }   // output pixels per line
  int64_t offset(size_t line, size_t outer_tap) const {
    return offset_[line * outer_taps_ + outer_tap];
  }

 private:
  int64_t out_width_ = 0;
  size_t lines_ = 0, outer_taps_ = 0;
  AlignedArray<int64_t> offset_;  // [output line][outer tap]
};

}  // namespace dispatch
}  // namespace ndconv
