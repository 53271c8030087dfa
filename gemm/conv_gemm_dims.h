// A grouped convolution's sizes as its GEMMs see them, in size_t: per image
// and group, channels-first C[cout_g][out_pixels] = W[cout_g][K] x B[K][out_pixels];
// channels-last, C rows are pixels and columns the group's output channels.
#pragma once

#include <cstddef>

#include "api/conv_shape.h"

namespace ndconv {
namespace dispatch {

struct ConvGemmDims {
  size_t images, groups;
  size_t in_pixels, out_pixels;   // per image
  size_t cin, cin_g, cout, cout_g;  // all channels, and one group's

  explicit ConvGemmDims(const ConvShape& s)
      : images(static_cast<size_t>(s.batch)),
        groups(static_cast<size_t>(s.groups)),
        in_pixels(static_cast<size_t>(s.in_pixels())),
        out_pixels(static_cast<size_t>(s.out_pixels())),
        cin(static_cast<size_t>(s.in_channels)),
        cin_g(static_cast<size_t>(s.in_channels_per_group())),
        cout(static_cast<size_t>(s.out_channels)),
        cout_g(static_cast<size_t>(s.out_channels_per_group())) {}
};

}  // namespace dispatch
}  // namespace ndconv
