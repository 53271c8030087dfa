#include "desc.h"

#include "tensors.h"

namespace ndconv_py {

ndconv_conv_desc base_desc(const std::vector<int64_t>& weight_shape, const WindowArgs& args) {
  const int rank = static_cast<int>(weight_shape.size()) - 2;
  if (rank < 1 || rank > NDCONV_MAX_RANK) {
    throw py::value_error("ndconv: weight has " + std::to_string(weight_shape.size()) +
                          " dims; a convolution of rank 1.." + std::to_string(NDCONV_MAX_RANK) +
                          " takes rank + 2");
  }
  const bool nxc = args.channels_last;
  ndconv_conv_desc d{};
  d.rank = rank;
  d.layout = nxc ? NDCONV_NXC : NDCONV_NCX;
  d.weight_layout = nxc ? NDCONV_XIO : NDCONV_OIX;
  d.groups = args.groups;
  const int64_t in_per_group = weight_shape[nxc ? rank : 1];
  d.out_channels = weight_shape[nxc ? rank + 1 : 0];
  d.in_channels = in_per_group * args.groups;
  for (int i = 0; i < rank; ++i) {
    d.kernel[i] = weight_shape[nxc ? i : i + 2];
    d.stride[i] = args.stride.at(i);
    d.dilation[i] = args.dilation.at(i);
    d.pad_begin[i] = args.pad_begin.at(i);
    d.pad_end[i] = args.pad_end.at(i);
  }
  d.padding = static_cast<ndconv_padding>(args.padding_mode);
  d.activation = static_cast<ndconv_activation>(args.activation.kind);
  d.act_min = args.activation.lo;
  d.act_max = args.activation.hi;
  return d;
}

// Rank and channels are checked here, before any C call; the library checks
// the rest (extents against the kernel, ...) and its message is raised.
ndconv_conv_desc desc_for_input(const ndconv_conv_desc& base, const std::vector<int64_t>& shape) {
  ndconv_conv_desc d = base;
  const bool nxc = d.layout == NDCONV_NXC;
  if (static_cast<int>(shape.size()) != d.rank + 2) {
    throw py::value_error("ndconv: input has shape " + shape_string(shape) + " (" +
                          std::to_string(shape.size()) + " dims); this rank-" +
                          std::to_string(d.rank) + " convolution takes " +
                          std::to_string(d.rank + 2) + " dims, " +
                          (nxc ? "[N, spatial..., C] (channels_last)" : "[N, C, spatial...]"));
  }
  const int64_t channels = shape[nxc ? shape.size() - 1 : 1];
  if (channels != d.in_channels) {
    throw py::value_error("ndconv: input has " + std::to_string(channels) + " channels (shape " +
                          shape_string(shape) + "), the weight expects in_channels = " +
                          std::to_string(d.in_channels) + " (groups " + std::to_string(d.groups) +
                          " x " + std::to_string(d.in_channels / d.groups) + " per group)");
  }
  d.batch = shape[0];
  for (int i = 0; i < d.rank; ++i) d.in_size[i] = shape[nxc ? i + 1 : i + 2];
  return d;
}

std::vector<int64_t> output_shape_of(const ndconv_conv_desc& d,
                                     const int64_t out_size[NDCONV_MAX_RANK]) {
  std::vector<int64_t> shape{d.batch};
  if (d.layout == NDCONV_NCX) shape.push_back(d.out_channels);
  shape.insert(shape.end(), out_size, out_size + d.rank);
  if (d.layout == NDCONV_NXC) shape.push_back(d.out_channels);
  return shape;
}

}  // namespace ndconv_py
