// What the float32 and int8 oneDNN comparisons (onednn_conv.cpp,
// onednn_qconv.cpp) describe alike: the one CPU engine, the plain activation
// and weight format tags, and a suite shape's dims, strides, dilations and
// padding in oneDNN's terms. Only built with NDCONV_HAVE_ONEDNN.
#pragma once

#include "ndconv/ndconv.h"
#include "oneapi/dnnl/dnnl.hpp"
#include "shapes.h"

namespace ndconv_bench {
namespace onednn {

using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

// One engine for the process (an inline function's static: one across TUs).
inline dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

inline tag activation_tag(int rank, ndconv_layout layout) {
  static const tag ncx[] = {tag::ncw, tag::nchw, tag::ncdhw};
  static const tag nxc[] = {tag::nwc, tag::nhwc, tag::ndhwc};
  return layout == NDCONV_NCX ? ncx[rank - 1] : nxc[rank - 1];
}

inline tag weights_tag(int rank, bool grouped) {
  static const tag oix[] = {tag::oiw, tag::oihw, tag::oidhw};
  static const tag goix[] = {tag::goiw, tag::goihw, tag::goidhw};
  return grouped ? goix[rank - 1] : oix[rank - 1];
}

struct Geometry {
  dims src, dst, weights, strides, dilates, pad_l, pad_r;
  bool grouped = false;
  tag weights_tag = tag::undef;
};

inline Geometry geometry(const BenchShape& s) {
  Geometry g;
  g.src = {s.batch, s.in_channels};
  g.dst = {s.batch, s.out_channels};
  for (int d = 0; d < s.rank; ++d) {
    g.src.push_back(s.in_size[d]);
    g.dst.push_back(s.out_size[d]);
    g.strides.push_back(s.stride[d]);
    g.dilates.push_back(s.dilation[d] - 1);  // oneDNN counts the gaps: 0 = dense
    g.pad_l.push_back(s.pad_begin[d]);
    g.pad_r.push_back(s.pad_end[d]);
  }
  g.grouped = s.groups > 1;
  if (g.grouped) g.weights.push_back(s.groups);
  g.weights.push_back(s.out_channels / s.groups);
  g.weights.push_back(s.in_channels / s.groups);
  for (int d = 0; d < s.rank; ++d) g.weights.push_back(s.kernel[d]);
  g.weights_tag = weights_tag(s.rank, g.grouped);
  return g;
}

}  // namespace onednn
}  // namespace ndconv_bench
