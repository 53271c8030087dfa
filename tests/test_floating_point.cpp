// Floating-point behaviour (README "Floating-point behaviour"), on every ISA:
//  - NaN, +Inf and -Inf inputs propagate through the GEMM, depthwise and
//    reference paths and their NONE / RELU / CLAMP epilogues exactly as
//    through the float64 reference, and through the text-CNN max pool: an
//    output is NaN (or +-Inf) exactly when the reference's is, so a NaN never
//    vanishes and never leaks into outputs that do not read it;
//  - a NaN weight makes NaN every output whose window really reads that tap;
//  - ndconv leaves the caller's MXCSR (x86) / FPCR (AArch64) as it found it,
//    and results with subnormals follow the calling thread's mode.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/fuzz/fuzz_oracle.h"
#include "tests/isa_param.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"
#include "tests/support/conv_desc.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using ndconv::fuzz::within_tolerance;
using ndconv::test::IsaTest;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// The calling thread's floating-point control register: its mode bits only.
// (MXCSR bits 0-5 are sticky exception flags that any arithmetic sets, e.g.
// DE on a subnormal operand; they are status, not mode.)
#if defined(__x86_64__)
uint64_t fp_control() { return _mm_getcsr() & ~0x3Fu; }
void set_fp_control(uint64_t v) { _mm_setcsr(static_cast<unsigned>(v)); }
constexpr uint64_t kFlushSubnormals = 0x8040;  // MXCSR FTZ (bit 15) | DAZ (bit 6)
#elif defined(__aarch64__)
uint64_t fp_control() {
  uint64_t v;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(v));
  return v;
}
void set_fp_control(uint64_t v) { __asm__ __volatile__("msr fpcr, %0" : : "r"(v)); }
constexpr uint64_t kFlushSubnormals = uint64_t{1} << 24;  // FPCR.FZ
#endif

ndconv_conv_desc conv2d(ndconv_layout layout, int64_t cin, int64_t cout, int64_t h, int64_t w,
                        int64_t kh, int64_t kw, int64_t groups, ndconv_padding padding) {
  return ndconv::test::conv2d_desc(layout, cin, cout, h, w, kh, kw, groups, padding);
}

struct NamedDesc {
  const char* name;
  ndconv_conv_desc desc;
};

// One shape per algorithm and layout (SAME padding wherever it applies).
std::vector<NamedDesc> shapes() {
  ndconv_conv_desc ngram1d = {};
  ngram1d.rank = 1;
  ngram1d.layout = NDCONV_NXC;
  ngram1d.batch = 2;
  ngram1d.in_channels = 12;
  ngram1d.out_channels = 19;
  ngram1d.in_size[0] = 15;
  ngram1d.kernel[0] = 4;
  ngram1d.padding = NDCONV_PAD_SAME_UPPER;
  return {
      {"pointwise_nxc", conv2d(NDCONV_NXC, 20, 37, 5, 7, 1, 1, 1, NDCONV_PAD_VALID)},
      {"pointwise_ncx", conv2d(NDCONV_NCX, 20, 37, 5, 7, 1, 1, 1, NDCONV_PAD_VALID)},
      {"depthwise_nxc", conv2d(NDCONV_NXC, 19, 19, 9, 10, 3, 3, 19, NDCONV_PAD_SAME_UPPER)},
      {"depthwise_ncx", conv2d(NDCONV_NCX, 19, 19, 9, 21, 3, 3, 19, NDCONV_PAD_SAME_UPPER)},
      {"ngram_conv2d", conv2d(NDCONV_NXC, 1, 21, 12, 16, 3, 16, 1, NDCONV_PAD_VALID)},
      {"ngram_conv1d_same", ngram1d},
      {"general_nxc", conv2d(NDCONV_NXC, 7, 20, 8, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER)},
      {"general_ncx", conv2d(NDCONV_NCX, 7, 20, 8, 9, 3, 3, 1, NDCONV_PAD_SAME_UPPER)},
      {"grouped_nxc", conv2d(NDCONV_NXC, 8, 8, 7, 7, 3, 3, 4, NDCONV_PAD_SAME_UPPER)},
      {"grouped_ncx", conv2d(NDCONV_NCX, 8, 8, 7, 7, 3, 3, 4, NDCONV_PAD_SAME_UPPER)},
  };
}

struct Activation {
  ndconv_activation act;
  float lo, hi;
};
const Activation kActivations[] = {
    {NDCONV_ACT_NONE, 0, 0}, {NDCONV_ACT_RELU, 0, 0}, {NDCONV_ACT_CLAMP, -0.5f, 0.5f}};

// Runs `d` on `input` and checks every output against the reference: NaN
// exactly where it is NaN, +-Inf exactly where it is, the rest in tolerance.
::testing::AssertionResult run_matches(const ndconv_conv_desc& d, const std::vector<float>& input,
                                       const std::vector<float>& weights, const std::vector<float>& bias,
                                       size_t* special_outputs) {
  ndconv_conv* conv = nullptr;
  if (ndconv_conv_create(&d, weights.data(), bias.data(), &conv) != NDCONV_OK)
    return ::testing::AssertionFailure() << "create: " << ndconv_last_error();
  std::vector<float> out(ndconv::test::tensor_sizes(d).output, 12345.0f);
  const ndconv_status st = ndconv_conv_run(conv, input.data(), out.data(), nullptr);
  const std::string kernel = ndconv_conv_kernel_name(conv);
  ndconv_conv_destroy(conv);
  if (st != NDCONV_OK) return ::testing::AssertionFailure() << "run: " << ndconv_last_error();
  const ndconv::test::ReferenceOutput ref =
      ndconv::test::reference_output(d, input.data(), weights.data(), bias.data());
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(ref.value[i])) ++*special_outputs;
    if (!within_tolerance(out[i], ref.value[i], ref.magnitude[i]))
      return ::testing::AssertionFailure() << kernel << ": output " << i << " is " << out[i]
                                           << ", the reference " << ref.value[i];
  }
  return ::testing::AssertionSuccess();
}

class FloatingPoint : public IsaTest {};

TEST_P(FloatingPoint, NanAndInfInputsPropagateExactlyLikeTheReference) {
  for (const NamedDesc& s : shapes()) {
    for (const Activation& a : kActivations) {
      ndconv_conv_desc d = s.desc;
      d.activation = a.act;
      d.act_min = a.lo;
      d.act_max = a.hi;
      const ndconv::test::TensorSizes sizes = ndconv::test::tensor_sizes(d);
      const std::vector<float> weights = ndconv::test::random_tensor(sizes.weights, 5);
      const std::vector<float> bias = ndconv::test::random_tensor(sizes.bias, 6);
      for (float special : {kNaN, kInf, -kInf}) {
        // First, last and a middle element: corners of the padding, tails of
        // the vector loops and the interior.
        std::vector<float> input = ndconv::test::random_tensor(sizes.input, 7);
        input[0] = input[sizes.input - 1] = input[sizes.input / 2 + 3] = special;
        size_t specials = 0;
        EXPECT_TRUE(run_matches(d, input, weights, bias, &specials))
            << s.name << ", activation " << a.act << ", input " << special;
        // CLAMP maps +-Inf into its range: only NaN must survive it.
        if (a.act != NDCONV_ACT_CLAMP || std::isnan(special))
          EXPECT_GT(specials, 0u) << s.name << ": the special value reached no output";
      }
    }
  }
}

// A NaN weight: every output whose window reads that tap inside the input is
// NaN. (Where the tap meets only padding, the reference skips the product;
// ndconv may compute NaN * 0 = NaN there: see the README.)
TEST_P(FloatingPoint, NanWeightReachesEveryOutputThatReadsItsTap) {
  for (const NamedDesc& s : shapes()) {
    ndconv_conv_desc d = s.desc;
    d.activation = NDCONV_ACT_RELU;
    const ndconv::test::TensorSizes sizes = ndconv::test::tensor_sizes(d);
    std::vector<float> weights = ndconv::test::random_tensor(sizes.weights, 8);
    weights[0] = kNaN;  // output channel 0 (OIX) , first input channel, first tap
    const std::vector<float> bias = ndconv::test::random_tensor(sizes.bias, 9);
    const std::vector<float> input = ndconv::test::random_tensor(sizes.input, 10);
    ndconv_conv* conv = nullptr;
    ASSERT_EQ(ndconv_conv_create(&d, weights.data(), bias.data(), &conv), NDCONV_OK);
    std::vector<float> out(sizes.output);
    ASSERT_EQ(ndconv_conv_run(conv, input.data(), out.data(), nullptr), NDCONV_OK);
    const std::string kernel = ndconv_conv_kernel_name(conv);
    ndconv_conv_destroy(conv);
    const ndconv::test::ReferenceOutput ref =
        ndconv::test::reference_output(d, input.data(), weights.data(), bias.data());
    size_t nan_outputs = 0, padding_nans = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!std::isnan(ref.value[i])) {
        // Allowed only where the tap meets padding (see the README); with
        // VALID padding there is none, so there it must match exactly.
        if (std::isnan(out[i])) ++padding_nans;
        if (d.padding == NDCONV_PAD_VALID)
          EXPECT_TRUE(within_tolerance(out[i], ref.value[i], ref.magnitude[i])) << s.name << ": output " << i;
        continue;
      }
      ++nan_outputs;
      EXPECT_TRUE(std::isnan(out[i])) << s.name << " (" << kernel << "): output " << i << " = " << out[i];
    }
    EXPECT_GT(nan_outputs, 0u) << s.name;
    std::printf("NaN weight, %s (%s): %zu outputs read the tap (all NaN), %zu NaN from the tap meeting padding\n",
                s.name, kernel.c_str(), nan_outputs, padding_nans);
  }
}

TEST_P(FloatingPoint, TextCnnMaxPoolKeepsNanAndInf) {
  for (const Activation& a : kActivations) {
    for (float special : {kNaN, kInf, -kInf}) {
      ndconv_textcnn_desc d = {};
      d.batch = 3;
      d.seq_len = 23;
      d.embed_dim = 9;
      d.branch_count = 3;
      d.branches[0] = {2, 7};
      d.branches[1] = {3, 21};  // NR tails on every ISA
      d.branches[2] = {5, 40};
      d.layout = NDCONV_NXC;
      d.weight_layout = NDCONV_XIO;
      d.activation = a.act;
      d.act_min = a.lo;
      d.act_max = a.hi;
      std::vector<std::vector<float>> w, b;
      const float* wp[3];
      const float* bp[3];
      for (int i = 0; i < 3; ++i) {
        w.push_back(ndconv::test::random_tensor(d.branches[i].ngram * 9 * d.branches[i].filters, 40 + i));
        b.push_back(ndconv::test::random_tensor(d.branches[i].filters, 50 + i));
        wp[i] = w.back().data();
        bp[i] = b.back().data();
      }
      // Sentence 0: special at its first word; sentence 1: in the middle
      // (inside many tiles' rows); sentence 2: none.
      std::vector<float> input = ndconv::test::random_tensor(3 * 23 * 9, 60);
      input[0 * 23 * 9 + 4] = special;
      input[1 * 23 * 9 + 11 * 9 + 2] = special;
      ndconv_textcnn* block = nullptr;
      ASSERT_EQ(ndconv_textcnn_create(&d, wp, bp, &block), NDCONV_OK);
      std::vector<float> out(3 * 68);
      ASSERT_EQ(ndconv_textcnn_run(block, input.data(), out.data(), nullptr), NDCONV_OK);
      ndconv_textcnn_destroy(block);
      for (int64_t n = 0; n < 3; ++n) {
        int64_t offset = 0;
        for (int br = 0; br < 3; ++br) {
          for (int64_t f = 0; f < d.branches[br].filters; ++f) {
            double want, bound;
            ndconv::fuzz::textcnn_reference(d, input.data(), wp[br], bp[br], n, br, f, &want, &bound);
            const float got = out[n * 68 + offset + f];
            EXPECT_TRUE(within_tolerance(got, want, bound))
                << "sentence " << n << " branch " << br << " filter " << f << ": " << got << " vs " << want
                << " (activation " << a.act << ", special " << special << ")";
            if (std::isnan(special) && n < 2) EXPECT_TRUE(std::isnan(got));
          }
          offset += d.branches[br].filters;
        }
      }
    }
  }
}

#if defined(__x86_64__) || defined(__aarch64__)
// Subnormal inputs through 1x1, depthwise and 3x3 paths whose only non-zero
// weight is 1: y = x exactly under the default mode, 0 under flush-to-zero.
TEST_P(FloatingPoint, CallerModeIsKeptAndDecidesSubnormals) {
  const float tiny = std::numeric_limits<float>::denorm_min() * 37.0f;  // subnormal
  const uint64_t saved = fp_control();
  for (const NamedDesc& s : {NamedDesc{"pointwise", conv2d(NDCONV_NXC, 1, 1, 4, 5, 1, 1, 1, NDCONV_PAD_VALID)},
                             NamedDesc{"depthwise", conv2d(NDCONV_NCX, 3, 3, 4, 5, 3, 3, 3, NDCONV_PAD_SAME_UPPER)},
                             NamedDesc{"general", conv2d(NDCONV_NXC, 1, 1, 4, 5, 3, 3, 1, NDCONV_PAD_SAME_UPPER)}}) {
    const ndconv::test::TensorSizes sizes = ndconv::test::tensor_sizes(s.desc);
    std::vector<float> weights(sizes.weights, 0.0f);
    const int64_t taps = s.desc.kernel[0] * s.desc.kernel[1];
    for (size_t o = 0; o < sizes.weights / static_cast<size_t>(taps); ++o) weights[o * taps + taps / 2] = 1.0f;
    const std::vector<float> input(sizes.input, tiny);
    for (bool flush : {false, true}) {
      const uint64_t mode = flush ? (saved | kFlushSubnormals) : (saved & ~kFlushSubnormals);
      set_fp_control(mode);
      ndconv_conv* conv = nullptr;
      ASSERT_EQ(ndconv_conv_create(&s.desc, weights.data(), nullptr, &conv), NDCONV_OK);
      EXPECT_EQ(fp_control(), mode) << s.name << ": create changed the FP control register";
      std::vector<float> out(sizes.output, -1.0f);
      ASSERT_EQ(ndconv_conv_run(conv, input.data(), out.data(), nullptr), NDCONV_OK);
      EXPECT_EQ(fp_control(), mode) << s.name << ": run changed the FP control register";
      ndconv_conv_destroy(conv);
      set_fp_control(saved);
      for (size_t i = 0; i < out.size(); ++i)
        ASSERT_EQ(out[i], flush ? 0.0f : tiny) << s.name << (flush ? " (flush)" : "") << ", output " << i;
    }
  }
  EXPECT_EQ(fp_control(), saved);
}
#endif

INSTANTIATE_TEST_SUITE_P(EveryIsa, FloatingPoint, ::testing::ValuesIn(ndconv::test::available_isas()),
                         ndconv::test::isa_test_name);

}  // namespace
