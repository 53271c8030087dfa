#include "algorithms/qconv_params.h"

#include <cinttypes>
#include <cmath>
#include <cstring>
#include <limits>

#include "api/error.h"
#include "kernels/qrequantize_exact.h"

namespace ndconv {
namespace dispatch {
namespace {

using kernels::QOutputType;

QOutputType output_type_of(ndconv_dtype t) {
  switch (t) {
    case NDCONV_F32: return QOutputType::kF32;
    case NDCONV_U8: return QOutputType::kU8;
    case NDCONV_S8: return QOutputType::kS8;
    default: return QOutputType::kS32;
  }
}

// create's arithmetic must not depend on the caller's rounding mode either
// (the scales decide every requantized output). Each result below is found
// by exact comparisons: a float or half-integer times a float has at most 49
// significant bits, exact in double whatever the mode.

// round_half_to_even(num / den) as an integer-valued double; num, den > 0
// or num any sign with den > 0; |num / den| < 2^30 (outside: saturated later).
double rne_quotient_to_integer(double num, double den) {
  const double approx = num / den;
  if (!(std::fabs(approx) < 1073741824.0)) return approx;
  double n = std::floor(approx);
  while (n * den > num) n -= 1.0;            // exact products: n has <= 31 bits
  while ((n + 1.0) * den <= num) n += 1.0;   // now n <= num / den < n + 1
  const double half = (n + 0.5) * den;       // <= 32 x 24 bits: exact
  if (num > half || (num == half && std::fmod(n, 2.0) != 0.0)) n += 1.0;
  return n;
}

// The float nearest num / den (ties to even); num the exact product of two
// floats, den a float > 0. Inf when it overflows.
float rne_quotient_to_float(double num, double den) {
  float c = static_cast<float>(num / den);  // within one float step, any mode
  if (!std::isfinite(c) || c == 0.0f) return c;
  const float inf = std::numeric_limits<float>::infinity();
  // Midpoints between neighbouring floats have 25 bits: m * den is exact.
  for (int step = 0; step < 4; ++step) {
    const float up = std::nextafter(c, inf), down = std::nextafter(c, -inf);
    const double mid_up = (static_cast<double>(c) + up) / 2, mid_down = (static_cast<double>(c) + down) / 2;
    uint32_t bits;
    std::memcpy(&bits, &c, sizeof bits);
    const bool c_even = (bits & 1u) == 0;
    if (mid_up * den < num || (mid_up * den == num && !c_even)) c = up;
    else if (mid_down * den > num || (mid_down * den == num && !c_even)) c = down;
    else break;
  }
  return c;
}

// The activation folded into the epilogue's bounds.
void set_bounds(const QConvShape& s, kernels::QEpilogue* e) {
  const ndconv_activation act = s.conv.activation;
  const float inf = std::numeric_limits<float>::infinity();
  e->s32_min = act == NDCONV_ACT_RELU ? 0 : INT32_MIN;
  e->s32_max = INT32_MAX;
  e->f32_min = act == NDCONV_ACT_RELU ? 0.0f : act == NDCONV_ACT_CLAMP ? s.conv.act_min : -inf;
  e->f32_max = act == NDCONV_ACT_CLAMP ? s.conv.act_max : inf;
  const DtypeRange r = dtype_range(s.output_type);
  e->out_zp = s.output_zero_point;
  double lo = static_cast<double>(r.min), hi = static_cast<double>(r.max);
  if (act == NDCONV_ACT_RELU) lo = std::fmax(lo, s.output_zero_point);
  if (act == NDCONV_ACT_CLAMP) {
    // Each bound quantized like an output, then held inside the type's range.
    const double zp = s.output_zero_point, os = s.output_scale;
    lo = std::fmin(std::fmax(lo, rne_quotient_to_integer(s.conv.act_min, os) + zp), hi);
    hi = std::fmax(std::fmin(hi, rne_quotient_to_integer(s.conv.act_max, os) + zp), lo);
  }
  e->q_min = static_cast<int32_t>(lo);
  e->q_max = static_cast<int32_t>(hi);
}

}  // namespace

ndconv_status QConvParams::build(const QConvShape& s, const float* weight_scales,
                                 const int32_t* bias) {
  shape = s;
  const int64_t channels = s.conv.out_channels;
  if (!user_bias.resize(static_cast<size_t>(channels)) || !scale.resize(static_cast<size_t>(channels)))
    return fail(NDCONV_OUT_OF_MEMORY, "out of memory allocating the int8 plan's scales");
  const bool quantized_out = s.output_type == NDCONV_U8 || s.output_type == NDCONV_S8;
  for (int64_t c = 0; c < channels; ++c) {
    user_bias[c] = bias ? bias[c] : 0;
    const double ws = weight_scales[s.weight_scale_count == 1 ? 0 : c];
    const double v = static_cast<double>(s.input_scale) * ws;  // exact: 48 bits
    scale[c] = rne_quotient_to_float(v, quantized_out ? static_cast<double>(s.output_scale) : 1.0);
    // S32 output (ConvInteger) never reads the scale: any finite positive
    // scales are valid there, as the contract says.
    if (s.output_type != NDCONV_S32 && !std::isfinite(scale[c]))
      return failf(NDCONV_INVALID_ARGUMENT,
                   "input_scale * weight_scales[%" PRId64 "]%s = %g is not a finite float", c,
                   quantized_out ? " / output_scale" : "", v);
  }
  epi = kernels::QEpilogue{};
  epi.type = output_type_of(s.output_type);
  set_bounds(s, &epi);
  a_xor = s.input_type == NDCONV_S8 ? 0x80 : 0;
  zero_point_byte = static_cast<uint8_t>(s.input_zero_point & 0xff);
  zero_point_u = s.input_zero_point + (s.input_type == NDCONV_S8 ? 128 : 0);
  return NDCONV_OK;
}

int32_t QConvParams::compensated_bias(int64_t channel, int64_t column_sum) const {
  // Wrap-around: the kernels' int32 sums wrap the same way, so the identity
  // acc = sum (x - zp) * w + bias holds modulo 2^32 (kernels/qgemm_args.h).
  const uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(user_bias[channel])) -
                     static_cast<uint64_t>(zero_point_u) * static_cast<uint64_t>(column_sum);
  return static_cast<int32_t>(static_cast<uint32_t>(v));
}

size_t QConvParams::output_bytes() const {
  return epi.type == kernels::QOutputType::kU8 || epi.type == kernels::QOutputType::kS8 ? 1 : 4;
}


namespace {

// U8/S8: rne(acc * scale) + zp, clamped: exactly the kernels' rounding
// (kernels/qrequantize_exact.h), whatever the caller's rounding mode.
inline int32_t requantize(const kernels::QEpilogue& e, float scale, int32_t acc) {
  const double lo = e.q_min - e.out_zp, hi = e.q_max - e.out_zp;
  return static_cast<int32_t>(kernels::requantize_exact(acc, scale, lo, hi)) + e.out_zp;
}

}  // namespace

void apply_qepilogue_span(const kernels::QEpilogue& e, const float* scale, const int32_t* acc,
                          size_t n, void* out) {
  switch (e.type) {
    case QOutputType::kS32: {
      int32_t* y = static_cast<int32_t*>(out);
      for (size_t i = 0; i < n; ++i) y[i] = acc[i] < e.s32_min ? e.s32_min : acc[i] > e.s32_max ? e.s32_max : acc[i];
      return;
    }
    case QOutputType::kF32: {
      float* y = static_cast<float*>(out);
      for (size_t i = 0; i < n; ++i)
      {
        const float v = static_cast<float>(acc[i]) * scale[i];
        y[i] = v < e.f32_min ? e.f32_min : v > e.f32_max ? e.f32_max : v;
      }
      return;
    }
    case QOutputType::kU8: {
      uint8_t* y = static_cast<uint8_t*>(out);
      for (size_t i = 0; i < n; ++i) y[i] = static_cast<uint8_t>(requantize(e, scale[i], acc[i]));
      return;
    }
    case QOutputType::kS8: {
      int8_t* y = static_cast<int8_t*>(out);
      for (size_t i = 0; i < n; ++i) y[i] = static_cast<int8_t>(requantize(e, scale[i], acc[i]));
      return;
    }
  }
}

void apply_qepilogue(const kernels::QEpilogue& e, const float* scale, int32_t acc, int64_t channel,
                     void* out, size_t index) {
  const size_t bytes = e.type == QOutputType::kU8 || e.type == QOutputType::kS8 ? 1 : 4;
  apply_qepilogue_span(e, scale + channel, &acc, 1, static_cast<char*>(out) + index * bytes);
}

}  // namespace dispatch
}  // namespace ndconv
