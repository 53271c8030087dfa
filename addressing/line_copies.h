// Channels-first input lines as the grouped direct kernel
// (kernels/grouped_ncx.hpp) reads them: per-task copies of a group's input
// lines, zero-padded and split by stride phase, so that output pixel x of
// inner tap kx reads copy[tap_offset[kx] + x] whatever the stride, dilation
// and padding. The copies live in a small cache on the task's stack
// (LineCache): kLineCacheFloats floats (64 KiB), at least one slot per line
// an output line reads (kMaxLineTaps: the outer kernel taps).
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

constexpr size_t kLineCacheFloats = 16384;
constexpr size_t kMaxLineTaps = 64;

// Sizes of one line copy and of the cache.
struct LineCopyGeometry {
  size_t phase_len = 0;       // floats per stride phase of a line copy
  size_t channel_floats = 0;  // stride * phase_len: one input channel's copy
  size_t slot_floats = 0;     // the group's input channels
  size_t slots = 0;
};

// The geometry of the shape's line copies, or false when the copies of one
// output line's input lines do not fit the cache (or kMaxLineTaps).
bool line_copy_geometry(const ConvShape& shape, LineCopyGeometry* out);

// Per inner tap kx, the offset of its pixel x = 0 in a line copy (kernel[last]
// entries). False on allocation failure.
bool line_tap_offsets(const ConvShape& shape, const LineCopyGeometry& geo,
                      AlignedArray<ptrdiff_t>* offsets);

// Copies input line `line` (offset of its first pixel in a channel plane)
// of the group's channels into a cache slot: zero-padded, split by phase.
void copy_line(const ConvShape& shape, const LineCopyGeometry& geo, const float* group_input,
               int64_t line, float* slot);

// One task's cache of line copies of one image and group.
class LineCache {
 public:
  LineCache(const ConvShape& shape, const LineCopyGeometry& geo, const float* group_input)
      : shape_(shape), geo_(geo), group_input_(group_input) {
    for (size_t i = 0; i < geo.slots; ++i) tag_[i] = -1, used_[i] = 0;
  }

  // The copy of input line `line` for output line `reader`: cached, or copied
  // into the next slot that output line does not read (there are at least
  // outer_taps slots, so one is free).
  const float* line(int64_t line, size_t reader) {
    size_t slot = 0;
    while (slot < geo_.slots && tag_[slot] != line) ++slot;
    if (slot == geo_.slots) {
      while (used_[victim_] == reader + 1) victim_ = (victim_ + 1) % geo_.slots;
      slot = victim_;
      victim_ = (victim_ + 1) % geo_.slots;
      tag_[slot] = line;
      copy_line(shape_, geo_, group_input_, line, cache_ + slot * geo_.slot_floats);
    }
    used_[slot] = reader + 1;
    return cache_ + slot * geo_.slot_floats;
  }

 private:
  const ConvShape& shape_;
  const LineCopyGeometry& geo_;
  const float* group_input_;
  alignas(64) float cache_[kLineCacheFloats];
  int64_t tag_[2 * kMaxLineTaps];
  size_t used_[2 * kMaxLineTaps];  // output line + 1 that last read the slot
  size_t victim_ = 0;
};

}  // namespace dispatch
}  // namespace ndconv
