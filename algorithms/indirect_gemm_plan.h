// indirect-gemm's plan (algorithms/indirect_gemm.cpp): how a shape's taps
// are read (merged along the innermost dim or not, the algorithm's own task
// loop or the shared driver's) and which rows tiles run (the main tile, the
// one-vector tile for narrow groups, swept together, or the k-pair kernels).
// Decided at create from the shape, the kernel table and the Tuning.
#pragma once

#include <cstddef>
#include <cstdint>

#include "addressing/indirection.h"
#include "api/conv_shape.h"
#include "gemm/gemm_driver.h"
#include "kernels/kernel_table.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace indirect {

// Per-task stack scratch (all bounds checked at create; a shape past them
// takes the shared driver, without merged taps):
//  - rows of merged taps that straddle the input border, gathered with zeros,
//    one slot of kc_tap floats per (row, tap) of an M block: MR * K floats;
//  - the row pointers of an M block, MR * taps (kMaxRowPointers);
//  - per tap (at most kMaxCalls taps): its first row, whether its rows are
//    evenly spaced (or which rows at one end read padding), an indirection
//    entry carried to the next M block, and the microkernel calls (runs of
//    non-padding taps, two 32-bit indices).
// Together 32 KiB + 32 KiB + (8 + 1 + 8 + 8) KiB: 89 KiB of stack per task.
constexpr size_t kBorderScratchFloats = 8192;
constexpr size_t kMaxCalls = 1024;

// Taps merge the innermost kernel dim when its input run is contiguous
// (dilation 1, one group so a pixel's channels are all of K): a "tap" is then
// kernel[last] adjacent pixels x C_in floats. Worth it when C_in is small
// (stem: 3 channels, audio: 1), where a tap of C_in floats would leave the
// microkernel reloading row pointers every few k: at most
// Tuning::indirect_merge_max_channels (32).

// How the reduction is read: K = taps x kc_tap floats per output pixel.
struct TapPlan {
  int64_t span = 1;       // kernel pixels merged into one tap along the innermost dim
  size_t kc_tap = 0;      // floats of one tap: C_in/groups x span
  size_t kc_budget = 0;   // the L1 K block (of the shared driver's reduction)
  bool own_loop = false;  // channels_last_task (else the shared gemm_rows_task)
};

// Taps merge when the shape allows it and the merged rows of a block fit the
// border scratch; the task loop is this algorithm's own when its per-block
// arrays fit the stack.
inline TapPlan plan_taps(const ConvShape& s, const kernels::GemmRowsKernel& uk, const Tuning& tune) {
  const int inner = s.rank - 1;
  const size_t cin_g = static_cast<size_t>(s.in_channels_per_group());
  TapPlan plan;
  plan.kc_budget = l1_k_block(uk.nr, tune);
  if (s.groups == 1 && s.dilation[inner] == 1 && s.kernel[inner] > 1 &&
      s.in_channels <= static_cast<int64_t>(tune.indirect_merge_max_channels) &&
      static_cast<size_t>(s.kernel[inner]) * cin_g <= plan.kc_budget &&
      uk.mr * static_cast<size_t>(s.kernel_taps()) * cin_g <= kBorderScratchFloats)
    plan.span = s.kernel[inner];
  const size_t taps = static_cast<size_t>(s.kernel_taps() / plan.span);
  plan.kc_tap = cin_g * static_cast<size_t>(plan.span);
  const GemmRowsReduction red = rows_reduction(tune, uk.nr, taps, plan.kc_tap, plan.kc_budget, 0);
  const size_t slices = (plan.kc_tap + red.k_block - 1) / red.k_block;
  plan.own_loop = taps * uk.mr <= kMaxRowPointers && taps * slices <= kMaxCalls;
  // (merging implies a small K, so this never undoes one)
  if (!plan.own_loop) plan.span = 1, plan.kc_tap = cin_g;
  return plan;
}

// Groups of at most one vector of output channels (4 groups of 16: RegNet)
// would leave half or more of the main tile's columns zero: the one-vector
// tile instead. Intel Xeon (SPR class), --ab: grouped_g4x16 NXC 0.45x -> 0.68-0.72x
// oneDNN, grouped_g8x12 NXC 1.02x -> 1.47x.
inline bool use_one_vector(const kernels::KernelTable& table, size_t cout_g) {
  const kernels::GemmRowsKernel& one = table.gemm_rowptr_one_vector;
  return one.fn && cout_g <= one.nr && one.nr < table.gemm_rowptr_main.nr && one.mr <= kMaxMR;
}

// The wide pair (Tuning::gemm_rows_wide: the lean 6 x 64 rows and strided
// tiles) instead of the main pair, where the table has it and it pads the
// output channels at most 5% more: a 64-channel layer in one N panel, each
// input row broadcast once per 4 FMAs, not twice. Intel Xeon (Emerald
// Rapids), --ab, 3 alternations: conv3x3_res2 NXC 0.85-0.97x -> 0.97-0.99x
// oneDNN, conv3d_s2 0.80-0.89x -> 0.95-0.96x, conv3d_video 0.81-0.91x ->
// 0.92-0.95x, conv1d_dilated 0.95-0.98x -> 0.99-1.06x.
inline bool use_wide_pair(const kernels::KernelTable& table, size_t cout_g) {
  const kernels::GemmRowsKernel& wide = table.gemm_rowptr_wide;
  const kernels::GemmRowsStridedKernel& strided = table.gemm_rowstride_wide;
  if (!wide.fn || !strided.fn || strided.mr != wide.mr || strided.nr != wide.nr || wide.mr > kMaxMR) return false;
  const size_t main_nr = table.gemm_rowptr_main.nr;
  const size_t padded_wide = (cout_g + wide.nr - 1) / wide.nr * wide.nr;
  const size_t padded_main = (cout_g + main_nr - 1) / main_nr * main_nr;
  return padded_wide * 20 <= padded_main * 21;
}

// Narrow groups (the one-vector tile) are swept together: a task takes an M
// block's rows of every group from one plan of its taps, each group's read
// C_in/groups floats further on (a_k_offset) against its own weights. Per
// group, planning the same taps again cost a fifth of grouped_g4x16's time
// (K = 16 per tap: a tap's plan is against only 16 k steps of the kernel).
// Zen 5, --ab: grouped_g4x16 NXC 0.72x -> 0.79-0.85x oneDNN, grouped_g8x12
// NXC 1.7-1.9x -> 2.3x. What is left is the kernel: one broadcast per FMA
// (N = 16) runs at ~72% of the FMA peak even in L1.
inline bool sweeps_groups(const ConvShape& s, bool one_vector, const TapPlan& plan) {
  return s.groups > 1 && one_vector && plan.own_loop && plan.span == 1;
}

// The k-pair kernels (kernels/gemm_kpair.hpp) in place of the one-vector
// pair, where the core wants them (Tuning::indirect_kpair) and the plan
// fits their contract: groups swept with the one-vector tile (each call one
// whole tap of kc = C_in/groups floats, so an even kc keeps every call's k
// pairs inside its tap); the pair shares its tile shape.
inline bool uses_kpair(const kernels::GemmKPairKernels& kp, const Tuning& tune, bool sweep_groups, const TapPlan& plan) {
  return tune.indirect_kpair && sweep_groups && kp.rows.fn && kp.strided.fn && plan.kc_tap % 2 == 0 &&
         kp.rows.mr == kp.strided.mr && kp.rows.nr == kp.strided.nr && kp.rows.mr <= kMaxMR;
}

}  // namespace indirect
}  // namespace dispatch
}  // namespace ndconv
