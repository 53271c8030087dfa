// A validated, normalized convolution: what every algorithm and the reference
// read instead of the user's ndconv_conv_desc. Defaults are resolved (groups,
// stride, dilation of 0 mean 1), SAME/VALID padding is turned into explicit
// pad_begin/pad_end, and the output extent is computed. Every element count
// and byte size of the three tensors is known to fit in int64.
#pragma once

#include <cstdint>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

struct ConvShape {
  int rank = 0;
  ndconv_layout layout = NDCONV_NCX;
  ndconv_weight_layout weight_layout = NDCONV_OIX;
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  int64_t in_size[NDCONV_MAX_RANK] = {};
  int64_t kernel[NDCONV_MAX_RANK] = {};
  int64_t stride[NDCONV_MAX_RANK] = {};
  int64_t dilation[NDCONV_MAX_RANK] = {};
  int64_t pad_begin[NDCONV_MAX_RANK] = {};
  int64_t pad_end[NDCONV_MAX_RANK] = {};
  int64_t out_size[NDCONV_MAX_RANK] = {};
  ndconv_activation activation = NDCONV_ACT_NONE;
  float act_min = 0.0f, act_max = 0.0f;   // meaningful for CLAMP only

  // Derived counts (all fit in int64; see validate_desc).
  int64_t in_pixels() const;     // prod(in_size)
  int64_t out_pixels() const;    // prod(out_size)
  int64_t kernel_taps() const;   // prod(kernel)
  int64_t in_channels_per_group() const { return in_channels / groups; }
  int64_t out_channels_per_group() const { return out_channels / groups; }
  int64_t input_elements() const { return batch * in_channels * in_pixels(); }
  int64_t output_elements() const { return batch * out_channels * out_pixels(); }
  int64_t weight_elements() const { return out_channels * in_channels_per_group() * kernel_taps(); }

  // What the algorithms choose by, over every spatial dim (one definition
  // for the float32 and int8 planners alike).
  bool has_padding() const;   // some pad_begin or pad_end is not 0
  bool has_stride() const;    // some stride is not 1
  bool is_pointwise() const;  // every kernel dim 1 and no padding (any stride)
  // One input channel per group, more than one group (groups == C_in == 1
  // is an ordinary convolution with one input channel).
  bool is_depthwise() const { return groups > 1 && groups == in_channels; }
};

// Validates `desc` (every rule of the README's C API section) and fills
// `shape`. On failure records the message (ndconv_last_error) and returns
// NDCONV_INVALID_ARGUMENT. Does not allocate.
ndconv_status validate_desc(const ndconv_conv_desc* desc, ConvShape* shape);

}  // namespace dispatch
}  // namespace ndconv
