// Weight packing for the GEMM microkernels, done once at plan creation.
//
// Both microkernels stream weights as panels of W output channels (W = NR for
// gemm_rows, MR for gemm_cols): per group and panel, one row of W biases, then
// K rows of W weights, K = taps * C_in/groups in (tap, input channel) order,
// taps in row-major order of the kernel window. Channels past C_out/groups in
// the last panel are zero, so the microkernel computes them harmlessly.
#pragma once

#include <cstddef>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

class PackedWeights {
 public:
  // False on allocation failure. `bias` may be NULL (zeros are packed).
  bool pack(const ConvShape& shape, const float* weights, const float* bias, size_t panel_width);

  size_t panel_width() const { return width_; }
  size_t k() const { return k_; }
  size_t panels_per_group() const { return panels_; }
  // Panel p of group g: bias row, then k() rows of panel_width() floats.
  const float* bias(size_t g, size_t p) const { return data_.data() + (g * panels_ + p) * stride(); }
  const float* rows(size_t g, size_t p) const { return bias(g, p) + width_; }
  // Floats from one panel to the next (GemmRowsArgs / GemmColsArgs::panel_stride).
  size_t panel_stride() const { return stride(); }

 private:
  size_t stride() const { return (k_ + 1) * width_; }
  AlignedArray<float> data_;
  size_t width_ = 0, k_ = 0, panels_ = 0;
};

}  // namespace dispatch
}  // namespace ndconv
