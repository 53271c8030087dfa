// One tile of a channels-last GEMM over its whole reduction, finished in the
// caller's L1 scratch (and optionally max-reduced over its rows): for callers
// that post-process each tile (the n-gram GEMM's transposed store, the fused
// text-CNN block's max pooling) rather than storing C in place.
#pragma once

#include <cstddef>

#include "gemm/gemm_driver.h"

namespace ndconv {
namespace dispatch {

// One MR x NR tile of a channels-last GEMM over the whole reduction: C rows
// [m, m + mr), columns [n, n + nr) (n a multiple of NR; nr <= NR, or several
// panels swept by one call: the dot kernel's NR = 1 columns). The K blocks of
// `red` accumulate in `tile` (MR * max(NR, nr) floats, the caller's L1
// scratch, row stride max(NR, nr), returned); the last block applies the
// activation and, with `row_max`, max-reduces the tile into it (fused max
// pooling) instead of leaving it in `tile`. row(m, t) as for gemm_rows_task.
template <class RowFn>
size_t gemm_rows_tile(const kernels::GemmRowsKernel& uk, const PackedWeights& w,
                    const GemmRowsReduction& red, size_t m, size_t mr, size_t n, size_t nr,
                    const RowFn& row, float* tile, const kernels::Activation& act,
                    float* row_max) {
  const size_t NR = uk.nr;
  // A short tile runs the kernel with exactly its rows when it has one.
  const bool short_tile = uk.short_rows && mr < uk.mr;
  const size_t MR = short_tile ? mr : uk.mr;
  const kernels::GemmRowsFn fn = short_tile ? uk.short_rows[mr - 1] : uk.fn;
  const float* a[kMaxMR * kMaxTapBlock];
  kernels::GemmRowsArgs args;
  args.a = a;
  args.bias = w.bias(0, n / NR);
  args.mr = mr;
  args.nr = nr;
  args.panel_stride = w.panel_stride();
  const size_t ldc = nr > NR ? nr : NR;
  args.out = gemm_output(act, nullptr, ldc, true, true);
  for (size_t t0 = 0; t0 < red.taps; t0 += red.tap_block) {
    const size_t tn = red.taps - t0 < red.tap_block ? red.taps - t0 : red.tap_block;
    for (size_t t = 0; t < tn; ++t)
      for (size_t i = 0; i < MR; ++i) a[t * MR + i] = row(m + (i < mr ? i : mr - 1), t0 + t);
    for (size_t k0 = 0; k0 < red.kc_tap; k0 += red.k_block) {
      const size_t kc = red.kc_tap - k0 < red.k_block ? red.kc_tap - k0 : red.k_block;
      const bool first = t0 == 0 && k0 == 0;
      const bool last = t0 + tn == red.taps && k0 + kc == red.kc_tap;
      args.a_k_offset = static_cast<ptrdiff_t>(k0);
      args.taps = tn;
      args.kc = kc;
      args.b = w.rows(0, n / NR) + (t0 * red.kc_tap + k0) * NR;
      set_block_output(&args.out, act, tile, first, last);
      args.out.row_max = last ? row_max : nullptr;
      fn(args);
    }
  }
  return ldc;
}

}  // namespace dispatch
}  // namespace ndconv
