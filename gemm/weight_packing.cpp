#include "gemm/weight_packing.h"

#include <cstring>

namespace ndconv {
namespace dispatch {

bool PackedWeights::pack(const ConvShape& s, const float* weights, const float* bias,
                         size_t panel_width) {
  return pack_channel_range(s, weights, bias, 0, static_cast<size_t>(s.out_channels_per_group()),
                            panel_width);
}

bool PackedWeights::pack_channel_range(const ConvShape& s, const float* weights, const float* bias,
                                       size_t first, size_t count, size_t panel_width) {
  const size_t groups = static_cast<size_t>(s.groups);
  const size_t cout_g = static_cast<size_t>(s.out_channels_per_group());
  const size_t cin_g = static_cast<size_t>(s.in_channels_per_group());
  const size_t taps = static_cast<size_t>(s.kernel_taps());
  const size_t cout = static_cast<size_t>(s.out_channels);
  width_ = panel_width;
  k_ = taps * cin_g;
  panels_ = (count + width_ - 1) / width_;
  if (!data_.resize(groups * panels_ * stride())) return false;
  std::memset(data_.data(), 0, data_.size() * sizeof(float));

  for (size_t g = 0; g < groups; ++g) {
    for (size_t p = 0; p < panels_; ++p) {
      float* out = data_.data() + (g * panels_ + p) * stride();
      const size_t width = (p + 1) * width_ <= count ? width_ : count - p * width_;
      for (size_t j = 0; j < width; ++j) {
        const size_t co = g * cout_g + first + p * width_ + j;  // global output channel
        if (bias) out[j] = bias[co];
        float* col = out + width_ + j;
        for (size_t t = 0; t < taps; ++t)
          for (size_t ci = 0; ci < cin_g; ++ci)
            col[(t * cin_g + ci) * width_] =
                weights[source_weight_index(s.weight_layout, co, ci, t, cin_g, taps, cout)];
      }
    }
  }
  return true;
}

bool PackedWeights::interleave_k_pairs() {
  const size_t w = width_, half = width_ / 2;
  float pair[2 * kMaxPairWidth];
  if (w > kMaxPairWidth || w % 2 != 0 || k_ % 2 != 0) return false;
  for (size_t panel = 0; panel * stride() < data_.size(); ++panel) {
    float* rows = data_.data() + panel * stride() + w;
    for (size_t k = 0; k < k_; k += 2) {
      float* src = rows + k * w;
      std::memcpy(pair, src, 2 * w * sizeof(float));
      // float v * w + l of the pair = B[k + l % 2][v * w / 2 + l / 2]
      for (size_t v = 0; v < 2; ++v)
        for (size_t l = 0; l < w; ++l) src[v * w + l] = pair[(l % 2) * w + v * half + l / 2];
    }
  }
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
