// Channels-first im2col, one L1-sized B panel at a time: the (kc x nr) panel
// of im2col rows [k0, k0 + kc) (row k = (tap, input channel)) and output
// pixels [n, n + nr) of one image and group, packed into a task's scratch
// with zeros where a tap reads padding. No im2col of the whole tensor exists.
#pragma once

#include <cstddef>

#include "addressing/line_offsets.h"
#include "api/conv_shape.h"
#include "gemm/gemm_driver.h"
#include "kernels/kernel_table.h"

namespace ndconv {
namespace dispatch {

constexpr size_t kMaxPanelWidth = 128;  // widest NR of a channels-first kernel (narrow: 96)

// The panel source of a channels-first GEMM task (see gemm_cols_task).
struct Im2colPanels {
  const ConvShape& shape;
  const LineOffsets& lines;
  kernels::PanelPackFn pack_panel_rows;
  const float* input;  // channel 0 of this image and group

  // nr <= NR <= kMaxPanelWidth; scratch holds kc x NR floats.
  ColsPanel panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR, float* scratch) const;
};

}  // namespace dispatch
}  // namespace ndconv
