#include "addressing/channel_transpose.h"

#include <cstring>
#include <initializer_list>

#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// In-register transpose of an 8x8 byte tile, one uint64 per row (byte j of
// row i is element (i, j)): the block recursion [A B; C D] -> [A' C'; B' D']
// at 4-, 2- and 1-byte granularity. Portable C++, ~0.4 operations per byte.
void transpose8x8(uint64_t r[8]) {
  for (int i = 0; i < 4; ++i) {
    const uint64_t a = r[i], b = r[i + 4];
    r[i] = (a & 0x00000000ffffffffull) | (b << 32);
    r[i + 4] = (a >> 32) | (b & 0xffffffff00000000ull);
  }
  constexpr uint64_t m16 = 0x0000ffff0000ffffull, m8 = 0x00ff00ff00ff00ffull;
  for (int i : {0, 1, 4, 5}) {
    const uint64_t a = r[i], b = r[i + 2];
    r[i] = (a & m16) | ((b & m16) << 16);
    r[i + 2] = ((a >> 16) & m16) | (b & ~m16);
  }
  for (int i = 0; i < 8; i += 2) {
    const uint64_t a = r[i], b = r[i + 1];
    r[i] = (a & m8) | ((b & m8) << 8);
    r[i + 1] = ((a >> 8) & m8) | (b & ~m8);
  }
}

// dst[s][r] = src[r][s] for r in [0, rows), s in [s0, s1): bytes, in 8x8 tiles
// where they fit, element by element at the edges.
void transpose_bytes(const uint8_t* src, int64_t src_stride, uint8_t* dst, int64_t dst_stride,
                     int64_t rows, int64_t s0, int64_t s1) {
  int64_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    int64_t s = s0;
    for (; s + 8 <= s1; s += 8) {
      uint64_t t[8];
      for (int i = 0; i < 8; ++i) std::memcpy(&t[i], src + (r + i) * src_stride + s, 8);
      transpose8x8(t);
      for (int j = 0; j < 8; ++j) std::memcpy(dst + (s + j) * dst_stride + r, &t[j], 8);
    }
    for (; s < s1; ++s)
      for (int64_t i = r; i < r + 8; ++i) dst[s * dst_stride + i] = src[i * src_stride + s];
  }
  for (; r < rows; ++r)
    for (int64_t s = s0; s < s1; ++s) dst[s * dst_stride + r] = src[r * src_stride + s];
}

// The same for 4-byte elements, copied with memcpy (the caller's float or
// int32 output is never read through another type).
void transpose_words(const char* src, int64_t src_stride, char* dst, int64_t dst_stride,
                     int64_t rows, int64_t s0, int64_t s1) {
  for (int64_t s = s0; s < s1; ++s)
    for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + (s * dst_stride + r) * 4, src + (r * src_stride + s) * 4, 4);
}

}  // namespace

void transpose_channels_task(const void* src, void* dst, int64_t channels, int64_t pixels,
                             size_t element_bytes, bool to_channels_last, size_t task,
                             kernels::TransposeFloatsFn floats, kernels::TransposeBytesFn bytes) {
  const size_t blocks = (static_cast<size_t>(pixels) + kPixelBlock - 1) / kPixelBlock;
  const int64_t n = static_cast<int64_t>(task / blocks);
  const int64_t p0 = static_cast<int64_t>((task % blocks) * kPixelBlock);
  const int64_t p1 = p0 + static_cast<int64_t>(kPixelBlock) < pixels ? p0 + static_cast<int64_t>(kPixelBlock) : pixels;
  const size_t image = static_cast<size_t>(channels * pixels) * element_bytes;
  const char* s = static_cast<const char*>(src) + static_cast<size_t>(n) * image;
  char* d = static_cast<char*>(dst) + static_cast<size_t>(n) * image;
  if (to_channels_last) {
    // [C][P] -> [P][C]: rows are channels, the block's pixels the columns.
    if (element_bytes == 1 && bytes)
      bytes(reinterpret_cast<const uint8_t*>(s) + p0, static_cast<size_t>(pixels), reinterpret_cast<uint8_t*>(d) + p0 * channels,
            static_cast<size_t>(channels), static_cast<size_t>(channels), static_cast<size_t>(p1 - p0));
    else if (element_bytes == 1)
      transpose_bytes(reinterpret_cast<const uint8_t*>(s), pixels, reinterpret_cast<uint8_t*>(d), channels, channels, p0, p1);
    else if (floats)
      floats(reinterpret_cast<const float*>(s) + p0, static_cast<size_t>(pixels),
             reinterpret_cast<float*>(d) + p0 * channels, static_cast<size_t>(channels),
             static_cast<size_t>(channels), static_cast<size_t>(p1 - p0));
    else
      transpose_words(s, pixels, d, channels, channels, p0, p1);
    return;
  }
  // [P][C] -> [C][P]: rows are the block's pixels, columns every channel.
  const int64_t offset = p0 * channels * static_cast<int64_t>(element_bytes);
  const int64_t dst_offset = p0 * static_cast<int64_t>(element_bytes);
  if (element_bytes == 1 && bytes)
    bytes(reinterpret_cast<const uint8_t*>(s + offset), static_cast<size_t>(channels),
          reinterpret_cast<uint8_t*>(d + dst_offset), static_cast<size_t>(pixels), static_cast<size_t>(p1 - p0),
          static_cast<size_t>(channels));
  else if (element_bytes == 1)
    transpose_bytes(reinterpret_cast<const uint8_t*>(s + offset), channels,
                    reinterpret_cast<uint8_t*>(d + dst_offset), pixels, p1 - p0, 0, channels);
  else if (floats)
    floats(reinterpret_cast<const float*>(s + offset), static_cast<size_t>(channels),
           reinterpret_cast<float*>(d + dst_offset), static_cast<size_t>(pixels),
           static_cast<size_t>(p1 - p0), static_cast<size_t>(channels));
  else
    transpose_words(s + offset, channels, d + dst_offset, pixels, p1 - p0, 0, channels);
}

uint8_t* thread_scratch(int slot, size_t bytes) noexcept {
  thread_local AlignedArray<uint8_t> scratch[2];
  AlignedArray<uint8_t>& a = scratch[slot];
  if (a.size() < bytes && !a.resize(bytes)) return nullptr;
  return a.data();
}

void transpose_channels(const void* src, void* dst, int64_t images, int64_t channels, int64_t pixels,
                        size_t element_bytes, bool to_channels_last, ndconv_threadpool* pool,
                        kernels::TransposeFloatsFn floats, kernels::TransposeBytesFn bytes) {
  auto task = [&](size_t i) {
    transpose_channels_task(src, dst, channels, pixels, element_bytes, to_channels_last, i, floats, bytes);
  };
  parallel_for(pool, transpose_tasks(images, pixels), task);
}

}  // namespace dispatch
}  // namespace ndconv
