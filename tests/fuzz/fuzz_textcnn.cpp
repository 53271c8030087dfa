// libFuzzer target for the fused text-CNN block: bytes -> ndconv_textcnn_desc
// (every field, extremes and out-of-enum values included; fuzz_descs.h), then
//  - ndconv_textcnn_create must return what the independent oracle
//    (fuzz_oracle.h) says: INVALID_ARGUMENT with a message and a NULL plan,
//    or OK;
//  - when the tensors are small, ndconv_textcnn_run under an ISA picked from
//    the bytes must match a float64 evaluation of the header's formula
//    (max over time of act(bias + window . filter)) within API.md's tolerance:
//    max is 1-Lipschitz, so the bound is the largest magnitude over time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "plan/isa_select.h"
#include "ndconv/ndconv.h"
#include "tests/fuzz/fuzz_descs.h"
#include "tests/fuzz/fuzz_oracle.h"

namespace {

using namespace ndconv::fuzz;

constexpr i128 kCreateWeights = 1 << 20;
constexpr i128 kRunTensor = 100000;
constexpr i128 kRunMacs = 2000000;

std::unique_ptr<float[]> floats(size_t n) { return std::unique_ptr<float[]>(new float[n ? n : 1]); }

ndconv_threadpool* shared_pool() {
  static ndconv_threadpool* pool = ndconv_threadpool_create(2);
  return pool;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteReader reader(data, size);
  const Control control = decode_control(reader.byte());
  Values values(reader.byte());
  ndconv_textcnn_desc d;
  read_textcnn(reader, &d);
  const TextCnnExpectation e = expect_textcnn(d);
  Tally& tally = Tally::count("textcnn");
  tally.valid += e.valid;

  ndconv_isa isas[4];
  int isa_count = 0;
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON})
    if (ndconv::dispatch::isa_available(isa)) isas[isa_count++] = isa;
  const ndconv_isa isa = isas[control.isa_index % isa_count];
  FUZZ_CHECK(ndconv_set_isa(isa) == NDCONV_OK, "set_isa(%s)", ndconv_isa_name(isa));

  const int branches = e.valid ? d.branch_count : 0;
  if (!e.valid) {
    // Invalid: rejected before any weight is read; one float per branch slot.
    float one = 1.0f;
    const float* w[NDCONV_TEXTCNN_MAX_BRANCHES];
    for (const float*& p : w) p = &one;
    ndconv_textcnn* block = reinterpret_cast<ndconv_textcnn*>(&one);
    const ndconv_status st = ndconv_textcnn_create(&d, w, nullptr, &block);
    FUZZ_CHECK(st == NDCONV_INVALID_ARGUMENT, "textcnn create returned %d for an invalid desc", st);
    FUZZ_CHECK(block == nullptr, "create failed but left *out_textcnn set");
    FUZZ_CHECK(ndconv_last_error()[0] != '\0', "textcnn create failed without a message");
    return 0;
  }
  if (e.weights_total > kCreateWeights || e.input > kCreateWeights * 4) return 0;

  std::vector<std::unique_ptr<float[]>> weights, biases;
  const float* w[NDCONV_TEXTCNN_MAX_BRANCHES] = {};
  const float* bias[NDCONV_TEXTCNN_MAX_BRANCHES] = {};
  for (int b = 0; b < branches; ++b) {
    const int64_t k = d.branches[b].ngram, F = d.branches[b].filters;
    weights.push_back(floats(static_cast<size_t>(k * d.embed_dim * F)));
    values.fill(weights.back().get(), static_cast<size_t>(k * d.embed_dim * F));
    w[b] = weights.back().get();
    biases.push_back(floats(static_cast<size_t>(F)));
    values.fill(biases.back().get(), static_cast<size_t>(F));
    // partial_bias: every other branch without bias.
    bias[b] = control.partial_bias && (b % 2 == 1) ? nullptr : biases.back().get();
  }
  const float* const* bias_arg = control.with_bias ? bias : nullptr;
  ndconv_textcnn* block = nullptr;
  const ndconv_status st = ndconv_textcnn_create(&d, w, bias_arg, &block);
  FUZZ_CHECK(st == NDCONV_OK && block != nullptr, "textcnn create returned %d for a valid desc: %s",
             st, ndconv_last_error());

  ++tally.created;
  if (e.input <= kRunTensor && e.output <= kRunTensor && e.weights_total <= kRunTensor &&
      e.macs <= kRunMacs) {
    ++tally.compared;
    const size_t in_n = static_cast<size_t>(e.input), out_n = static_cast<size_t>(e.output);
    auto input = floats(in_n), input_copy = floats(in_n), output = floats(out_n);
    values.fill(input.get(), in_n);
    if (control.specials) values.plant_specials(input.get(), in_n);
    std::memcpy(input_copy.get(), input.get(), in_n * 4);
    for (size_t i = 0; i < out_n; ++i) output[i] = -12345.0f;
    const ndconv_status rs =
        ndconv_textcnn_run(block, input.get(), output.get(), control.pool ? shared_pool() : nullptr);
    FUZZ_CHECK(rs == NDCONV_OK, "textcnn run returned %d: %s", rs, ndconv_last_error());
    FUZZ_CHECK(std::memcmp(input.get(), input_copy.get(), in_n * 4) == 0, "run modified its input");
    const int64_t features = static_cast<int64_t>(e.features);
    for (int64_t n = 0; n < d.batch; ++n) {
      int64_t offset = 0;
      for (int b = 0; b < branches; ++b) {
        const float* bb = bias_arg ? bias_arg[b] : nullptr;
        for (int64_t f = 0; f < d.branches[b].filters; ++f) {
          double want, bound;
          textcnn_reference(d, input.get(), w[b], bb, n, b, f, &want, &bound);
          const float got = output[n * features + offset + f];
          FUZZ_CHECK(within_tolerance(got, want, bound),
                     "textcnn mismatch at [%lld][%lld] (branch %d): got %.9g, want %.9g (bound %g), "
                     "%s, specials %d",
                     static_cast<long long>(n), static_cast<long long>(offset + f), b,
                     static_cast<double>(got), want, bound, ndconv_textcnn_kernel_name(block),
                     control.specials);
        }
        offset += d.branches[b].filters;
      }
    }
  }
  ndconv_textcnn_destroy(block);
  return 0;
}
