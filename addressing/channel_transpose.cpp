#include "addressing/channel_transpose.h"

#include <algorithm>
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

// dst[c][r] = src[r][c] for r < rows, c < cols: bytes in 8x8 tiles where
// they fit, element by element at the edges (a build or table without the
// register-tile transposers: kernels/transpose.hpp).
void transpose_bytes_portable(const uint8_t* src, size_t src_stride, uint8_t* dst, size_t dst_stride, size_t rows,
                              size_t cols) {
  size_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
      uint64_t t[8];
      for (size_t i = 0; i < 8; ++i) std::memcpy(&t[i], src + (r + i) * src_stride + c, 8);
      transpose8x8(t);
      for (size_t j = 0; j < 8; ++j) std::memcpy(dst + (c + j) * dst_stride + r, &t[j], 8);
    }
    for (; c < cols; ++c)
      for (size_t i = r; i < r + 8; ++i) dst[c * dst_stride + i] = src[i * src_stride + c];
  }
  for (; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
}

// The same for 4-byte elements, copied with memcpy (float or int32 data is
// never read through another type).
void transpose_words_portable(const void* src, size_t src_stride, void* dst, size_t dst_stride, size_t rows,
                              size_t cols) {
  const char* s = static_cast<const char*>(src);
  char* d = static_cast<char*>(dst);
  for (size_t c = 0; c < cols; ++c)
    for (size_t r = 0; r < rows; ++r) std::memcpy(d + (c * dst_stride + r) * 4, s + (r * src_stride + c) * 4, 4);
}

}  // namespace

void transpose_channels_task(const void* src, void* dst, int64_t channels, int64_t pixels,
                             size_t element_bytes, bool to_channels_last, size_t task,
                             const kernels::KernelTable* table) {
  const size_t blocks = (static_cast<size_t>(pixels) + kPixelBlock - 1) / kPixelBlock;
  const size_t n = task / blocks, C = static_cast<size_t>(channels), P = static_cast<size_t>(pixels);
  const size_t p0 = (task % blocks) * kPixelBlock, p1 = p0 + kPixelBlock < P ? p0 + kPixelBlock : P;
  const size_t image = C * P * element_bytes;
  const char* s = static_cast<const char*>(src) + n * image;
  char* d = static_cast<char*>(dst) + n * image;
  // [C][P] -> [P][C]: rows are the channels, the block's pixels the columns;
  // [P][C] -> [C][P]: rows are the block's pixels, the columns every channel.
  const size_t rows = to_channels_last ? C : p1 - p0, cols = to_channels_last ? p1 - p0 : C;
  const size_t src_stride = to_channels_last ? P : C, dst_stride = to_channels_last ? C : P;
  const char* s0 = s + (to_channels_last ? p0 : p0 * C) * element_bytes;
  char* d0 = d + (to_channels_last ? p0 * C : p0) * element_bytes;
  if (element_bytes == 1) {
    const auto bytes = table && table->transpose_bytes ? table->transpose_bytes : transpose_bytes_portable;
    bytes(reinterpret_cast<const uint8_t*>(s0), src_stride, reinterpret_cast<uint8_t*>(d0), dst_stride, rows, cols);
  } else {
    const auto words = table && table->transpose_words ? table->transpose_words : transpose_words_portable;
    words(s0, src_stride, d0, dst_stride, rows, cols);
  }
}

int64_t depthwise_slab_channels(int64_t in_channels, int64_t multiplier, int64_t in_pixels, int64_t out_pixels,
                                size_t in_bytes, size_t out_bytes, size_t block, size_t l2_bytes) {
  const int64_t b = static_cast<int64_t>(block);
  const int64_t per_channel =
      in_pixels * static_cast<int64_t>(in_bytes) + multiplier * out_pixels * static_cast<int64_t>(out_bytes);
  const int64_t fit = static_cast<int64_t>(l2_bytes) / (per_channel > 0 ? per_channel : 1) / b * b;
  const int64_t quarter = ((in_channels + 3) / 4 + b - 1) / b * b;
  return std::max(b, std::min(fit, quarter));
}

uint8_t* thread_scratch(int slot, size_t bytes) noexcept {
  thread_local AlignedArray<uint8_t> scratch[2];
  AlignedArray<uint8_t>& a = scratch[slot];
  if (a.size() < bytes && !a.resize(bytes)) return nullptr;
  return a.data();
}

void transpose_channels(const void* src, void* dst, int64_t images, int64_t channels, int64_t pixels,
                        size_t element_bytes, bool to_channels_last, ndconv_threadpool* pool,
                        const kernels::KernelTable* table) {
  auto task = [&](size_t i) {
    transpose_channels_task(src, dst, channels, pixels, element_bytes, to_channels_last, i, table);
  };
  parallel_for(pool, transpose_tasks(images, pixels), task);
}

}  // namespace dispatch
}  // namespace ndconv
