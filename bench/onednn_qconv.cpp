#include "onednn_qconv.h"

#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"
#include "onednn_geometry.h"

namespace ndconv_bench {
namespace {

using onednn::activation_tag;
using onednn::cpu_engine;
using onednn::tag;
using dt = dnnl::memory::data_type;

dnnl::memory scalar_s32(int32_t v) {
  dnnl::memory m({{1}, dt::s32, tag::x}, cpu_engine());
  *static_cast<int32_t*>(m.get_data_handle()) = v;
  return m;
}

}  // namespace

struct OnednnQConv::State {
  dnnl::stream stream{cpu_engine()};
  dnnl::memory::desc src_md, dst_md;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  dnnl::memory src, weights, bias, dst;
  std::unordered_map<int, dnnl::memory> args;
};

OnednnQConv::OnednnQConv(const BenchShape& s, ndconv_layout layout, const int8_t* weights_oix,
                         const int32_t* bias_values, const QuantParams& q)
    : state_(new State) {
  State& st = *state_;
  const onednn::Geometry g = onednn::geometry(s);

  st.src_md = dnnl::memory::desc(g.src, dt::u8, activation_tag(s.rank, layout));
  st.dst_md = dnnl::memory::desc(g.dst, dt::u8, activation_tag(s.rank, layout));
  dnnl::memory::desc user_w_md(g.weights, dt::s8, g.weights_tag);
  dnnl::memory::desc bias_md({s.out_channels}, dt::s32, tag::x);
  dnnl::memory::desc conv_w(g.weights, dt::s8, tag::any);

  std::vector<float> out_scales(static_cast<size_t>(s.out_channels));
  for (size_t c = 0; c < out_scales.size(); ++c)
    out_scales[c] = static_cast<float>(double(q.input_scale) * q.weight_scales[c] / q.output_scale);
  dnnl::primitive_attr attr;
  attr.set_output_scales(1 << 1, out_scales);  // per output channel
  attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});

  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                       dnnl::algorithm::convolution_direct, st.src_md, conv_w,
                                       bias_md, st.dst_md, g.strides, g.dilates, g.pad_l, g.pad_r);
  st.pd = dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
  st.conv = dnnl::convolution_forward(st.pd);
  st.src = dnnl::memory(st.pd.src_desc(), cpu_engine());
  st.dst = dnnl::memory(st.pd.dst_desc(), cpu_engine());
  st.weights = dnnl::memory(st.pd.weights_desc(), cpu_engine());
  st.bias = dnnl::memory(bias_md, cpu_engine());
  std::memcpy(st.bias.get_data_handle(), bias_values, sizeof(int32_t) * size_t(s.out_channels));
  dnnl::memory user_w(user_w_md, cpu_engine(), const_cast<int8_t*>(weights_oix));
  dnnl::reorder(user_w, st.weights).execute(st.stream, user_w, st.weights);
  st.args = {{DNNL_ARG_SRC, st.src}, {DNNL_ARG_WEIGHTS, st.weights}, {DNNL_ARG_BIAS, st.bias},
             {DNNL_ARG_DST, st.dst},
             {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, scalar_s32(q.input_zero_point)},
             {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, scalar_s32(q.output_zero_point)}};
  st.stream.wait();
}

OnednnQConv::~OnednnQConv() = default;

void OnednnQConv::set_input(const uint8_t* user_src) {
  std::memcpy(state_->src.get_data_handle(), user_src, state_->src_md.get_size());
}

void OnednnQConv::execute() {
  state_->conv.execute(state_->stream, state_->args);
  state_->stream.wait();
}

void OnednnQConv::get_output(uint8_t* user_dst) {
  std::memcpy(user_dst, state_->dst.get_data_handle(), state_->dst_md.get_size());
}

std::string OnednnQConv::impl_info() const { return state_->pd.impl_info_str(); }

}  // namespace ndconv_bench
