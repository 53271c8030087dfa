#include "addressing/line_copies.h"

#include <algorithm>
#include <cstring>

namespace ndconv {
namespace dispatch {

bool line_copy_geometry(const ConvShape& s, LineCopyGeometry* out) {
  const int inner = s.rank - 1;
  const int64_t outer_taps = s.kernel_taps() / s.kernel[inner];
  const int64_t limit = static_cast<int64_t>(kLineCacheFloats);
  if (outer_taps > static_cast<int64_t>(kMaxLineTaps) || s.stride[inner] > limit) return false;
  // A copy holds padded input x * stride + kx * dilation for every output x
  // and inner tap kx; phase p keeps the floats at p, p + stride, ...
  int64_t reach = 0;
  if (__builtin_mul_overflow(s.kernel[inner] - 1, s.dilation[inner], &reach)) return false;
  const int64_t phase_len = s.out_size[inner] + reach / s.stride[inner];
  if (phase_len > limit) return false;
  const int64_t channel = phase_len * s.stride[inner];
  if (channel > limit) return false;
  const int64_t slot = channel * s.in_channels_per_group();
  if (slot > limit / outer_taps) return false;
  out->phase_len = static_cast<size_t>(phase_len);
  out->channel_floats = static_cast<size_t>(channel);
  out->slot_floats = static_cast<size_t>(slot);
  // Twice the lines of one output line (stride 2 brings two new lines per
  // output line), as many as fit.
  out->slots = static_cast<size_t>(std::min(limit / slot, 2 * outer_taps));
  return true;
}

bool line_tap_offsets(const ConvShape& s, const LineCopyGeometry& geo,
                      AlignedArray<ptrdiff_t>* offsets) {
  const size_t kw = static_cast<size_t>(s.kernel[s.rank - 1]);
  if (!offsets->resize(kw)) return false;
  const int64_t stride = s.stride[s.rank - 1], dilation = s.dilation[s.rank - 1];
  for (size_t kx = 0; kx < kw; ++kx) {
    const int64_t x = static_cast<int64_t>(kx) * dilation;  // fits: checked by line_copy_geometry
    (*offsets)[kx] = static_cast<ptrdiff_t>(x % stride) * static_cast<ptrdiff_t>(geo.phase_len) +
                     static_cast<ptrdiff_t>(x / stride);
  }
  return true;
}

void copy_line(const ConvShape& s, const LineCopyGeometry& geo, const float* group_input,
               int64_t line, float* slot) {
  const int inner = s.rank - 1;
  const size_t cin_g = static_cast<size_t>(s.in_channels_per_group());
  const size_t plane = static_cast<size_t>(s.in_pixels());
  const int64_t pad = s.pad_begin[inner], width = s.in_size[inner], stride = s.stride[inner];
  const int64_t len = static_cast<int64_t>(geo.phase_len);
  for (size_t ci = 0; ci < cin_g; ++ci) {
    const float* src = group_input + ci * plane + line;
    float* dst = slot + ci * geo.channel_floats;
    if (stride == 1) {
      // Padded x = j reads input j - pad: zeros, the input, zeros.
      const int64_t lo = std::min(pad, len);
      const int64_t hi = pad >= len ? len : std::min(len, pad + width);
      for (int64_t j = 0; j < lo; ++j) dst[j] = 0.0f;
      if (hi > lo)
        std::memcpy(dst + lo, src + (lo - pad), static_cast<size_t>(hi - lo) * sizeof(float));
      for (int64_t j = std::max(lo, hi); j < len; ++j) dst[j] = 0.0f;
      continue;
    }
    for (int64_t p = 0; p < stride; ++p)
      for (int64_t j = 0; j < len; ++j) {
        const int64_t x = j * stride + p - pad;
        dst[p * len + j] = x >= 0 && x < width ? src[x] : 0.0f;
      }
  }
}

}  // namespace dispatch
}  // namespace ndconv
