// The channels-last indirection buffer: per output pixel and kernel tap, the
// input pixel the tap reads (its first pixel when taps are merged), or
// kPaddingTap when it reads only padding, in which case the algorithm points
// the row at the buffer's zero row. Built once at create; the algorithms
// (grouped-indirect, indirect-gemm) read it in place at run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

// Indirection entry of a tap that reads only padding.
constexpr int64_t kPaddingTap = std::numeric_limits<int64_t>::min();
// An entry not known yet (no real entry is this negative): the merged-tap
// rows' hint carried from one M block to the next (see MergedTapRows).
constexpr int64_t kUnknownEntry = kPaddingTap + 1;

// Most row pointers of one block of output pixels (all its taps), a stack
// array of the channels-last algorithms' tasks: 32 KiB.
constexpr size_t kMaxRowPointers = 4096;

class TapIndirection {
 public:
  // `span`: kernel pixels merged into one tap along the innermost dim (1: no
  // merging; a merged tap reads padding only if its whole run misses the
  // input). `zero_floats`: length of the zero row. `with_entries` false:
  // the zero row, taps() and span() only (indirect-gemm's padded-lines loop
  // finds its rows by arithmetic: the stem's 700 KiB of entries unused).
  // False on allocation failure.
  bool build(const ConvShape& shape, int64_t span, size_t zero_floats, bool with_entries = true);

  size_t taps() const { return taps_; }
  int64_t span() const { return span_; }
  // [out_pixels][taps]: input pixel of the tap's first pixel, or kPaddingTap.
  const int64_t* entries() const { return entries_.data(); }
  // Merged taps only: innermost input coordinate of each output pixel's run.
  const int64_t* inner_start() const { return inner_start_.data(); }
  // Zeros, read for padding taps.
  const float* zero_row() const { return zero_row_.data(); }

 private:
  size_t taps_ = 0;
  int64_t span_ = 1;
  AlignedArray<int64_t> entries_;
  AlignedArray<int64_t> inner_start_;
  AlignedArray<float> zero_row_;
};

// The int8 row-pointer kernels' rows for `count` (pixel, tap) entries of an
// indirection buffer: the entry's pixel of `image` (`pixel_bytes` apart),
// or `zero_row` for a padding tap.
inline void fill_row_pointers(const int64_t* entries, size_t count, const uint8_t* image,
                              size_t pixel_bytes, const uint8_t* zero_row, const uint8_t** rows) {
  for (size_t k = 0; k < count; ++k)
    rows[k] = entries[k] == kPaddingTap ? zero_row : image + static_cast<size_t>(entries[k]) * pixel_bytes;
}

}  // namespace dispatch
}  // namespace ndconv
