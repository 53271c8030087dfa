#include "algorithms/pointwise.h"

#include <algorithm>
#include <new>

#include "api/error.h"
#include "gemm/gemm_driver.h"
#include "addressing/pixel_offsets.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

bool is_pointwise(const ConvShape& s) {
  for (int d = 0; d < s.rank; ++d)
    if (s.kernel[d] != 1 || s.pad_begin[d] != 0 || s.pad_end[d] != 0) return false;
  return true;
}

// Channels-first B panels. Read in place, a panel is kc input rows at a large
// stride; when that stride is a multiple of a large power of two the rows
// alias into a few L1 sets and are evicted between M blocks, so when enough M
// blocks reuse the panel it is first copied into the contiguous scratch panel.
// Strided convolutions gather the panel's pixels the same way.
struct PointwisePanels {
  const float* b;
  ptrdiff_t ldb;
  const int64_t* gather;  // input pixel of each output pixel, or NULL (stride 1)
  kernels::CopyPanelFn copy;  // copy even when stride is 1 (NULL: read in place)
  kernels::PanelPackFn pack;  // gathers runs of strided pixels (table.pack_panel_rows)
  ptrdiff_t last_stride;      // stride of the last spatial dim
  size_t n_end;               // end of the task's pixels (the last panel prefetches nothing)

  ColsPanel panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR, float* scratch) const {
    const float* first_row = b + static_cast<ptrdiff_t>(k0) * ldb;
    if (gather) {
      // The panel's pixels as runs whose input pixels are last_stride apart
      // (one per output row it spans), each row of every run copied with
      // the ISA's strided copy (AVX-512: a two-source permute per 16 floats
      // at stride 2) instead of one scalar gather per float.
      kernels::PanelRun runs[kMaxNR];
      size_t count = 0;
      for (size_t j = 0; j < nr;) {
        size_t end = j + 1;
        while (end < nr && gather[n + end] - gather[n + end - 1] == last_stride) ++end;
        runs[count].j = j;
        runs[count].lead = 0;
        runs[count].count = runs[count].len = end - j;
        runs[count].src = static_cast<ptrdiff_t>(gather[n + j]);
        ++count;
        j = end;
      }
      kernels::PanelPackArgs args;
      args.dst = scratch;
      args.ld_dst = NR;
      args.input = first_row;
      args.plane = static_cast<size_t>(ldb);
      args.channels = kc;
      args.runs = runs;
      args.run_count = count;
      args.stride = last_stride;
      pack(args);
    } else if (copy) {
      copy(first_row + n, ldb, kc, nr, NR, scratch);
      // The next N panel's rows (same K block), to L1 and so to L2, where
      // they stay until the copy reads them: the rows are a page apart and
      // the copy would otherwise wait on L3 for each (AVX2 pw_res2_reduce
      // NCX, 4 x 24 tiles, copied panels: ~97 -> ~103 GFLOP/s).
      if (n + NR < n_end) {
        const size_t next_nr = n_end - (n + NR) < NR ? n_end - (n + NR) : NR;
        for (size_t k = 0; k < kc; ++k) {
          const float* p = first_row + static_cast<ptrdiff_t>(k) * ldb + static_cast<ptrdiff_t>(n + NR);
          for (size_t j = 0; j < next_nr; j += 16) __builtin_prefetch(p + j);
          __builtin_prefetch(p + next_nr - 1);
        }
      }
    } else {
      return {first_row + static_cast<ptrdiff_t>(n), ldb, nullptr};
    }
    return {scratch, static_cast<ptrdiff_t>(NR), nullptr};
  }
};

// M blocks from which copying an aliasing channels-first panel pays for
// itself (measured on pw_mbv2_project, 3 blocks: slower).
constexpr size_t kCopyPanelMinMBlocks = 4;

// L1 geometry for the aliasing test: one way of the x86 and Arm L1D caches
// ndconv targets is 4 KiB (64 sets of 64-byte lines: 48 KiB 12-way, 32 KiB
// 8-way, 64 KiB 16-way); a panel's rows may put this many lines in one set
// and still stay in L1 beside the A block and the C tile.
constexpr size_t kL1WayBytes = 4096;
constexpr size_t kMaxPanelLinesPerSet = 8;

size_t gcd(size_t a, size_t b) {
  while (b) {
    const size_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

// Whether the kc rows of an in-place channels-first panel (ldb floats apart)
// crowd some L1 set with more than kMaxPanelLinesPerSet lines. Row starts
// repeat modulo one way, at 4096 / gcd(stride, 4096) distinct offsets, each
// offset's rows sharing sets: ceil(kc / offsets) lines per set. (The panel as
// a whole fits L1: kc is sized so that kc x NR floats take 32 KiB.)
// Measured (AVX-512, Zen 5, one thread): pw_res2_reduce, 56x56 pixels
// (stride 12544 B: 16 offsets, 8 rows each of a 128-row panel): 0.86x oneDNN
// with the copy, 0.96x in place; pw_seq_ffn, 128 pixels (512 B: 8 offsets,
// 32 rows each of a 256-row panel): the copy keeps it at 1.0x.
bool in_place_panel_aliases(size_t ldb, size_t kc) {
  const size_t stride = ldb * sizeof(float) % kL1WayBytes;
  const size_t offsets = kL1WayBytes / gcd(stride, kL1WayBytes);
  return (kc + offsets - 1) / offsets > kMaxPanelLinesPerSet;
}
constexpr size_t kColsABlockBytes = 4 << 20;

// Channels-last K blocks: a weight slice of up to 256 KiB (K x NR floats),
// swept from L2 by every M block of the task, rather than an L1-sized slice.
// The microkernel's B loads stream well from L2, while each extra K block
// costs a C round trip and a call per tile (measured with oneDNN's brgconv as
// the reference, full K instead of L1 blocks: pw_res5_expand, K = 512,
// 0.91x -> 0.98x; pw_seq_ffn, K = 768, 0.93x -> 0.97x; pw_res2_reduce 0.91x
// -> 0.95x).
constexpr size_t kRowsSliceBytes = 256 * 1024;

// The channels-last tile shape: the main one computes its last M block with
// exactly its rows (gemm_rowptr_short_rows), so only its N padding counts; an
// alternative shape wins only by padding the problem less all told
// (measured: pw_seq_ffn, M = 128, 14 x 32 with a 2-row block 1.00x oneDNN
// against 0.96x for 8 x 48; pw_res5_expand, M = 49, 14 x 32 with a 7-row
// block 0.98x against 0.97x for 7 x 48).
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
  return best;
}

class PointwiseGemm final : public Algorithm {
 public:
  PointwiseGemm(const ConvShape& shape, const kernels::KernelTable& table)
      : Algorithm(PlanName("pointwise-gemm", ndconv_isa_name(table.isa))),
        s_(shape),
        table_(table),
        act_(activation_of(shape)),
        rows_kernel_(pick_channels_last_kernel(table, static_cast<size_t>(shape.batch * shape.out_pixels()),
                                               static_cast<size_t>(shape.out_channels_per_group()))),
        cols_kernel_(pick_cols_kernel(table, static_cast<size_t>(shape.out_channels_per_group()),
                                      static_cast<size_t>(shape.out_pixels()))) {}

  bool init(const float* weights, const float* bias) {
    const size_t width = s_.layout == NDCONV_NXC ? rows_kernel_.nr : cols_kernel_.mr;
    if (!packed_.pack(s_, weights, bias, width)) return false;
    // Channels-last rows cover the whole batch (no division per row); the
    // channels-first gather reads one image's entries.
    const int64_t images = s_.layout == NDCONV_NXC ? s_.batch : 1;
    if (has_stride(s_) && !strided_pixel_offsets(s_, &offsets_, images)) return false;
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
    const size_t groups = static_cast<size_t>(s_.groups);
    const size_t M = static_cast<size_t>(s_.batch * s_.out_pixels());
    const size_t N = static_cast<size_t>(s_.out_channels_per_group());
    const size_t cin = static_cast<size_t>(s_.in_channels);
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t cout = static_cast<size_t>(s_.out_channels);
    const GemmTiling t = choose_gemm_tiling(M, N, packed_.k(), uk.mr, uk.nr, groups,
                                            threadpool_threads(pool));
    const int64_t* offsets = offsets_.data();
    const size_t kc_budget = std::max(l1_k_block(uk.nr), kRowsSliceBytes / (sizeof(float) * uk.nr));
    const GemmRowsReduction red = rows_reduction(1, packed_.k(), kc_budget, N);
    auto task = [&](size_t index) {
      const size_t g = index / t.tasks();
      const size_t mt = index % t.tasks() / t.n_tasks, nt = index % t.n_tasks;
      const float* in_g = input + g * cin_g;
      auto row = [&](size_t m, size_t) -> const float* {
        return in_g + (offsets ? static_cast<size_t>(offsets[m]) : m) * cin;
      };
      const size_t m0 = mt * t.m_tile, n0 = nt * t.n_tile;
      gemm_rows_task(uk, packed_, g, red, M, N, m0, std::min(M, m0 + t.m_tile), n0,
                     std::min(N, n0 + t.n_tile), row, output + g * N, cout, act_);
    };
    parallel_for(pool, groups * t.tasks(), task);
  }

  // C = W x X per image and group: C rows are output channels, columns output
  // pixels; B rows are input channel planes read in place (gathered per panel
  // when strided).
  void run_channels_first(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = cols_kernel_;
    const size_t groups = static_cast<size_t>(s_.groups);
    const size_t images = static_cast<size_t>(s_.batch);
    const size_t out_pixels = static_cast<size_t>(s_.out_pixels());
    const size_t in_pixels = static_cast<size_t>(s_.in_pixels());
    const size_t M = static_cast<size_t>(s_.out_channels_per_group());
    const size_t N = out_pixels;
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t cin = static_cast<size_t>(s_.in_channels);
    const size_t cout = static_cast<size_t>(s_.out_channels);
    // Packed weights stream from L3 well enough (the microkernel reads them
    // sequentially); the copied B panels are the expensive part, so the A
    // block is sized for L3 to copy each panel as few times as possible.
    const GemmTiling t = choose_gemm_tiling(M, N, packed_.k(), uk.mr, uk.nr, images * groups,
                                            threadpool_threads(pool), true, kColsABlockBytes,
                                            /*split_n_first=*/true);
    const bool copy = (M + uk.mr - 1) / uk.mr >= kCopyPanelMinMBlocks &&
                      in_place_panel_aliases(in_pixels, t.kc);
    auto task = [&](size_t index) {
      const size_t gemm = index / t.tasks();
      const size_t image = gemm / groups, g = gemm % groups;
      const size_t mt = index % t.tasks() / t.n_tasks, nt = index % t.n_tasks;
      const PointwisePanels panels{input + (image * cin + g * cin_g) * in_pixels,
                                   static_cast<ptrdiff_t>(in_pixels), offsets_.data(),
                                   copy ? table_.copy_panel : nullptr, table_.pack_panel_rows,
                                   static_cast<ptrdiff_t>(s_.stride[s_.rank - 1]), std::min(N, nt * t.n_tile + t.n_tile)};
      float* c = output + (image * cout + g * M) * out_pixels;
      const size_t m0 = mt * t.m_tile, n0 = nt * t.n_tile;
      if (!copy && !panels.gather)
        in_place_cols_task(uk, g, M, N, m0, std::min(M, m0 + t.m_tile), n0, std::min(N, n0 + t.n_tile),
                           t.kc, panels.b, in_pixels, c, out_pixels);
      else
        gemm_cols_task(uk, packed_, g, M, N, m0, std::min(M, m0 + t.m_tile), n0,
                       std::min(N, n0 + t.n_tile), t.kc, panels, c, out_pixels, act_);
    };
    parallel_for(pool, images * groups * t.tasks(), task);
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
        args.out = gemm_output(act_, c + m0 * ldc + n, ldc, k0 == 0, k0 + args.kc == K);
        uk.fn(args);
      }
    }
  }

  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  kernels::GemmRowsKernel rows_kernel_;  // the tile shape chosen for this problem
  kernels::GemmColsKernel cols_kernel_;
  PackedWeights packed_;
  AlignedArray<int64_t> offsets_;  // input pixel of each output pixel; empty when stride is 1
};

}  // namespace

std::unique_ptr<Algorithm> make_pointwise_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status) {
  *status = NDCONV_OK;
  if (!is_pointwise(shape)) return nullptr;
  std::unique_ptr<PointwiseGemm> algo(new (std::nothrow) PointwiseGemm(shape, table));
  if (!algo || !algo->init(weights, bias)) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory packing the pointwise weights");
    return nullptr;
  }
  return algo;
}

}  // namespace dispatch
}  // namespace ndconv
