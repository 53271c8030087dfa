// Tests of the bench's correctness gate: shapes parsing, the float64 reference,
// layout conversions and the checker (a wrong result must fail, a right one pass).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "checker.h"
#include "shapes.h"
#include "tensors.h"

namespace ndconv_bench {
namespace {

const char kHeader[] =
    "# comment\nname\trank\tbatch\tin_channels\tout_channels\tgroups\tin_size\tkernel\tstride\t"
    "dilation\tpad_begin\tpad_end\tnote\n";

BenchShape parse_one(const std::string& line) {
  std::vector<BenchShape> shapes;
  std::string error;
  EXPECT_TRUE(parse_shapes_text(kHeader + line + "\n", "test", &shapes, &error)) << error;
  return shapes.empty() ? BenchShape{} : shapes[0];
}

std::string parse_error(const std::string& line) {
  std::vector<BenchShape> shapes;
  std::string error;
  EXPECT_FALSE(parse_shapes_text(kHeader + line + "\n", "test", &shapes, &error));
  return error;
}

TEST(Shapes, ParsesFieldsAndDerivesSizes) {
  BenchShape s = parse_one("c\t2\t2\t8\t6\t2\t10x7\t3x2\t2x1\t1x2\t1x0\t1x0\tnote text");
  EXPECT_EQ(s.name, "c");
  EXPECT_EQ(s.rank, 2);
  EXPECT_EQ(s.groups, 2);
  ASSERT_EQ(s.out_size.size(), 2u);
  EXPECT_EQ(s.out_size[0], (10 + 2 - 3) / 2 + 1);  // 5
  EXPECT_EQ(s.out_size[1], (7 - 2 * 1 - 1) / 1 + 1);  // 5
  EXPECT_EQ(s.note, "note text");
  EXPECT_DOUBLE_EQ(s.flops(), 2.0 * 2 * 6 * 25 * 4 * 6);
}

TEST(Shapes, RejectsMalformedLinesNamingTheField) {
  EXPECT_NE(parse_error("c\t2\t1\t8\t8\t1\t10\t3x3\t1x1\t1x1\t0x0\t0x0\tx").find("in_size"), std::string::npos);
  EXPECT_NE(parse_error("c\t9\t1\t8\t8\t1\t10\t3\t1\t1\t0\t0\tx").find("rank"), std::string::npos);
  EXPECT_NE(parse_error("c\t1\t1\t8\t8\t3\t10\t3\t1\t1\t0\t0\tx").find("groups"), std::string::npos);
  EXPECT_NE(parse_error("c\t1\t1\t8\t8\t1\t10\t3\t0\t1\t0\t0\tx").find("stride"), std::string::npos);
  EXPECT_NE(parse_error("c\t1\t1\t8\t8\t1\t2\t5\t1\t1\t0\t0\tx").find("exceeds"), std::string::npos);
  EXPECT_NE(parse_error("c\t1\t1\t8\t8\t1\t10\t3").find("12"), std::string::npos);
  EXPECT_NE(parse_error("c\t1\t1\t8\t8\t1\t10\t3\t1\t1\t-1\t0\tx").find("pad_begin"), std::string::npos);
  EXPECT_NE(parse_error("c\t1\t1\t8\t8\t1\t10\t3\t1\t1\t0\t0\tx\nc\t1\t1\t8\t8\t1\t10\t3\t1\t1\t0\t0\tx")
                .find("duplicate"), std::string::npos);
}

TEST(Shapes, BundledSuiteParsesWithTheAnchorFlopCounts) {
  std::vector<BenchShape> shapes;
  std::string error;
  ASSERT_TRUE(parse_shapes_file(NDCONV_BENCH_SHAPES_SOURCE, &shapes, &error)) << error;
  // The 19 public-suite shapes, then the kinds added for issue 13.
  ASSERT_EQ(shapes.size(), 24u);
  // MFLOP column of anchors.md.
  EXPECT_NEAR(shapes[0].flops() / 1e6, 102.76, 0.01);         // pw_res2_expand
  EXPECT_EQ(shapes[6].name, "text_seed_conv2d");
  EXPECT_NEAR(shapes[6].flops() / 1e6, 68.89, 0.01);
  EXPECT_EQ(shapes[18].name, "conv3d_video");
  EXPECT_NEAR(shapes[18].flops() / 1e6, 1387.27, 0.01);
}

TEST(Tensors, LayoutConversionsRoundTrip) {
  std::vector<float> ncx = random_tensor(2 * 3 * 5, 7);
  std::vector<float> nxc = ncx_to_nxc(ncx, 2, 3, 5);
  EXPECT_EQ(nxc[(1 * 5 + 4) * 3 + 2], ncx[(1 * 3 + 2) * 5 + 4]);
  EXPECT_EQ(nxc_to_ncx(nxc, 2, 3, 5), ncx);
  std::vector<float> xio = oix_to_xio(ncx, 3, 2, 5);  // O=3, I=2, taps=5
  EXPECT_EQ(xio[(4 * 2 + 1) * 3 + 2], ncx[(2 * 2 + 1) * 5 + 4]);
}

TEST(Reference, MatchesAHandComputedPaddedStridedConv) {
  // 1-D, C_in = 1, C_out = 1, kernel 2, stride 2, dilation 2, pad 1/1.
  BenchShape s = parse_one("r\t1\t1\t1\t1\t1\t5\t2\t2\t2\t1\t1\tx");
  ASSERT_EQ(s.out_size[0], 3);  // (5 + 2 - 3) / 2 + 1
  std::vector<float> x = {1, 2, 3, 4, 5}, w = {10, -1}, b = {0.5f};
  std::vector<double> out, terms;
  reference_conv(s, x, w, b, &out, &terms);
  // out[j] = b + w0 * x[2j - 1] + w1 * x[2j + 1], zeros outside.
  EXPECT_DOUBLE_EQ(out[0], 0.5 + 0 - 2);
  EXPECT_DOUBLE_EQ(out[1], 0.5 + 10 * 2 - 4);
  EXPECT_DOUBLE_EQ(out[2], 0.5 + 10 * 4 + 0);
  EXPECT_DOUBLE_EQ(terms[1], 0.5 + 20 + 4);
}

TEST(Reference, GroupsReadOnlyTheirChannels) {
  // Depthwise: out channel c reads only input channel c.
  BenchShape s = parse_one("d\t1\t1\t2\t2\t2\t3\t1\t1\t1\t0\t0\tx");
  std::vector<float> x = {1, 2, 3, 10, 20, 30}, w = {2, -1};
  std::vector<double> out, terms;
  reference_conv(s, x, w, {}, &out, &terms);
  EXPECT_EQ(out, (std::vector<double>{2, 4, 6, -10, -20, -30}));
}

struct CheckerFixture : ::testing::Test {
  BenchShape shape = parse_one("k\t2\t1\t6\t4\t1\t5x4\t3x3\t1x1\t1x1\t1x1\t1x1\tx");
  std::vector<float> x = random_tensor(shape.input_elements(), 1);
  std::vector<float> w = random_tensor(shape.weight_elements(), 2);
  std::vector<float> b = random_tensor(shape.out_channels, 3);
  std::vector<double> want, terms;
  void SetUp() override { reference_conv(shape, x, w, b, &want, &terms); }
  std::vector<float> rounded() const { return std::vector<float>(want.begin(), want.end()); }
};

TEST_F(CheckerFixture, AcceptsTheRightResult) {
  CheckResult r = check_close(rounded(), want, terms, 1e-5);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.failures, 0);
  EXPECT_LE(r.worst_ratio, 1.0);
}

TEST_F(CheckerFixture, RejectsOneWrongElementAndNamesIt) {
  std::vector<float> got = rounded();
  const int64_t bad = 2 * shape.out_pixels + 7;  // c = 2, pixel 7 = (1, 3)
  got[size_t(bad)] += 1e-3f;
  CheckResult r = check_close(got, want, terms, 1e-5);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failures, 1);
  EXPECT_EQ(r.worst_index, bad);
  EXPECT_FLOAT_EQ(float(r.got), got[size_t(bad)]);
  std::string message = describe_failure(shape, "nxc", "float64 reference", r);
  EXPECT_NE(message.find("shape k"), std::string::npos) << message;
  EXPECT_NE(message.find("layout nxc"), std::string::npos) << message;
  EXPECT_NE(message.find("(n=0, c=2, x=(1, 3))"), std::string::npos) << message;
}

TEST_F(CheckerFixture, RejectsAConvolutionWithTransposedKernel) {
  // A plausible kernel bug: taps walked in the wrong order (flipped kernel).
  std::vector<float> flipped = w;
  for (int64_t oi = 0; oi < shape.out_channels * shape.in_channels; ++oi)
    for (int64_t t = 0; t < shape.taps; ++t)
      flipped[size_t(oi * shape.taps + t)] = w[size_t(oi * shape.taps + shape.taps - 1 - t)];
  std::vector<double> wrong, unused;
  reference_conv(shape, x, flipped, b, &wrong, &unused);
  CheckResult r = check_close(std::vector<float>(wrong.begin(), wrong.end()), want, terms, 1e-5);
  EXPECT_FALSE(r.ok);
  EXPECT_GT(r.failures, shape.output_elements() / 2);
}

TEST_F(CheckerFixture, RejectsNaNAndAcceptsErrorsWithinTheBound) {
  std::vector<float> got = rounded();
  got[3] = std::numeric_limits<float>::quiet_NaN();
  CheckResult r = check_close(got, want, terms, 1e-5);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.worst_index, 3);

  got = rounded();
  got[5] = float(want[5] + 0.5e-5 * terms[5]);  // half the allowed error
  EXPECT_TRUE(check_close(got, want, terms, 1e-5).ok);
  got[5] = float(want[5] + 3e-5 * terms[5]);    // three times the allowed error
  EXPECT_FALSE(check_close(got, want, terms, 1e-5).ok);
}

TEST(Checker, ZeroTermsDemandExactZeroAndSizeMismatchFails) {
  EXPECT_TRUE(check_close({0.0f}, {0.0}, {0.0}, 1e-5).ok);
  EXPECT_FALSE(check_close({1e-30f}, {0.0}, {0.0}, 1e-5).ok);
  EXPECT_FALSE(check_close({0.0f, 0.0f}, {0.0}, {0.0}, 1e-5).ok);
}

}  // namespace
}  // namespace ndconv_bench
