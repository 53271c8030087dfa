// The ndconv_conv_desc of a plan object, from the normalized Python arguments,
// shared by ndconv.Conv (float32) and ndconv.QConv (int8): the base (weights,
// window, padding, activation) set once, and the batch and input extent of
// each input shape, checked (rank, channels) before any C call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common.h"

namespace ndconv_py {

struct WindowArgs {
  bool channels_last = false;
  int64_t groups = 1;
  std::vector<int64_t> stride, dilation, pad_begin, pad_end;
  int padding_mode = 0;   // ndconv_padding
  Activation activation;
};

// weight_shape: [C_out, C_in/g, k...] (OIX) or [k..., C_in/g, C_out] (XIO when
// channels_last). Raises ValueError for a rank outside 1..NDCONV_MAX_RANK.
ndconv_conv_desc base_desc(const std::vector<int64_t>& weight_shape, const WindowArgs& args);

// base with batch and in_size from input_shape; ValueError for a wrong rank or
// channel count (the message names the shape and what the weight expects).
ndconv_conv_desc desc_for_input(const ndconv_conv_desc& base,
                                const std::vector<int64_t>& input_shape);

// The output tensor's shape in d's layout, from the library's spatial extent.
std::vector<int64_t> output_shape_of(const ndconv_conv_desc& d,
                                     const int64_t out_size[NDCONV_MAX_RANK]);

}  // namespace ndconv_py
