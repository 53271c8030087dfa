// The loops around the GEMM microkernels: cache blocking over K, M and N, and
// the split of the tile grid into thread-pool tasks. Shared by every algorithm
// that is a GEMM (pointwise, n-gram, the text-CNN block, indirect-gemm,
// im2col-panel-gemm; the grouped paths use its epilogue helpers): they
// differ only in how A rows (channels-last) or B rows (channels-first) are
// addressed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "gemm/weight_packing.h"
#include "kernels/kernel_table.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {

constexpr size_t kMaxMR = 16;   // largest microkernel MR of any ISA
constexpr size_t kMaxNR = 64;   // largest microkernel NR of any ISA
constexpr size_t kMaxTapBlock = 32;  // most kernel taps in one microkernel call

// How one GEMM (M x N, reduction K) is cut: K blocks of `kc` (the B panel
// slice kc x NR stays in L1), tasks of m_tile x n_tile (multiples of MR/NR;
// the A block m_tile x kc stays in L2), and the resulting task grid.
struct GemmTiling {
  size_t kc = 0;
  size_t m_tile = 0, n_tile = 0;
  size_t m_tasks = 0, n_tasks = 0;
  size_t tasks() const { return m_tasks * n_tasks; }
};

// Task `index` of `independent` GEMMs of M x N, each cut by a GemmTiling into
// tasks() tasks (GEMM-major, then M tiles, then N tiles): which GEMM, and the
// C rows [m0, m1) and columns [n0, n1) it computes.
struct GemmTask {
  size_t gemm = 0;
  size_t m0 = 0, m1 = 0, n0 = 0, n1 = 0;
};
inline GemmTask gemm_task(const GemmTiling& t, size_t index, size_t M, size_t N) {
  const size_t mt = index % t.tasks() / t.n_tasks, nt = index % t.n_tasks;
  GemmTask task;
  task.gemm = index / t.tasks();
  task.m0 = mt * t.m_tile;
  task.m1 = M < task.m0 + t.m_tile ? M : task.m0 + t.m_tile;
  task.n0 = nt * t.n_tile;
  task.n1 = N < task.n0 + t.n_tile ? N : task.n0 + t.n_tile;
  return task;
}

// The cache budgets and task counts come from `tune`, the plan's Tuning (the
// process's tuning(), or a measure-mode candidate's variant of it).
// `independent` is how many such GEMMs run side by side (batch x groups for
// channels-first), which also feed the threads. `k_splittable` is false when K
// must not be blocked (several kernel taps per microkernel call).
// `a_block_bytes` bounds a task's A block (default: an L2 budget).
// `split_n_first`: for the threads, split N before M. Channels-first callers
// that copy or gather each B panel per task want it: tasks that share N
// panels (an M split) each pack the same panels again (pw_res3_down_s2 NCX,
// gathered stride-2 panels, scaled 1.72x on 2 threads with the M split).
GemmTiling choose_gemm_tiling(const Tuning& tune, size_t M, size_t N, size_t K, size_t MR, size_t NR,
                              size_t independent, size_t threads, bool k_splittable = true,
                              size_t a_block_bytes = 0, bool split_n_first = false);

// The K block that keeps a kc x NR slice of packed weights in L1.
size_t l1_k_block(size_t NR, const Tuning& tune);

// The microkernel (main or alternative tile shape) that pads an M x N problem
// least; the main shape on ties.
const kernels::GemmRowsKernel& pick_rows_kernel(const kernels::KernelTable& table, size_t M, size_t N);
// The same for channels-first, where the table has a wide tile
// (KernelTable::gemm_cols_wide) weighed too: taken where it pads the problem
// more than 2% less than the least padded of the others, or, when the M x K
// weights exceed tune's L2 budget, where it pads at most 2% more (the weights
// stream again from L3 for every N panel; 64 columns halve that of 32).
const kernels::GemmColsKernel& pick_cols_kernel(const kernels::KernelTable& table, size_t M, size_t N,
                                                size_t K, const Tuning& tune);

// The epilogue fields every microkernel call of a K block shares.
inline kernels::GemmOutput gemm_output(const kernels::Activation& act, float* c, size_t ldc,
                                       bool first_k_block, bool last_k_block) {
  kernels::GemmOutput out;
  out.c = c;
  out.ldc = ldc;
  out.accumulate = !first_k_block;
  if (last_k_block && act.kind != NDCONV_ACT_NONE) {
    out.clamp = true;
    out.lo = act.kind == NDCONV_ACT_RELU ? 0.0f : act.min;
    out.hi = act.kind == NDCONV_ACT_RELU ? std::numeric_limits<float>::infinity() : act.max;
  }
  return out;
}

// A tile loop's epilogue per microkernel call, set field by field in `out`,
// which the loop made once with gemm_output(act, nullptr, ldc, true, true)
// (ldc, lo, hi). Assigning a fresh gemm_output per call instead copied a
// struct GCC had built on the stack with 1- and 8-byte stores, by 16-byte
// loads that waited on failed store forwards: a fifth of pw_tiny_3to5 NCX
// (K = 3, a call per 6 x 64 tile) on AMD EPYC Zen 4 stood at one such load.
inline void set_block_output(kernels::GemmOutput* out, const kernels::Activation& act, float* c,
                             bool first_k_block, bool last_k_block) {
  out->c = c;
  out->accumulate = !first_k_block;
  out->clamp = last_k_block && act.kind != NDCONV_ACT_NONE;
}

// How the reduction of a channels-last GEMM is laid out: K = taps * kc_tap,
// tap t of row m being kc_tap contiguous floats at row(m, t). A K block is
// either a run of whole taps or (one tap) a slice of it, so that the packed
// weights of a block are contiguous.
struct GemmRowsReduction {
  size_t taps = 1;
  size_t kc_tap = 0;
  size_t tap_block = 1;   // taps per microkernel call
  size_t k_block = 0;     // floats of one tap per call (== kc_tap when tap_block > 1)
  // Loop order. false: per N panel, all M blocks (the panel's weights slice
  // stays in L1; for large weight matrices). true: per M block, all N panels
  // (the block's A rows stay in L1 and each C row block is finished and
  // written contiguously; for weight matrices that fit in L2).
  bool m_outer = false;
  // N-outer order, K blocks larger than the L1 block of NR: the microkernel
  // prefetches the next block into L2 rather than L1 (see gemm_rows_task).
  bool b_prefetch_l2 = false;
};

// Splits K for the L1 budget of the B panel slice (see choose_gemm_tiling's kc)
// and picks the loop order from the size of the packed weights (N x K floats;
// N = 0: always L1-sized blocks, N panel outermost, for callers with their own
// loop order). NR is the microkernel's.
GemmRowsReduction rows_reduction(const Tuning& tune, size_t NR, size_t taps, size_t kc_tap,
                                 size_t kc_budget, size_t N);

// One task of a channels-last GEMM: C[m0:m1, n0:n1] of group g; `row(m, t)`
// points at the kc_tap floats of tap t of A row m (a zero row for padding).
template <class RowFn>
void gemm_rows_task(const kernels::GemmRowsKernel& uk, const PackedWeights& w, size_t g,
                    const GemmRowsReduction& red, size_t M, size_t N, size_t m0, size_t m1,
                    size_t n0, size_t n1, const RowFn& row, float* c, size_t ldc,
                    const kernels::Activation& act) {
  const size_t MR = uk.mr, NR = uk.nr;
  const float* a[kMaxMR * kMaxTapBlock];
  kernels::GemmRowsArgs args;
  args.a = a;
  // One microkernel call: K block (t0, k0) of the tile row (m, n .. n_end):
  // the microkernel sweeps the N panels itself when n_end - n > NR.
  args.panel_stride = w.panel_stride();
  args.out = gemm_output(act, nullptr, ldc, true, true);
  auto call = [&](size_t m, size_t n, size_t n_end, size_t t0, size_t tn, size_t k0, size_t kc,
                  bool pointers) {
    args.mr = M - m < MR ? M - m : MR;
    args.nr = (n_end < N ? n_end : N) - n;
    // A short last M block runs the kernel with exactly its rows when the
    // kernel has one (uk.short_rows), whose row pointers are [taps][mr].
    const bool short_block = uk.short_rows && args.mr < MR;
    const size_t rows = short_block ? args.mr : MR;
    if (pointers) {
      // Rows past mr repeat the last real row: always readable, never stored.
      for (size_t t = 0; t < tn; ++t)
        for (size_t i = 0; i < rows; ++i)
          a[t * rows + i] = row(m + (i < args.mr ? i : args.mr - 1), t0 + t);
    }
    args.a_k_offset = static_cast<ptrdiff_t>(k0);
    args.taps = tn;
    args.kc = kc;
    args.b = w.rows(g, n / NR) + (t0 * red.kc_tap + k0) * NR;
    args.bias = w.bias(g, n / NR);
    set_block_output(&args.out, act, c + m * ldc + n, t0 == 0 && k0 == 0,
                     t0 + tn == red.taps && k0 + kc == red.kc_tap);
    (short_block ? uk.short_rows[args.mr - 1] : uk.fn)(args);
  };
  if (red.m_outer) {
    for (size_t m = m0; m < m1; m += MR)
      for (size_t t0 = 0; t0 < red.taps; t0 += red.tap_block) {
        const size_t tn = red.taps - t0 < red.tap_block ? red.taps - t0 : red.tap_block;
        for (size_t k0 = 0; k0 < red.kc_tap; k0 += red.k_block) {
          const size_t kc = red.kc_tap - k0 < red.k_block ? red.kc_tap - k0 : red.k_block;
          call(m, n0, n1, t0, tn, k0, kc, k0 == 0);
        }
      }
    return;
  }
  // Per N panel, all K blocks, each over all M blocks: the task's C columns
  // of the panel stay in cache between the K blocks that accumulate into them.
  // A K block larger than L1 streams from L2: prefetch the next one there, not
  // into L1 over the slice being swept (pw_res5_expand, full-K blocks: 0.97x
  // -> 1.0x oneDNN).
  args.b_prefetch_l2 = red.b_prefetch_l2;
  for (size_t n = n0; n < n1; n += NR)
    for (size_t t0 = 0; t0 < red.taps; t0 += red.tap_block) {
      const size_t tn = red.taps - t0 < red.tap_block ? red.taps - t0 : red.tap_block;
      for (size_t k0 = 0; k0 < red.kc_tap; k0 += red.k_block) {
        const size_t kc = red.kc_tap - k0 < red.k_block ? red.kc_tap - k0 : red.k_block;
        for (size_t m = m0; m < m1; m += MR) {
          // The first M block brings the slice in from memory: let it also
          // prefetch the slice the next K block (or panel) streams, which
          // follows in the packed weights.
          args.b_prefetch = m == m0 ? w.rows(g, n / NR) + (t0 * red.kc_tap + k0 + kc) * NR : nullptr;
          call(m, n, n + NR, t0, tn, k0, kc, true);
        }
        args.b_prefetch = nullptr;
      }
    }
}

// Where a channels-first GEMM's B panel (kc rows x nr pixels starting at
// reduction row k0 and pixel n) comes from. Either straight from the input
// (rows at b + k*ldb or b + offsets[k], pixels contiguous), or packed by the
// source into `scratch` ([kc][NR], zeros where the convolution reads padding).
struct ColsPanel {
  const float* b = nullptr;
  ptrdiff_t ldb = 0;
  const ptrdiff_t* offsets = nullptr;
};

constexpr size_t kMaxColsScratchFloats = 8192;  // the largest packed B panel slice

// Fetches C[m0:m1, n0:n1]'s lines for writing, for an output-bound
// channels-first GEMM (Tuning::cols_prefetch_c_max_k): one prefetch per
// line, each row's last included (a row of an NCX output need not start on
// a line). A prefetch never faults; the callers stay inside C anyway.
inline void prefetch_c_block(const float* c, size_t ldc, size_t m0, size_t m1, size_t n0, size_t n1,
                             size_t line_floats) {
  for (size_t i = m0; i < m1; ++i) {
    const float* row = c + i * ldc;
    for (size_t col = n0; col < n1; col += line_floats) __builtin_prefetch(row + col, 1, 3);
    __builtin_prefetch(row + n1 - 1, 1, 3);
  }
}

// One task of a channels-first GEMM: C[m0:m1, n0:n1] of group g (C rows are
// output channels, columns output pixels). `source.panel(k0, kc, n, nr,
// scratch)` returns the B panel. Each panel is fetched once and reused for
// every M block of the task.
template <class Source>
void gemm_cols_task(const kernels::GemmColsKernel& uk, const PackedWeights& w, size_t g,
                    size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1,
                    size_t kc_block, const Source& source, float* c, size_t ldc,
                    const kernels::Activation& act) {
  const size_t K = w.k(), MR = uk.mr, NR = uk.nr;
  alignas(64) float scratch[kMaxColsScratchFloats];
  if (kc_block * NR > kMaxColsScratchFloats) kc_block = kMaxColsScratchFloats / NR;
  // Per N panel, all K blocks, each over all M blocks (see gemm_rows_task),
  // one microkernel call sweeping the M blocks.
  kernels::GemmColsArgs args;
  args.panel_stride = w.panel_stride();
  args.mr = (m1 < M ? m1 : M) - m0;
  args.out = gemm_output(act, nullptr, ldc, true, true);
  for (size_t n = n0; n < n1; n += NR) {
    args.nr = N - n < NR ? N - n : NR;
    for (size_t k0 = 0; k0 < K; k0 += kc_block) {
      args.kc = K - k0 < kc_block ? K - k0 : kc_block;
      const ColsPanel panel = source.panel(k0, args.kc, n, args.nr, NR, scratch);
      args.b = panel.b;
      args.ldb = panel.ldb;
      args.b_offsets = panel.offsets;
      args.a = w.rows(g, m0 / MR) + k0 * MR;
      args.bias = w.bias(g, m0 / MR);
      set_block_output(&args.out, act, c + m0 * ldc + n, k0 == 0, k0 + args.kc == K);
      uk.fn(args);
    }
  }
}

}  // namespace dispatch
}  // namespace ndconv
