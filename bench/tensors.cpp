#include "tensors.h"

#include <cmath>

namespace ndconv_bench {

std::vector<float> random_tensor(int64_t count, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(count));
  uint64_t state = 0x9E3779B97F4A7C15ull ^ (uint64_t(seed) * 0xD1B54A32D192ED03ull);
  for (float& x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = float(int32_t(state >> 40) - (1 << 23)) / float(1 << 23);  // [-1, 1)
  }
  return v;
}

std::vector<float> ncx_to_nxc(const std::vector<float>& src, int64_t batch, int64_t channels,
                              int64_t pixels) {
  std::vector<float> dst(src.size());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t p = 0; p < pixels; ++p)
        dst[size_t((n * pixels + p) * channels + c)] = src[size_t((n * channels + c) * pixels + p)];
  return dst;
}

std::vector<float> nxc_to_ncx(const std::vector<float>& src, int64_t batch, int64_t channels,
                              int64_t pixels) {
  std::vector<float> dst(src.size());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t p = 0; p < pixels; ++p)
        dst[size_t((n * channels + c) * pixels + p)] = src[size_t((n * pixels + p) * channels + c)];
  return dst;
}

std::vector<float> oix_to_xio(const std::vector<float>& oix, int64_t out_channels,
                              int64_t in_per_group, int64_t taps) {
  std::vector<float> xio(oix.size());
  for (int64_t o = 0; o < out_channels; ++o)
    for (int64_t i = 0; i < in_per_group; ++i)
      for (int64_t t = 0; t < taps; ++t)
        xio[size_t((t * in_per_group + i) * out_channels + o)] =
            oix[size_t((o * in_per_group + i) * taps + t)];
  return xio;
}

std::vector<float> absolute(const std::vector<float>& values) {
  std::vector<float> a(values.size());
  for (size_t i = 0; i < values.size(); ++i) a[i] = std::fabs(values[i]);
  return a;
}

void reference_conv(const BenchShape& s, const std::vector<float>& input,
                    const std::vector<float>& weights, const std::vector<float>& bias,
                    std::vector<double>* out, std::vector<double>* terms) {
  const int r = s.rank;
  const int64_t cin_g = s.in_channels / s.groups, cout_g = s.out_channels / s.groups;
  out->assign(size_t(s.output_elements()), 0.0);
  terms->assign(size_t(s.output_elements()), 0.0);
  std::vector<int64_t> opos(r), kpos(r);
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t o = 0; o < s.out_channels; ++o) {
      const int64_t g = o / cout_g;
      for (int64_t op = 0; op < s.out_pixels; ++op) {
        // Output coordinates of flat pixel index op (row-major, last dim fastest).
        for (int64_t rest = op, d = r - 1; d >= 0; --d) {
          opos[d] = rest % s.out_size[d];
          rest /= s.out_size[d];
        }
        double sum = bias.empty() ? 0.0 : double(bias[size_t(o)]);
        double abs_sum = std::fabs(sum);
        for (int64_t t = 0; t < s.taps; ++t) {
          int64_t in_offset = 0;
          bool inside = true;
          for (int64_t rest = t, d = r - 1; d >= 0; --d) {
            kpos[d] = rest % s.kernel[d];
            rest /= s.kernel[d];
          }
          for (int d = 0; d < r && inside; ++d) {
            int64_t x = opos[d] * s.stride[d] - s.pad_begin[d] + kpos[d] * s.dilation[d];
            inside = x >= 0 && x < s.in_size[d];
            in_offset = in_offset * s.in_size[d] + x;
          }
          if (!inside) continue;  // padding reads zeros
          for (int64_t i = 0; i < cin_g; ++i) {
            const int64_t c = g * cin_g + i;
            double x = input[size_t((n * s.in_channels + c) * s.in_pixels + in_offset)];
            double w = weights[size_t((o * cin_g + i) * s.taps + t)];
            sum += x * w;
            abs_sum += std::fabs(x * w);
          }
        }
        size_t index = size_t((n * s.out_channels + o) * s.out_pixels + op);
        (*out)[index] = sum;
        (*terms)[index] = abs_sum;
      }
    }
}

}  // namespace ndconv_bench
