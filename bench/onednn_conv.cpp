#include "onednn_conv.h"

#include <stdexcept>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"
#include "onednn_geometry.h"

namespace ndconv_bench {
namespace {

using onednn::activation_tag;
using onednn::cpu_engine;
using onednn::tag;

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
  const onednn::Geometry g = onednn::geometry(s);

  st.user_src_md = dnnl::memory::desc(g.src, f32, activation_tag(s.rank, layout));
  st.user_dst_md = dnnl::memory::desc(g.dst, f32, activation_tag(s.rank, layout));
  dnnl::memory::desc user_w_md(g.weights, f32, g.weights_tag);
  dnnl::memory::desc bias_md({s.out_channels}, f32, tag::x);

  const bool best = mode == OnednnMode::best;
  dnnl::memory::desc conv_src = best ? dnnl::memory::desc(g.src, f32, tag::any) : st.user_src_md;
  dnnl::memory::desc conv_dst = best ? dnnl::memory::desc(g.dst, f32, tag::any) : st.user_dst_md;
  dnnl::memory::desc conv_w(g.weights, f32, tag::any);  // both modes: weights prepacked once

  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                       dnnl::algorithm::convolution_direct, conv_src, conv_w,
                                       bias_md, conv_dst, g.strides, g.dilates, g.pad_l, g.pad_r);
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
