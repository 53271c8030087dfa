// The int8 fuzz target's oracles, written from the header's int8 section
// (include/ndconv/ndconv.h, "Quantized (int8) convolution") independently of
// api/qvalidate.cpp, algorithms/qconv_params.cpp and the int8 reference:
// which descriptors and weight scales are valid, the exact accumulator of
// one output element (int64 sums, then int32 wrap-around as the API says),
// and its value by output type (S32 exact, F32 in float64, U8/S8 requantized
// in float64 with round half to even and saturation).
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "ndconv/ndconv.h"
#include "tests/fuzz/fuzz_oracle.h"

namespace ndconv {
namespace fuzz {

struct QConvExpectation {
  ConvExpectation conv;    // the float32 rules and sizes of desc.conv
  bool valid = false;      // what qconv_output_size must say
  bool quantized_out = false;  // U8 / S8 output
  i128 out_bytes = 0;      // output tensor bytes
};

inline bool in_type_range(int64_t v, int32_t type) {
  return type == NDCONV_U8 ? (v >= 0 && v <= 255) : (v >= -128 && v <= 127);
}

inline bool positive_finite(float v) { return std::isfinite(v) && v > 0.0f; }

inline QConvExpectation expect_qconv(const ndconv_qconv_desc& d) {
  QConvExpectation e;
  e.conv = expect_conv(d.conv);
  if (!e.conv.valid) return e;
  const int32_t in_type = raw_enum(&d.input_type), out_type = raw_enum(&d.output_type);
  if (in_type != NDCONV_U8 && in_type != NDCONV_S8) return e;
  if (out_type < NDCONV_F32 || out_type > NDCONV_S32) return e;
  if (!positive_finite(d.input_scale) || !in_type_range(d.input_zero_point, in_type)) return e;
  if (d.weight_scale_count != 1 && d.weight_scale_count != d.conv.out_channels) return e;
  e.quantized_out = out_type == NDCONV_U8 || out_type == NDCONV_S8;
  if (e.quantized_out &&
      (!positive_finite(d.output_scale) || !in_type_range(d.output_zero_point, out_type)))
    return e;
  if (out_type == NDCONV_S32 && raw_enum(&d.conv.activation) == NDCONV_ACT_CLAMP) return e;
  e.out_bytes = sat_mul(e.conv.output, e.quantized_out ? 1 : 4);
  e.valid = true;
  return e;
}

// create's extra rules: every weight scale finite and > 0, and every
// channel's combined scale input_scale * weight_scale[c] (/ output_scale for
// U8/S8) a finite float once rounded to nearest. The product of two floats
// and the float overflow threshold (2^128 - 2^103, the midpoint above
// FLT_MAX) times a float are exact in double, so the test is exact.
// The combined-scale rule (ndconv.h, ndconv_qconv_create) does not apply
// to S32 output, which never uses the scales.
inline bool weight_scales_accepted(const ndconv_qconv_desc& d, bool quantized_out,
                                   const float* scales) {
  for (int64_t i = 0; i < d.weight_scale_count; ++i)
    if (!positive_finite(scales[i])) return false;
  if (d.output_type == NDCONV_S32) return true;
  const double overflow = std::ldexp(1.0, 128) - std::ldexp(1.0, 103);
  const double den = quantized_out ? static_cast<double>(d.output_scale) : 1.0;
  for (int64_t i = 0; i < d.weight_scale_count; ++i) {
    const double num = static_cast<double>(d.input_scale) * static_cast<double>(scales[i]);
    if (num >= overflow * den) return false;
  }
  return true;
}

// The exact accumulator of output element `index` (in the output layout):
// sum over the window of (x - input_zero_point) * w, padded taps skipped (they
// hold the zero point), plus bias, wrapped to int32. Coordinates in
// __int128: a stride or dilation near INT64_MAX cannot overflow them.
inline int32_t qconv_accumulator(const ndconv_qconv_desc& q, const ConvExpectation& e,
                                 const void* input, const int8_t* w, const int32_t* bias,
                                 int64_t index, int64_t* channel) {
  const ndconv_conv_desc& d = q.conv;
  const int rank = d.rank;
  const i128 groups = d.groups == 0 ? 1 : d.groups;
  const i128 cin_g = d.in_channels / groups, cout_g = d.out_channels / groups;
  i128 in_pixels = 1, out_pixels = 1, taps = 1;
  for (int i = 0; i < rank; ++i) {
    in_pixels *= d.in_size[i];
    out_pixels *= e.out_size[i];
    taps *= d.kernel[i];
  }
  const bool nxc = raw_enum(&d.layout) == NDCONV_NXC;
  const bool xio = raw_enum(&d.weight_layout) == NDCONV_XIO;
  i128 co, n, pixel;
  if (nxc) {
    co = index % d.out_channels;
    pixel = (index / d.out_channels) % out_pixels;
    n = index / d.out_channels / out_pixels;
  } else {
    pixel = index % out_pixels;
    co = (index / out_pixels) % d.out_channels;
    n = index / out_pixels / d.out_channels;
  }
  i128 o[NDCONV_MAX_RANK];
  for (int i = rank - 1; i >= 0; --i) {
    o[i] = pixel % e.out_size[i];
    pixel /= e.out_size[i];
  }
  const i128 group = co / cout_g;
  const bool s8 = raw_enum(&q.input_type) == NDCONV_S8;
  const uint8_t* xu = static_cast<const uint8_t*>(input);
  const int8_t* xs = static_cast<const int8_t*>(input);
  int64_t sum = 0;
  for (i128 tap = 0; tap < taps; ++tap) {
    // The tap's input pixel, or -1 when it falls into the padding.
    i128 rest = tap, in_pixel = 0, stride_prod = 1;
    for (int i = rank - 1; i >= 0 && in_pixel >= 0; --i) {
      const i128 k = rest % d.kernel[i];
      rest /= d.kernel[i];
      const i128 s = d.stride[i] == 0 ? 1 : d.stride[i], dil = d.dilation[i] == 0 ? 1 : d.dilation[i];
      const i128 x = o[i] * s - e.pad_begin[i] + k * dil;
      if (x < 0 || x >= d.in_size[i]) in_pixel = -1;
      else in_pixel += x * stride_prod;
      stride_prod *= d.in_size[i];
    }
    if (in_pixel < 0) continue;
    for (i128 cl = 0; cl < cin_g; ++cl) {
      const i128 ci = group * cin_g + cl;
      const i128 xi = nxc ? (n * in_pixels + in_pixel) * d.in_channels + ci
                          : (n * d.in_channels + ci) * in_pixels + in_pixel;
      const i128 wi = xio ? (tap * cin_g + cl) * d.out_channels + co : (co * cin_g + cl) * taps + tap;
      const int64_t x = s8 ? xs[static_cast<size_t>(xi)] : xu[static_cast<size_t>(xi)];
      sum += (x - q.input_zero_point) * w[static_cast<size_t>(wi)];
    }
  }
  if (bias) sum += bias[static_cast<size_t>(co)];
  *channel = static_cast<int64_t>(co);
  const uint32_t wrapped = static_cast<uint32_t>(static_cast<uint64_t>(sum));
  int32_t acc;
  std::memcpy(&acc, &wrapped, sizeof acc);
  return acc;
}

// The element's value in float64 by the header's formulas: S32 and the
// requantized U8/S8 are integers (returned exactly), F32 the real value.
inline double qconv_expected(const ndconv_qconv_desc& q, double weight_scale, int32_t acc) {
  const int32_t out_type = raw_enum(&q.output_type), act = raw_enum(&q.conv.activation);
  if (out_type == NDCONV_S32) return act == NDCONV_ACT_RELU && acc < 0 ? 0.0 : acc;
  const double real = acc * static_cast<double>(q.input_scale) * weight_scale;
  if (out_type == NDCONV_F32) {
    if (act == NDCONV_ACT_RELU) return real < 0.0 ? 0.0 : real;
    if (act == NDCONV_ACT_CLAMP) return std::fmin(std::fmax(real, q.conv.act_min), q.conv.act_max);
    return real;
  }
  // U8 / S8. nearbyint: the default rounding mode, ties to even.
  const double os = q.output_scale, zp = q.output_zero_point;
  double v = std::nearbyint(real / os) + zp;
  if (act == NDCONV_ACT_RELU) v = std::fmax(v, zp);
  if (act == NDCONV_ACT_CLAMP) {
    v = std::fmax(v, std::nearbyint(q.conv.act_min / os) + zp);
    v = std::fmin(v, std::nearbyint(q.conv.act_max / os) + zp);
  }
  const double lo = out_type == NDCONV_U8 ? 0.0 : -128.0, hi = out_type == NDCONV_U8 ? 255.0 : 127.0;
  return std::fmin(std::fmax(v, lo), hi);
}

// F32 output: within the float API's relative 1e-5, plus what float32 cannot
// resolve below its smallest normal (a denormal combined scale has fewer
// bits: |acc| + 1 denormal steps); a float overflow must be the infinity of
// the value's sign.
inline bool qconv_f32_close(float got, double want, int32_t acc) {
  if (std::isnan(got)) return false;
  if (std::isinf(got))
    return (got > 0) == (want > 0) && std::fabs(want) >= static_cast<double>(FLT_MAX) * (1.0 - 1e-5);
  const double slack = (std::fabs(static_cast<double>(acc)) + 1.0) * static_cast<double>(FLT_TRUE_MIN);
  return std::fabs(static_cast<double>(got) - want) <= 1e-5 * std::fabs(want) + slack;
}

}  // namespace fuzz
}  // namespace ndconv
