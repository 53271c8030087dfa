// im2col-panel-gemm: the general channels-first convolution (any rank,
// stride, dilation, padding, groups) as weights x im2col, one L1-sized
// (kc x NR) B panel at a time, packed from the input
// (addressing/im2col_panels.h) and reused for every M block of a task.
#include <algorithm>
#include <new>

#include "addressing/im2col_panels.h"
#include "addressing/line_offsets.h"
#include "algorithms/general_conv.h"
#include "algorithms/packed_factory.h"
#include "api/error.h"
#include "api/threadpool.h"
#include "gemm/conv_gemm_dims.h"
#include "gemm/gemm_driver.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// The packed B panels of one K block, tuning's indirect_panel_group panels
// (at most kMaxPanelGroup) of kc x NR floats: 64 KiB of stack per task (kc
// shrinks to fit). Two panels per A block measured best among 1..4 with kc
// 128..512 (conv1d_dilated, conv3x3_res2; differences of a few percent,
// under the machine's noise).
constexpr size_t kPanelGroupFloats = 16384;
constexpr size_t kMaxGuidedTasks = 64;          // see split_tasks

// The task grid of one run: m_tasks x n_tasks per image and group; N task nt
// covers pixels [n_start(nt), n_start(nt + 1)).
struct TaskSplit {
  GemmTiling tiling;
  size_t n_tasks = 0, n_panels = 0, NR = 0, N = 0;
  bool use_guided = false;
  size_t guided[kMaxGuidedTasks + 1];  // guided sizes: panel where task nt starts
  size_t n_start(size_t nt) const {
    return std::min(N, (use_guided ? guided[nt] : nt * n_panels / n_tasks) * NR);
  }
};

class Im2colGemm final : public Algorithm {
 public:
  Im2colGemm(const ConvShape& shape, const kernels::KernelTable& table, const Tuning& tune)
      : Algorithm(PlanName("im2col-panel-gemm", ndconv_isa_name(table.isa))),
        s_(shape),
        table_(table),
        act_(activation_of(shape)),
        tuning_(tune),
        panel_group_(tune.indirect_panel_group),
        a_block_bytes_(tune.im2col_a_block_bytes) {}

  bool init(const float* weights, const float* bias) {
    // Few output channels per group: the narrow kernel (ResNeXt NCX, 4 per
    // group: 21 -> see the commit, GFLOP/s).
    cols_ = s_.out_channels_per_group() <= static_cast<int64_t>(table_.gemm_cols_few_rows.mr)
                ? &table_.gemm_cols_few_rows
                : &pick_cols_kernel(table_, static_cast<size_t>(s_.out_channels_per_group()),
                                    static_cast<size_t>(s_.out_pixels()),
                                    static_cast<size_t>(s_.in_channels_per_group() * s_.kernel_taps()),
                                    tuning_);
    return packed_.pack(s_, weights, bias, cols_->mr) && lines_.build(s_);
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override;

 private:
  void split_tasks(size_t threads, TaskSplit* split) const;
  template <class Source>
  void channels_first_task(size_t g, size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1,
                           const Source& source, float* c, size_t ldc) const;

  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  const kernels::GemmColsKernel* cols_ = nullptr;
  Tuning tuning_;         // the plan's, copied when it is created
  size_t panel_group_;    // B panels packed per K block (tuning, at most kMaxPanelGroup)
  size_t a_block_bytes_;  // a task's A block bound (tuning.im2col_a_block_bytes: see split_tasks)
  PackedWeights packed_;
  LineOffsets lines_;
};

// How one run's GEMMs (M = C_out/G, N = output pixels) are cut into tasks.
void Im2colGemm::split_tasks(size_t threads, TaskSplit* split) const {
  const auto& uk = *cols_;
  const size_t groups = static_cast<size_t>(s_.groups);
  const size_t images = static_cast<size_t>(s_.batch);
  const size_t M = static_cast<size_t>(s_.out_channels_per_group());
  const size_t N = static_cast<size_t>(s_.out_pixels());
  // Each task packs its own im2col panels: split N across threads first,
  // and let a task's A block (packed weights, streamed sequentially) span
  // all of M up to 4 MiB rather than an L2 budget: an M split packs every
  // panel once per M tile (conv3x3_s2 NCX, 576 KiB of weights: 0.96x ->
  // 1.16x oneDNN; conv1d_dilated NCX 1.04x -> 1.10x).
  const GemmTiling t = choose_gemm_tiling(tuning_, M, N, packed_.k(), uk.mr, uk.nr, images * groups, threads,
                                          true, a_block_bytes_, /*split_n_first=*/true);
  split->tiling = t;
  split->N = N;
  split->NR = uk.nr;
  // The N tasks take n_panels / n_tasks panels each, give or take one,
  // rather than t.n_tile each and the rest to the last: conv3x3_res2's 66
  // panels of 48 in 8 tasks of 9 left 2.3 panels to the last task, so one
  // of two threads ran 36 panels and the other 29 (scaling capped at 1.81).
  const size_t n_panels = (N + uk.nr - 1) / uk.nr;
  split->n_panels = n_panels;
  split->n_tasks = t.n_tasks;
  split->use_guided = false;
  // One GEMM on several threads: guided sizes instead, each task a share of
  // the panels left (and at least a panel group), so the tasks claimed last
  // are small and the threads finish together: conv1d_dilated's 22 panels
  // in equal tasks of 2 or 3 still left one thread 11.3 panels to the
  // other's 10; guided (6, 4, 3, 3, 2, 2, 1.3) at most 11 to 10.3.
  if (images * groups == 1 && threads > 1 && t.m_tasks == 1) {
    size_t count = 0, start = 0;
    split->guided[0] = 0;
    while (start < n_panels && count < kMaxGuidedTasks) {
      const size_t share = (n_panels - start + 2 * threads - 1) / (2 * threads);
      start = std::min(n_panels, start + std::max(panel_group_, share));
      split->guided[++count] = start;
    }
    split->use_guided = start == n_panels;
    if (split->use_guided) split->n_tasks = count;
  }
}

ndconv_status Im2colGemm::run(const float* input, float* output, ndconv_threadpool* pool) const {
  const ConvGemmDims d(s_);
  const size_t M = d.cout_g, N = d.out_pixels;
  TaskSplit split;
  split_tasks(threadpool_threads(pool), &split);
  const GemmTiling& t = split.tiling;
  const size_t n_tasks = split.n_tasks;
  const size_t tasks = t.m_tasks * n_tasks;
  auto task = [&](size_t index) {
    const size_t gemm = index / tasks;
    const size_t image = gemm / d.groups, g = gemm % d.groups;
    const size_t mt = index % tasks / n_tasks, nt = index % n_tasks;
    const Im2colPanels panels{s_, lines_, table_.pack_panel_rows,
                              input + (image * d.cin + g * d.cin_g) * d.in_pixels};
    float* c = output + (image * d.cout + g * M) * d.out_pixels;
    const size_t m0 = mt * t.m_tile;
    channels_first_task(g, M, N, m0, std::min(M, m0 + t.m_tile), split.n_start(nt),
                        split.n_start(nt + 1), panels, c, d.out_pixels);
  };
  parallel_for(pool, d.images * d.groups * tasks, task);
  return NDCONV_OK;
}

// One task of the channels-first GEMM. Unlike the shared gemm_cols_task
// (one N panel at a time over all of K and M, which streams the whole
// packed weight matrix from L2 per 32 pixels: ~56 B/cycle for conv1d_dilated's
// 256 x 768), panel_group_ panels are packed per K block and each A block
// (MR x kc, in L1) is used for all of them.
template <class Source>
void Im2colGemm::channels_first_task(size_t g, size_t M, size_t N, size_t m0, size_t m1, size_t n0,
                                     size_t n1, const Source& source, float* c, size_t ldc) const {
  const auto& uk = *cols_;
  const size_t K = packed_.k(), MR = uk.mr, NR = uk.nr;
  const size_t group = panel_group_;
  alignas(64) float scratch[kPanelGroupFloats];
  const size_t kc_block = std::min<size_t>(l1_k_block(NR, tuning_), kPanelGroupFloats / (group * NR));
  const kernels::GemmOutput last_out = gemm_output(act_, nullptr, ldc, true, true);
  // Output-bound (Tuning::cols_prefetch_c_max_k): the next M block's C
  // lines are fetched for writing while this one computes.
  const bool prefetch_c = K <= tuning_.cols_prefetch_c_max_k;
  for (size_t ng = n0; ng < n1; ng += group * NR) {
    const size_t ng1 = std::min(n1, ng + group * NR);
    for (size_t k0 = 0; k0 < K; k0 += kc_block) {
      const size_t kc = std::min(kc_block, K - k0);
      ColsPanel panels[kMaxPanelGroup];
      size_t count = 0;
      for (size_t n = ng; n < ng1; n += NR, ++count)
        panels[count] = source.panel(k0, kc, n, std::min(NR, N - n), NR, scratch + count * kc * NR);
      for (size_t m = m0; m < m1; m += MR) {
        kernels::GemmColsArgs args;
        args.a = packed_.rows(g, m / MR) + k0 * MR;
        args.bias = packed_.bias(g, m / MR);
        args.mr = std::min(MR, M - m);
        args.kc = kc;
        args.out = last_out;
        args.out.accumulate = k0 != 0;
        args.out.clamp = last_out.clamp && k0 + kc == K;
        if (prefetch_c && k0 == 0 && m + MR < m1)
          prefetch_c_block(c, ldc, m + MR, std::min(m1, m + 2 * MR), ng, ng1, tuning_.cache_line_floats);
        for (size_t p = 0; p < count; ++p) {
          const size_t n = ng + p * NR;
          args.b = panels[p].b;
          args.ldb = panels[p].ldb;
          args.b_offsets = panels[p].offsets;
          args.nr = std::min(NR, N - n);
          args.out.c = c + m * ldc + n;
          uk.fn(args);
        }
      }
    }
  }
}

}  // namespace

std::unique_ptr<Algorithm> make_im2col_gemm_algorithm(const ConvShape& shape,
                                                      const kernels::KernelTable& table,
                                                      const Tuning& tune,
                                                      const float* weights, const float* bias,
                                                      ndconv_status* status) {
  *status = NDCONV_OK;
  if (shape.layout != NDCONV_NCX) return nullptr;
  return build_packed_algorithm<Im2colGemm>(shape, table, weights, bias, status,
                                            "out of memory building the im2col-panel-gemm plan", tune);
}

}  // namespace dispatch
}  // namespace ndconv
