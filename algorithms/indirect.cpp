#include "algorithms/indirect.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "api/error.h"
#include "gemm/gemm_driver.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// Indirection entry of a tap that reads only padding.
constexpr int64_t kPaddingTap = std::numeric_limits<int64_t>::min();
// A channels-last entry not known yet (no real entry is this negative).
constexpr int64_t kUnknownEntry = kPaddingTap + 1;

// Per-task stack scratch of the channels-last path (all bounds checked at
// create; a shape past them takes the shared driver, without merged taps):
//  - rows of merged taps that straddle the input border, gathered with zeros,
//    one slot of kc_tap floats per (row, tap) of an M block: MR * K floats;
//  - the row pointers of an M block, MR * taps;
//  - per tap (at most kMaxCalls taps): its first row, whether its rows are
//    evenly spaced, an indirection entry carried to the next M block, and
//    the microkernel calls (runs of non-padding taps, two 32-bit indices).
// Together 32 KiB + 32 KiB + (8 + 1 + 8 + 8) KiB: 89 KiB of stack per task.
constexpr size_t kBorderScratchFloats = 8192;
constexpr size_t kMaxRowPointers = 4096;
constexpr size_t kMaxCalls = 1024;
constexpr size_t kFloatsPerLine = 16;  // a 64-byte cache line
// Channels-first: the packed B panels of one K block, kPanelGroup panels of
// kc x NR floats: 64 KiB of stack per task (kc shrinks to fit). Two panels
// per A block measured best among 1..4 with kc 128..512 (conv1d_dilated,
// conv3x3_res2; differences of a few percent, under the machine's noise).
constexpr size_t kPanelGroup = 2;
constexpr size_t kMaxPanelWidth = 128;  // widest NR of a channels-first kernel (narrow: 96)
constexpr size_t kPanelGroupFloats = 16384;
constexpr size_t kIm2colABlockBytes = 4 << 20;  // see run_channels_first
constexpr size_t kMaxGuidedTasks = 64;          // see run_channels_first

// Row-major odometer over `extent[0..n)`; false when it wraps to all zeros.
bool next_coord(int64_t* coord, const int64_t* extent, int n) {
  for (int d = n - 1; d >= 0; --d) {
    if (++coord[d] < extent[d]) return true;
    coord[d] = 0;
  }
  return false;
}


// Channels-last taps merge the innermost kernel dim when its input run is
// contiguous (dilation 1, one group so a pixel's channels are all of K): a
// "tap" is then kernel[last] adjacent pixels x C_in floats. Worth it when
// C_in is small (stem: 3 channels, audio: 1), where a tap of C_in floats would
// leave the microkernel reloading row pointers every few k.
constexpr int64_t kMergeMaxChannels = 32;

// The grouped kernel for channels-last shapes whose groups have 2 or 4 input
// and output channels (not depthwise), or nullptr. Measured on ResNeXt's 32
// groups of 4 (AVX-512, one thread): 12 GFLOP/s as per-group GEMMs (N = 4 of
// NR = 32 lanes); 99 with this kernel (oneDNN plain NHWC: 40-48).
kernels::GroupedNxcFn grouped_kernel_for(const ConvShape& s, const kernels::KernelTable& table) {
  if (s.layout != NDCONV_NXC || s.groups == 1 || s.groups == s.in_channels) return nullptr;
  const int64_t c = s.in_channels_per_group();
  if (s.out_channels_per_group() != c) return nullptr;
  // The row pointers of one pixel block must fit the task's stack array.
  if (static_cast<size_t>(s.kernel_taps()) * table.grouped_nxc.pixels > kMaxRowPointers) return nullptr;
  return c == 2 ? table.grouped_nxc.c2 : c == 4 ? table.grouped_nxc.c4 : nullptr;
}

// Channels-first grouped convolutions with at most the direct kernel's output
// channels per group (kernels/grouped_ncx.hpp) read per-task copies of their
// input lines, zero-padded and split by stride phase, from a small cache on
// the task's stack: kLineCacheFloats floats (64 KiB), at least one slot per
// line an output line reads (kMaxLineTaps: the outer kernel taps).
// Measured on ResNeXt's 32 groups of 4 (AVX-512, one thread): 40 GFLOP/s as
// per-group im2col GEMMs (M = 4 on the narrow kernel), 105-115 with the
// direct kernel (oneDNN plain NCHW: 19-21).
constexpr size_t kLineCacheFloats = 16384;
constexpr size_t kMaxLineTaps = 64;

struct GroupedNcxLines {
  size_t phase_len = 0;       // floats per stride phase of a line copy
  size_t channel_floats = 0;  // stride * phase_len: one input channel's copy
  size_t slot_floats = 0;     // the group's input channels
  size_t slots = 0;
};

// The line geometry when the direct kernel takes the shape, else false.
bool grouped_ncx_lines(const ConvShape& s, const kernels::KernelTable& table, GroupedNcxLines* out) {
  if (s.layout != NDCONV_NCX || s.groups == 1 || s.groups == s.in_channels || !table.grouped_ncx.fn)
    return false;
  if (s.out_channels_per_group() > static_cast<int64_t>(table.grouped_ncx.out_channels)) return false;
  const int inner = s.rank - 1;
  const int64_t outer_taps = s.kernel_taps() / s.kernel[inner];
  const int64_t limit = static_cast<int64_t>(kLineCacheFloats);
  if (outer_taps > static_cast<int64_t>(kMaxLineTaps) || s.stride[inner] > limit) return false;
  // A copy holds padded input x * stride + kx * dilation for every output x
  // and inner tap kx; phase p keeps the floats at p, p + stride, ...
  int64_t reach = 0;
  if (__builtin_mul_overflow(s.kernel[inner] - 1, s.dilation[inner], &reach)) return false;
  const int64_t phase_len = s.out_size[inner] + reach / s.stride[inner];
  if (phase_len > limit) return false;
  const int64_t channel = phase_len * s.stride[inner];
  if (channel > limit) return false;
  const int64_t slot = channel * s.in_channels_per_group();
  if (slot > limit / outer_taps) return false;
  out->phase_len = static_cast<size_t>(phase_len);
  out->channel_floats = static_cast<size_t>(channel);
  out->slot_floats = static_cast<size_t>(slot);
  // Twice the lines of one output line (stride 2 brings two new lines per
  // output line), as many as fit.
  out->slots = static_cast<size_t>(std::min(limit / slot, 2 * outer_taps));
  return true;
}

PlanName algorithm_name(const ConvShape& s, const kernels::KernelTable& table) {
  GroupedNcxLines lines;
  const char* kind = grouped_ncx_lines(s, table, &lines) ? "grouped-direct"
                     : s.layout == NDCONV_NCX           ? "im2col-panel-gemm"
                     : grouped_kernel_for(s, table)     ? "grouped-indirect"
                                                        : "indirect-gemm";
  return PlanName(kind, ndconv_isa_name(table.isa));
}

class IndirectGemm final : public Algorithm {
 public:
  IndirectGemm(const ConvShape& shape, const kernels::KernelTable& table)
      : Algorithm(algorithm_name(shape, table)),
        s_(shape), table_(table), act_(activation_of(shape)), grouped_(grouped_kernel_for(shape, table)),
        grouped_ncx_(grouped_ncx_lines(shape, table, &ncx_lines_)) {}

  bool init(const float* weights, const float* bias) {
    const bool nxc = s_.layout == NDCONV_NXC;
    if (grouped_ncx_) return init_channels_first() && init_grouped_ncx(weights, bias);
    if (grouped_) return pack_grouped(weights, bias) && init_channels_last();
    // Channels-first with few output channels per group: the narrow kernel
    // (ResNeXt NCX, 4 per group: 21 -> see the commit, GFLOP/s).
    cols_ = s_.out_channels_per_group() <= static_cast<int64_t>(table_.gemm_cols_few_rows.mr)
                ? &table_.gemm_cols_few_rows
                : &pick_cols_kernel(table_, static_cast<size_t>(s_.out_channels_per_group()),
                                    static_cast<size_t>(s_.out_pixels()));
    if (!packed_.pack(s_, weights, bias, nxc ? table_.gemm_rowptr_main.nr : cols_->mr)) return false;
    return nxc ? init_channels_last() : init_channels_first();
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    if (grouped_)
      run_grouped(input, output, pool);
    else if (grouped_ncx_)
      run_grouped_ncx(input, output, pool);
    else if (s_.layout == NDCONV_NXC)
      run_channels_last(input, output, pool);
    else
      run_channels_first(input, output, pool);
    return NDCONV_OK;
  }

 private:
  // ---- channels-last: indirection buffer -------------------------------

  bool init_channels_last() {
    const int inner = s_.rank - 1;
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    kc_budget_ = l1_k_block(table_.gemm_rowptr_main.nr);
    span_ = 1;
    if (s_.groups == 1 && s_.dilation[inner] == 1 && s_.kernel[inner] > 1 &&
        s_.in_channels <= kMergeMaxChannels &&
        static_cast<size_t>(s_.kernel[inner]) * cin_g <= kc_budget_ &&
        table_.gemm_rowptr_main.mr * static_cast<size_t>(s_.kernel_taps()) * cin_g <= kBorderScratchFloats)
      span_ = s_.kernel[inner];
    taps_ = static_cast<size_t>(s_.kernel_taps() / span_);
    kc_tap_ = cin_g * static_cast<size_t>(span_);
    const GemmRowsReduction red = rows_reduction(taps_, kc_tap_, kc_budget_, 0);
    const size_t slices = (kc_tap_ + red.k_block - 1) / red.k_block;
    own_loop_ = taps_ * table_.gemm_rowptr_main.mr <= kMaxRowPointers && taps_ * slices <= kMaxCalls;
    if (!own_loop_) span_ = 1;  // (merging implies a small K, so this never undoes one)

    const size_t out_pixels = static_cast<size_t>(s_.out_pixels());
    // The grouped kernel reads a whole pixel (all C_in channels) per tap.
    const size_t zeros = grouped_ ? static_cast<size_t>(s_.in_channels) : kc_tap_;
    if (!index_.resize(out_pixels * taps_) || !zero_row_.resize(zeros)) return false;
    std::memset(zero_row_.data(), 0, zeros * sizeof(float));
    if (span_ > 1 && !inner_start_.resize(out_pixels)) return false;

    int64_t tap_extent[NDCONV_MAX_RANK];
    for (int d = 0; d < s_.rank; ++d) tap_extent[d] = s_.kernel[d];
    tap_extent[inner] = s_.kernel[inner] / span_;
    int64_t o[NDCONV_MAX_RANK] = {};
    int64_t* entry = index_.data();
    size_t p = 0;
    do {
      if (span_ > 1) inner_start_[p] = o[inner] * s_.stride[inner] - s_.pad_begin[inner];
      int64_t k[NDCONV_MAX_RANK] = {};
      do {
        int64_t offset = 0;
        bool padding = false;
        for (int d = 0; d < s_.rank; ++d) {
          const int64_t i = o[d] * s_.stride[d] + k[d] * s_.dilation[d] - s_.pad_begin[d];
          // A merged run [i, i + span) reads padding only if it misses the input.
          const int64_t reach = d == inner ? span_ : 1;
          // Stop at padding: its coordinates can be huge (a large pad or
          // stride) and its offset is never used.
          if (i + reach <= 0 || i >= s_.in_size[d]) {
            padding = true;
            break;
          }
          offset = offset * s_.in_size[d] + i;
        }
        *entry++ = padding ? kPaddingTap : offset;
      } while (next_coord(k, tap_extent, s_.rank));
      ++p;
    } while (next_coord(o, s_.out_size, s_.rank));
    return true;
  }

  // One task: C[m0:m1, n0:n1] of one image and group. Unlike the shared
  // gemm_rows_task (N panel outermost), the M block is outermost here: the
  // block's rows of every tap are found once per M block and reused for every
  // N panel, and taps that read only padding for every row of the block are
  // skipped (the 3-D video conv's first and last frames). One microkernel
  // call per N panel and run of active taps takes those taps in full: with
  // the M block outermost a K block's weights are read once per M block
  // whatever their size, so splitting K to fit them in L1 bought no reuse,
  // only extra passes adding into C (conv3x3_res2 NXC 0.97x -> 0.99x oneDNN,
  // conv1d_dilated 0.94x -> 0.96x, conv3d_video 0.92x -> 0.94x).
  //
  // Most M blocks lie inside one output line, away from its ends: there a
  // tap's rows are evenly spaced in the input (`step` floats apart), so they
  // follow from its first and last row, checked through `row` (which would
  // gather a border run): the stem's per-row indirection and border checks
  // cost 18% of its time (conv7x7_stem NXC 0.76x -> 0.86x oneDNN). A full
  // block whose active taps are all evenly spaced runs the strided kernel on
  // one pointer per tap (`first`), building no per-row pointers; other
  // blocks (line ends, the last short block) the pointer kernel.
  // `in_place(m_first, m_last)`: row() of those rows (and all between) reads
  // the input in place, gathering no border run.
  // `line_rows(m, mr, t, linear, entry, dst, first_row)` (merged taps): the rows of
  // tap t of a block inside one output line, whether any reads the input (see
  // run_channels_last).
  template <class RowFn, class InPlaceFn, class LineRowsFn>
  void channels_last_task(size_t g, size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1,
                          const RowFn& row, const InPlaceFn& in_place, const LineRowsFn& line_rows,
                          float* c, size_t ldc) const {
    const int inner = s_.rank - 1;
    const size_t out_width = static_cast<size_t>(s_.out_size[inner]);
    const auto& uk = table_.gemm_rowptr_main;
    const auto& strided_uk = table_.gemm_rowstride_main;
    const size_t MR = uk.mr, NR = uk.nr, taps = taps_;
    // A stride far beyond the input (valid with enough padding) can make the
    // row spacing overflow: such a line has at most one valid pixel per tap,
    // so it takes the per-row path, which forms no spaced pointers.
    int64_t step64 = 0;
    const bool step_fits = !__builtin_mul_overflow(s_.stride[inner], s_.in_channels, &step64) &&
                           step64 <= std::numeric_limits<int64_t>::max() / static_cast<int64_t>(2 * MR + 2);
    const ptrdiff_t step = step_fits ? static_cast<ptrdiff_t>(step64) : 0;
    const bool strided_kernel = strided_uk.fn != nullptr && strided_uk.mr == MR && strided_uk.nr == NR;
    const float* a[kMaxRowPointers];  // [taps][MR] row pointers of a pointer-kernel block
    const float* first[kMaxCalls];    // [taps] row 0 of each tap (zero: padding)
    bool spaced[kMaxCalls];           // tap's rows are first + i * step (pointers not yet built)
    int64_t next_entry[kMaxCalls];    // merged: line_rows' entry hint per tap
    struct Call { uint32_t t0, tn; };  // a run of active taps
    Call calls[kMaxCalls];
    const float* zero = zero_row_.data();
    // The epilogue fields, set once: the out-of-line gemm_output per call cost
    // a store-forwarding stall each (10% of the audio stem, K = 10).
    const kernels::GemmOutput last_out = gemm_output(act_, nullptr, ldc, true, true);
    // Both argument blocks built once; a call updates its fields (a fresh
    // struct per call was zeroed by a rep stos each time).
    kernels::GemmRowsArgs args;
    args.kc = kc_tap_;
    args.out = last_out;
    kernels::GemmRowsStridedArgs strided_args;
    strided_args.lda = step;
    strided_args.kc = kc_tap_;
    strided_args.out = last_out;
    bool hints_valid = false;  // next_entry holds the entries of row m (the previous block was merged, full)
    for (size_t m = m0; m < m1; m += MR) {
      const size_t mr = std::min(MR, M - m);
      size_t count = 0;
      bool in_run = false;
      const bool same_line = m / out_width == (m + mr - 1) / out_width;
      const bool linear = step_fits && same_line && in_place(m, m + mr - 1);
      // Merged taps, a block inside one output line: line_rows finds the rows
      // from one indirection entry per tap, or none when the previous block
      // ended on the same line (its entries moved MR pixels along): the
      // stem's 700 KiB buffer comes from L3 or memory each run, and its reads
      // were most of the time outside the microkernels.
      const bool merged_line = span_ > 1 && same_line;
      const bool continuing = merged_line && hints_valid && (m - 1) / out_width == m / out_width;
      hints_valid = merged_line && mr == MR;
      // Every active tap evenly spaced or listed, all MR rows real (the
      // strided kernel reads MR rows: a short block's would run past the line).
      bool strided = strided_kernel && linear && mr == MR;
      for (size_t t = 0; t < taps; ++t) {
        bool active = false;
        bool listed = false;  // (span 1) rows gathered into dst, not evenly spaced
        spaced[t] = false;
        const float** dst = a + t * MR;
        const float* f = zero;
        if (merged_line) {
          if (!continuing) next_entry[t] = kUnknownEntry;
          const float* spaced_first = zero;
          active = line_rows(m, mr, t, linear, next_entry[t], dst, spaced_first);
          if (active && linear) {
            f = spaced_first;
            spaced[t] = true;  // pointers built below if the block takes the pointer kernel
          } else if (active) {
            f = dst[0];
            strided = false;
          }
        } else {
          const float* last = zero;
          if (linear) {
            f = row(m, t);
            last = row(m + mr - 1, t);
          }
          if (f != zero && last != zero && last - f == static_cast<ptrdiff_t>(mr - 1) * step) {
            spaced[t] = true;
            active = true;
          } else if (linear && (f == zero) != (last == zero)) {
            // (span 1) One end reads padding along the innermost dim (the
            // first or last M block of a line): the block's valid rows are
            // those whose input x is inside the input, at even spacing from
            // the valid end. Saves a per-row walk of the indirection buffer,
            // whose rows are a cache line or more apart (conv3d_video:
            // 1.3 MiB, 4% of the time in misses).
            const ptrdiff_t anchor_row = f != zero ? 0 : static_cast<ptrdiff_t>(mr - 1);
            const float* anchor = f != zero ? f : last;
            const int64_t kx = static_cast<int64_t>(t) % s_.kernel[inner];
            const int64_t x_first = static_cast<int64_t>(m % out_width) * s_.stride[inner] +
                                    kx * s_.dilation[inner] - s_.pad_begin[inner];
            for (size_t i = 0; i < MR; ++i) {
              const ptrdiff_t r = static_cast<ptrdiff_t>(i < mr ? i : mr - 1);
              const int64_t x = x_first + r * s_.stride[inner];
              dst[i] = x >= 0 && x < s_.in_size[inner] ? anchor + (r - anchor_row) * step : zero;
            }
            f = dst[0];
            active = true;
            listed = true;
          } else {
            for (size_t i = 0; i < MR; ++i) {
              const float* p = row(m + (i < mr ? i : mr - 1), t);
              dst[i] = p;
              active |= p != zero;
            }
            f = dst[0];
            listed = true;
          }
        }
        // Zero when the tap is inactive; null for a tap whose rows are only
        // in dst, which the strided kernel then reads as a row list
        // (GemmRowsStridedArgs::row_lists): conv3d_video's line-end blocks.
        first[t] = listed && active ? nullptr : f;
        if (!active) {
          in_run = false;
          continue;
        }
        if (in_run)
          ++calls[count - 1].tn;  // extends the previous call's run of taps
        else
          calls[count++] = {static_cast<uint32_t>(t), 1};
        in_run = true;
      }
      if (!strided) {
        for (size_t t = 0; t < taps; ++t)
          if (spaced[t])
            for (size_t i = 0; i < MR; ++i)
              a[t * MR + i] = first[t] + static_cast<ptrdiff_t>(i < mr ? i : mr - 1) * step;
      }
      if (count == 0) {  // only padding: bias and activation
        for (size_t i = 0; i < MR; ++i) a[i] = zero;
        calls[count++] = {0, 1};
        strided = false;
      }
      // The next block's C rows, fetched for writing while this block
      // computes: its finished tiles are stored without waiting for their
      // lines (the stem's 3 MiB output lives in L3 or memory; each tile's 28
      // missing lines filled the store queue and stalled the next call).
      if (m + MR < m1)
        for (size_t i = 0; i < std::min(MR, m1 - m - MR); ++i) {
          const float* crow = c + (m + MR + i) * ldc;
          for (size_t col = n0; col < n1; col += kFloatsPerLine) __builtin_prefetch(crow + col, 1, 3);
          __builtin_prefetch(crow + n1 - 1, 1, 3);
        }
      for (size_t n = n0; n < n1; n += NR) {
        const float* panel = packed_.rows(g, n / NR);
        float* tile_c = c + m * ldc + n;
        const size_t nr = std::min(NR, N - n);
        for (size_t k = 0; k < count; ++k) {
          const Call& call = calls[k];
          // The fields both argument blocks share.
          auto fill = [&](auto& x) {
            x.taps = call.tn;
            x.b = panel + call.t0 * kc_tap_ * NR;
            x.bias = packed_.bias(g, n / NR);
            x.mr = mr;
            x.nr = nr;
            x.out.c = tile_c;
            x.out.accumulate = k != 0;
            x.out.clamp = last_out.clamp && k + 1 == count;
          };
          if (strided) {
            strided_args.a = first + call.t0;
            strided_args.row_lists = a + call.t0 * MR;
            fill(strided_args);
            strided_uk.fn(strided_args);
          } else {
            args.a = a + call.t0 * MR;
            fill(args);
            uk.fn(args);
          }
        }
      }
    }
  }

  void run_channels_last(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = table_.gemm_rowptr_main;
    const size_t groups = static_cast<size_t>(s_.groups);
    const size_t images = static_cast<size_t>(s_.batch);
    const size_t M = static_cast<size_t>(s_.out_pixels());
    const size_t N = static_cast<size_t>(s_.out_channels_per_group());
    const size_t cin = static_cast<size_t>(s_.in_channels);
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t cout = static_cast<size_t>(s_.out_channels);
    const size_t image_floats = static_cast<size_t>(s_.in_pixels()) * cin;
    const GemmTiling t = choose_gemm_tiling(M, N, packed_.k(), uk.mr, uk.nr, images * groups,
                                            threadpool_threads(pool));
    const GemmRowsReduction red = rows_reduction(taps_, kc_tap_, kc_budget_, 0);  // (the shared driver)
    const int64_t* index = index_.data();
    const float* zero = zero_row_.data();
    const size_t taps = taps_;
    auto task = [&](size_t task_index) {
      const size_t gemm = task_index / t.tasks();
      const size_t image = gemm / groups, g = gemm % groups;
      const size_t mt = task_index % t.tasks() / t.n_tasks, nt = task_index % t.n_tasks;
      const float* base = input + image * image_floats + g * cin_g;
      const size_t m0 = mt * t.m_tile, n0 = nt * t.n_tile;
      const size_t m1 = std::min(M, m0 + t.m_tile), n1 = std::min(N, n0 + t.n_tile);
      float* c = output + image * M * cout + g * N;
      if (span_ == 1) {
        auto row = [&](size_t m, size_t tap) -> const float* {
          const int64_t e = index[m * taps + tap];
          return e == kPaddingTap ? zero : base + e * static_cast<int64_t>(cin);
        };
        auto in_place = [](size_t, size_t) { return true; };
        auto line_rows = [](size_t, size_t, size_t, bool, int64_t&, const float**, const float*&) {
          return false;  // (merged taps only)
        };
        if (own_loop_)
          channels_last_task(g, M, N, m0, m1, n0, n1, row, in_place, line_rows, c, cout);
        else
          gemm_rows_task(uk, packed_, g, red, M, N, m0, m1, n0, n1, row, c, cout, act_);
        return;
      }
      // Merged taps (always with own_loop_): a run crossing the input border
      // is gathered with zeros into the slot of its (row, tap) within the
      // current M block (m0 is a multiple of MR, so m % MR is the row).
      alignas(64) float border[kBorderScratchFloats];
      const int64_t width = s_.in_size[s_.rank - 1];
      const int64_t span = span_;
      const int64_t* start = inner_start_.data();
      const size_t MR = uk.mr, kc_tap = kc_tap_;
      auto row_at = [&](size_t m, size_t tap, int64_t e) -> const float* {
        const int64_t x0 = start[m];
        if (x0 >= 0 && x0 + span <= width) return base + e * static_cast<int64_t>(cin);
        // Floats [lo, hi) of the run are inside the input: zeros, a copy,
        // zeros, as plain loops (a memcpy or memset per pixel of C_in = 3
        // floats cost more than the gather itself; one loop with a select per
        // float was 3% of the stem).
        float* slot = border + ((m % MR) * taps + tap) * kc_tap;
        const int64_t ci = static_cast<int64_t>(cin);
        const int64_t lo = (x0 < 0 ? -x0 : 0) * ci;
        const int64_t hi = (x0 + span > width ? width - x0 : span) * ci;
        const float* src = base + e * ci;
        int64_t f = 0;
        for (; f < lo; ++f) slot[f] = 0.0f;
        for (; f < hi; ++f) slot[f] = src[f];
        for (; f < static_cast<int64_t>(kc_tap); ++f) slot[f] = 0.0f;
        return slot;
      };
      auto row = [&](size_t m, size_t tap) -> const float* {
        const int64_t e = index[m * taps + tap];
        return e == kPaddingTap ? zero : row_at(m, tap, e);
      };
      // Runs of pixels between these two (in one output line) start between
      // their starts: inside the input when both ends are.
      auto in_place = [&](size_t first, size_t last) {
        return start[first] >= 0 && start[last] + span <= width;
      };
      // The rows of tap `tap` for an M block inside one output line. A run
      // misses the input along the innermost dim by its own start, and along
      // the outer dims for the whole line, so one entry (of a row whose run
      // meets the input) gives every row's: entries along a line are
      // `stride_x` pixels apart. `entry` carries it between the blocks of a
      // line: in, kUnknownEntry, kPaddingTap (the line's outer dims miss), or
      // row m's entry (used if row m's run meets the input); out, the same for
      // row m + mr. Linear blocks (every run in place) return the first row
      // in `first_row` and leave dst alone; others fill dst.
      const int64_t stride_x = s_.stride[s_.rank - 1];
      auto hits = [&](size_t m) { return start[m] + span > 0 && start[m] < width; };
      size_t range_block = std::numeric_limits<size_t>::max(), range_lo = 0, range_hi = 0;
      auto line_rows = [&](size_t m, size_t mr, size_t tap, bool linear, int64_t& entry,
                           const float** dst, const float*& first_row) -> bool {
        size_t r = 0;
        int64_t er = entry;
        if (er == kUnknownEntry || (er != kPaddingTap && !hits(m))) {
          while (r < mr && !hits(m + r)) ++r;
          er = r < mr ? index[(m + r) * taps + tap] : kUnknownEntry;
        }
        if (er == kPaddingTap || er == kUnknownEntry) {
          entry = er;
          if (!linear)
            for (size_t i = 0; i < MR; ++i) dst[i] = zero;
          return false;
        }
        int64_t next = 0;
        entry = __builtin_mul_overflow(static_cast<int64_t>(mr - r), stride_x, &next) ||
                        __builtin_add_overflow(er, next, &next)
                    ? kUnknownEntry
                    : next;
        if (linear) {  // every run in place, so r == 0
          first_row = base + er * static_cast<int64_t>(cin);
          return true;
        }
        // Rows [lo, hi) are in place (runs start further right row by row, so
        // they are one range), found once per block: evenly spaced pointers.
        // Only the rows around them are gathered or zero.
        if (range_block != m) {
          range_block = m;
          range_lo = 0;
          while (range_lo < mr && !(start[m + range_lo] >= 0 && start[m + range_lo] + span <= width))
            ++range_lo;
          range_hi = range_lo;
          while (range_hi < mr && start[m + range_hi] + span <= width) ++range_hi;
        }
        bool active = range_lo < range_hi;
        if (active) {  // r <= range_lo: the first in-place row meets the input
          const float* p = base + (er + static_cast<int64_t>(range_lo - r) * stride_x) * static_cast<int64_t>(cin);
          dst[range_lo] = p;
          // Two in-place rows lie inside the input, so their spacing fits;
          // with one, a stride far past the input is never multiplied out.
          if (range_hi - range_lo > 1) {
            const ptrdiff_t step = static_cast<ptrdiff_t>(stride_x * static_cast<int64_t>(cin));
            for (size_t i = range_lo + 1; i < range_hi; ++i) dst[i] = p + static_cast<ptrdiff_t>(i - range_lo) * step;
          }
        }
        for (size_t i = 0; i < mr; ++i) {
          if (i == range_lo) i = range_hi;
          if (i >= mr) break;
          const bool hit = i >= r && hits(m + i);
          dst[i] = hit ? row_at(m + i, tap, er + static_cast<int64_t>(i - r) * stride_x) : zero;
          active |= hit;
        }
        for (size_t i = mr; i < MR; ++i) dst[i] = dst[mr - 1];
        return active;
      };
      channels_last_task(g, M, N, m0, m1, n0, n1, row, in_place, line_rows, c, cout);
    };
    parallel_for(pool, images * groups * t.tasks(), task);
  }

  // ---- channels-last, few channels per group: the grouped kernel ------

  // See GroupedNxcArgs for the layout.
  bool pack_grouped(const float* weights, const float* bias) {
    const size_t c = static_cast<size_t>(s_.in_channels_per_group());
    const size_t taps = static_cast<size_t>(s_.kernel_taps());
    const size_t cout = static_cast<size_t>(s_.out_channels);
    const size_t w = table_.vector_floats;
    grouped_stride_ = (cout + w - 1) / w * w;
    if (!grouped_weights_.resize((1 + taps * c) * grouped_stride_)) return false;
    float* dst = grouped_weights_.data();
    std::memset(dst, 0, grouped_weights_.size() * sizeof(float));
    for (size_t o = 0; o < cout; ++o) {
      if (bias) dst[o] = bias[o];
      for (size_t t = 0; t < taps; ++t)
        for (size_t r = 0; r < c; ++r) {
          const size_t ci = (o % c + r) % c;
          const size_t src = s_.weight_layout == NDCONV_OIX ? (o * c + ci) * taps + t : (t * c + ci) * cout + o;
          dst[(1 + t * c + r) * grouped_stride_ + o] = weights[src];
        }
    }
    return true;
  }

  void run_grouped(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = table_.grouped_nxc;
    const size_t P = uk.pixels;
    const size_t images = static_cast<size_t>(s_.batch);
    const size_t M = static_cast<size_t>(s_.out_pixels());
    const size_t cin = static_cast<size_t>(s_.in_channels);
    const size_t cout = static_cast<size_t>(s_.out_channels);
    const size_t image_floats = static_cast<size_t>(s_.in_pixels()) * cin;
    const size_t blocks = (M + P - 1) / P;
    const size_t threads = threadpool_threads(pool);
    // Pixel tiles: the whole image on one thread, else ~4 tiles per thread.
    const size_t tile_blocks = threads > 1 ? std::max<size_t>(1, blocks * images / (threads * 4)) : blocks;
    const size_t tiles = (blocks + tile_blocks - 1) / tile_blocks;
    const kernels::GemmOutput clamp = gemm_output(act_, nullptr, 0, true, true);
    const int64_t* index = index_.data();
    const float* zero = zero_row_.data();
    const size_t taps = taps_;
    auto task = [&](size_t task_index) {
      const size_t image = task_index / tiles, tile = task_index % tiles;
      const float* base = input + image * image_floats;
      const float* rows[kMaxRowPointers];
      kernels::GroupedNxcArgs args;
      args.rows = rows;
      args.taps = taps;
      args.weights = grouped_weights_.data();
      args.weight_stride = grouped_stride_;
      args.ldo = cout;
      args.lo = clamp.clamp ? clamp.lo : -std::numeric_limits<float>::infinity();
      args.hi = clamp.clamp ? clamp.hi : std::numeric_limits<float>::infinity();
      const size_t m_end = std::min(M, (tile + 1) * tile_blocks * P);
      for (size_t m = tile * tile_blocks * P; m < m_end; m += P) {
        args.pixels = std::min(P, M - m);
        for (size_t t = 0; t < taps; ++t)
          for (size_t p = 0; p < P; ++p) {
            const int64_t e = index[(m + std::min(p, args.pixels - 1)) * taps + t];
            rows[t * P + p] = e == kPaddingTap ? zero : base + e * static_cast<int64_t>(cin);
          }
        args.out = output + (image * M + m) * cout;
        for (size_t ch = 0; ch < cout; ch += uk.lanes) {
          args.channel = ch;
          args.lanes = std::min(uk.lanes, cout - ch);
          grouped_(args);
        }
      }
    };
    parallel_for(pool, images * tiles, task);
  }

  // ---- channels-first, few output channels per group: the direct kernel --

  // Weights as GroupedNcxArgs wants them, per group: [C_in/G][taps][CO], then
  // the bias, CO floats per group; and the inner taps' offsets in a line copy.
  bool init_grouped_ncx(const float* weights, const float* bias) {
    const size_t CO = table_.grouped_ncx.out_channels;
    const size_t groups = static_cast<size_t>(s_.groups);
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t cout_g = static_cast<size_t>(s_.out_channels_per_group());
    const size_t cout = static_cast<size_t>(s_.out_channels);
    const size_t taps = static_cast<size_t>(s_.kernel_taps());
    const size_t kw = static_cast<size_t>(s_.kernel[s_.rank - 1]);
    ncx_group_floats_ = cin_g * taps * CO;
    if (!grouped_weights_.resize(groups * (ncx_group_floats_ + CO)) || !ncx_tap_offset_.resize(kw))
      return false;
    float* dst = grouped_weights_.data();
    std::memset(dst, 0, grouped_weights_.size() * sizeof(float));
    for (size_t g = 0; g < groups; ++g)
      for (size_t co = 0; co < cout_g; ++co) {
        const size_t o = g * cout_g + co;
        for (size_t ci = 0; ci < cin_g; ++ci)
          for (size_t t = 0; t < taps; ++t) {
            const size_t src = s_.weight_layout == NDCONV_OIX ? (o * cin_g + ci) * taps + t
                                                              : (t * cin_g + ci) * cout + o;
            dst[g * ncx_group_floats_ + (ci * taps + t) * CO + co] = weights[src];
          }
        if (bias) dst[groups * ncx_group_floats_ + g * CO + co] = bias[o];
      }
    const int64_t stride = s_.stride[s_.rank - 1], dilation = s_.dilation[s_.rank - 1];
    for (size_t kx = 0; kx < kw; ++kx) {
      const int64_t x = static_cast<int64_t>(kx) * dilation;  // fits: checked by grouped_ncx_lines
      ncx_tap_offset_[kx] = static_cast<ptrdiff_t>(x % stride) * static_cast<ptrdiff_t>(ncx_lines_.phase_len) +
                            static_cast<ptrdiff_t>(x / stride);
    }
    return true;
  }

  // Copies input line `line` (offset of its first pixel in a channel plane)
  // of the group's channels into a cache slot: zero-padded, split by phase.
  void copy_line(const float* group_input, int64_t line, float* slot) const {
    const int inner = s_.rank - 1;
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t plane = static_cast<size_t>(s_.in_pixels());
    const int64_t pad = s_.pad_begin[inner], width = s_.in_size[inner], stride = s_.stride[inner];
    const int64_t len = static_cast<int64_t>(ncx_lines_.phase_len);
    for (size_t ci = 0; ci < cin_g; ++ci) {
      const float* src = group_input + ci * plane + line;
      float* dst = slot + ci * ncx_lines_.channel_floats;
      if (stride == 1) {
        // Padded x = j reads input j - pad: zeros, the input, zeros.
        const int64_t lo = std::min(pad, len);
        const int64_t hi = pad >= len ? len : std::min(len, pad + width);
        for (int64_t j = 0; j < lo; ++j) dst[j] = 0.0f;
        if (hi > lo) std::memcpy(dst + lo, src + (lo - pad), static_cast<size_t>(hi - lo) * sizeof(float));
        for (int64_t j = std::max(lo, hi); j < len; ++j) dst[j] = 0.0f;
        continue;
      }
      for (int64_t p = 0; p < stride; ++p)
        for (int64_t j = 0; j < len; ++j) {
          const int64_t x = j * stride + p - pad;
          dst[p * len + j] = x >= 0 && x < width ? src[x] : 0.0f;
        }
    }
  }

  void run_grouped_ncx(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = table_.grouped_ncx;
    const size_t CO = uk.out_channels;
    const size_t groups = static_cast<size_t>(s_.groups);
    const size_t images = static_cast<size_t>(s_.batch);
    const size_t in_pixels = static_cast<size_t>(s_.in_pixels());
    const size_t out_plane = static_cast<size_t>(s_.out_pixels());
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t cout_g = static_cast<size_t>(s_.out_channels_per_group());
    const size_t ow = static_cast<size_t>(out_width_);
    const size_t kw = static_cast<size_t>(s_.kernel[s_.rank - 1]);
    const size_t threads = threadpool_threads(pool);
    // One task per image and group (its lines reuse the cached copies), or
    // enough line ranges for about 4 tasks per thread.
    const size_t gemms = images * groups;
    const size_t tiles = std::min(lines_, threads > 1 ? (4 * threads + gemms - 1) / gemms : 1);
    const size_t tile_lines = (lines_ + tiles - 1) / tiles;
    const kernels::GemmOutput clamp = gemm_output(act_, nullptr, 0, true, true);
    const GroupedNcxLines geo = ncx_lines_;
    auto task = [&](size_t index) {
      const size_t gemm = index / tiles, tile = index % tiles;
      const size_t image = gemm / groups, g = gemm % groups;
      const float* group_input = input + (image * groups + g) * cin_g * in_pixels;
      alignas(64) float cache[kLineCacheFloats];
      int64_t tag[2 * kMaxLineTaps];
      size_t used[2 * kMaxLineTaps];  // output line + 1 that last read the slot
      for (size_t i = 0; i < geo.slots; ++i) tag[i] = -1, used[i] = 0;
      size_t victim = 0;
      const float* line_ptr[kMaxLineTaps];
      uint32_t line_tap[kMaxLineTaps];
      kernels::GroupedNcxArgs args;
      args.line = line_ptr;
      args.line_tap = line_tap;
      args.in_channels = cin_g;
      args.channel_stride = geo.channel_floats;
      args.tap_offset = ncx_tap_offset_.data();
      args.kernel_w = kw;
      args.taps = static_cast<size_t>(s_.kernel_taps());
      args.weights = grouped_weights_.data() + g * ncx_group_floats_;
      args.bias = grouped_weights_.data() + groups * ncx_group_floats_ + g * CO;
      args.out_plane = out_plane;
      args.out_channels = cout_g;
      args.width = ow;
      args.lo = clamp.clamp ? clamp.lo : -std::numeric_limits<float>::infinity();
      args.hi = clamp.clamp ? clamp.hi : std::numeric_limits<float>::infinity();
      float* out = output + (image * groups + g) * cout_g * out_plane;
      const size_t l_end = std::min(lines_, (tile + 1) * tile_lines);
      for (size_t l = tile * tile_lines; l < l_end; ++l) {
        size_t count = 0;
        for (size_t t = 0; t < outer_taps_; ++t) {
          const int64_t line = line_offset_[l * outer_taps_ + t];
          if (line < 0) continue;
          size_t slot = 0;
          while (slot < geo.slots && tag[slot] != line) ++slot;
          if (slot == geo.slots) {
            // Evict the next slot this output line does not read (there are
            // at least outer_taps slots, so one is free).
            while (used[victim] == l + 1) victim = (victim + 1) % geo.slots;
            slot = victim;
            victim = (victim + 1) % geo.slots;
            tag[slot] = line;
            copy_line(group_input, line, cache + slot * geo.slot_floats);
          }
          used[slot] = l + 1;
          line_ptr[count] = cache + slot * geo.slot_floats;
          line_tap[count] = static_cast<uint32_t>(t * kw);
          ++count;
        }
        args.lines = count;
        args.out = out + l * ow;
        uk.fn(args);
      }
    };
    parallel_for(pool, gemms * tiles, task);
  }

  // ---- channels-first: im2col panels ------------------------------------

  // The input line (offset of its first pixel in a channel plane, or -1 for
  // padding) that each output line reads for each tap of the outer kernel
  // dims. Lines run along the innermost dim, which the panel copy handles.
  bool init_channels_first() {
    const int inner = s_.rank - 1;
    out_width_ = s_.out_size[inner];
    lines_ = static_cast<size_t>(s_.out_pixels() / out_width_);
    outer_taps_ = static_cast<size_t>(s_.kernel_taps() / s_.kernel[inner]);
    if (!line_offset_.resize(lines_ * outer_taps_)) return false;
    int64_t o[NDCONV_MAX_RANK] = {};  // outer output coordinates
    int64_t* entry = line_offset_.data();
    do {
      int64_t k[NDCONV_MAX_RANK] = {};
      do {
        int64_t offset = 0;
        bool padding = false;
        for (int d = 0; d < inner; ++d) {
          const int64_t i = o[d] * s_.stride[d] + k[d] * s_.dilation[d] - s_.pad_begin[d];
          // Stop at padding: its coordinates can be huge (a large pad or
          // dilation), and the offset would overflow; it is never used.
          if (i < 0 || i >= s_.in_size[d]) {
            padding = true;
            break;
          }
          offset = offset * s_.in_size[d] + i;
        }
        *entry++ = padding ? -1 : offset * s_.in_size[inner];
      } while (inner > 0 && next_coord(k, s_.kernel, inner));
    } while (inner > 0 && next_coord(o, s_.out_size, inner));
    return true;
  }

  // Packs the (kc x nr) B panel of im2col rows [k0, k0+kc) and output pixels
  // [n, n+nr) from one image and group: row k = (tap, input channel), zeros
  // where the tap reads padding.
  struct Im2colPanels {
    const IndirectGemm& plan;
    const float* input;  // channel 0 of this image and group

    ColsPanel panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR, float* scratch) const {
      const ConvShape& s = plan.s_;
      const int inner = s.rank - 1;
      const size_t ow = static_cast<size_t>(plan.out_width_);
      const size_t cin_g = static_cast<size_t>(s.in_channels_per_group());
      const size_t kw = static_cast<size_t>(s.kernel[inner]);
      const int64_t stride = s.stride[inner], dilation = s.dilation[inner];
      const int64_t pad = s.pad_begin[inner], width = s.in_size[inner];
      const size_t plane = static_cast<size_t>(s.in_pixels());

      // The panel's pixels as runs along output lines.
      struct Run { size_t line, ox, len, j; };
      Run runs[kMaxPanelWidth + 2];
      size_t run_count = 0;
      for (size_t j = 0, line = n / ow, ox = n % ow; j < nr; ++line, ox = 0) {
        const size_t len = std::min(ow - ox, nr - j);
        runs[run_count++] = {line, ox, len, j};
        j += len;
      }

      // Per tap, the geometry of each run (where the copy starts and ends) is
      // the same for all its input channels: computed once, then every
      // channel's row is zeros, a contiguous or strided copy, zeros.
      kernels::PanelRun copies[kMaxPanelWidth + 2];
      kernels::PanelPackArgs pack;
      pack.ld_dst = NR;
      pack.plane = plane;
      pack.runs = copies;
      pack.run_count = run_count;
      pack.stride = static_cast<ptrdiff_t>(stride);
      size_t k = 0;
      while (k < kc) {
        const size_t tap = (k0 + k) / cin_g, ci0 = (k0 + k) % cin_g;
        const size_t channels = std::min(cin_g - ci0, kc - k);
        const size_t outer_tap = tap / kw;
        const int64_t shift = static_cast<int64_t>(tap % kw) * dilation - pad;
        for (size_t r = 0; r < run_count; ++r) {
          const Run& run = runs[r];
          kernels::PanelRun& cp = copies[r];
          cp.j = run.j;
          cp.len = run.len;
          const int64_t line = plan.line_offset_[run.line * plan.outer_taps_ + outer_tap];
          // Input x of the q-th pixel: x0 + q * stride; valid q in [qa, qb).
          const int64_t x0 = static_cast<int64_t>(run.ox) * stride + shift;
          const int64_t len = static_cast<int64_t>(run.len);
          const int64_t qa = x0 >= 0 ? 0 : std::min(len, (-x0 + stride - 1) / stride);
          const int64_t qb = x0 >= width ? 0 : std::min(len, (width - x0 + stride - 1) / stride);
          if (line < 0 || qb <= qa) {
            cp.lead = run.len;
            cp.count = 0;
            cp.src = 0;
          } else {
            cp.lead = static_cast<size_t>(qa);
            cp.count = static_cast<size_t>(qb - qa);
            cp.src = line + x0 + qa * stride;
          }
        }
        pack.dst = scratch + k * NR;
        pack.input = input + ci0 * plane;
        pack.channels = channels;
        plan.table_.pack_panel_rows(pack);
        k += channels;
      }
      return {scratch, static_cast<ptrdiff_t>(NR), nullptr};
    }
  };

  // One task of the channels-first GEMM. Unlike the shared gemm_cols_task
  // (one N panel at a time over all of K and M, which streams the whole
  // packed weight matrix from L2 per 32 pixels: ~56 B/cycle for conv1d_dilated's
  // 256 x 768), kPanelGroup panels are packed per K block and each A block
  // (MR x kc, in L1) is used for all of them.
  template <class Source>
  void channels_first_task(size_t g, size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1,
                           const Source& source, float* c, size_t ldc) const {
    const auto& uk = *cols_;
    const size_t K = packed_.k(), MR = uk.mr, NR = uk.nr;
    alignas(64) float scratch[kPanelGroupFloats];
    const size_t kc_block = std::min<size_t>(l1_k_block(NR), kPanelGroupFloats / (kPanelGroup * NR));
    const kernels::GemmOutput last_out = gemm_output(act_, nullptr, ldc, true, true);
    for (size_t ng = n0; ng < n1; ng += kPanelGroup * NR) {
      const size_t ng1 = std::min(n1, ng + kPanelGroup * NR);
      for (size_t k0 = 0; k0 < K; k0 += kc_block) {
        const size_t kc = std::min(kc_block, K - k0);
        ColsPanel panels[kPanelGroup];
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

  void run_channels_first(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = *cols_;
    const size_t groups = static_cast<size_t>(s_.groups);
    const size_t images = static_cast<size_t>(s_.batch);
    const size_t out_pixels = static_cast<size_t>(s_.out_pixels());
    const size_t in_pixels = static_cast<size_t>(s_.in_pixels());
    const size_t M = static_cast<size_t>(s_.out_channels_per_group());
    const size_t N = out_pixels;
    const size_t cin_g = static_cast<size_t>(s_.in_channels_per_group());
    const size_t cin = static_cast<size_t>(s_.in_channels);
    const size_t cout = static_cast<size_t>(s_.out_channels);
    // Each task packs its own im2col panels: split N across threads first,
    // and let a task's A block (packed weights, streamed sequentially) span
    // all of M up to 4 MiB rather than an L2 budget: an M split packs every
    // panel once per M tile (conv3x3_s2 NCX, 576 KiB of weights: 0.96x ->
    // 1.16x oneDNN; conv1d_dilated NCX 1.04x -> 1.10x).
    const GemmTiling t = choose_gemm_tiling(M, N, packed_.k(), uk.mr, uk.nr, images * groups,
                                            threadpool_threads(pool), true, kIm2colABlockBytes,
                                            /*split_n_first=*/true);
    // The N tasks take n_panels / n_tasks panels each, give or take one,
    // rather than t.n_tile each and the rest to the last: conv3x3_res2's 66
    // panels of 48 in 8 tasks of 9 left 2.3 panels to the last task, so one
    // of two threads ran 36 panels and the other 29 (scaling capped at 1.81).
    const size_t n_panels = (N + uk.nr - 1) / uk.nr;
    const size_t threads = threadpool_threads(pool);
    size_t n_tasks = t.n_tasks;
    // One GEMM on several threads: guided sizes instead, each task a share of
    // the panels left (and at least a panel group), so the tasks claimed last
    // are small and the threads finish together: conv1d_dilated's 22 panels
    // in equal tasks of 2 or 3 still left one thread 11.3 panels to the
    // other's 10; guided (6, 4, 3, 3, 2, 2, 1.3) at most 11 to 10.3.
    size_t guided[kMaxGuidedTasks + 1];
    bool use_guided = false;
    if (images * groups == 1 && threads > 1 && t.m_tasks == 1) {
      size_t count = 0, start = 0;
      guided[0] = 0;
      while (start < n_panels && count < kMaxGuidedTasks) {
        const size_t share = (n_panels - start + 2 * threads - 1) / (2 * threads);
        start = std::min(n_panels, start + std::max(kPanelGroup, share));
        guided[++count] = start;
      }
      use_guided = start == n_panels;
      if (use_guided) n_tasks = count;
    }
    const size_t tasks = t.m_tasks * n_tasks;
    auto n_start = [&](size_t nt) {
      return std::min(N, (use_guided ? guided[nt] : nt * n_panels / n_tasks) * uk.nr);
    };
    auto task = [&](size_t index) {
      const size_t gemm = index / tasks;
      const size_t image = gemm / groups, g = gemm % groups;
      const size_t mt = index % tasks / n_tasks, nt = index % n_tasks;
      const Im2colPanels panels{*this, input + (image * cin + g * cin_g) * in_pixels};
      float* c = output + (image * cout + g * M) * out_pixels;
      const size_t m0 = mt * t.m_tile;
      channels_first_task(g, M, N, m0, std::min(M, m0 + t.m_tile), n_start(nt), n_start(nt + 1), panels, c,
                          out_pixels);
    };
    parallel_for(pool, images * groups * tasks, task);
  }

  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  PackedWeights packed_;
  const kernels::GemmColsKernel* cols_ = nullptr;  // channels-first microkernel
  kernels::GroupedNxcFn grouped_ = nullptr;
  GroupedNcxLines ncx_lines_;
  bool grouped_ncx_ = false;
  size_t ncx_group_floats_ = 0;            // direct kernel: packed weights per group
  AlignedArray<ptrdiff_t> ncx_tap_offset_;  // direct kernel: inner tap kx's offset in a line copy
  AlignedArray<float> grouped_weights_;
  size_t grouped_stride_ = 0;

  // Channels-last.
  size_t kc_budget_ = 0;
  bool own_loop_ = false;     // channels_last_task (else the shared gemm_rows_task)
  int64_t span_ = 1;          // kernel pixels merged into one tap along the innermost dim
  size_t taps_ = 0, kc_tap_ = 0;
  AlignedArray<int64_t> index_;        // [out_pixels][taps]: input pixel of the tap's first pixel, or kPaddingTap
  AlignedArray<int64_t> inner_start_;  // merged: innermost input coordinate of each output pixel's run
  AlignedArray<float> zero_row_;       // kc_tap zeros, read for padding taps

  // Channels-first.
  int64_t out_width_ = 0;
  size_t lines_ = 0, outer_taps_ = 0;
  AlignedArray<int64_t> line_offset_;  // [output line][outer tap]
};

}  // namespace

std::unique_ptr<Algorithm> make_indirect_algorithm(const ConvShape& shape,
                                                   const kernels::KernelTable& table,
                                                   const float* weights, const float* bias,
                                                   ndconv_status* status) {
  *status = NDCONV_OK;
  std::unique_ptr<IndirectGemm> algo(new (std::nothrow) IndirectGemm(shape, table));
  if (!algo || !algo->init(weights, bias)) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory building the indirect convolution plan");
    return nullptr;
  }
  return algo;
}

}  // namespace dispatch
}  // namespace ndconv
