// The fuzz targets' oracles, written from API.md's Semantics section
// independently of api/validate.cpp: which descriptors are valid, what
// their output extents are, and the tolerance check against the float64
// reference. Sizes are computed in __int128 (saturated far above INT64_MAX),
// so no rule is checked with the arithmetic it is meant to guard.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace fuzz {

using i128 = __int128;
constexpr i128 kInt64Max = std::numeric_limits<int64_t>::max();
constexpr i128 kSaturated = static_cast<i128>(1) << 100;

inline i128 sat_mul(i128 a, i128 b) {  // a, b >= 0
  if (a == 0 || b == 0) return 0;
  if (a >= kSaturated || b >= kSaturated || a > kSaturated / b) return kSaturated;
  return a * b;
}

// What a fuzzing session tried, printed at exit (scripts/test.sh shows it).
struct Tally {
  const char* target = "";
  long tried = 0, valid = 0, created = 0, compared = 0;
  static Tally& get() {
    static Tally t;
    return t;
  }
  static void print() {
    const Tally& t = get();
    std::fprintf(stderr, "fuzz %s: %ld descriptors tried, %ld valid, %ld plans created, %ld runs compared with the reference\n",
                 t.target, t.tried, t.valid, t.created, t.compared);
  }
  // Counts one input; registers the exit report on the first.
  static Tally& count(const char* target) {
    Tally& t = get();
    if (t.tried++ == 0) {
      t.target = target;
      std::atexit(print);
    }
    return t;
  }
};

// Prints the message and aborts: libFuzzer records the input as a crash.
[[noreturn]] inline void fuzz_fail(const char* what) {
  std::fprintf(stderr, "FUZZ CHECK FAILED: %s\n", what);
  std::fflush(stderr);
  std::abort();
}
#define FUZZ_CHECK(cond, ...)                                          \
  do {                                                                 \
    if (!(cond)) {                                                     \
      char fuzz_msg_[512];                                             \
      std::snprintf(fuzz_msg_, sizeof fuzz_msg_, __VA_ARGS__);         \
      ::ndconv::fuzz::fuzz_fail(fuzz_msg_);                            \
    }                                                                  \
  } while (0)

// Step 1 of the convolution targets: `call` (an ndconv_*_output_size) agrees
// with the oracle's verdict, says why when it refuses, and writes exactly the
// `rank` extents `want` (entries past rank untouched).
template <class OutputSizeCall>
void check_output_size(const char* call_name, OutputSizeCall&& call, bool valid, int rank,
                       const int64_t* want) {
  int64_t out_size[NDCONV_MAX_RANK];
  for (int64_t& v : out_size) v = -12345;
  const ndconv_status status = call(out_size);
  FUZZ_CHECK(status == (valid ? NDCONV_OK : NDCONV_INVALID_ARGUMENT), "%s returned %d, oracle says %s (%s)",
             call_name, status, valid ? "valid" : "invalid", ndconv_last_error());
  if (!valid) {
    FUZZ_CHECK(ndconv_last_error()[0] != '\0', "invalid descriptor without a message");
    return;
  }
  for (int i = 0; i < NDCONV_MAX_RANK; ++i) {
    const int64_t w = i < rank ? want[i] : -12345;
    FUZZ_CHECK(out_size[i] == w, "out_size[%d] = %lld, want %lld", i, static_cast<long long>(out_size[i]),
               static_cast<long long>(w));
  }
}

inline int32_t raw_enum(const void* field) {
  int32_t v;
  std::memcpy(&v, field, sizeof v);
  return v;
}

// What the C API must say about a convolution descriptor, and the sizes of a
// valid one.
struct ConvExpectation {
  bool valid = false;
  int64_t out_size[NDCONV_MAX_RANK] = {};
  i128 pad_begin[NDCONV_MAX_RANK] = {};     // as applied (explicit or SAME)
  i128 input = 0, weights = 0, output = 0;  // element counts
  i128 taps = 1, out_pixels = 1;
  i128 macs = 0;                            // multiply-adds of one run
};

inline ConvExpectation expect_conv(const ndconv_conv_desc& d) {
  ConvExpectation e;
  const int32_t layout = raw_enum(&d.layout), wlayout = raw_enum(&d.weight_layout);
  const int32_t padding = raw_enum(&d.padding), act = raw_enum(&d.activation);
  if (d.rank < 1 || d.rank > NDCONV_MAX_RANK) return e;
  if (layout < 0 || layout > 1 || wlayout < 0 || wlayout > 1) return e;
  if (padding < 0 || padding > 3 || act < 0 || act > 2) return e;
  if (act == NDCONV_ACT_CLAMP &&
      (std::isnan(d.act_min) || std::isnan(d.act_max) || d.act_min > d.act_max))
    return e;
  if (d.batch < 1 || d.in_channels < 1 || d.out_channels < 1 || d.groups < 0) return e;
  const i128 groups = d.groups == 0 ? 1 : d.groups;
  if (d.in_channels % groups != 0 || d.out_channels % groups != 0) return e;
  i128 in_pixels = 1;
  for (int i = 0; i < d.rank; ++i) {
    if (d.in_size[i] < 1 || d.kernel[i] < 1) return e;
    if (d.stride[i] < 0 || d.dilation[i] < 0) return e;
    const i128 in = d.in_size[i], k = d.kernel[i];
    const i128 s = d.stride[i] == 0 ? 1 : d.stride[i];
    const i128 dil = d.dilation[i] == 0 ? 1 : d.dilation[i];
    const i128 span = dil * (k - 1) + 1;  // < 2^127: both factors < 2^63
    if (span > kInt64Max) return e;
    i128 pb = 0, pe = 0;
    if (padding == NDCONV_PAD_EXPLICIT) {
      if (d.pad_begin[i] < 0 || d.pad_end[i] < 0) return e;
      pb = d.pad_begin[i];
      pe = d.pad_end[i];
    } else if (padding == NDCONV_PAD_SAME_UPPER || padding == NDCONV_PAD_SAME_LOWER) {
      const i128 out = (in + s - 1) / s;
      i128 total = (out - 1) * s + span - in;
      if (total < 0) total = 0;
      const i128 small = total / 2, large = total - small;
      pb = padding == NDCONV_PAD_SAME_UPPER ? small : large;
      pe = total - pb;
    }
    if (in + pb + pe > kInt64Max) return e;
    const i128 out = (in + pb + pe - span) >= 0 ? (in + pb + pe - span) / s + 1 : 0;
    if (out < 1) return e;
    e.out_size[i] = static_cast<int64_t>(out);
    e.pad_begin[i] = pb;
    in_pixels = sat_mul(in_pixels, in);
    e.out_pixels = sat_mul(e.out_pixels, out);
    e.taps = sat_mul(e.taps, k);
  }
  e.input = sat_mul(sat_mul(d.batch, d.in_channels), in_pixels);
  e.output = sat_mul(sat_mul(d.batch, d.out_channels), e.out_pixels);
  e.weights = sat_mul(sat_mul(d.out_channels, d.in_channels / groups), e.taps);
  for (i128 count : {e.input, e.weights, e.output})
    if (sat_mul(count, 4) > kInt64Max) return e;
  e.macs = sat_mul(sat_mul(e.output, d.in_channels / groups), e.taps);
  e.valid = true;
  return e;
}

struct TextCnnExpectation {
  bool valid = false;
  i128 input = 0, weights_total = 0, output = 0, macs = 0, features = 0;
};

inline TextCnnExpectation expect_textcnn(const ndconv_textcnn_desc& d) {
  TextCnnExpectation e;
  const int32_t layout = raw_enum(&d.layout), wlayout = raw_enum(&d.weight_layout);
  const int32_t act = raw_enum(&d.activation), pooling = raw_enum(&d.pooling);
  if (d.batch < 1 || d.seq_len < 1 || d.embed_dim < 1) return e;
  if (d.branch_count < 1 || d.branch_count > NDCONV_TEXTCNN_MAX_BRANCHES) return e;
  if (layout < 0 || layout > 1 || wlayout < 0 || wlayout > 1 || act < 0 || act > 2) return e;
  if (pooling != NDCONV_TEXTCNN_POOL_MAX) return e;
  if (act == NDCONV_ACT_CLAMP &&
      (std::isnan(d.act_min) || std::isnan(d.act_max) || d.act_min > d.act_max))
    return e;
  e.input = sat_mul(sat_mul(d.batch, d.seq_len), d.embed_dim);
  if (sat_mul(e.input, 4) > kInt64Max) return e;
  for (int b = 0; b < d.branch_count; ++b) {
    const ndconv_textcnn_branch& br = d.branches[b];
    if (br.ngram < 1 || br.ngram > d.seq_len || br.filters < 1) return e;
    const i128 w = sat_mul(sat_mul(br.ngram, d.embed_dim), br.filters);
    if (sat_mul(w, 4) > kInt64Max) return e;
    e.weights_total += w;
    e.features += br.filters;
    if (e.features > kInt64Max) return e;
    e.macs += sat_mul(sat_mul(d.batch, d.seq_len - br.ngram + 1), w);
  }
  e.output = sat_mul(d.batch, e.features);
  if (sat_mul(e.output, 4) > kInt64Max) return e;
  e.valid = true;
  return e;
}

// Seeded values in [-1, 1], never exactly 0 (so an Inf input always meets a
// non-zero weight and gives +-Inf, never an ambiguous Inf * 0).
class Values {
 public:
  explicit Values(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  float value() {
    const float v = static_cast<float>(next() >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f;
    return v == 0.0f ? 0.5f : v;
  }
  void fill(float* p, size_t n) {
    for (size_t i = 0; i < n; ++i) p[i] = value();
  }
  // Plants one to three NaN / +Inf / -Inf at seeded positions.
  void plant_specials(float* p, size_t n) {
    static const float kSpecials[] = {std::numeric_limits<float>::quiet_NaN(),
                                      std::numeric_limits<float>::infinity(),
                                      -std::numeric_limits<float>::infinity()};
    if (n == 0) return;
    const int count = 1 + static_cast<int>(next() % 3);
    for (int i = 0; i < count; ++i) p[next() % n] = kSpecials[next() % 3];
  }

 private:
  uint64_t state_;
};

// One output element against its float64 reference value and magnitude:
// within 1e-5 * magnitude when both are finite; otherwise the same class
// (NaN with NaN, +Inf with +Inf, -Inf with -Inf).
inline bool within_tolerance(float got, double want, double magnitude) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return static_cast<double>(got) == want;
  if (std::isinf(magnitude)) return true;  // an Inf term cancelled: no bound to check
  return std::fabs(static_cast<double>(got) - want) <= 1e-5 * magnitude;
}

// The text-CNN header's formula in float64 for output [n][offset_b + f]:
// max over time of act(bias + window . filter), NaN if any window's is (the
// pooling propagates NaN), and the largest per-window magnitude as the bound.
inline void textcnn_reference(const ndconv_textcnn_desc& d, const float* x, const float* w,
                              const float* bias, int64_t n, int b, int64_t f, double* value,
                              double* bound) {
  const int64_t L = d.seq_len, E = d.embed_dim, k = d.branches[b].ngram, F = d.branches[b].filters;
  double best = -INFINITY, magnitude = 0.0;
  bool nan = false;
  for (int64_t l = 0; l + k <= L; ++l) {
    double y = bias ? bias[f] : 0.0, m = bias ? std::fabs(bias[f]) : 0.0;
    for (int64_t t = 0; t < k; ++t)
      for (int64_t e = 0; e < E; ++e) {
        const double xv = d.layout == NDCONV_NXC ? x[(n * L + l + t) * E + e] : x[(n * E + e) * L + l + t];
        const double wv = d.weight_layout == NDCONV_XIO ? w[(t * E + e) * F + f] : w[(f * E + e) * k + t];
        y += xv * wv;
        m += std::fabs(xv * wv);
      }
    if (d.activation == NDCONV_ACT_RELU && y < 0.0) y = 0.0;
    if (d.activation == NDCONV_ACT_CLAMP && !std::isnan(y))
      y = y < d.act_min ? d.act_min : (y > d.act_max ? d.act_max : y);
    if (std::isnan(y)) nan = true;
    if (y > best) best = y;
    if (m > magnitude) magnitude = m;
  }
  *value = nan ? NAN : best;
  *bound = magnitude;
}

}  // namespace fuzz
}  // namespace ndconv
