// Operand B of a channels-first full-width ("n-gram") convolution with
// C_in > 1, computed as the transposed product C[F][Lo] = W[F][K] x B[K][Lo]:
// B row (tap t, pixel q, channel e) of output column l is
// input[e][l*stride + t - pad][q]. Interior panels of a stride-1, span-1
// convolution are read in place as shifted views through an offset table
// (row (t, e) at e*L + t - pad from the column); every other panel is
// gathered into the scratch panel with zeros for padding.
#pragma once

#include <cstddef>

#include "addressing/sequence_windows.h"
#include "api/memory.h"
#include "gemm/gemm_driver.h"

namespace ndconv {
namespace dispatch {

// The offset table of the in-place views (K entries), or empty when no panel
// is read in place (stride or span > 1, or no interior column). False on
// allocation failure.
bool build_shifted_view_offsets(const NgramGeometry& g, AlignedArray<ptrdiff_t>* offsets);

struct ShiftedViews {
  const float* image;
  const NgramGeometry* g;
  const ptrdiff_t* offsets;  // K entries, or nullptr when no panel is read in place

  ColsPanel panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR, float* scratch) const {
    if (offsets && n >= g->lo && n + nr <= g->hi) return {image + n, 0, offsets + k0};
    gather_panel(k0, kc, n, nr, NR, scratch);
    return {scratch, static_cast<ptrdiff_t>(NR), nullptr};
  }

 private:
  // The panel copied into `scratch` ([kc][NR]), zeros where it reads padding.
  void gather_panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR, float* scratch) const;
};

}  // namespace dispatch
}  // namespace ndconv
