// libFuzzer target for the convolution descriptor: bytes -> ndconv_conv_desc
// (every field, extremes and out-of-enum values included; fuzz_descs.h), then
//  - ndconv_conv_output_size must agree with the independent oracle
//    (fuzz_oracle.h: status and every extent) and with ndconv_conv_create;
//  - a failure names its cause (ndconv_last_error non-empty), create leaves
//    *out_conv NULL;
//  - when the tensors are small, ndconv_conv_run under an ISA picked from the
//    bytes (among those this CPU has) must match the float64 reference within
//    API.md's tolerance, leave the input untouched and write every output.
// Any failed check aborts (a crash for libFuzzer), as does any ASan/UBSan
// report: the `fuzz` preset builds everything with -fsanitize=address,undefined.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "api/conv_shape.h"
#include "plan/isa_select.h"
#include "kernels/reference.h"
#include "ndconv/ndconv.h"
#include "tests/fuzz/fuzz_descs.h"
#include "tests/fuzz/fuzz_oracle.h"

namespace {

using namespace ndconv::fuzz;

// Limits that keep one input fast under the sanitizers: create only plans
// whose weights and indirection data are modest, run only small tensors.
constexpr i128 kCreateWeights = 1 << 20;
constexpr i128 kCreateTensor = 1 << 22;   // input / output / out_pixels * taps
constexpr i128 kRunTensor = 100000;       // each of input, weights, output
constexpr i128 kRunMacs = 2000000;

int available_isas(ndconv_isa* out) {
  int n = 0;
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON})
    if (ndconv::dispatch::isa_available(isa)) out[n++] = isa;
  return n;
}

ndconv_threadpool* shared_pool() {
  static ndconv_threadpool* pool = ndconv_threadpool_create(2);  // lives for the process
  return pool;
}

std::unique_ptr<float[]> floats(size_t n) { return std::unique_ptr<float[]>(new float[n ? n : 1]); }

void check_run(const ndconv_conv_desc& d, const ConvExpectation& e, const Control& control,
               Values& values, ndconv_conv* conv, const float* weights, const float* bias,
               const char* isa_name) {
  const size_t in_n = static_cast<size_t>(e.input), out_n = static_cast<size_t>(e.output);
  // Exactly sized heap blocks: ASan traps any access past either end.
  auto input = floats(in_n), output = floats(out_n), input_copy = floats(in_n);
  values.fill(input.get(), in_n);
  if (control.specials) values.plant_specials(input.get(), in_n);
  std::memcpy(input_copy.get(), input.get(), in_n * sizeof(float));
  // A canary NaN pattern distinct from any computed NaN: every element must be written.
  const uint32_t canary = 0x7fc0dead;
  for (size_t i = 0; i < out_n; ++i) std::memcpy(&output[i], &canary, 4);

  ndconv_threadpool* pool = control.pool ? shared_pool() : nullptr;
  const ndconv_status st = ndconv_conv_run(conv, input.get(), output.get(), pool);
  FUZZ_CHECK(st == NDCONV_OK, "run returned %d: %s", st, ndconv_last_error());
  FUZZ_CHECK(std::memcmp(input_copy.get(), input.get(), in_n * sizeof(float)) == 0,
             "run modified its input (%s)", ndconv_conv_kernel_name(conv));

  ndconv::dispatch::ConvShape shape;
  FUZZ_CHECK(ndconv::dispatch::validate_desc(&d, &shape) == NDCONV_OK, "validate_desc");
  for (size_t i = 0; i < out_n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &output[i], 4);
    FUZZ_CHECK(bits != canary, "output[%zu] not written by %s", i, ndconv_conv_kernel_name(conv));
    const ndconv::kernels::ReferenceElement r = ndconv::kernels::reference_element(
        shape, input.get(), weights, bias, static_cast<int64_t>(i));
    const double want = ndconv::kernels::reference_activate(shape, r.value);
    FUZZ_CHECK(within_tolerance(output[i], want, r.magnitude),
               "mismatch at output[%zu] of %zu: got %.9g, want %.9g (magnitude %g), kernel %s, "
               "isa %s, specials %d",
               i, out_n, static_cast<double>(output[i]), want, r.magnitude,
               ndconv_conv_kernel_name(conv), isa_name, control.specials);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteReader reader(data, size);
  const Control control = decode_control(reader.byte());
  Values values(reader.byte());
  ndconv_conv_desc d;
  read_conv(reader, &d);
  const ConvExpectation e = expect_conv(d);
  Tally& tally = Tally::count("conv");
  tally.valid += e.valid;

  // 1. output_size: status and extents agree with the oracle; entries past
  //    rank untouched.
  check_output_size(
      "output_size", [&](int64_t* out) { return ndconv_conv_output_size(&d, out); }, e.valid, d.rank,
      e.out_size);

  // 2. create agrees. An invalid descriptor must be rejected before the
  //    weights are read, so a one-float buffer is enough (ASan checks it).
  ndconv_isa isas[4];
  const int isa_count = available_isas(isas);
  const ndconv_isa isa = isas[control.isa_index % isa_count];
  FUZZ_CHECK(ndconv_set_isa(isa) == NDCONV_OK, "set_isa(%s)", ndconv_isa_name(isa));
  if (!e.valid) {
    float one_weight = 1.0f;
    ndconv_conv* conv = reinterpret_cast<ndconv_conv*>(&one_weight);
    const ndconv_status st = ndconv_conv_create(&d, &one_weight, nullptr, &conv);
    FUZZ_CHECK(st == NDCONV_INVALID_ARGUMENT, "create returned %d for an invalid desc", st);
    FUZZ_CHECK(conv == nullptr, "create failed but left *out_conv set");
    FUZZ_CHECK(ndconv_last_error()[0] != '\0', "create failed without a message");
    return 0;
  }
  if (e.weights > kCreateWeights || e.input > kCreateTensor || e.output > kCreateTensor ||
      sat_mul(e.out_pixels, e.taps) > kCreateTensor)
    return 0;
  const size_t w_n = static_cast<size_t>(e.weights), b_n = static_cast<size_t>(d.out_channels);
  auto weights = floats(w_n), bias = floats(b_n);
  values.fill(weights.get(), w_n);
  values.fill(bias.get(), b_n);
  const float* bias_arg = control.with_bias ? bias.get() : nullptr;
  ndconv_conv* conv = nullptr;
  const ndconv_status st = ndconv_conv_create(&d, weights.get(), bias_arg, &conv);
  FUZZ_CHECK(st == NDCONV_OK && conv != nullptr, "create returned %d for a valid desc: %s", st,
             ndconv_last_error());
  ++tally.created;
  const std::string name = ndconv_conv_kernel_name(conv);
  const std::string suffix = std::string("/") + ndconv_isa_name(isa);
  FUZZ_CHECK(name.size() > suffix.size() &&
                 (name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 ||
                  name == "reference/scalar"),
             "kernel name '%s' under ISA %s", name.c_str(), ndconv_isa_name(isa));

  // 3. run small problems and compare.
  if (e.input <= kRunTensor && e.output <= kRunTensor && e.weights <= kRunTensor &&
      e.macs <= kRunMacs) {
    ++tally.compared;
    check_run(d, e, control, values, conv, weights.get(), bias_arg, ndconv_isa_name(isa));
  }
  ndconv_conv_destroy(conv);
  return 0;
}
