// libFuzzer target for the int8 convolution (issue 14): bytes ->
// ndconv_qconv_desc and weight scales (every field, hostile scales, zero
// points, counts and enum values included; fuzz_descs.h), then
//  - ndconv_qconv_output_size must agree with the independent oracle
//    (fuzz_qoracle.h: status and every extent);
//  - create must reject, with INVALID_ARGUMENT, a message and a NULL plan,
//    exactly the descriptors and weight scales the oracle rejects;
//  - when the tensors are small, ndconv_qconv_run under an ISA and int8
//    dot-product setting picked from the bytes must match the exact integer
//    oracle (S32 bit for bit, U8/S8 within 1, F32 within the float API's
//    tolerance), leave the input untouched, write every output element (two
//    runs over different fillings agree, one of them on a pool when the bytes
//    say so), and touch nothing outside the exactly sized heap blocks (ASan).
// Any failed check aborts (a crash for libFuzzer), as does any ASan/UBSan report.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "addressing/indirection.h"
#include "ndconv/ndconv.h"
#include "plan/isa_select.h"
#include "tests/fuzz/fuzz_descs.h"
#include "tests/fuzz/fuzz_oracle.h"
#include "tests/fuzz/fuzz_qoracle.h"

namespace {

using namespace ndconv::fuzz;

// The same budgets as the float32 target (fuzz_conv.cpp).
constexpr i128 kCreateWeights = 1 << 20;
constexpr i128 kCreateTensor = 1 << 22;
constexpr i128 kRunTensor = 100000;
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

template <class T>
std::unique_ptr<T[]> block(size_t n) {  // exactly n elements (1 for n == 0): ASan bounds
  return std::unique_ptr<T[]>(new T[n ? n : 1]);
}

struct QTensors {
  std::unique_ptr<uint8_t[]> input;
  std::unique_ptr<int8_t[]> weights;
  std::unique_ptr<float[]> scales;
  std::unique_ptr<int32_t[]> bias;
};

// Seeded data: random over each type's range, or (extreme_values) the input
// at its type's maximum and every weight -128: with a zero point at the
// type's minimum each tap adds -32640, so about 65800 taps leave int32 (the
// API's wrap-around), and a wide bias wraps smaller sums.
QTensors make_tensors(const ndconv_qconv_desc& d, const QConvExpectation& e, const QControl& c,
                      const WeightScaleRule& rule, Values& rng) {
  QTensors t;
  const size_t in_n = static_cast<size_t>(e.conv.input), w_n = static_cast<size_t>(e.conv.weights);
  const size_t channels = static_cast<size_t>(d.conv.out_channels);
  const size_t count = static_cast<size_t>(d.weight_scale_count);
  t.input = block<uint8_t>(in_n);
  t.weights = block<int8_t>(w_n);
  t.scales = block<float>(count);
  t.bias = block<int32_t>(channels);
  const uint8_t input_max = raw_enum(&d.input_type) == NDCONV_S8 ? 0x7f : 0xff;
  for (size_t i = 0; i < in_n; ++i)
    t.input[i] = c.extreme_values ? input_max : static_cast<uint8_t>(rng.next() >> 56);
  for (size_t i = 0; i < w_n; ++i)
    t.weights[i] = c.extreme_values ? int8_t{-128} : static_cast<int8_t>(static_cast<uint8_t>(rng.next() >> 56));
  for (size_t i = 0; i < count; ++i)
    t.scales[i] = rule.base * (1.0f + static_cast<float>(rng.next() >> 61) / 8.0f);
  if (rule.plant_channel > 0) t.scales[static_cast<size_t>((rule.plant_channel - 1) % d.weight_scale_count)] = rule.plant_scale;
  for (size_t i = 0; i < channels; ++i) {
    const uint32_t r = static_cast<uint32_t>(rng.next() >> 32);
    int32_t wide;
    std::memcpy(&wide, &r, sizeof wide);
    t.bias[i] = c.wide_bias ? wide : static_cast<int32_t>(r % 32769) - 16384;
  }
  return t;
}

// Runs twice (the bytes' pool, then none) over different fillings of the
// output: the runs must agree byte for byte (so every element was written)
// and match the oracle.
void check_run(const ndconv_qconv_desc& d, const QConvExpectation& e, const QControl& c,
               const QTensors& t, const ndconv_qconv* plan) {
  const size_t in_n = static_cast<size_t>(e.conv.input), out_b = static_cast<size_t>(e.out_bytes);
  auto input_copy = block<uint8_t>(in_n), first = block<uint8_t>(out_b), second = block<uint8_t>(out_b);
  std::memcpy(input_copy.get(), t.input.get(), in_n);
  std::memset(first.get(), 0xa5, out_b);
  std::memset(second.get(), 0x5a, out_b);
  const char* name = ndconv_qconv_kernel_name(plan);
  ndconv_status st = ndconv_qconv_run(plan, t.input.get(), first.get(), c.pool ? shared_pool() : nullptr);
  FUZZ_CHECK(st == NDCONV_OK, "run returned %d: %s", st, ndconv_last_error());
  st = ndconv_qconv_run(plan, t.input.get(), second.get(), nullptr);
  FUZZ_CHECK(st == NDCONV_OK, "second run returned %d: %s", st, ndconv_last_error());
  FUZZ_CHECK(std::memcmp(input_copy.get(), t.input.get(), in_n) == 0, "run modified its input (%s)", name);
  FUZZ_CHECK(std::memcmp(first.get(), second.get(), out_b) == 0,
             "two runs differ (an element not written, or pool-dependent), kernel %s, pool %d", name, c.pool);
  const int32_t out_type = raw_enum(&d.output_type);
  const int32_t* bias = c.with_bias ? t.bias.get() : nullptr;
  for (int64_t i = 0; i < static_cast<int64_t>(e.conv.output); ++i) {
    int64_t co = 0;
    const int32_t acc = qconv_accumulator(d, e.conv, t.input.get(), t.weights.get(), bias, i, &co);
    const double ws = t.scales[d.weight_scale_count == 1 ? 0 : static_cast<size_t>(co)];
    const double want = qconv_expected(d, ws, acc);
    const size_t at = static_cast<size_t>(i);
    bool ok;
    double got;
    if (out_type == NDCONV_F32 || out_type == NDCONV_S32) {
      int32_t s;
      float f;
      std::memcpy(&s, first.get() + 4 * at, 4);
      std::memcpy(&f, first.get() + 4 * at, 4);
      got = out_type == NDCONV_S32 ? s : static_cast<double>(f);
      ok = out_type == NDCONV_S32 ? got == want : qconv_f32_close(f, want, acc);
    } else {
      got = out_type == NDCONV_U8 ? first[at] : static_cast<int8_t>(first[at]);
      ok = std::fabs(got - want) <= 1.0;
    }
    FUZZ_CHECK(ok, "mismatch at output[%lld] of %lld: got %.9g, want %.9g (acc %d, channel %lld), "
               "kernel %s, output_type %d, pool %d, int8 dot %d", static_cast<long long>(i),
               static_cast<long long>(e.conv.output), got, want, acc, static_cast<long long>(co),
               name, out_type, c.pool, ndconv_int8_dot_product());
  }
}

// The plan's name: "<algorithm>/<isa>[-<dot product>]" of the ISA set, no
// dot-product variant when it was switched off, or "<algorithm>/scalar" only
// where the header's plain C++ is the plan: the exact reference, and the
// int8 depthwise where the ISA has no depthwise kernel (NEON today) or one
// pixel's taps overflow the row-pointer array (more than kMaxRowPointers).
bool scalar_plan_allowed(const std::string& algorithm, ndconv_isa isa, int64_t taps) {
  if (isa == NDCONV_ISA_SCALAR || algorithm == "int8-reference") return true;
  const bool depthwise = algorithm == "int8-depthwise" || algorithm == "int8-depthwise-ncx";
  return depthwise && (isa == NDCONV_ISA_NEON || taps > static_cast<int64_t>(ndconv::dispatch::kMaxRowPointers));
}

void check_name(const ndconv_qconv* plan, ndconv_isa isa, bool dot_off, int64_t taps) {
  const std::string name = ndconv_qconv_kernel_name(plan);
  const size_t slash = name.find('/');
  FUZZ_CHECK(slash != std::string::npos && slash > 0, "kernel name '%s'", name.c_str());
  const std::string variant = name.substr(slash + 1), isa_name = ndconv_isa_name(isa);
  if (variant == "scalar") {
    FUZZ_CHECK(scalar_plan_allowed(name.substr(0, slash), isa, taps),
               "kernel name '%s' under ISA %s (%lld taps)", name.c_str(), isa_name.c_str(),
               static_cast<long long>(taps));
    return;
  }
  const bool dot = variant.size() > isa_name.size() && variant[isa_name.size()] == '-';
  FUZZ_CHECK(variant.compare(0, isa_name.size(), isa_name) == 0 && (variant == isa_name || dot),
             "kernel name '%s' under ISA %s", name.c_str(), isa_name.c_str());
  FUZZ_CHECK(!(dot_off && dot), "kernel name '%s' with the int8 dot product off", name.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteReader reader(data, size);
  const QControl control = decode_qcontrol(reader.byte());
  Values rng(reader.byte());
  ndconv_qconv_desc d;
  WeightScaleRule rule;
  read_qconv(reader, &d, &rule);
  const QConvExpectation e = expect_qconv(d);
  Tally& tally = Tally::count("qconv");
  tally.valid += e.valid;

  // 1. output_size: status and extents agree with the oracle.
  check_output_size(
      "qconv_output_size", [&](int64_t* out) { return ndconv_qconv_output_size(&d, out); }, e.valid,
      d.conv.rank, e.conv.out_size);

  // 2. create agrees. An invalid descriptor is rejected before the weights
  //    and scales are read: one-element blocks are enough (ASan checks it).
  ndconv_isa isas[4];
  const ndconv_isa isa = isas[control.isa_index % available_isas(isas)];
  FUZZ_CHECK(ndconv_set_isa(isa) == NDCONV_OK, "set_isa(%s)", ndconv_isa_name(isa));
  ndconv_set_int8_dot_product(control.no_int8_dot ? 0 : 1);
  if (!e.valid) {
    int8_t one_weight = 1;
    float one_scale = 1.0f;
    ndconv_qconv* plan = reinterpret_cast<ndconv_qconv*>(&one_weight);
    const ndconv_status st = ndconv_qconv_create(&d, &one_weight, &one_scale, nullptr, &plan);
    FUZZ_CHECK(st == NDCONV_INVALID_ARGUMENT, "create returned %d for an invalid desc", st);
    FUZZ_CHECK(plan == nullptr, "create failed but left *out_qconv set");
    FUZZ_CHECK(ndconv_last_error()[0] != '\0', "create failed without a message");
    return 0;
  }
  if (e.conv.weights > kCreateWeights || e.conv.input > kCreateTensor ||
      e.conv.output > kCreateTensor || sat_mul(e.conv.out_pixels, e.conv.taps) > kCreateTensor)
    return 0;
  const QTensors t = make_tensors(d, e, control, rule, rng);
  const bool scales_ok = weight_scales_accepted(d, e.quantized_out, t.scales.get());
  ndconv_qconv* plan = reinterpret_cast<ndconv_qconv*>(&tally);
  const ndconv_status st = ndconv_qconv_create(&d, t.weights.get(), t.scales.get(),
                                               control.with_bias ? t.bias.get() : nullptr, &plan);
  if (!scales_ok) {
    FUZZ_CHECK(st == NDCONV_INVALID_ARGUMENT && plan == nullptr && ndconv_last_error()[0] != '\0',
               "create returned %d (plan %p, message '%s') for invalid weight scales", st,
               static_cast<void*>(plan), ndconv_last_error());
    return 0;
  }
  FUZZ_CHECK(st == NDCONV_OK && plan != nullptr, "create returned %d for a valid desc: %s", st,
             ndconv_last_error());
  ++tally.created;
  // taps <= weights <= kCreateWeights here: the cast keeps the value.
  check_name(plan, isa, control.no_int8_dot, static_cast<int64_t>(e.conv.taps));

  // 3. run small problems and compare.
  if (e.conv.input <= kRunTensor && e.conv.output <= kRunTensor && e.conv.weights <= kRunTensor &&
      e.conv.macs <= kRunMacs) {
    ++tally.compared;
    check_run(d, e, control, t, plan);
  }
  ndconv_qconv_destroy(plan);
  return 0;
}
