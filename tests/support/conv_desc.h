// A rank-2 convolution descriptor in one call, for tests that sweep one shape
// per algorithm: batch 2, square stride, no padding fields beyond `padding`
// (VALID or SAME; EXPLICIT pads stay 0), the given activation's defaults.
#pragma once

#include <cstdint>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace test {

inline ndconv_conv_desc conv2d_desc(ndconv_layout layout, int64_t cin, int64_t cout, int64_t h,
                                    int64_t w, int64_t kh, int64_t kw, int64_t groups,
                                    ndconv_padding padding, int64_t stride = 1,
                                    ndconv_activation activation = NDCONV_ACT_NONE) {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.layout = layout;
  d.batch = 2;
  d.in_channels = cin;
  d.out_channels = cout;
  d.groups = groups;
  d.in_size[0] = h;
  d.in_size[1] = w;
  d.kernel[0] = kh;
  d.kernel[1] = kw;
  d.stride[0] = d.stride[1] = stride;
  d.padding = padding;
  d.activation = activation;
  return d;
}

}  // namespace test
}  // namespace ndconv
