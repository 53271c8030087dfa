// indirect-gemm: the general channels-last convolution (any rank, stride,
// dilation, padding, groups) as a GEMM without an im2col: the rows
// microkernel reads the input rows of each (output pixel, tap) in place
// through the indirection buffer (addressing/indirection.h), K = taps *
// C_in/groups.
#include <algorithm>
#include <limits>
#include <new>

#include "addressing/indirect_rows.h"
#include "addressing/line_runs.h"
#include "addressing/indirection.h"
#include "algorithms/indirect_gemm_plan.h"
#include "algorithms/indirect_padded_lines.h"
#include "algorithms/general_conv.h"
#include "algorithms/packed_factory.h"
#include "api/error.h"
#include "api/threadpool.h"
#include "gemm/gemm_driver.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

using namespace indirect;  // the plan: algorithms/indirect_gemm_plan.h

// How the taps of one M block are read, planned before its microkernel calls.
struct BlockTaps {
  static constexpr int8_t kSpacedRows = INT8_MAX;  // outside edge_pad's range
  struct Call {
    uint32_t t0, tn;
  };                                // a run of active taps
  const float* a[kMaxRowPointers];  // [taps][MR] row pointers of a pointer-kernel block
  const float* first[kMaxCalls];    // [taps] row 0 of each tap (zero: padding)
  // Per tap, how its rows lie: kSpacedRows, first + i * step (pointers not
  // yet built); else, for a listed tap, GemmRowsStridedArgs::edge_pad (0:
  // none), which the strided kernel reads from here. One byte per tap (a
  // second array moved the task's stack frame: the stem, whose rows ring
  // lives there, ran 1% slower on Zen 5).
  int8_t rows_kind[kMaxCalls];
  int64_t next_entry[kMaxCalls];    // merged: line_rows' entry hint per tap
  Call calls[kMaxCalls];
  size_t count = 0;      // calls
  bool strided = false;  // the block runs the strided kernel
};

// One M block of a task and how its rows lie.
struct MBlock {
  size_t m = 0, mr = 0;
  bool linear = false;       // inside one output line, every row read in place, evenly spaced
  bool merged_line = false;  // merged taps, inside one output line (line_rows applies)
  bool continuing = false;   // merged_line, and next_entry holds row m's entries
};

class IndirectGemm final : public Algorithm {
 public:
  IndirectGemm(const ConvShape& shape, const kernels::KernelTable& table, const Tuning& tune)
      : Algorithm(PlanName("indirect-gemm", ndconv_isa_name(table.isa))),
        s_(shape),
        table_(table),
        act_(activation_of(shape)),
        tuning_(tune),
        line_floats_(tune.cache_line_floats),
        one_vector_(use_one_vector(table, static_cast<size_t>(shape.out_channels_per_group()))),
        rows_uk_(one_vector_ ? table.gemm_rowptr_one_vector : table.gemm_rowptr_main),
        strided_uk_(one_vector_ ? table.gemm_rowstride_one_vector : table.gemm_rowstride_main) {}

  bool init(const float* weights, const float* bias) {
    if (!one_vector_ && use_wide_pair(table_, static_cast<size_t>(s_.out_channels_per_group()))) {
      rows_uk_ = table_.gemm_rowptr_wide;
      strided_uk_ = table_.gemm_rowstride_wide;
    }
    tap_plan_ = plan_taps(s_, rows_uk_, tuning_);
    sweep_groups_ = sweeps_groups(s_, one_vector_, tap_plan_);
    bool kpair = uses_kpair(table_.gemm_kpair, tuning_, sweep_groups_, tap_plan_);
    if (kpair) {  // its own MR (the lean one-vector tile's differs): the taps planned again
      const TapPlan plan = plan_taps(s_, table_.gemm_kpair.rows, tuning_);
      kpair = sweeps_groups(s_, one_vector_, plan) && plan.kc_tap == tap_plan_.kc_tap;
      if (kpair) {
        tap_plan_ = plan;
        rows_uk_ = table_.gemm_kpair.rows;
        strided_uk_ = table_.gemm_kpair.strided;
      }
    }
    // Swept groups read padding at the zero row plus their channel offset.
    const size_t zero_floats =
        sweep_groups_ ? static_cast<size_t>(s_.in_channels) : tap_plan_.kc_tap;
    if (tuning_.indirect_padded_lines && tap_plan_.span > 1)
      padded_ = plan_padded_lines(s_, tap_plan_.span, rows_uk_.mr, kBorderScratchFloats);
    return packed_.pack(s_, weights, bias, rows_uk_.nr) && (!kpair || packed_.interleave_k_pairs()) &&
           indirection_.build(s_, tap_plan_.span, zero_floats, padded_.rows == 0);
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override;

 private:
  template <class Rows>
  void channels_last_task(size_t g0, size_t g1, size_t M, size_t N, size_t m0, size_t m1, size_t n0,
                          size_t n1, Rows& rows, float* c, size_t ldc) const;
  template <class Rows>
  void plan_block_taps(Rows& rows, const MBlock& b, ptrdiff_t step, BlockTaps& bt) const;
  bool shift_block_taps(ptrdiff_t step, BlockTaps& bt) const;
  template <class Rows>
  bool plan_merged_tap(Rows& rows, const MBlock& b, size_t t, BlockTaps& bt, const float*& f) const;
  template <class Rows>
  bool plan_pixel_tap(const Rows& rows, const MBlock& b, size_t t, ptrdiff_t step, BlockTaps& bt,
                      const float*& f, bool& listed) const;
  // Inlined into the block loop, as before the split (out of line it cost
  // the stem a few percent).
  __attribute__((always_inline)) void make_calls(size_t g, size_t N, const MBlock& b, size_t n0,
                                                 size_t n1, const BlockTaps& bt, bool clamp,
                                                 kernels::GemmRowsArgs& args,
                                                 kernels::GemmRowsStridedArgs& strided_args,
                                                 float* c, size_t ldc) const;

  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  Tuning tuning_;       // the plan's, copied when it is created
  size_t line_floats_;  // floats per cache line: the C prefetch's step
  // The pointer and strided kernels: the main tile's, or one vector of
  // columns where a group's output channels fit one.
  bool one_vector_;
  kernels::GemmRowsKernel rows_uk_;
  kernels::GemmRowsStridedKernel strided_uk_;
  PackedWeights packed_;
  TapIndirection indirection_;
  TapPlan tap_plan_;
  PaddedLines padded_;  // rows != 0: merged taps run padded_lines_task
  bool sweep_groups_ = false;  // a task covers every group (sweeps_groups)
};

ndconv_status IndirectGemm::run(const float* input, float* output, ndconv_threadpool* pool) const {
  const auto& uk = rows_uk_;
  const size_t groups = static_cast<size_t>(s_.groups);
  const size_t images = static_cast<size_t>(s_.batch);
  const size_t M = static_cast<size_t>(s_.out_pixels());
  const size_t N = static_cast<size_t>(s_.out_channels_per_group());
  const size_t cin = static_cast<size_t>(s_.in_channels);
  const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
  const size_t cout = static_cast<size_t>(s_.out_channels);
  const size_t image_floats = static_cast<size_t>(s_.in_pixels()) * cin;
  // Per image: a GEMM per group, or one sweep of them all (sweeps_groups).
  const size_t gemms = sweep_groups_ ? 1 : groups;
  const GemmTiling t = choose_gemm_tiling(tuning_, M, N, packed_.k(), uk.mr, uk.nr, images * gemms,
                                          threadpool_threads(pool));
  // The reduction as the shared driver reads it (without the own loop).
  const GemmRowsReduction red =
      rows_reduction(tuning_, uk.nr, indirection_.taps(), tap_plan_.kc_tap, tap_plan_.kc_budget, 0);
  auto task = [&](size_t task_index) {
    const size_t gemm = task_index / t.tasks();
    const size_t image = gemm / gemms, g = gemm % gemms;
    const size_t g_end = sweep_groups_ ? groups : g + 1;
    const size_t mt = task_index % t.tasks() / t.n_tasks, nt = task_index % t.n_tasks;
    const float* base = input + image * image_floats + g * cin_g;
    const size_t m0 = mt * t.m_tile, n0 = nt * t.n_tile;
    const size_t m1 = std::min(M, m0 + t.m_tile), n1 = std::min(N, n0 + t.n_tile);
    float* c = output + image * M * cout + g * N;
    if (indirection_.span() == 1) {
      PixelRows rows(indirection_, base, cin);
      if (tap_plan_.own_loop)
        channels_last_task(g, g_end, M, N, m0, m1, n0, n1, rows, c, cout);
      else
        gemm_rows_task(
            uk, packed_, g, red, M, N, m0, m1, n0, n1,
            [&rows](size_t m, size_t tap) { return rows.row(m, tap); }, c, cout, act_);
      return;
    }
    // Merged taps (always with the own loop).
    alignas(64) float border[kBorderScratchFloats];
    if (padded_.rows) {  // the border scratch holds the ring of padded rows
      const PaddedLinesTask x{&s_,     &padded_,          &rows_uk_,    &strided_uk_,
                              &packed_, indirection_.zero_row(), tap_plan_.kc_tap, line_floats_,
                              gemm_output(act_, nullptr, cout, true, true)};
      padded_lines_task(x, base, border, m0, m1, n0, n1, c, cout);
      return;
    }
    MergedTapRows rows(s_, indirection_, base, uk.mr, tap_plan_.kc_tap, border);
    channels_last_task(g, g_end, M, N, m0, m1, n0, n1, rows, c, cout);
  };
  parallel_for(pool, images * gemms * t.tasks(), task);
  return NDCONV_OK;
}

// One task: C[m0:m1, n0:n1] of one image and groups [g0, g1) (c and rows
// those of g0; group g's columns are (g - g0) * N further on). Unlike the shared
// gemm_rows_task (N panel outermost), the M block is outermost here: the
// block's rows of every tap are found once per M block and reused for every
// N panel, and taps that read only padding for every row of the block are
// skipped (the 3-D video conv's first and last frames). One microkernel
// call per N panel and run of active taps takes those taps in full: with
// the M block outermost a K block's weights are read once per M block
// whatever their size, so splitting K to fit them in L1 bought no reuse,
// only extra passes adding into C (conv3x3_res2 NXC 0.97x -> 0.99x oneDNN,
// conv1d_dilated 0.94x -> 0.96x, conv3d_video 0.92x -> 0.94x).
template <class Rows>
void IndirectGemm::channels_last_task(size_t g0, size_t g1, size_t M, size_t N, size_t m0, size_t m1,
                                      size_t n0, size_t n1, Rows& rows, float* c, size_t ldc) const {
  const int inner = s_.rank - 1;
  const size_t out_width = static_cast<size_t>(s_.out_size[inner]);
  const size_t MR = rows_uk_.mr;
  // A stride far beyond the input (valid with enough padding) can make the
  // row spacing overflow: such a line has at most one valid pixel per tap,
  // so it takes the per-row path, which forms no spaced pointers.
  int64_t step64 = 0;
  const bool step_fits =
      !__builtin_mul_overflow(s_.stride[inner], s_.in_channels, &step64) &&
      step64 <= std::numeric_limits<int64_t>::max() / static_cast<int64_t>(2 * MR + 2);
  const ptrdiff_t step = step_fits ? static_cast<ptrdiff_t>(step64) : 0;
  BlockTaps bt;
  const size_t line_floats = line_floats_;
  const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
  const size_t c_end = (g1 - g0 - 1) * N + n1;  // the last group's columns end
  // The epilogue fields, set once: the out-of-line gemm_output per call cost
  // a store-forwarding stall each (10% of the audio stem, K = 10).
  const kernels::GemmOutput last_out = gemm_output(act_, nullptr, ldc, true, true);
  // Both argument blocks built once; a call updates its fields (a fresh
  // struct per call was zeroed by a rep stos each time).
  kernels::GemmRowsArgs args;
  args.kc = tap_plan_.kc_tap;
  args.out = last_out;
  kernels::GemmRowsStridedArgs strided_args;
  strided_args.lda = step;
  strided_args.kc = tap_plan_.kc_tap;
  strided_args.out = last_out;
  // next_entry holds the entries of row m (the previous block was merged, full).
  bool hints_valid = false;
  const LineInterior interior = LineInterior::of(s_);  // columns whose taps all read the input
  // bt holds the strided plan of an interior block ending before column
  // shifted_plan_next of the current line.
  bool shifted_plan_valid = false;
  size_t shifted_plan_next = 0;
  for (size_t m = m0; m < m1; m += MR) {
    MBlock b;
    b.m = m;
    b.mr = std::min(MR, M - m);
    const bool same_line = m / out_width == (m + b.mr - 1) / out_width;
    b.linear = step_fits && same_line && rows.in_place(m, m + b.mr - 1);
    // Merged taps, a block inside one output line: line_rows finds the rows
    // from one indirection entry per tap, or none when the previous block
    // ended on the same line (its entries moved MR pixels along): the
    // stem's 700 KiB buffer comes from L3 or memory each run, and its reads
    // were most of the time outside the microkernels.
    b.merged_line = indirection_.span() > 1 && same_line;
    b.continuing = b.merged_line && hints_valid && (m - 1) / out_width == m / out_width;
    hints_valid = b.merged_line && b.mr == MR;
    // A line's first block reads its taps' indirection entries; the next
    // line's, fetched now, come from memory while this line computes (the
    // stem: 9% of the time outside the microkernels was waiting for them).
    if (b.merged_line && !b.continuing) rows.prefetch_entries((m / out_width + 1) * out_width, M);
    // An interior block right after another on the same line reads every
    // tap MR pixels further on: the previous plan, moved.
    const size_t ox = m % out_width;
    const bool inside = b.linear && b.mr == MR && ox >= interior.lo && ox + MR <= interior.hi;
    if (!(inside && shifted_plan_valid && ox == shifted_plan_next && shift_block_taps(step, bt)))
      plan_block_taps(rows, b, step, bt);
    shifted_plan_valid = inside && bt.strided;
    shifted_plan_next = ox + MR;
    // The next block's C rows, fetched for writing while this block
    // computes: its finished tiles are stored without waiting for their
    // lines (the stem's 3 MiB output lives in L3 or memory; each tile's 28
    // missing lines filled the store queue and stalled the next call).
    if (m + MR < m1) prefetch_c_block(c, ldc, m + MR, std::min(m1, m + 2 * MR), n0, c_end, line_floats);
    for (size_t g = g0; g < g1; ++g) {
      args.a_k_offset = strided_args.a_k_offset = static_cast<ptrdiff_t>((g - g0) * cin_g);
      make_calls(g, N, b, n0, n1, bt, last_out.clamp, args, strided_args, c + (g - g0) * N, ldc);
    }
  }
}

// Plans block b: per tap its rows (`first` and `spaced`, or pointers in `a`),
// whether it reads the input at all, and the calls (runs of active taps).
// Most M blocks lie inside one output line, away from its ends: there a
// tap's rows are evenly spaced in the input (`step` floats apart), so they
// follow from its first and last row, checked through `row` (which would
// gather a border run): the stem's per-row indirection and border checks
// cost 18% of its time (conv7x7_stem NXC 0.76x -> 0.86x oneDNN). A full
// block whose active taps are all evenly spaced runs the strided kernel on
// one pointer per tap (`first`), building no per-row pointers; other
// blocks (line ends, the last short block) the pointer kernel.
template <class Rows>
void IndirectGemm::plan_block_taps(Rows& rows, const MBlock& b, ptrdiff_t step,
                                   BlockTaps& bt) const {
  const auto& strided_uk = strided_uk_;
  const size_t MR = rows_uk_.mr, taps = indirection_.taps();
  const float* zero = indirection_.zero_row();
  const bool strided_kernel =
      strided_uk.fn != nullptr && strided_uk.mr == MR && strided_uk.nr == rows_uk_.nr;
  size_t count = 0;
  bool in_run = false;
  // Every active tap evenly spaced or listed, all MR rows real (the
  // strided kernel reads MR rows: a short block's would run past the line).
  bt.strided = strided_kernel && b.linear && b.mr == MR;
  for (size_t t = 0; t < taps; ++t) {
    bool listed = false;  // (span 1) rows gathered into a, not evenly spaced
    bt.rows_kind[t] = 0;
    const float* f = zero;
    const bool active = b.merged_line ? plan_merged_tap(rows, b, t, bt, f)
                                      : plan_pixel_tap(rows, b, t, step, bt, f, listed);
    // Zero when the tap is inactive; null for a tap whose rows are only
    // in a, which the strided kernel then reads as a row list
    // (GemmRowsStridedArgs::row_lists): conv3d_video's line-end blocks.
    bt.first[t] = listed && active ? nullptr : f;
    if (!active) {
      in_run = false;
      continue;
    }
    if (in_run)
      ++bt.calls[count - 1].tn;  // extends the previous call's run of taps
    else
      bt.calls[count++] = {static_cast<uint32_t>(t), 1};
    in_run = true;
  }
  if (!bt.strided) {
    for (size_t t = 0; t < taps; ++t)
      if (bt.rows_kind[t] == BlockTaps::kSpacedRows)
        for (size_t i = 0; i < MR; ++i)
          bt.a[t * MR + i] = bt.first[t] + static_cast<ptrdiff_t>(i < b.mr ? i : b.mr - 1) * step;
  }
  if (count == 0) {  // only padding: bias and activation
    for (size_t i = 0; i < MR; ++i) bt.a[i] = zero;
    bt.calls[count++] = {0, 1};
    bt.strided = false;
  }
  bt.count = count;
}

// The plan of the next interior block from the previous one's (strided,
// interior, MR rows before it on the same output line): every active tap's
// rows MR pixels further on, the same taps active (along the innermost dim
// every row of both blocks reads the input; the outer dims are the line's),
// and the merged taps' entry hints moved alike. The stem spent 8% of its time
// planning blocks, most of them this kind. False (nothing changed) if a tap's
// rows were listed.
bool IndirectGemm::shift_block_taps(ptrdiff_t step, BlockTaps& bt) const {
  const size_t taps = indirection_.taps(), MR = rows_uk_.mr;
  const float* zero = indirection_.zero_row();
  for (size_t t = 0; t < taps; ++t)
    if (bt.first[t] == nullptr) return false;
  const ptrdiff_t move = static_cast<ptrdiff_t>(MR) * step;
  for (size_t t = 0; t < taps; ++t)
    if (bt.first[t] != zero) bt.first[t] += move;
  if (indirection_.span() > 1) {
    int64_t entry_move = 0;
    const bool move_fits = !__builtin_mul_overflow(static_cast<int64_t>(MR), s_.stride[s_.rank - 1], &entry_move);
    for (size_t t = 0; t < taps; ++t) {
      int64_t& e = bt.next_entry[t];
      if (e != kPaddingTap && e != kUnknownEntry && (!move_fits || __builtin_add_overflow(e, entry_move, &e)))
        e = kUnknownEntry;
    }
  }
  return true;
}

// Tap t of a merged-taps block inside one output line: its rows from
// line_rows; f its first row. Whether it reads the input.
template <class Rows>
bool IndirectGemm::plan_merged_tap(Rows& rows, const MBlock& b, size_t t, BlockTaps& bt,
                                   const float*& f) const {
  const size_t MR = rows_uk_.mr;
  const float** dst = bt.a + t * MR;
  if (!b.continuing) bt.next_entry[t] = kUnknownEntry;
  const float* spaced_first = indirection_.zero_row();
  const bool active = rows.line_rows(b.m, b.mr, t, b.linear, bt.next_entry[t], dst, spaced_first);
  if (active && b.linear) {
    f = spaced_first;
    bt.rows_kind[t] = BlockTaps::kSpacedRows;  // pointers built later if the block takes the pointer kernel
  } else if (active) {
    f = dst[0];
    bt.strided = false;
  }
  return active;
}

// Tap t of any other block: evenly spaced rows (first and last row checked),
// or rows listed in a. f its first row; `listed` when the rows are in a only.
// Whether it reads the input.
template <class Rows>
bool IndirectGemm::plan_pixel_tap(const Rows& rows, const MBlock& b, size_t t, ptrdiff_t step,
                                  BlockTaps& bt, const float*& f, bool& listed) const {
  const int inner = s_.rank - 1;
  const size_t MR = rows_uk_.mr, m = b.m, mr = b.mr;
  const float* zero = indirection_.zero_row();
  const float** dst = bt.a + t * MR;
  const float* last = zero;
  if (b.linear) {
    f = rows.row(m, t);
    last = rows.row(m + mr - 1, t);
  }
  if (f != zero && last != zero && last - f == static_cast<ptrdiff_t>(mr - 1) * step) {
    bt.rows_kind[t] = BlockTaps::kSpacedRows;
    return true;
  }
  listed = true;
  if (b.linear && (f == zero) != (last == zero)) {
    // (span 1) One end reads padding along the innermost dim (the
    // first or last M block of a line): the block's valid rows are
    // those whose input x is inside the input, at even spacing from
    // the valid end. Saves a per-row walk of the indirection buffer,
    // whose rows are a cache line or more apart (conv3d_video:
    // 1.3 MiB, 4% of the time in misses).
    const size_t out_width = static_cast<size_t>(s_.out_size[inner]);
    const ptrdiff_t anchor_row = f != zero ? 0 : static_cast<ptrdiff_t>(mr - 1);
    const float* anchor = f != zero ? f : last;
    const int64_t kx = static_cast<int64_t>(t) % s_.kernel[inner];
    const int64_t x_first = static_cast<int64_t>(m % out_width) * s_.stride[inner] +
                            kx * s_.dilation[inner] - s_.pad_begin[inner];
    int padded = 0;
    for (size_t i = 0; i < MR; ++i) {
      const ptrdiff_t r = static_cast<ptrdiff_t>(i < mr ? i : mr - 1);
      const int64_t x = x_first + r * s_.stride[inner];
      const bool inside = x >= 0 && x < s_.in_size[inner];
      dst[i] = inside ? anchor + (r - anchor_row) * step : zero;
      padded += !inside;
    }
    // A full block's padded rows at one end, few enough for the strided
    // kernel to skip (its real rows keep their spacing).
    if (mr == MR && padded <= kernels::kMaxStridedEdgePad)
      bt.rows_kind[t] = static_cast<int8_t>(f != zero ? -padded : padded);
    f = dst[0];
    return true;
  }
  bool active = false;
  for (size_t i = 0; i < MR; ++i) {
    const float* p = rows.row(m + (i < mr ? i : mr - 1), t);
    dst[i] = p;
    active |= p != zero;
  }
  f = dst[0];
  return active;
}

// The microkernel calls of a planned block: per N panel, one per run of
// active taps; the last clamps when `clamp` (the shape has an activation).
inline void IndirectGemm::make_calls(size_t g, size_t N, const MBlock& b, size_t n0, size_t n1,
                                     const BlockTaps& bt, bool clamp, kernels::GemmRowsArgs& args,
                                     kernels::GemmRowsStridedArgs& strided_args, float* c,
                                     size_t ldc) const {
  const auto& uk = rows_uk_;
  const auto& strided_uk = strided_uk_;
  const size_t MR = uk.mr, NR = uk.nr, count = bt.count;
  const bool strided = bt.strided;
  for (size_t n = n0; n < n1; n += NR) {
    const float* panel = packed_.rows(g, n / NR);
    float* tile_c = c + b.m * ldc + n;
    const size_t nr = std::min(NR, N - n);
    for (size_t k = 0; k < count; ++k) {
      const BlockTaps::Call& call = bt.calls[k];
      // The fields both argument blocks share.
      auto fill = [&](auto& x) {
        x.taps = call.tn;
        x.b = panel + call.t0 * tap_plan_.kc_tap * NR;
        x.bias = packed_.bias(g, n / NR);
        x.mr = b.mr;
        x.nr = nr;
        x.out.c = tile_c;
        x.out.accumulate = k != 0;
        x.out.clamp = clamp && k + 1 == count;
      };
      if (strided) {
        strided_args.a = bt.first + call.t0;
        strided_args.row_lists = bt.a + call.t0 * MR;
        strided_args.edge_pad = bt.rows_kind + call.t0;
        fill(strided_args);
        strided_uk.fn(strided_args);
      } else {
        args.a = bt.a + call.t0 * MR;
        fill(args);
        uk.fn(args);
      }
    }
  }
}

}  // namespace

std::unique_ptr<Algorithm> make_indirect_gemm_algorithm(const ConvShape& shape,
                                                        const kernels::KernelTable& table,
                                                        const Tuning& tune,
                                                        const float* weights, const float* bias,
                                                        ndconv_status* status) {
  *status = NDCONV_OK;
  if (shape.layout != NDCONV_NXC) return nullptr;
  return build_packed_algorithm<IndirectGemm>(shape, table, weights, bias, status,
                                              "out of memory building the indirect-gemm plan", tune);
}

}  // namespace dispatch
}  // namespace ndconv
