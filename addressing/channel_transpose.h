// Channels-first <-> channels-last copies of whole images, for the float and
// int8 algorithms that compute channels-last and serve a channels-first caller
// (the input transposed into a scratch, the output transposed back): blocks of
// kPixelBlock pixels x every channel, so both sides of a block stay in L1.
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/conv_shape.h"
#include "api/error.h"
#include "api/memory.h"
#include "kernels/kernel_table.h"
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
// dst[n][c][p] = src[n][p][c], elements of `element_bytes` (1 or 4, copied
// bit for bit), through `table`'s register-tile transposers
// (kernels/transpose.hpp; the plan's ISA's), or portable code when it is null.
void transpose_channels_task(const void* src, void* dst, int64_t channels, int64_t pixels,
                             size_t element_bytes, bool to_channels_last, size_t task,
                             const kernels::KernelTable* table = nullptr);

// The whole batch over the pool.
void transpose_channels(const void* src, void* dst, int64_t images, int64_t channels,
                        int64_t pixels, size_t element_bytes, bool to_channels_last,
                        ndconv_threadpool* pool, const kernels::KernelTable* table = nullptr);

// Input channels per slab of a depthwise convolution computed channels-last
// a slab at a time (float32: algorithms/channels_last_transposed.cpp; int8:
// algorithms/qdepthwise_slabs.cpp): whole blocks of `block` channels, as many
// as keep a slab's input and output copies (`in_bytes`, `out_bytes` per
// element) within `l2_bytes`, at most a quarter of the channels rounded up
// to a block (so a pool has slabs to share), at least one block.
int64_t depthwise_slab_channels(int64_t in_channels, int64_t multiplier, int64_t in_pixels, int64_t out_pixels,
                                size_t in_bytes, size_t out_bytes, size_t block, size_t l2_bytes);

// Whether [C][P] and [P][C] are the same bytes (one channel or one pixel).
inline bool layouts_coincide(int64_t channels, int64_t pixels) { return channels == 1 || pixels == 1; }

// Scratch of at least `bytes` for the calling thread, slot 0 or 1 (input
// and output copies): grown to the largest request and kept for the thread's
// next run, of this plan or another, as oneDNN's per-thread scratchpad is
// (fresh pages on every run cost more than a small convolution: 0.2-0.8 ms
// of page faults for 1.6 MB, against 0.1 ms of FMAs for a 16-channel
// depthwise 3x3 at 112 x 112); freed when the thread ends. Null when it
// cannot be allocated.
uint8_t* thread_scratch(int slot, size_t bytes) noexcept;

// A channels-first run of a channels-last computation `run_nxc(in, out)`:
// the input copied into a channels-last scratch, the output computed into
// one and copied back; a tensor whose two layouts coincide is used in place.
template <class RunChannelsLast>
ndconv_status run_through_channels_last(const ConvShape& s, size_t in_element_bytes, size_t out_element_bytes,
                                        const void* input, void* output, ndconv_threadpool* pool,
                                        RunChannelsLast&& run_nxc, const kernels::KernelTable* table = nullptr) {
  const bool in_place_in = layouts_coincide(s.in_channels, s.in_pixels());
  const bool in_place_out = layouts_coincide(s.out_channels, s.out_pixels());
  uint8_t* in_t = in_place_in ? nullptr : thread_scratch(0, static_cast<size_t>(s.input_elements()) * in_element_bytes);
  uint8_t* out_t =
      in_place_out ? nullptr : thread_scratch(1, static_cast<size_t>(s.output_elements()) * out_element_bytes);
  if ((!in_place_in && !in_t) || (!in_place_out && !out_t))
    return fail(NDCONV_OUT_OF_MEMORY, "out of memory allocating the channels-last scratch");
  if (!in_place_in)
    transpose_channels(input, in_t, s.batch, s.in_channels, s.in_pixels(), in_element_bytes, true, pool, table);
  run_nxc(in_place_in ? input : static_cast<const void*>(in_t), in_place_out ? output : static_cast<void*>(out_t));
  if (!in_place_out)
    transpose_channels(out_t, output, s.batch, s.out_channels, s.out_pixels(), out_element_bytes, false, pool,
                       table);
  return NDCONV_OK;
}

}  // namespace dispatch
}  // namespace ndconv
