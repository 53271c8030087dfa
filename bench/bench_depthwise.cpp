// Depthwise convolution, single thread: ndconv under each ISA vs oneDNN with
// the same plain activation layout (weights in oneDNN's preferred layout,
// reorders untimed), in the same process. GFLOP/s count every tap, padding
// included: flops = 2 * N * C_out * out_pixels * taps.
//
//   bench_depthwise --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "ndconv/ndconv.h"

#if defined(NDCONV_HAVE_ONEDNN)
#include <dnnl.hpp>
#endif

namespace {

struct Shape {
  const char* name;
  int64_t channels, h, w, k, stride, pad;
};
// dw3x3_mbv2 from the suite, and a stride-2 MobileNet depthwise.
const Shape kShapes[] = {
    {"dw3x3_mbv2", 144, 56, 56, 3, 1, 1},
    {"dw3x3_s2_mbv2", 144, 112, 112, 3, 2, 1},
};

int64_t out_extent(const Shape& s, int64_t in) { return (in + 2 * s.pad - s.k) / s.stride + 1; }

double flops(const Shape& s) {
  return 2.0 * s.channels * out_extent(s, s.h) * out_extent(s, s.w) * s.k * s.k;
}

std::vector<float> filled(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>((i * 7919u) % 211u) / 211.0f - 0.5f * scale;
  return v;
}

void bench_ndconv(benchmark::State& state, Shape s, ndconv_layout layout, ndconv_isa isa) {
  if (ndconv_set_isa(isa) != NDCONV_OK) {
    state.SkipWithError("ISA not available");
    return;
  }
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.layout = layout;
  d.weight_layout = NDCONV_OIX;
  d.batch = 1;
  d.in_channels = d.out_channels = d.groups = s.channels;
  d.in_size[0] = s.h;
  d.in_size[1] = s.w;
  d.kernel[0] = d.kernel[1] = s.k;
  d.stride[0] = d.stride[1] = s.stride;
  d.pad_begin[0] = d.pad_begin[1] = d.pad_end[0] = d.pad_end[1] = s.pad;
  d.activation = NDCONV_ACT_RELU;
  std::vector<float> in = filled(static_cast<size_t>(s.channels * s.h * s.w), 2.0f);
  std::vector<float> w = filled(static_cast<size_t>(s.channels * s.k * s.k), 1.0f);
  std::vector<float> b = filled(static_cast<size_t>(s.channels), 0.1f);
  std::vector<float> out(static_cast<size_t>(s.channels * out_extent(s, s.h) * out_extent(s, s.w)));
  ndconv_conv* conv = nullptr;
  if (ndconv_conv_create(&d, w.data(), b.data(), &conv) != NDCONV_OK) {
    state.SkipWithError(ndconv_last_error());
    return;
  }
  state.SetLabel(ndconv_conv_kernel_name(conv));
  for (auto _ : state) {
    ndconv_conv_run(conv, in.data(), out.data(), nullptr);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops(s) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  ndconv_conv_destroy(conv);
  ndconv_set_isa(NDCONV_ISA_AUTO);
}

#if defined(NDCONV_HAVE_ONEDNN)
void bench_onednn(benchmark::State& state, Shape s, ndconv_layout layout) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const memory::dim c = s.channels, oh = out_extent(s, s.h), ow = out_extent(s, s.w);
  const tag act = layout == NDCONV_NXC ? tag::nhwc : tag::nchw;
  memory::desc src_md({1, c, s.h, s.w}, dt::f32, act);
  memory::desc dst_md({1, c, oh, ow}, dt::f32, act);
  memory::desc wei_any({c, 1, 1, s.k, s.k}, dt::f32, tag::any);
  memory::desc bias_md({c}, dt::f32, tag::a);
  convolution_forward::desc cd(prop_kind::forward_inference, algorithm::convolution_direct, src_md,
                               wei_any, bias_md, dst_md, {s.stride, s.stride}, {s.pad, s.pad},
                               {s.pad, s.pad});
  post_ops ops;
  ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
  primitive_attr attr;
  attr.set_post_ops(ops);
  convolution_forward::primitive_desc pd(cd, attr, eng);
  state.SetLabel(pd.impl_info_str());
  std::vector<float> in = filled(static_cast<size_t>(c * s.h * s.w), 2.0f);
  std::vector<float> w = filled(static_cast<size_t>(c * s.k * s.k), 1.0f);
  std::vector<float> b = filled(static_cast<size_t>(c), 0.1f);
  std::vector<float> out(static_cast<size_t>(c * oh * ow));
  memory src(src_md, eng, in.data()), dst(dst_md, eng, out.data()), bias(bias_md, eng, b.data());
  memory wei_user({{c, 1, 1, s.k, s.k}, dt::f32, tag::goihw}, eng, w.data());
  memory wei(pd.weights_desc(), eng);
  reorder(wei_user, wei).execute(strm, wei_user, wei);
  convolution_forward conv(pd);
  for (auto _ : state) {
    conv.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}});
    strm.wait();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops(s) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
#endif

void register_all() {
  for (const Shape& s : kShapes) {
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
      const char* lname = layout == NDCONV_NXC ? "NXC" : "NCX";
      for (ndconv_isa isa : {NDCONV_ISA_AVX512, NDCONV_ISA_AVX2, NDCONV_ISA_SCALAR}) {
        char name[128];
        std::snprintf(name, sizeof name, "%s/%s/ndconv_%s", s.name, lname, ndconv_isa_name(isa));
        benchmark::RegisterBenchmark(name, bench_ndconv, s, layout, isa)->UseRealTime();
      }
#if defined(NDCONV_HAVE_ONEDNN)
      char name[128];
      std::snprintf(name, sizeof name, "%s/%s/onednn", s.name, lname);
      benchmark::RegisterBenchmark(name, bench_onednn, s, layout)->UseRealTime();
#endif
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
