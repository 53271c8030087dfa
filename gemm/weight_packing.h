// Weight packing for the GEMM microkernels, done once at plan creation.
//
// Both microkernels stream weights as panels of W output channels (W = NR for
// gemm_rows, MR for gemm_cols): per group and panel, one row of W biases, then
// K rows of W weights, K = taps * C_in/groups in (tap, input channel) order,
// taps in row-major order of the kernel window. Channels past C_out/groups in
// the last panel are zero, so the microkernel computes them harmlessly.
// (The other packings: gemm/narrow_tail.h, gemm/pack_depthwise.h.)
#pragma once

#include <cstddef>

#include "api/conv_shape.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

// Where weight (output channel co, input channel ci of its group, tap t) is in
// the caller's tensor. OIX: [C_out][C_in/g][taps]; XIO: [taps][C_in/g][C_out].
inline size_t source_weight_index(ndconv_weight_layout layout, size_t co, size_t ci, size_t t,
                                  size_t cin_g, size_t taps, size_t cout) {
  return layout == NDCONV_OIX ? (co * cin_g + ci) * taps + t : (t * cin_g + ci) * cout + co;
}

class PackedWeights {
 public:
  // False on allocation failure. `bias` may be NULL (zeros are packed).
  bool pack(const ConvShape& shape, const float* weights, const float* bias, size_t panel_width);
  // Output channels [first, first + count) of every group alone, as if the
  // convolution had only those (the narrow tail of a channels-last GEMM).
  bool pack_channel_range(const ConvShape& shape, const float* weights, const float* bias,
                          size_t first, size_t count, size_t panel_width);

  // Reorders every panel's rows in k pairs for the k-pair kernels
  // (kernels/gemm_kpair.hpp): rows 2p and 2p + 1 of a panel become
  // 2 * panel_width() floats, float v * W + l = B[2p + l % 2][v * W / 2 + l / 2]
  // (W = panel_width()). False, the packing unchanged, unless k() and W are
  // even and W is at most kMaxPairWidth.
  static constexpr size_t kMaxPairWidth = 64;
  bool interleave_k_pairs();

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
