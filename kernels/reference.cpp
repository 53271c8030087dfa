#include "kernels/reference.h"

#include <cmath>

namespace ndconv {
namespace kernels {
namespace {

using dispatch::ConvShape;

// Where one output element sits: batch n, channel o, spatial position pos[].
struct OutputCoord {
  int64_t n = 0, o = 0;
  int64_t pos[NDCONV_MAX_RANK] = {};
};

OutputCoord decompose_output_index(const ConvShape& s, int64_t index) {
  OutputCoord c;
  if (s.layout == NDCONV_NXC) {
    c.o = index % s.out_channels;
    index /= s.out_channels;
  }
  for (int d = s.rank - 1; d >= 0; --d) {
    c.pos[d] = index % s.out_size[d];
    index /= s.out_size[d];
  }
  if (s.layout == NDCONV_NCX) {
    c.o = index % s.out_channels;
    index /= s.out_channels;
  }
  c.n = index;
  return c;
}

// Offset of input element (n, channel c, spatial x[]) in the input tensor.
int64_t input_offset(const ConvShape& s, int64_t n, int64_t c, const int64_t* x) {
  int64_t spatial = 0;
  for (int d = 0; d < s.rank; ++d) spatial = spatial * s.in_size[d] + x[d];
  if (s.layout == NDCONV_NCX) return (n * s.in_channels + c) * s.in_pixels() + spatial;
  return (n * s.in_pixels() + spatial) * s.in_channels + c;
}

// Offset of weight (output channel o, channel-in-group i, tap t) where t is
// the row-major index of the kernel position.
int64_t weight_offset(const ConvShape& s, int64_t o, int64_t i, int64_t t) {
  const int64_t cin_g = s.in_channels_per_group();
  if (s.weight_layout == NDCONV_OIX) return (o * cin_g + i) * s.kernel_taps() + t;
  return (t * cin_g + i) * s.out_channels + o;
}

}  // namespace

ReferenceElement reference_element(const ConvShape& s, const float* input, const float* weights,
                                   const float* bias, int64_t index) {
  const OutputCoord out = decompose_output_index(s, index);
  const int64_t cin_g = s.in_channels_per_group();
  const int64_t group = out.o / s.out_channels_per_group();
  const int64_t taps = s.kernel_taps();
  double value = 0.0, magnitude = 0.0;  // locals: r on the sanitizers' stack was a store per step
  for (int64_t t = 0; t < taps; ++t) {
    // Kernel position of tap t, and the input position it reads.
    int64_t x[NDCONV_MAX_RANK];
    bool inside = true;
    int64_t rest = t;
    for (int d = s.rank - 1; d >= 0; --d) {
      const int64_t k = rest % s.kernel[d];
      rest /= s.kernel[d];
      x[d] = out.pos[d] * s.stride[d] - s.pad_begin[d] + k * s.dilation[d];
      if (x[d] < 0 || x[d] >= s.in_size[d]) inside = false;
    }
    if (!inside) continue;  // padding reads zeros
    // The tap's first channel of the group, then one channel step at a time
    // (the offsets above, incremented: the sanitizer builds spend most of
    // the tests' time here).
    int64_t in = input_offset(s, out.n, group * cin_g, x), w = weight_offset(s, out.o, 0, t);
    const int64_t in_step = s.layout == NDCONV_NCX ? s.in_pixels() : 1;
    const int64_t w_step = s.weight_layout == NDCONV_OIX ? taps : s.out_channels;
    for (int64_t i = 0; i < cin_g; ++i, in += in_step, w += w_step) {
      const double xv = input[in], wv = weights[w];
      value += xv * wv;
      magnitude += std::fabs(xv * wv);
    }
  }
  if (bias) {
    value += bias[out.o];
    magnitude += std::fabs(static_cast<double>(bias[out.o]));
  }
  ReferenceElement r;
  r.value = value;
  r.magnitude = magnitude;
  return r;
}

double reference_activate(const ConvShape& s, double y) {
  // Comparisons written so that NaN falls through unchanged.
  if (s.activation == NDCONV_ACT_RELU) return y < 0.0 ? 0.0 : y;
  if (s.activation == NDCONV_ACT_CLAMP) {
    if (y < s.act_min) return s.act_min;
    if (y > s.act_max) return s.act_max;
  }
  return y;
}

void reference_conv(const ConvShape& s, const float* input, const float* weights,
                    const float* bias, float* output, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    output[i] = static_cast<float>(
        reference_activate(s, reference_element(s, input, weights, bias, i).value));
}

void reference_conv_f64(const ConvShape& s, const float* input, const float* weights,
                        const float* bias, double* value, double* magnitude, int64_t begin,
                        int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const ReferenceElement e = reference_element(s, input, weights, bias, i);
    value[i - begin] = reference_activate(s, e.value);
    magnitude[i - begin] = e.magnitude;
  }
}

}  // namespace kernels
}  // namespace ndconv
