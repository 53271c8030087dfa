// Channels-first <-> channels-last copies of whole images, for the int8
// algorithms that compute channels-last and serve a channels-first caller
// (the input transposed into a scratch, the output transposed back): blocks of
// kPixelBlock pixels x every channel, so both sides of a block stay in L1.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

constexpr size_t kPixelBlock = 64;

// Tasks of a transposition of `images` images of `pixels` pixels: one per
// (image, pixel block).
inline size_t transpose_tasks(int64_t images, int64_t pixels) {
  return static_cast<size_t>(images) * ((static_cast<size_t>(pixels) + kPixelBlock - 1) / kPixelBlock);
}

// Task `task` of: dst[n][p][c] = src[n][c][p] (to_channels_last) or
// dst[n][c][p] = src[n][p][c], elements of `element_bytes` (1 or 4).
void transpose_channels_task(const void* src, void* dst, int64_t channels, int64_t pixels,
                             size_t element_bytes, bool to_channels_last, size_t task);

// The whole batch over the pool.
void transpose_channels(const void* src, void* dst, int64_t images, int64_t channels,
                        int64_t pixels, size_t element_bytes, bool to_channels_last,
                        ndconv_threadpool* pool);

}  // namespace dispatch
}  // namespace ndconv
