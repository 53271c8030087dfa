#include "tests/support/qconv_check.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "algorithms/qconv_reference.h"
#include "api/qconv_shape.h"

namespace ndconv {
namespace test {
namespace {

uint64_t next_random(uint64_t* state) {  // xorshift64*
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * 2685821657736338717ull;
}

double rne(double v) {
  const double r = std::floor(v), d = v - r;
  return (d > 0.5 || (d == 0.5 && std::fmod(r, 2.0) != 0.0)) ? r + 1.0 : r;
}

size_t dtype_bytes(ndconv_dtype t) { return t == NDCONV_U8 || t == NDCONV_S8 ? 1 : 4; }

struct Tensors {
  std::vector<int8_t> weights;
  std::vector<float> scales;
  std::vector<int32_t> bias;
};

void fill_input(unsigned char* p, size_t n, ndconv_dtype type, QFill fill, uint64_t* rng) {
  const bool s8 = type == NDCONV_S8;
  for (size_t i = 0; i < n; ++i) {
    if (fill == QFill::kRandom || fill == QFill::kRandom7Bit || fill == QFill::kRandom7BitButOne)
      p[i] = static_cast<unsigned char>(next_random(rng) >> 56);
    else if (fill == QFill::kExtremeHigh || fill == QFill::kExtreme7Bit) p[i] = s8 ? 0x7f : 0xff;
    else p[i] = s8 ? 0x80 : 0x00;
  }
}

Tensors make_tensors(const dispatch::QConvShape& s, QFill fill, bool with_bias, uint64_t* rng) {
  Tensors t;
  t.weights.resize(static_cast<size_t>(s.conv.weight_elements()));
  for (size_t i = 0; i < t.weights.size(); ++i) {
    if (fill == QFill::kRandom) t.weights[i] = static_cast<int8_t>(next_random(rng) >> 56);
    else if (fill == QFill::kRandom7Bit || fill == QFill::kRandom7BitButOne)
      t.weights[i] = static_cast<int8_t>(static_cast<int>((next_random(rng) >> 32) % 129) - 64);
    else if (fill == QFill::kExtreme7Bit) t.weights[i] = static_cast<int8_t>((i / 5) % 2 ? -64 : 64);
    else t.weights[i] = static_cast<int8_t>((i % 2 == 0) == (fill == QFill::kExtremeHigh) ? -128 : 127);
  }
  if (fill == QFill::kRandom7BitButOne && !t.weights.empty()) t.weights[t.weights.size() / 2] = -65;
  for (int64_t c = 0; c < s.weight_scale_count; ++c)
    t.scales.push_back(0.01f * static_cast<float>(1 + c % 3));
  if (with_bias)
    for (int64_t c = 0; c < s.conv.out_channels; ++c)
      t.bias.push_back(static_cast<int32_t>(next_random(rng) >> 48) - 32768);
  return t;
}

// What the API says output element `i` of channel `c` must be, in float64.
double expected_value(const dispatch::QConvShape& s, const Tensors& t, int32_t acc, int64_t c) {
  const ndconv_activation act = s.conv.activation;
  const double ws = t.scales[s.weight_scale_count == 1 ? 0 : c];
  if (s.output_type == NDCONV_S32) return act == NDCONV_ACT_RELU && acc < 0 ? 0.0 : acc;
  double v = acc * static_cast<double>(s.input_scale) * ws;
  if (s.output_type == NDCONV_F32) {
    if (act == NDCONV_ACT_RELU) v = std::fmax(v, 0.0);
    if (act == NDCONV_ACT_CLAMP) v = std::fmin(std::fmax(v, s.conv.act_min), s.conv.act_max);
    return v;
  }
  const double zp = s.output_zero_point, os = s.output_scale;
  double q = rne(v / os) + zp;
  if (act == NDCONV_ACT_RELU) q = std::fmax(q, zp);
  if (act == NDCONV_ACT_CLAMP)
    q = std::fmin(std::fmax(q, rne(s.conv.act_min / os) + zp), rne(s.conv.act_max / os) + zp);
  const dispatch::DtypeRange r = dispatch::dtype_range(s.output_type);
  return std::fmin(std::fmax(q, static_cast<double>(r.min)), static_cast<double>(r.max));
}

double output_value(const unsigned char* out, size_t i, ndconv_dtype type) {
  switch (type) {
    case NDCONV_U8: return out[i];
    case NDCONV_S8: return static_cast<int8_t>(out[i]);
    case NDCONV_S32: { int32_t v; std::memcpy(&v, out + 4 * i, 4); return v; }
    default: { float v; std::memcpy(&v, out + 4 * i, 4); return v; }
  }
}

int64_t channel_of(const dispatch::ConvShape& s, size_t i) {
  const int64_t idx = static_cast<int64_t>(i);
  return s.layout == NDCONV_NXC ? idx % s.out_channels : (idx / s.out_pixels()) % s.out_channels;
}

void compare(const dispatch::QConvShape& s, const Tensors& t, const std::vector<int32_t>& acc,
             const unsigned char* out) {
  size_t failures = 0;
  for (size_t i = 0; i < acc.size() && failures < 10; ++i) {
    const int64_t c = channel_of(s.conv, i);
    const double want = expected_value(s, t, acc[i], c), got = output_value(out, i, s.output_type);
    double tol = 0.0;
    if (s.output_type == NDCONV_U8 || s.output_type == NDCONV_S8) tol = 1.0;
    if (s.output_type == NDCONV_F32) tol = 1e-6 * std::fabs(want) + 1e-30;
    if (!(std::fabs(got - want) <= tol)) {
      ++failures;
      ADD_FAILURE() << "output[" << i << "] (channel " << c << ") = " << got << ", want " << want
                    << " (acc " << acc[i] << ")";
    }
  }
}

}  // namespace

GuardedBytes::GuardedBytes(size_t bytes) : bytes_(bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t data_pages = (bytes + page - 1) / page;
  mapping_bytes_ = (data_pages + 1) * page;
  mapping_ = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    ADD_FAILURE() << "mmap failed";
    return;
  }
  unsigned char* guard = static_cast<unsigned char*>(mapping_) + data_pages * page;
  mprotect(guard, page, PROT_NONE);
  data_ = guard - bytes;
  std::memset(data_, 0xa5, bytes);  // a byte the plan must overwrite
}

GuardedBytes::~GuardedBytes() {
  if (mapping_) munmap(mapping_, mapping_bytes_);
}

ndconv_qconv_desc make_qdesc(const ndconv_conv_desc& conv, ndconv_dtype input_type,
                             ndconv_dtype output_type, int32_t input_zp, int32_t output_zp) {
  ndconv_qconv_desc q = {};
  q.conv = conv;
  q.input_type = input_type;
  q.output_type = output_type;
  q.input_scale = 0.02f;
  q.input_zero_point = input_zp;
  q.weight_scale_count = conv.out_channels;
  // Outputs spread over the 8-bit range: |acc| grows like 128 * 74 * sqrt(K).
  const int64_t groups = conv.groups ? conv.groups : 1;
  double k = static_cast<double>(conv.in_channels / groups);
  for (int d = 0; d < conv.rank; ++d) k *= static_cast<double>(conv.kernel[d]);
  q.output_scale = static_cast<float>(0.02 * 0.02 * 74.0 * 128.0 * std::sqrt(k) / 60.0);
  q.output_zero_point = output_zp;
  return q;
}

QCheckResult check_qconv(const ndconv_qconv_desc& desc, uint64_t seed, QFill fill, bool with_bias,
                         ndconv_threadpool* pool) {
  QCheckResult result;
  dispatch::QConvShape s;
  if (dispatch::validate_qdesc(&desc, &s) != NDCONV_OK) {
    ADD_FAILURE() << "invalid test descriptor: " << ndconv_last_error();
    return result;
  }
  uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 1;
  const Tensors t = make_tensors(s, fill, with_bias, &rng);
  GuardedBytes input(static_cast<size_t>(s.conv.input_elements()));
  fill_input(input.data(), input.size(), s.input_type, fill, &rng);
  const size_t out_count = static_cast<size_t>(s.conv.output_elements());
  GuardedBytes output(out_count * dtype_bytes(s.output_type));
  ndconv_qconv* q = nullptr;
  const int32_t* bias = with_bias ? t.bias.data() : nullptr;
  if (ndconv_qconv_create(&desc, t.weights.data(), t.scales.data(), bias, &q) != NDCONV_OK) {
    ADD_FAILURE() << "create: " << ndconv_last_error();
    return result;
  }
  result.kernel_name = ndconv_qconv_kernel_name(q);
  SCOPED_TRACE("kernel " + result.kernel_name);
  EXPECT_EQ(ndconv_qconv_run(q, input.data(), output.data(), pool), NDCONV_OK) << ndconv_last_error();
  ndconv_qconv_destroy(q);
  std::vector<int32_t> acc(out_count);
  dispatch::qconv_reference_acc(s, input.data(), t.weights.data(), bias, acc.data());
  compare(s, t, acc, output.data());
  result.output.assign(output.data(), output.data() + output.size());
  return result;
}

}  // namespace test
}  // namespace ndconv
