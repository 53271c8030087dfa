// The reference convolution against oneDNN (an independent, widely used
// implementation) for ranks 1 to 3: both activation layouts, both weight
// layouts (XIO by permuting the weights on our side), groups, stride,
// dilation, explicit and SAME padding, bias, and every activation.
// Built only when oneDNN is found (NDCONV_HAVE_ONEDNN).
#include <gtest/gtest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <vector>

#include "api/conv_shape.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"

namespace {

using ndconv::dispatch::ConvShape;
using tag = dnnl::memory::format_tag;

tag activation_tag(int rank, ndconv_layout layout) {
  static const tag ncx[] = {tag::ncw, tag::nchw, tag::ncdhw};
  static const tag nxc[] = {tag::nwc, tag::nhwc, tag::ndhwc};
  return layout == NDCONV_NCX ? ncx[rank - 1] : nxc[rank - 1];
}

tag weight_tag(int rank, bool grouped) {
  static const tag oix[] = {tag::oiw, tag::oihw, tag::oidhw};
  static const tag goix[] = {tag::goiw, tag::goihw, tag::goidhw};
  return grouped ? goix[rank - 1] : oix[rank - 1];
}

// y = act(conv(x, w_oix) + bias) by oneDNN, in s.layout.
std::vector<float> onednn_conv(const ConvShape& s, const std::vector<float>& x,
                               const std::vector<float>& w_oix, const std::vector<float>& bias) {
  using dims = dnnl::memory::dims;
  using dt = dnnl::memory::data_type;
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(eng);
  dims src{s.batch, s.in_channels}, dst{s.batch, s.out_channels}, wei, strides, dilates, pl, pr;
  const bool grouped = s.groups > 1;
  if (grouped) wei = {s.groups, s.out_channels / s.groups, s.in_channels / s.groups};
  else wei = {s.out_channels, s.in_channels};
  for (int d = 0; d < s.rank; ++d) {
    src.push_back(s.in_size[d]);
    dst.push_back(s.out_size[d]);
    wei.push_back(s.kernel[d]);
    strides.push_back(s.stride[d]);
    dilates.push_back(s.dilation[d] - 1);  // oneDNN counts the gaps
    pl.push_back(s.pad_begin[d]);
    pr.push_back(s.pad_end[d]);
  }
  const dnnl::memory::desc src_md(src, dt::f32, activation_tag(s.rank, s.layout));
  const dnnl::memory::desc dst_md(dst, dt::f32, activation_tag(s.rank, s.layout));
  const dnnl::memory::desc wei_md(wei, dt::f32, weight_tag(s.rank, grouped));
  const dnnl::memory::desc bias_md({s.out_channels}, dt::f32, tag::x);
  dnnl::convolution_forward::desc cd(dnnl::prop_kind::forward_inference,
                                     dnnl::algorithm::convolution_direct, src_md, wei_md, bias_md,
                                     dst_md, strides, dilates, pl, pr);
  dnnl::post_ops ops;
  if (s.activation == NDCONV_ACT_RELU) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  if (s.activation == NDCONV_ACT_CLAMP)
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, s.act_min, s.act_max);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  const dnnl::convolution_forward::primitive_desc pd(cd, attr, eng);

  std::vector<float> y(static_cast<size_t>(s.output_elements()));
  dnnl::memory src_m(src_md, eng, const_cast<float*>(x.data()));
  dnnl::memory wei_m(wei_md, eng, const_cast<float*>(w_oix.data()));
  dnnl::memory bias_m(bias_md, eng, const_cast<float*>(bias.data()));
  dnnl::memory dst_m(dst_md, eng, y.data());
  dnnl::convolution_forward(pd).execute(
      stream, {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_BIAS, bias_m}, {DNNL_ARG_DST, dst_m}});
  stream.wait();
  return y;
}

// [O, I, T] -> [T, I, O]
std::vector<float> oix_to_xio(const std::vector<float>& v, int64_t O, int64_t I, int64_t T) {
  std::vector<float> r(v.size());
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t t = 0; t < T; ++t) r[(t * I + i) * O + o] = v[(o * I + i) * T + t];
  return r;
}

ndconv_conv_desc make_desc(int rank, uint64_t seed) {
  ndconv_conv_desc d = {};
  d.rank = rank;
  d.layout = seed % 2 ? NDCONV_NXC : NDCONV_NCX;
  d.weight_layout = (seed / 2) % 2 ? NDCONV_XIO : NDCONV_OIX;
  d.batch = 1 + seed % 3;
  d.groups = 1 + (seed / 4) % 3;
  d.in_channels = d.groups * (1 + seed % 4);
  d.out_channels = d.groups * (1 + (seed / 3) % 5);
  d.padding = (seed / 5) % 3 == 0 ? NDCONV_PAD_SAME_UPPER : NDCONV_PAD_EXPLICIT;
  d.activation = static_cast<ndconv_activation>((seed / 7) % 3);
  d.act_min = -0.5f;
  d.act_max = 0.6f;
  for (int i = 0; i < rank; ++i) {
    const uint64_t h = seed * 13 + i * 5;
    d.in_size[i] = (rank == 1 ? 9 : rank == 2 ? 6 : 4) + h % 5;
    d.kernel[i] = 1 + (h / 5) % 3;
    d.stride[i] = 1 + (h / 15) % 2;
    d.dilation[i] = 1 + (h / 30) % 2;
    d.pad_begin[i] = (h / 7) % d.kernel[i];  // below the kernel, as oneDNN requires
    d.pad_end[i] = (h / 11) % d.kernel[i];
  }
  return d;
}

void check_against_onednn(int rank) {
  int checked = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const ndconv_conv_desc d = make_desc(rank, seed);
    ConvShape s;
    if (ndconv::dispatch::validate_desc(&d, &s) != NDCONV_OK) continue;
    const auto sizes = ndconv::test::tensor_sizes(d);
    const auto x = ndconv::test::random_tensor(sizes.input, seed * 3 + 1);
    const auto w_oix = ndconv::test::random_tensor(sizes.weights, seed * 3 + 2);
    const auto bias = ndconv::test::random_tensor(sizes.bias, seed * 3 + 3);
    const auto y = onednn_conv(s, x, w_oix, bias);
    const auto w = d.weight_layout == NDCONV_XIO
                       ? oix_to_xio(w_oix, s.out_channels, s.in_channels / s.groups, s.kernel_taps())
                       : w_oix;
    ASSERT_TRUE(ndconv::test::matches_reference(d, x.data(), w.data(), bias.data(), y.data()))
        << "oneDNN disagrees with the reference";
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(ReferenceVsOneDnn, Rank1) { check_against_onednn(1); }
TEST(ReferenceVsOneDnn, Rank2) { check_against_onednn(2); }
TEST(ReferenceVsOneDnn, Rank3) { check_against_onednn(3); }

}  // namespace
