// Full-width ("n-gram") convolutions: the kernel covers the whole unpadded
// extent of every spatial dim after the first (a text CNN's (k, E) kernel over
// an [L, E] sentence, or Conv1D with kernel k over E channels). Each output
// position is one dot product of a window of k sequence steps with each
// filter, so the convolution is a GEMM whose A rows are overlapping windows of
// the input, read in place: no im2col, no copy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plan/algorithm.h"
#include "gemm/gemm_driver.h"

namespace ndconv {
namespace dispatch {

// True if `shape` is a full-width convolution this algorithm runs: groups 1;
// along dim 0 (the sequence) any kernel, stride and padding, dilation 1 (or
// kernel 1); along every dim d >= 1 kernel[d] == in_size[d] with no padding
// (and dilation 1 or kernel 1, so the kernel really covers the extent).
bool is_full_width(const ConvShape& shape);

std::unique_ptr<Algorithm> make_ngram_algorithm(const ConvShape& shape,
                                                const kernels::KernelTable& table,
                                                const float* weights, const float* bias,
                                                ndconv_status* status);

// Columns the narrow microkernel (KernelTable::gemm_rowptr_one_vector) takes: the
// last F % NR when they fit in its one vector, else 0 (all panels full width).
size_t narrow_tail_columns(size_t columns, const kernels::KernelTable& table);

// Packs output channels [first, first + count) of a groups-1 `shape` alone,
// from weights in any layout, as panels of `width`. False on allocation failure.
bool pack_channel_range(const ConvShape& shape, const float* weights, const float* bias,
                        size_t first, size_t count, size_t width, PackedWeights* out);

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
      args.out = gemm_output(act, tile, ldc, first, last);
      if (last) args.out.row_max = row_max;
      fn(args);
    }
  }
  return ldc;
}

}  // namespace dispatch
}  // namespace ndconv
