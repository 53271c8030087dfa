#include "gemm/pack_grouped.h"

#include <cstring>

namespace ndconv {
namespace dispatch {

bool GroupedNxcWeights::pack(const ConvShape& s, const float* weights, const float* bias,
                             size_t vector_floats) {
  const size_t c = static_cast<size_t>(s.in_channels_per_group());
  const size_t taps = static_cast<size_t>(s.kernel_taps());
  const size_t cout = static_cast<size_t>(s.out_channels);
  const size_t w = vector_floats;
  stride_ = (cout + w - 1) / w * w;
  if (!data_.resize((1 + taps * c) * stride_)) return false;
  float* dst = data_.data();
  std::memset(dst, 0, data_.size() * sizeof(float));
  for (size_t o = 0; o < cout; ++o) {
    if (bias) dst[o] = bias[o];
    for (size_t t = 0; t < taps; ++t)
      for (size_t r = 0; r < c; ++r) {
        const size_t ci = (o % c + r) % c;
        const size_t src =
            s.weight_layout == NDCONV_OIX ? (o * c + ci) * taps + t : (t * c + ci) * cout + o;
        dst[(1 + t * c + r) * stride_ + o] = weights[src];
      }
  }
  return true;
}

bool GroupedNcxWeights::pack(const ConvShape& s, const float* weights, const float* bias,
                             size_t out_channels) {
  const size_t CO = out_channels;
  const size_t groups = static_cast<size_t>(s.groups);
  const size_t cin_g = static_cast<size_t>(s.in_channels_per_group());
  const size_t cout_g = static_cast<size_t>(s.out_channels_per_group());
  const size_t cout = static_cast<size_t>(s.out_channels);
  const size_t taps = static_cast<size_t>(s.kernel_taps());
  group_floats_ = cin_g * taps * CO;
  groups_ = groups;
  out_channels_ = CO;
  if (!data_.resize(groups * (group_floats_ + CO))) return false;
  float* dst = data_.data();
  std::memset(dst, 0, data_.size() * sizeof(float));
  for (size_t g = 0; g < groups; ++g)
    for (size_t co = 0; co < cout_g; ++co) {
      const size_t o = g * cout_g + co;
      for (size_t ci = 0; ci < cin_g; ++ci)
        for (size_t t = 0; t < taps; ++t) {
          const size_t src = s.weight_layout == NDCONV_OIX ? (o * cin_g + ci) * taps + t
                                                           : (t * cin_g + ci) * cout + o;
          dst[g * group_floats_ + (ci * taps + t) * CO + co] = weights[src];
        }
      if (bias) dst[groups * group_floats_ + g * CO + co] = bias[o];
    }
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
