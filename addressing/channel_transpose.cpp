#include "addressing/channel_transpose.h"

#include <cstring>

#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// Elements of B bytes, copied with memcpy (the caller's float or int32
// output is never read through another type).
template <size_t B>
void transpose_block(const char* src, char* dst, int64_t channels, int64_t pixels, int64_t p0,
                     int64_t p1, bool to_channels_last) {
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t cf = c * pixels + p, cl = p * channels + c;  // channels-first / -last index
      if (to_channels_last)
        std::memcpy(dst + cl * static_cast<int64_t>(B), src + cf * static_cast<int64_t>(B), B);
      else
        std::memcpy(dst + cf * static_cast<int64_t>(B), src + cl * static_cast<int64_t>(B), B);
    }
}

}  // namespace

void transpose_channels_task(const void* src, void* dst, int64_t channels, int64_t pixels,
                             size_t element_bytes, bool to_channels_last, size_t task) {
  const size_t blocks = (static_cast<size_t>(pixels) + kPixelBlock - 1) / kPixelBlock;
  const int64_t n = static_cast<int64_t>(task / blocks);
  const int64_t p0 = static_cast<int64_t>((task % blocks) * kPixelBlock);
  const int64_t p1 = p0 + static_cast<int64_t>(kPixelBlock) < pixels ? p0 + static_cast<int64_t>(kPixelBlock) : pixels;
  const size_t image = static_cast<size_t>(channels * pixels) * element_bytes;
  const char* s = static_cast<const char*>(src) + static_cast<size_t>(n) * image;
  char* d = static_cast<char*>(dst) + static_cast<size_t>(n) * image;
  if (element_bytes == 1)
    transpose_block<1>(s, d, channels, pixels, p0, p1, to_channels_last);
  else
    transpose_block<4>(s, d, channels, pixels, p0, p1, to_channels_last);
}

void transpose_channels(const void* src, void* dst, int64_t images, int64_t channels, int64_t pixels,
                        size_t element_bytes, bool to_channels_last, ndconv_threadpool* pool) {
  auto task = [&](size_t i) {
    transpose_channels_task(src, dst, channels, pixels, element_bytes, to_channels_last, i);
  };
  parallel_for(pool, transpose_tasks(images, pixels), task);
}

}  // namespace dispatch
}  // namespace ndconv
