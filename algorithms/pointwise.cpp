#include "algorithms/pointwise.h"

#include <algorithm>

#include "addressing/pixel_offsets.h"
#include "addressing/pixel_rows.h"
#include "addressing/pointwise_panels.h"
#include "algorithms/packed_factory.h"
#include "algorithms/pointwise_stream.h"
#include "api/threadpool.h"
#include "gemm/conv_gemm_dims.h"
#include "gemm/gemm_driver.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// The channels-last tile shape: the main one computes its last M block with
// exactly its rows (gemm_rowptr_short_rows), so only its N padding counts; an
// alternative shape wins only by padding the problem less all told
// (measured: pw_seq_ffn, M = 128, 14 x 32 with a 2-row block 1.00x oneDNN
// against 0.96x for 8 x 48; pw_res5_expand, M = 49, 14 x 32 with a 7-row
// block 0.98x against 0.97x for 7 x 48). The wide tile, where the table has
// one (Tuning::gemm_rows_wide), where it pads at most 5% more than that
// (pw_seq_ffn, M = 128: 3% more, 0.93x -> 1.00x oneDNN on Intel Xeon;
// pw_res5_expand, M = 49: 10% more, no gain). With its short rows the wide
// tile pads no rows either (AMD EPYC Zen 4, --ab, 3 alternations:
// pw_res5_expand NXC then takes it, 0.96x -> 0.98x oneDNN; on Intel not
// measured since, taken by the same count).
kernels::GemmRowsKernel pick_channels_last_kernel(const kernels::KernelTable& table, size_t M, size_t N) {
  kernels::GemmRowsKernel best = table.gemm_rowptr_main;
  best.short_rows = table.gemm_rowptr_short_rows;
  auto padded = [&](size_t mr, size_t nr) { return (M + mr - 1) / mr * mr * ((N + nr - 1) / nr * nr); };
  size_t best_work = M * ((N + best.nr - 1) / best.nr * best.nr);
  for (const kernels::GemmRowsKernel& k : table.gemm_rowptr_alt)
    if (k.fn && padded(k.mr, k.nr) < best_work) {
      best = k;
      best_work = padded(k.mr, k.nr);
    }
  const kernels::GemmRowsKernel& wide = table.gemm_rowptr_wide;
  if (!wide.fn) return best;
  const size_t wide_work = wide.short_rows ? M * ((N + wide.nr - 1) / wide.nr * wide.nr) : padded(wide.mr, wide.nr);
  if (wide_work * 20 <= best_work * 21) return wide;
  return best;
}

class PointwiseGemm final : public Algorithm {
 public:
  PointwiseGemm(const ConvShape& shape, const kernels::KernelTable& table, const Tuning& tune)
      : Algorithm(PlanName("pointwise-gemm", ndconv_isa_name(table.isa))),
        s_(shape),
        table_(table),
        act_(activation_of(shape)),
        rows_kernel_(pick_channels_last_kernel(table, static_cast<size_t>(shape.batch * shape.out_pixels()),
                                               static_cast<size_t>(shape.out_channels_per_group()))),
        cols_kernel_(pick_cols_kernel(table, static_cast<size_t>(shape.out_channels_per_group()),
                                      static_cast<size_t>(shape.out_pixels()),
                                      static_cast<size_t>(shape.in_channels_per_group()), tune)),
        tuning_(tune) {
    // A reduction of a few floats into at most one vector of output channels
    // (a 3 -> 5 colour head): the K-stationary kernel's narrow path, weights
    // in registers, many rows per call. gemm_rows' per-tile setup costs more
    // than its K FMAs there (Intel Xeon, SPR class, --ab: pw_tiny_3to5 NXC
    // 9.9 -> 26.4 GF/s, 0.43x -> 1.01-1.07x oneDNN).
    const size_t K = static_cast<size_t>(shape.in_channels_per_group());
    const size_t N = static_cast<size_t>(shape.out_channels_per_group());
    if (shape.layout == NDCONV_NXC && K <= kernels::kMaxSmallK && N <= table.vector_floats &&
        table.gemm_rowptr_small_k.fn[K]) {
      small_k_ = table.gemm_rowptr_small_k.fn[K];
      rows_kernel_ = table.gemm_rowptr_main;  // the panel width small_k reads
      rows_kernel_.short_rows = table.gemm_rowptr_short_rows;
      // One group over contiguous pixels: the stream form, whole vectors in
      // and out (kernels/pointwise_stream.hpp; AMD Zen 5, --ab: pw_tiny_3to5
      // NXC 0.81x oneDNN before).
      const size_t W = table.vector_floats;
      if (tune.pointwise_small_k_stream && table.gemm_rowptr_small_k.stream && shape.groups == 1 &&
          !shape.has_stride() && PointwiseStreamTables::fits(W, K, N))
        stream_ = table.gemm_rowptr_small_k.stream;
    }
  }

  bool init(const float* weights, const float* bias) {
    const size_t width = s_.layout == NDCONV_NXC ? rows_kernel_.nr : cols_kernel_.mr;
    if (!packed_.pack(s_, weights, bias, width)) return false;
    if (stream_ && !stream_tables_.build(table_.vector_floats, packed_.k(), static_cast<size_t>(s_.out_channels),
                                         packed_.rows(0, 0), width, packed_.bias(0, 0)))
      return false;
    // Channels-last rows cover the whole batch (no division per row); the
    // channels-first gather reads one image's entries.
    const int64_t images = s_.layout == NDCONV_NXC ? s_.batch : 1;
    if (s_.has_stride() && !strided_pixel_offsets(s_, &offsets_, images)) return false;
    return true;
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    if (s_.layout == NDCONV_NXC)
      run_channels_last(input, output, pool);
    else
      run_channels_first(input, output, pool);
    return NDCONV_OK;
  }

 private:
  // A rows are input pixels (all images of the batch in one M), C rows are
  // output pixels; each group is its own GEMM over its channel slice.
  void run_channels_last(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = rows_kernel_;
    const ConvGemmDims d(s_);
    const size_t M = d.images * d.out_pixels, N = d.cout_g;
    const GemmTiling t = choose_gemm_tiling(tuning_, M, N, packed_.k(), uk.mr, uk.nr, d.groups,
                                            threadpool_threads(pool));
    const size_t kc_budget = std::max(l1_k_block(uk.nr, tuning_), tuning_.pointwise_rows_slice_bytes / (sizeof(float) * uk.nr));
    const GemmRowsReduction red = rows_reduction(tuning_, uk.nr, 1, packed_.k(), kc_budget, N);
    auto task = [&](size_t index) {
      const GemmTask range = gemm_task(t, index, M, N);
      const size_t g = range.gemm;
      const PixelRows row{input + g * d.cin_g, offsets_.data(), d.cin};
      if (stream_)
        stream_task(range.m0, range.m1, input, output, row);
      else if (small_k_)
        small_k_task(g, range.m0, range.m1, N, row, output + g * N, d.cout);
      else
        gemm_rows_task(uk, packed_, g, red, M, N, range.m0, range.m1, range.n0, range.n1, row,
                       output + g * N, d.cout, act_);
    };
    parallel_for(pool, d.groups * t.tasks(), task);
  }

  // Pixels [m0, m1) of the one group, contiguous in and out: whole blocks of
  // vector_floats pixels through stream_, the rest through small_k_.
  void stream_task(size_t m0, size_t m1, const float* input, float* output, const PixelRows& row) const {
    const size_t W = table_.vector_floats, K = packed_.k(), N = static_cast<size_t>(s_.out_channels);
    kernels::PointwiseStreamArgs args;
    stream_tables_.fill(&args);
    args.in = input + m0 * K;
    args.out = output + m0 * N;
    args.blocks = (m1 - m0) / W;
    const kernels::GemmOutput out = gemm_output(act_, nullptr, N, true, true);
    args.clamp = out.clamp;
    args.lo = out.lo;
    args.hi = out.hi;
    if (args.blocks) stream_(args);
    const size_t tail = m0 + args.blocks * W;
    if (tail < m1) small_k_task(0, tail, m1, N, row, output, N);
  }

  // Rows [m0, m1) of group g through small_k_, kSmallKRows rows per call
  // (the columns are one vector of which nr are real).
  static constexpr size_t kSmallKRows = 32;
  void small_k_task(size_t g, size_t m0, size_t m1, size_t nr, const PixelRows& row, float* output,
                    size_t ldc) const {
    const float* rows[kSmallKRows];
    kernels::GemmRowsArgs args;
    args.a = rows;
    args.kc = packed_.k();
    args.b = packed_.rows(g, 0);
    args.bias = packed_.bias(g, 0);
    args.nr = nr;
    args.panel_stride = packed_.panel_stride();
    args.out = gemm_output(act_, nullptr, ldc, true, true);
    for (size_t m = m0; m < m1; m += kSmallKRows) {
      args.mr = std::min(kSmallKRows, m1 - m);
      for (size_t i = 0; i < args.mr; ++i) rows[i] = row(m + i, 0);
      args.out.c = output + m * ldc;
      small_k_(args);
    }
  }

  // C = W x X per image and group: C rows are output channels, columns output
  // pixels; B rows are input channel planes read in place (gathered per panel
  // when strided, copied when they alias in L1: PointwisePanels).
  void run_channels_first(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = cols_kernel_;
    const ConvGemmDims d(s_);
    const size_t M = d.cout_g, N = d.out_pixels;
    // Packed weights stream from L3 well enough (the microkernel reads them
    // sequentially); the copied B panels are the expensive part, so the A
    // block is sized for L3 to copy each panel as few times as possible.
    const GemmTiling t = choose_gemm_tiling(tuning_, M, N, packed_.k(), uk.mr, uk.nr, d.images * d.groups,
                                            threadpool_threads(pool), true, tuning_.pointwise_cols_a_block_bytes,
                                            /*split_n_first=*/true);
    const bool copy = (M + uk.mr - 1) / uk.mr >= tuning_.pointwise_copy_panel_min_m_blocks &&
                      in_place_panel_aliases(d.in_pixels, t.kc, tuning_);
    auto task = [&](size_t index) {
      const GemmTask range = gemm_task(t, index, M, N);
      const size_t image = range.gemm / d.groups, g = range.gemm % d.groups;
      const PointwisePanels panels{input + (image * d.cin + g * d.cin_g) * d.in_pixels,
                                   static_cast<ptrdiff_t>(d.in_pixels), offsets_.data(),
                                   copy ? table_.copy_panel : nullptr, table_.pack_panel_rows,
                                   static_cast<ptrdiff_t>(s_.stride[s_.rank - 1]), range.n1};
      float* c = output + (image * d.cout + g * M) * d.out_pixels;
      if (!copy && !panels.gather)
        in_place_cols_task(uk, g, M, N, range.m0, range.m1, range.n0, range.n1, t.kc, panels.b,
                           d.in_pixels, c, d.out_pixels);
      else
        gemm_cols_task(uk, packed_, g, M, N, range.m0, range.m1, range.n0, range.n1, t.kc, panels, c,
                       d.out_pixels, act_);
    };
    parallel_for(pool, d.images * d.groups * t.tasks(), task);
  }

  // One task of the channels-first GEMM with B panels read in place (stride
  // 1, no copy): gemm_cols_task's loops, plus a prefetch of the next panel
  // (the next K block, or the next N panel's first) by the microkernel while
  // it computes the current panel's last M block. Each in-place B row lies on
  // its own page (one input channel plane per row) and the panel comes from
  // L3, which the hardware prefetchers do not anticipate (pw_res2_reduce NCX,
  // ~217 -> ~221 GFLOP/s alone; 0.95x -> 0.97x oneDNN).
  void in_place_cols_task(const kernels::GemmColsKernel& uk, size_t g, size_t M, size_t N,
                          size_t m0, size_t m1, size_t n0, size_t n1, size_t kc_block,
                          const float* b, size_t ldb, float* c, size_t ldc) const {
    const size_t K = packed_.k(), MR = uk.mr, NR = uk.nr;
    const ptrdiff_t ld = static_cast<ptrdiff_t>(ldb);
    kernels::GemmColsArgs args;
    args.panel_stride = packed_.panel_stride();
    args.mr = (m1 < M ? m1 : M) - m0;
    args.ldb = ld;
    args.b_prefetch_ld = ld;
    // An output-bound GEMM (Tuning::cols_prefetch_c_max_k) fetches the next
    // panel's C lines for writing while this one computes (pw_tiny_3to5
    // NCX, K = 3: 0.78-0.92x -> 1.07-1.24x oneDNN, Intel Xeon Emerald Rapids).
    const bool prefetch_c = K <= tuning_.cols_prefetch_c_max_k;
    args.out = gemm_output(act_, nullptr, ldc, true, true);
    for (size_t n = n0; n < n1; n += NR) {
      args.nr = N - n < NR ? N - n : NR;
      for (size_t k0 = 0; k0 < K; k0 += kc_block) {
        args.kc = K - k0 < kc_block ? K - k0 : kc_block;
        args.b = b + static_cast<ptrdiff_t>(k0) * ld + static_cast<ptrdiff_t>(n);
        // The block after this one in the loop order, if this task has one.
        const size_t next_k0 = k0 + args.kc < K ? k0 + args.kc : 0;
        const size_t next_n = next_k0 ? n : n + NR;
        if (next_n < n1 && next_n < N) {
          args.b_prefetch = b + static_cast<ptrdiff_t>(next_k0) * ld + static_cast<ptrdiff_t>(next_n);
          args.b_prefetch_kc = K - next_k0 < kc_block ? K - next_k0 : kc_block;
          args.b_prefetch_nr = N - next_n < NR ? N - next_n : NR;
        } else {
          args.b_prefetch = nullptr;
          args.b_prefetch_kc = args.b_prefetch_nr = 0;
        }
        args.a = packed_.rows(g, m0 / MR) + k0 * MR;
        args.bias = packed_.bias(g, m0 / MR);
        set_block_output(&args.out, act_, c + m0 * ldc + n, k0 == 0, k0 + args.kc == K);
        if (prefetch_c && k0 == 0 && n + NR < n1)
          prefetch_c_block(c, ldc, m0, std::min(m1, M), n + NR, std::min(n1, n + 2 * NR), tuning_.cache_line_floats);
        uk.fn(args);
      }
    }
  }

  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  kernels::GemmRowsKernel rows_kernel_;  // the tile shape chosen for this problem
  kernels::GemmColsKernel cols_kernel_;
  Tuning tuning_;  // the plan's, copied when it is created
  kernels::GemmRowsFn small_k_ = nullptr;  // NXC, K <= kMaxSmallK, N <= one vector
  kernels::PointwiseStreamFn stream_ = nullptr;  // small_k_'s case, one group, stride 1
  PointwiseStreamTables stream_tables_;
  PackedWeights packed_;
  AlignedArray<int64_t> offsets_;  // input pixel of each output pixel; empty when stride is 1
};

}  // namespace

std::unique_ptr<Algorithm> make_pointwise_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const Tuning& tune,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status) {
  *status = NDCONV_OK;
  if (!shape.is_pointwise()) return nullptr;
  return build_packed_algorithm<PointwiseGemm>(shape, table, weights, bias, status,
                                               "out of memory packing the pointwise weights", tune);
}

}  // namespace dispatch
}  // namespace ndconv
