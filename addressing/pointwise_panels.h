// Operand B of a channels-first pointwise (1x1) convolution, C = W x X: the
// B panel of kc input-channel rows x nr output pixels that gemm_cols_task asks
// for. Read in place, a panel is kc input rows at a large stride (one input
// channel plane apart); when that stride is a multiple of a large power of
// two the rows alias into a few L1 sets and are evicted between M blocks, so
// when enough M blocks reuse the panel it is first copied into the contiguous
// scratch panel (see in_place_panel_aliases). Strided convolutions gather the
// panel's pixels the same way.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gemm/gemm_driver.h"
#include "kernels/kernel_table.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {

// Whether the kc rows of an in-place channels-first panel (ldb floats apart)
// crowd some L1 set with more than the lines it can hold beside the A block
// and the C tile (then copying the panel pays off).
bool in_place_panel_aliases(size_t ldb, size_t kc, const Tuning& tuning);

struct PointwisePanels {
  const float* b;
  ptrdiff_t ldb;
  const int64_t* gather;  // input pixel of each output pixel, or NULL (stride 1)
  kernels::CopyPanelFn copy;  // copy even when stride is 1 (NULL: read in place)
  kernels::PanelPackFn pack;  // gathers runs of strided pixels (table.pack_panel_rows)
  ptrdiff_t last_stride;      // stride of the last spatial dim
  size_t n_end;               // end of the task's pixels (the last panel prefetches nothing)

  ColsPanel panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR, float* scratch) const {
    const float* first_row = b + static_cast<ptrdiff_t>(k0) * ldb;
    if (gather)
      gather_panel(first_row, kc, n, nr, NR, scratch);
    else if (copy)
      copy_panel(first_row, kc, n, nr, NR, scratch);
    else
      return {first_row + static_cast<ptrdiff_t>(n), ldb, nullptr};
    return {scratch, static_cast<ptrdiff_t>(NR), nullptr};
  }

 private:
  // Strided: the panel's pixels gathered into `scratch` ([kc][NR]).
  void gather_panel(const float* first_row, size_t kc, size_t n, size_t nr, size_t NR,
                    float* scratch) const;
  // Stride 1, aliasing rows: the panel copied into `scratch`, the next one prefetched.
  void copy_panel(const float* first_row, size_t kc, size_t n, size_t nr, size_t NR,
                  float* scratch) const;
};

}  // namespace dispatch
}  // namespace ndconv
