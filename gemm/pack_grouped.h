// Weight packing of the grouped kernels for few channels per group, done once
// at plan creation: the channels-last grouped kernel (kernels/grouped.hpp,
// grouped-indirect) and the channels-first direct kernel
// (kernels/grouped_ncx.hpp, grouped-direct).
#pragma once

#include <cstddef>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

// As GroupedNxcArgs wants them: a row of biases, then per (tap, rotation r)
// a row of every output channel's weight from input channel (o % c + r) % c,
// rows `stride()` floats apart (C_out rounded up to whole vectors).
class GroupedNxcWeights {
 public:
  // False on allocation failure. `bias` may be NULL (zeros are packed).
  bool pack(const ConvShape& shape, const float* weights, const float* bias, size_t vector_floats);
  const float* data() const { return data_.data(); }
  size_t stride() const { return stride_; }

 private:
  AlignedArray<float> data_;
  size_t stride_ = 0;
};

// As GroupedNcxArgs wants them, per group: [C_in/G][taps][out_channels]
// (zeros past C_out/G), then the biases, out_channels floats per group.
class GroupedNcxWeights {
 public:
  // False on allocation failure. `bias` may be NULL (zeros are packed).
  bool pack(const ConvShape& shape, const float* weights, const float* bias, size_t out_channels);
  const float* weights(size_t g) const { return data_.data() + g * group_floats_; }
  const float* bias(size_t g) const {
    return data_.data() + groups_ * group_floats_ + g * out_channels_;
  }

 private:
  AlignedArray<float> data_;
  size_t group_floats_ = 0, groups_ = 0, out_channels_ = 0;
};

}  // namespace dispatch
}  // namespace ndconv
