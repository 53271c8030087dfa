#include "onednn_conv.h"

#include <stdexcept>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"

namespace ndconv_bench {
namespace {

using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

tag activation_tag(int rank, ndconv_layout layout) {
  static const tag ncx[] = {tag::ncw, tag::nchw, tag::ncdhw};
  static const tag nxc[] = {tag::nwc, tag::nhwc, tag::ndhwc};
  return layout == NDCONV_NCX ? ncx[rank - 1] : nxc[rank - 1];
}

tag weights_tag(int rank, bool grouped) {
  static const tag oix[] = {tag::oiw, tag::oihw, tag::oidhw};
  static const tag goix[] = {tag::goiw, tag::goihw, tag::goidhw};
  return grouped ? goix[rank - 1] : oix[rank - 1];
}

}  // namespace

struct OnednnConv::State {
  dnnl::stream stream{cpu_engine()};
  dnnl::memory::desc user_src_md, user_dst_md;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  dnnl::memory src, weights, bias, dst;
  std::unordered_map<int, dnnl::memory> args;  // built once: execute() stays minimal
};

OnednnConv::OnednnConv(const BenchShape& s, ndconv_layout layout, OnednnMode mode,
                       const float* weights_oix, const float* bias_values)
    : state_(new State) {
  if (!supports(s)) throw std::invalid_argument("oneDNN supports 1..3 spatial dimensions");
  State& st = *state_;
  const auto f32 = dnnl::memory::data_type::f32;
  dims src_dims{s.batch, s.in_channels}, dst_dims{s.batch, s.out_channels};
  dims strides, dilates, pad_l, pad_r;
  for (int d = 0; d < s.rank; ++d) {
    src_dims.push_back(s.in_size[d]);
    dst_dims.push_back(s.out_size[d]);
    strides.push_back(s.stride[d]);
    dilates.push_back(s.dilation[d] - 1);  // oneDNN counts the gaps: 0 = dense
    pad_l.push_back(s.pad_begin[d]);
    pad_r.push_back(s.pad_end[d]);
  }
  const bool grouped = s.groups > 1;
  dims w_dims;
  if (grouped) w_dims.push_back(s.groups);
  w_dims.push_back(s.out_channels / s.groups);
  w_dims.push_back(s.in_channels / s.groups);
  for (int d = 0; d < s.rank; ++d) w_dims.push_back(s.kernel[d]);

  st.user_src_md = dnnl::memory::desc(src_dims, f32, activation_tag(s.rank, layout));
  st.user_dst_md = dnnl::memory::desc(dst_dims, f32, activation_tag(s.rank, layout));
  dnnl::memory::desc user_w_md(w_dims, f32, weights_tag(s.rank, grouped));
  dnnl::memory::desc bias_md({s.out_channels}, f32, tag::x);

  const bool best = mode == OnednnMode::best;
  dnnl::memory::desc conv_src = best ? dnnl::memory::desc(src_dims, f32, tag::any) : st.user_src_md;
  dnnl::memory::desc conv_dst = best ? dnnl::memory::desc(dst_dims, f32, tag::any) : st.user_dst_md;
  dnnl::memory::desc conv_w(w_dims, f32, tag::any);  // both modes: weights prepacked once

  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                       dnnl::algorithm::convolution_direct, conv_src, conv_w,
                                       bias_md, conv_dst, strides, dilates, pad_l, pad_r);
  st.pd = dnnl::convolution_forward::primitive_desc(desc, cpu_engine());
  st.conv = dnnl::convolution_forward(st.pd);

  st.src = dnnl::memory(st.pd.src_desc(), cpu_engine());
  st.dst = dnnl::memory(st.pd.dst_desc(), cpu_engine());
  st.weights = dnnl::memory(st.pd.weights_desc(), cpu_engine());
  st.bias = dnnl::memory(bias_md, cpu_engine());
  float* b = static_cast<float*>(st.bias.get_data_handle());
  for (int64_t o = 0; o < s.out_channels; ++o) b[o] = bias_values ? bias_values[o] : 0.0f;

  dnnl::memory user_w(user_w_md, cpu_engine(), const_cast<float*>(weights_oix));
  dnnl::reorder(user_w, st.weights).execute(st.stream, user_w, st.weights);
  st.args = {{DNNL_ARG_SRC, st.src}, {DNNL_ARG_WEIGHTS, st.weights},
             {DNNL_ARG_BIAS, st.bias}, {DNNL_ARG_DST, st.dst}};
  st.stream.wait();
}

OnednnConv::~OnednnConv() = default;

void OnednnConv::set_input(const float* user_src) {
  State& st = *state_;
  dnnl::memory user(st.user_src_md, cpu_engine(), const_cast<float*>(user_src));
  dnnl::reorder(user, st.src).execute(st.stream, user, st.src);
  st.stream.wait();
}

void OnednnConv::execute() {
  State& st = *state_;
  st.conv.execute(st.stream, st.args);
  st.stream.wait();
}

void OnednnConv::get_output(float* user_dst) {
  State& st = *state_;
  dnnl::memory user(st.user_dst_md, cpu_engine(), user_dst);
  dnnl::reorder(st.dst, user).execute(st.stream, st.dst, user);
  st.stream.wait();
}

std::string OnednnConv::impl_info() const { return state_->pd.impl_info_str(); }

}  // namespace ndconv_bench
