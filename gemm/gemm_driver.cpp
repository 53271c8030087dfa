#include "gemm/gemm_driver.h"

#include <algorithm>
#include <limits>

#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

// When the threads, claiming tasks in order, all finish: `units` split in
// tiles of `tile` (the last one short) over `threads` equally fast threads.
size_t finish_time(size_t units, size_t tile, size_t threads) {
  const size_t tasks = ceil_div(units, tile);
  const size_t full = tasks - 1, last = units - full * tile;
  // The full tiles go round the threads; the short one to a least loaded.
  return std::max(ceil_div(full, threads) * tile, full / threads * tile + last);
}

// One GEMM split along one dimension over several threads: the tile (at most
// `tile`, at least half of it) whose tasks finish first, the largest of the
// equals. A coarse tile with a short last task leaves a thread idle at the
// end: conv1d_dilated NXC's 74 M blocks in tiles of 10 gave one of two
// threads 40 blocks and the other 34 (scaling at most 1.83); tiles of 9 give
// 36 and 38.
size_t balanced_tile(size_t units, size_t tile, size_t threads) {
  size_t best = tile, best_time = finish_time(units, tile, threads);
  for (size_t c = tile - 1; c >= 1 && 2 * c >= tile; --c) {
    const size_t time = finish_time(units, c, threads);
    if (time < best_time) best = c, best_time = time;
  }
  return best;
}

}  // namespace

// The cache budgets (bytes) are plan/tuning.h's, derived from the detected
// caches: the B panel slice (kc x NR) lives in L1 while the M blocks sweep it;
// a task's A block (m_tile x K, all of K: the N panels are the outer loop and
// each reuses it) lives in L2.
size_t l1_k_block(size_t NR, const Tuning& tune) {
  return std::max(tune.gemm_min_k_block_floats, tune.gemm_l1_budget_bytes / (sizeof(float) * NR));
}

GemmTiling choose_gemm_tiling(const Tuning& tune, size_t M, size_t N, size_t K, size_t MR, size_t NR,
                              size_t independent, size_t threads, bool k_splittable,
                              size_t a_block_bytes, bool split_n_first) {
  GemmTiling t;
  const size_t kc_max = l1_k_block(NR, tune);
  const size_t k_blocks = k_splittable ? ceil_div(K, kc_max) : 1;
  t.kc = ceil_div(K, k_blocks);

  const size_t m_blocks = ceil_div(M, MR), n_panels = ceil_div(N, NR);
  if (a_block_bytes == 0) a_block_bytes = tune.gemm_l2_budget_bytes;
  size_t m_tile_blocks = std::max<size_t>(1, a_block_bytes / (sizeof(float) * K * MR));
  m_tile_blocks = std::min(m_tile_blocks, m_blocks);
  size_t m_tasks = ceil_div(m_blocks, m_tile_blocks);
  size_t n_tasks = 1;

  // Enough tasks for every thread, with slack for dynamic balance; split the
  // longer dimension first.
  if (threads > 1) {
    const size_t want = threads * tune.tasks_per_thread;
    while (independent * m_tasks * n_tasks < want) {
      const size_t m_left = m_blocks / m_tasks, n_left = n_panels / n_tasks;
      if (m_left <= 1 && n_left <= 1) break;
      if (split_n_first ? n_left <= 1 : m_left >= n_left) ++m_tasks; else ++n_tasks;
    }
  }
  size_t m_tile_blocks_final = ceil_div(m_blocks, m_tasks);
  size_t n_tile_panels = ceil_div(n_panels, n_tasks);
  if (threads > 1 && independent == 1) {
    if (n_tasks == 1)
      m_tile_blocks_final = balanced_tile(m_blocks, m_tile_blocks_final, threads);
    else if (m_tasks == 1)
      n_tile_panels = balanced_tile(n_panels, n_tile_panels, threads);
  }
  t.m_tile = m_tile_blocks_final * MR;
  t.n_tile = n_tile_panels * NR;
  t.m_tasks = ceil_div(M, t.m_tile);
  t.n_tasks = ceil_div(N, t.n_tile);
  return t;
}

namespace {
size_t padded_work(size_t M, size_t N, size_t MR, size_t NR) {
  return ceil_div(M, MR) * MR * ceil_div(N, NR) * NR;
}
}  // namespace

// The first of `main` and `alternatives` with the least padded work.
template <class Kernel, size_t kAlternatives>
const Kernel& least_padded(const Kernel& main, const Kernel (&alternatives)[kAlternatives],
                           size_t M, size_t N) {
  const Kernel* best = &main;
  for (const Kernel& k : alternatives)
    if (k.fn && padded_work(M, N, k.mr, k.nr) < padded_work(M, N, best->mr, best->nr)) best = &k;
  return *best;
}

const kernels::GemmRowsKernel& pick_rows_kernel(const kernels::KernelTable& table, size_t M, size_t N) {
  return least_padded(table.gemm_rowptr_main, table.gemm_rowptr_alt, M, N);
}

const kernels::GemmColsKernel& pick_cols_kernel(const kernels::KernelTable& table, size_t M, size_t N,
                                                size_t K, const Tuning& tune) {
  const kernels::GemmColsKernel& best = least_padded(table.gemm_cols_main, table.gemm_cols_alt, M, N);
  const kernels::GemmColsKernel& wide = table.gemm_cols_wide;
  if (!wide.fn) return best;
  // Within 2%, padding is not what decides (measured on AMD EPYC Zen 5:
  // pw_mbv2_project, M = 24, 1% less padded in 6 x 64, ran 5% slower).
  const size_t wide_work = padded_work(M, N, wide.mr, wide.nr), best_work = padded_work(M, N, best.mr, best.nr);
  const bool streams_weights = M * K * sizeof(float) > tune.gemm_l2_budget_bytes;
  if (wide_work * 50 < best_work * 49 || (streams_weights && wide_work * 50 <= best_work * 51)) return wide;
  return best;
}

GemmRowsReduction rows_reduction(const Tuning& tune, size_t NR, size_t taps, size_t kc_tap,
                                 size_t kc_budget, size_t N) {
  GemmRowsReduction r;
  r.taps = taps;
  r.kc_tap = kc_tap;
  if (N != 0 && N * taps * kc_tap * sizeof(float) <= tune.gemm_m_outer_max_weight_bytes) {
    // The whole weight matrix stays in L2 (up to 768 KiB on Zen 5: measured
    // on pw_res3_down_s2, 512 KiB of weights, 0.90x -> 1.06x oneDNN against
    // the N-outer order): M blocks outermost, no K blocks, one microkernel
    // call sweeping every N panel of the block.
    r.m_outer = true;
    r.tap_block = std::min(taps, kMaxTapBlock);
    r.k_block = kc_tap;
    return r;
  }
  if (kc_tap >= kc_budget || taps == 1) {
    // Slices of one tap, of equal size.
    const size_t blocks = ceil_div(kc_tap, kc_budget);
    r.tap_block = 1;
    r.k_block = ceil_div(kc_tap, blocks);
  } else {
    const size_t per_call = std::min(kMaxTapBlock, std::max<size_t>(1, kc_budget / kc_tap));
    const size_t blocks = ceil_div(taps, per_call);
    r.tap_block = ceil_div(taps, blocks);
    r.k_block = kc_tap;
  }
  r.b_prefetch_l2 = r.tap_block * r.k_block > l1_k_block(NR, tune);
  return r;
}

}  // namespace dispatch
}  // namespace ndconv
