// The equivalences people ask about, through the public API: the same numbers
// from differently phrased convolutions (each output is also checked against
// the reference, so two equally wrong answers cannot pass).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ndconv/ndconv.hpp"
#include "tests/support/guarded_buffer.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace {

using ndconv::ConvBuilder;
using ndconv::test::Guard;
using ndconv::test::GuardedBuffer;

GuardedBuffer guarded_copy(const std::vector<float>& v, Guard guard = Guard::kAfter) {
  GuardedBuffer b(v.size(), guard);
  b.copy_from(v.data());
  return b;
}

// Runs `builder` on input / weights / bias, checks the result against the
// reference, and returns it.
std::vector<float> run(const ConvBuilder& builder, const std::vector<float>& input,
                       const std::vector<float>& weights, const std::vector<float>* bias) {
  const auto sizes = builder.sizes();
  EXPECT_EQ(static_cast<size_t>(sizes.input), input.size());
  EXPECT_EQ(static_cast<size_t>(sizes.weights), weights.size());
  GuardedBuffer in = guarded_copy(input), w = guarded_copy(weights, Guard::kBefore);
  GuardedBuffer b = guarded_copy(bias ? *bias : std::vector<float>(1));
  GuardedBuffer out(static_cast<size_t>(sizes.output));
  const float* bias_ptr = bias ? b.data() : nullptr;
  builder.build(w.data(), bias_ptr).run(in.data(), out.data());
  EXPECT_TRUE(ndconv::test::matches_reference(builder.desc(), in.data(), w.data(), bias_ptr, out.data()));
  return std::vector<float>(out.begin(), out.end());
}

// |a - b| within twice the API tolerance of the reference of `builder`.
void expect_same_numbers(const std::vector<float>& a, const std::vector<float>& b,
                         const ConvBuilder& builder, const std::vector<float>& input,
                         const std::vector<float>& weights, const std::vector<float>* bias) {
  ASSERT_EQ(a.size(), b.size());
  const auto ref = ndconv::test::reference_output(builder.desc(), input.data(), weights.data(),
                                                  bias ? bias->data() : nullptr);
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::fabs(a[i] - b[i]), 2 * ndconv::test::kRelativeTolerance * ref.magnitude[i])
        << "element " << i << ": " << a[i] << " vs " << b[i];
}

TEST(Equivalence, Conv1dOverEmbeddingsIsConv2dWithFullWidthKernel) {
  const int64_t L = 11, E = 5, F = 4, k = 3;
  const auto x = ndconv::test::random_tensor(L * E, 1);
  const auto w = ndconv::test::random_tensor(k * E * F, 2);  // XIO: [k, E, F] == [k, E, 1, F]
  const auto bias = ndconv::test::random_tensor(F, 3);
  const auto conv1d = ConvBuilder::conv1d(E, F, k).input_size({L}).channels_last().weights_xio();
  const auto conv2d = ConvBuilder::conv2d(1, F, {k, E}).input_size({L, E}).channels_last().weights_xio();
  ASSERT_EQ(conv1d.output_size(), std::vector<int64_t>{L - k + 1});
  ASSERT_EQ(conv2d.output_size(), (std::vector<int64_t>{L - k + 1, 1}));
  const auto a = run(conv1d, x, w, &bias), b = run(conv2d, x, w, &bias);
  expect_same_numbers(a, b, conv1d, x, w, &bias);
}

TEST(Equivalence, Rank1IsRank2WithLeadingUnitDim) {
  const int64_t N = 2, C = 6, O = 4, L = 17, k = 3, G = 2;
  const auto x = ndconv::test::random_tensor(N * C * L, 4);
  const auto w = ndconv::test::random_tensor(O * (C / G) * k, 5);
  const auto bias = ndconv::test::random_tensor(O, 6);
  for (bool channels_last : {false, true}) {
    auto r1 = ConvBuilder::conv1d(C, O, k).batch(N).input_size({L}).stride(2).dilation(2)
                  .padding({1}, {2}).groups(G).relu();
    auto r2 = ConvBuilder::conv2d(C, O, {1, k}).batch(N).input_size({1, L}).stride({1, 2})
                  .dilation({1, 2}).padding({0, 1}, {0, 2}).groups(G).relu();
    if (channels_last) {
      r1.channels_last();
      r2.channels_last();
    }
    ASSERT_EQ(r2.output_size()[0], 1);
    ASSERT_EQ(r1.output_size()[0], r2.output_size()[1]);
    const auto a = run(r1, x, w, &bias), b = run(r2, x, w, &bias);
    expect_same_numbers(a, b, r1, x, w, &bias);
  }
}

// out[p][o] = sum_c x[p][c] * W[c][o] + bias[o], computed here in float64.
std::vector<double> matmul(const std::vector<float>& x, const std::vector<float>& w,
                           const std::vector<float>& bias, int64_t P, int64_t C, int64_t O) {
  std::vector<double> y(P * O);
  for (int64_t p = 0; p < P; ++p)
    for (int64_t o = 0; o < O; ++o) {
      double acc = bias[o];
      for (int64_t c = 0; c < C; ++c) acc += double(x[p * C + c]) * w[c * O + o];
      y[p * O + o] = acc;
    }
  return y;
}

TEST(Equivalence, PointwiseConvIsMatrixProductForRanks1To3) {
  const int64_t C = 7, O = 5, P = 24;  // 24 pixels as [24], [4, 6], [2, 3, 4]
  const auto x = ndconv::test::random_tensor(P * C, 7);   // NXC: [P, C]
  const auto w = ndconv::test::random_tensor(C * O, 8);   // XIO 1x..x1: [C, O]
  const auto bias = ndconv::test::random_tensor(O, 9);
  const auto want = matmul(x, w, bias, P, C, O);
  const ConvBuilder convs[] = {
      ConvBuilder::conv1d(C, O, 1).input_size({24}),
      ConvBuilder::conv2d(C, O, {1, 1}).input_size({4, 6}),
      ConvBuilder::conv3d(C, O, {1, 1, 1}).input_size({2, 3, 4}),
  };
  for (ConvBuilder conv : convs) {
    conv.channels_last().weights_xio();
    const auto got = run(conv, x, w, &bias);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-5 * (C + 1)) << "rank " << conv.desc().rank << " element " << i;
    // NCX / OIX phrasing of the same product: out[o][p] = sum_c W[o][c] x[c][p].
    std::vector<float> xt(P * C), wt(C * O);
    for (int64_t p = 0; p < P; ++p)
      for (int64_t c = 0; c < C; ++c) xt[c * P + p] = x[p * C + c];
    for (int64_t c = 0; c < C; ++c)
      for (int64_t o = 0; o < O; ++o) wt[o * C + c] = w[c * O + o];
    conv.channels_first().weights_oix();
    const auto got_t = run(conv, xt, wt, &bias);
    for (int64_t p = 0; p < P; ++p)
      for (int64_t o = 0; o < O; ++o)
        ASSERT_NEAR(got_t[o * P + p], want[p * O + o], 1e-5 * (C + 1)) << "rank " << conv.desc().rank;
  }
}

// [N, C, P] <-> [N, P, C]
std::vector<float> ncx_to_nxc(const std::vector<float>& v, int64_t N, int64_t C, int64_t P) {
  std::vector<float> r(v.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < P; ++p) r[(n * P + p) * C + c] = v[(n * C + c) * P + p];
  return r;
}
// [O, I, T] -> [T, I, O]
std::vector<float> oix_to_xio(const std::vector<float>& v, int64_t O, int64_t I, int64_t T) {
  std::vector<float> r(v.size());
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t t = 0; t < T; ++t) r[(t * I + i) * O + o] = v[(o * I + i) * T + t];
  return r;
}

TEST(Equivalence, LayoutsGiveTheSameNumbersUpToPermutation) {
  struct Case {
    ConvBuilder b;
    int64_t in_pixels, taps;
  };
  const Case cases[] = {
      {ConvBuilder::conv2d(6, 9, {3, 2}).batch(2).input_size({7, 6}).stride({2, 1})
           .dilation({1, 2}).padding({1, 0}, {2, 1}).groups(3).clamp(-0.5f, 0.75f), 42, 6},
      {ConvBuilder::conv3d(4, 4, {2, 3, 2}).input_size({4, 5, 3}).padding_same().depthwise(), 60, 12},
      {ConvBuilder::conv1d(3, 8, 4).batch(3).input_size({13}).stride(3).padding_same_lower().relu(), 13, 4},
  };
  uint64_t seed = 100;
  for (const Case& c : cases) {
    const auto& d = c.b.desc();
    const int64_t G = d.groups ? d.groups : 1, N = d.batch, C = d.in_channels, O = d.out_channels;
    const int64_t out_pixels = c.b.sizes().output / (N * O);
    const auto x = ndconv::test::random_tensor(N * C * c.in_pixels, ++seed);
    const auto w = ndconv::test::random_tensor(O * (C / G) * c.taps, ++seed);
    const auto bias = ndconv::test::random_tensor(O, ++seed);
    const auto x_nxc = ncx_to_nxc(x, N, C, c.in_pixels);
    const auto w_xio = oix_to_xio(w, O, C / G, c.taps);

    ConvBuilder b = c.b;
    const auto base = run(b.channels_first().weights_oix(), x, w, &bias);
    const auto base_nxc = ncx_to_nxc(base, N, O, out_pixels);
    const auto ncx_xio = run(b.channels_first().weights_xio(), x, w_xio, &bias);
    const auto nxc_oix = run(b.channels_last().weights_oix(), x_nxc, w, &bias);
    const auto nxc_xio = run(b.channels_last().weights_xio(), x_nxc, w_xio, &bias);
    const ConvBuilder ref_b = c.b;
    expect_same_numbers(base, ncx_xio, ref_b, x, w, &bias);
    // Compare NXC results in NXC order against the permuted NCX result,
    // with the magnitudes of the NXC problem.
    b.channels_last().weights_oix();
    expect_same_numbers(base_nxc, nxc_oix, b, x_nxc, w, &bias);
    expect_same_numbers(base_nxc, nxc_xio, b, x_nxc, w, &bias);
  }
}

}  // namespace
