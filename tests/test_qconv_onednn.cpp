// ndconv's int8 convolution against oneDNN's (an independent implementation):
// u8 input with a zero point, s8 weights, s32 bias, per-channel output scales,
// u8 output with a zero point (oneDNN's QLinearConv form), ranks 1 to 3, both
// layouts, groups, depthwise, stride, dilation, padding; every element within
// 1 (both round half to even; each may be 1 off the exact value by the
// float32 scale). Weights within +-63: oneDNN's kernels without VNNI
// (vpmaddubsw) saturate beyond that. Built only with oneDNN.
#include <gtest/gtest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "api/qconv_shape.h"
#include "tests/support/conv_desc.h"

namespace {

using ndconv::dispatch::ConvShape;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

struct QData {
  std::vector<uint8_t> x;
  std::vector<int8_t> w_oix;
  std::vector<int32_t> bias;
  std::vector<float> scales;
};

dnnl::memory s32_scalar(const dnnl::engine& eng, int32_t v) {
  dnnl::memory m({{1}, dt::s32, tag::x}, eng);
  *static_cast<int32_t*>(m.get_data_handle()) = v;
  return m;
}

dims spatial(const int64_t* v, int rank, int64_t minus = 0) {
  dims d;
  for (int i = 0; i < rank; ++i) d.push_back(v[i] - minus);
  return d;
}

std::vector<uint8_t> onednn_qconv(const ndconv::dispatch::QConvShape& q, const QData& data) {
  const ConvShape& s = q.conv;
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(eng);
  static const tag ncx[] = {tag::ncw, tag::nchw, tag::ncdhw}, nxc[] = {tag::nwc, tag::nhwc, tag::ndhwc};
  static const tag oix[] = {tag::oiw, tag::oihw, tag::oidhw}, goix[] = {tag::goiw, tag::goihw, tag::goidhw};
  const tag act = s.layout == NDCONV_NCX ? ncx[s.rank - 1] : nxc[s.rank - 1];
  const bool grouped = s.groups > 1;
  dims src{s.batch, s.in_channels}, dst{s.batch, s.out_channels}, wei;
  if (grouped) wei.push_back(s.groups);
  wei.push_back(s.out_channels / s.groups);
  wei.push_back(s.in_channels / s.groups);
  for (int d = 0; d < s.rank; ++d) src.push_back(s.in_size[d]), dst.push_back(s.out_size[d]), wei.push_back(s.kernel[d]);
  const dnnl::memory::desc src_md(src, dt::u8, act), dst_md(dst, dt::u8, act);
  const dnnl::memory::desc wei_md(wei, dt::s8, grouped ? goix[s.rank - 1] : oix[s.rank - 1]);
  const dnnl::memory::desc bias_md({s.out_channels}, dt::s32, tag::x);
  std::vector<float> out_scales;
  for (float ws : data.scales) out_scales.push_back(float(double(q.input_scale) * ws / q.output_scale));
  dnnl::primitive_attr attr;
  attr.set_output_scales(1 << 1, out_scales);
  attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
  dnnl::convolution_forward::desc cd(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                     src_md, wei_md, bias_md, dst_md, spatial(s.stride, s.rank),
                                     spatial(s.dilation, s.rank, 1), spatial(s.pad_begin, s.rank),
                                     spatial(s.pad_end, s.rank));
  dnnl::convolution_forward::primitive_desc pd(cd, attr, eng);
  std::vector<uint8_t> y(static_cast<size_t>(s.output_elements()));
  dnnl::memory xm(src_md, eng, const_cast<uint8_t*>(data.x.data()));
  dnnl::memory wm(wei_md, eng, const_cast<int8_t*>(data.w_oix.data()));
  dnnl::memory bm(bias_md, eng, const_cast<int32_t*>(data.bias.data()));
  dnnl::memory ym(dst_md, eng, y.data());
  dnnl::convolution_forward(pd).execute(
      stream, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, bm}, {DNNL_ARG_DST, ym},
               {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, s32_scalar(eng, q.input_zero_point)},
               {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, s32_scalar(eng, q.output_zero_point)}});
  stream.wait();
  return y;
}

QData random_data(const ConvShape& s, unsigned seed) {
  QData d;
  std::srand(seed);
  d.x.resize(static_cast<size_t>(s.input_elements()));
  for (uint8_t& v : d.x) v = static_cast<uint8_t>(std::rand() & 0xff);
  d.w_oix.resize(static_cast<size_t>(s.weight_elements()));
  for (int8_t& v : d.w_oix) v = static_cast<int8_t>(std::rand() % 127 - 63);
  for (int64_t c = 0; c < s.out_channels; ++c) {
    d.bias.push_back(std::rand() % 4001 - 2000);
    d.scales.push_back(0.003f + 0.001f * float(c % 5));
  }
  return d;
}

void check_against_onednn(ndconv_conv_desc conv, unsigned seed) {
  conv.weight_layout = NDCONV_OIX;
  ndconv_qconv_desc qd = {};
  qd.conv = conv;
  qd.input_type = NDCONV_U8;
  qd.output_type = NDCONV_U8;
  qd.input_scale = 0.05f;
  qd.input_zero_point = 117;
  qd.weight_scale_count = conv.out_channels;
  qd.output_scale = 0.8f;
  qd.output_zero_point = 100;
  ndconv::dispatch::QConvShape q;
  ASSERT_EQ(ndconv::dispatch::validate_qdesc(&qd, &q), NDCONV_OK) << ndconv_last_error();
  const QData data = random_data(q.conv, seed);
  ndconv_qconv* plan = nullptr;
  ASSERT_EQ(ndconv_qconv_create(&qd, data.w_oix.data(), data.scales.data(), data.bias.data(), &plan), NDCONV_OK)
      << ndconv_last_error();
  std::vector<uint8_t> ours(static_cast<size_t>(q.conv.output_elements()));
  ASSERT_EQ(ndconv_qconv_run(plan, data.x.data(), ours.data(), nullptr), NDCONV_OK);
  const std::string kernel = ndconv_qconv_kernel_name(plan);
  ndconv_qconv_destroy(plan);
  const std::vector<uint8_t> theirs = onednn_qconv(q, data);
  int spread = 0, failures = 0;
  for (size_t i = 0; i < ours.size() && failures < 5; ++i) {
    spread |= ours[i] != ours[0];
    if (std::abs(int(ours[i]) - int(theirs[i])) > 1)
      ++failures, ADD_FAILURE() << kernel << ": output[" << i << "] = " << int(ours[i]) << ", oneDNN " << int(theirs[i]);
  }
  EXPECT_TRUE(spread) << "degenerate test: every output equal";
}

class QConvOneDnn : public ::testing::TestWithParam<ndconv_layout> {};

TEST_P(QConvOneDnn, Rank2Shapes) {
  using ndconv::test::conv2d_desc;
  const ndconv_layout l = GetParam();
  check_against_onednn(conv2d_desc(l, 16, 40, 9, 8, 1, 1, 1, NDCONV_PAD_VALID), 1);        // pointwise
  check_against_onednn(conv2d_desc(l, 16, 40, 8, 8, 1, 1, 1, NDCONV_PAD_VALID), 10);       // pointwise, NCX cols
  check_against_onednn(conv2d_desc(l, 12, 20, 9, 8, 3, 3, 1, NDCONV_PAD_SAME_UPPER), 2);   // indirect
  check_against_onednn(conv2d_desc(l, 12, 18, 9, 9, 3, 3, 3, NDCONV_PAD_SAME_UPPER, 2), 3);  // grouped, stride
  check_against_onednn(conv2d_desc(l, 24, 24, 8, 7, 3, 3, 24, NDCONV_PAD_SAME_UPPER), 4);  // depthwise
  check_against_onednn(conv2d_desc(l, 1, 33, 14, 20, 3, 20, 1, NDCONV_PAD_VALID), 5);     // text Conv2D
  ndconv_conv_desc d = conv2d_desc(l, 5, 9, 11, 10, 3, 2, 1, NDCONV_PAD_EXPLICIT);
  d.dilation[0] = 2;
  d.pad_begin[0] = 2, d.pad_end[1] = 1;
  check_against_onednn(d, 6);
}

TEST_P(QConvOneDnn, Rank1And3Shapes) {
  ndconv_conv_desc d = ndconv::test::conv2d_desc(GetParam(), 10, 30, 1, 1, 1, 1, 1, NDCONV_PAD_VALID);
  d.rank = 1;
  d.in_size[0] = 40;
  d.kernel[0] = 5;
  check_against_onednn(d, 7);  // n-gram
  d.padding = NDCONV_PAD_SAME_LOWER;
  d.stride[0] = 3;
  check_against_onednn(d, 8);  // indirect
  d = ndconv::test::conv2d_desc(GetParam(), 6, 10, 6, 7, 3, 3, 1, NDCONV_PAD_SAME_UPPER);
  d.rank = 3;
  d.in_size[2] = 5;
  d.kernel[2] = 2;
  check_against_onednn(d, 9);
}

INSTANTIATE_TEST_SUITE_P(Layouts, QConvOneDnn, ::testing::Values(NDCONV_NXC, NDCONV_NCX),
                         [](const ::testing::TestParamInfo<ndconv_layout>& i) {
                           return std::string(i.param == NDCONV_NXC ? "nxc" : "ncx");
                         });

}  // namespace
