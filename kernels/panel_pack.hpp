// Packing of channels-first im2col panels (dispatch/indirect_algorithm.cpp):
// for each input channel of one kernel tap, a row of the B panel is a few runs
// of zeros, a contiguous or strided copy of one input line, zeros. The run
// geometry is the same for every channel of the tap, so dispatch computes it
// once and this loop only moves data, with full vectors and masked tails.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch>
inline void panel_fill_zero(float* d, size_t n) {
  using S = simd<Arch>;
  constexpr size_t W = S::width;
  size_t q = 0;
  for (; q + W <= n; q += W) S::store(d + q, S::zero());
  if (q < n) S::store_partial(d + q, S::zero(), n - q);
}

template <class Arch>
void pack_panel_rows(const PanelPackArgs& args) {
  using S = simd<Arch>;
  constexpr size_t W = S::width;
  for (size_t c = 0; c < args.channels; ++c) {
    const float* channel = args.input + c * args.plane;
    float* dst = args.dst + c * args.ld_dst;
    for (size_t r = 0; r < args.run_count; ++r) {
      const PanelRun& run = args.runs[r];
      float* d = dst + run.j;
      panel_fill_zero<Arch>(d, run.lead);
      d += run.lead;
      const float* src = channel + run.src;
      if (args.stride == 1) {
        size_t q = 0;
        for (; q + W <= run.count; q += W) S::store(d + q, S::load(src + q));
        if (q < run.count) S::store_partial(d + q, S::load_partial(src + q, run.count - q), run.count - q);
      } else {
        for (size_t q = 0; q < run.count; ++q) d[q] = src[static_cast<ptrdiff_t>(q) * args.stride];
      }
      panel_fill_zero<Arch>(d + run.count, run.len - run.lead - run.count);
    }
  }
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
