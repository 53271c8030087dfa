// Depthwise convolution (groups == C_in, multiplier M = C_out / C_in), one
// output row per call; the contract is DepthwiseParams / DepthwiseRow in
// kernels/kernel_table.h. Dispatch walks the outer spatial dims and passes the
// input rows of the valid outer taps; here we handle the last dim ("width").
//
// Every output pixel is either interior (its whole window along the width is
// inside the input: the fast, branch-free path) or a border pixel (computed
// with only its valid taps). So no element outside the input is ever read,
// and padding taps cost nothing.
//
//  NXC: vectors run across output channels; a block of output pixels keeps
//       its accumulators in registers over all taps. 3-tap, stride-1 rows
//       with M == 1 and at most 3 input rows (the 3x3 layer, see Slide3) run
//       channel blocks outer with their weights held in registers, and reuse
//       each loaded input vector for the three outputs it feeds.
//  NCX: vectors run across output pixels of a row (contiguous in NCX); a
//       weight is broadcast and FMA'd with a shifted input segment. Stride 1
//       only: a strided row would need a gather, so stride > 1 accumulates
//       tap by tap into the output row with compiler-vectorized strided loops
//       (see strided_interior).
//
// The pieces: kernels/depthwise_common.hpp (taps, interior, bounds),
// kernels/depthwise_nxc.hpp and kernels/depthwise_ncx.hpp (the two row kernels).
#pragma once

// (NXC first: the order the compiler saw when this was one file)
#include "kernels/depthwise_nxc.hpp"
#include "kernels/depthwise_ncx.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch>
void depthwise_nxc_row(const DepthwiseParams& p, const DepthwiseRow& a) {
  const bool clamp = a.last && p.act.kind != NDCONV_ACT_NONE;
  const depthwise::Bounds bounds = depthwise::activation_bounds(p.act);
  if (clamp)
    depthwise::nxc_row_for_input<Arch, true>(p, a, bounds);
  else
    depthwise::nxc_row_for_input<Arch, false>(p, a, bounds);
}

template <class Arch>
void depthwise_ncx_row(const DepthwiseParams& p, const DepthwiseRow& a) {
  const bool clamp = a.last && p.act.kind != NDCONV_ACT_NONE;
  const depthwise::Bounds bounds = depthwise::activation_bounds(p.act);
  if (clamp)
    depthwise::ncx_row<Arch, true>(p, a, bounds);
  else
    depthwise::ncx_row<Arch, false>(p, a, bounds);
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
