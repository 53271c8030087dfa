#include "algorithms/ngram.h"

#include <algorithm>

#include "addressing/sequence_windows.h"
#include "addressing/shifted_views.h"
#include "algorithms/packed_factory.h"
#include "api/threadpool.h"
#include "gemm/gemm_driver.h"
#include "gemm/gemm_rows_tile.h"
#include "gemm/narrow_tail.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {

// Channels-first windows shorter than this (k * span * C_in floats) do not pay
// for the transposed store of each tile: the general path's im2col panels
// serve them (a speech stem, k=10 over one channel: 0.25x oneDNN through the
// n-gram path, 1.34x through im2col panels; channels-last stays here, 0.90x
// against 0.77x through the indirect GEMM).
// (Tuning::ngram_min_channels_first_window_floats, 64 floats)
bool is_full_width(const ConvShape& s, const Tuning& tune) {
  if (s.groups != 1 || s.rank < 1) return false;
  if (s.layout == NDCONV_NCX && s.kernel_taps() * s.in_channels <
                                       static_cast<int64_t>(tune.ngram_min_channels_first_window_floats))
    return false;
  if (s.dilation[0] != 1 && s.kernel[0] != 1) return false;
  for (int d = 1; d < s.rank; ++d) {
    if (s.kernel[d] != s.in_size[d] || s.pad_begin[d] != 0 || s.pad_end[d] != 0) return false;
    if (s.dilation[d] != 1 && s.kernel[d] != 1) return false;
  }
  return true;
}

namespace {

// A run of GEMM rows (m = image * Lo + l, contiguous in the channels-last
// output) that are all interior windows (one tap of K floats, read in place)
// or all border windows (k taps of one step each, padding taps read a zero row).
// Sequences shorter than tuning().ngram_split_min_row_tiles (16) row tiles
// run entirely in the taps form when padded (see build_row_ranges).

struct RowRange {
  size_t m0, m1;
  bool border;
};

class NgramGemm final : public Algorithm {
 public:
  NgramGemm(const ConvShape& shape, const kernels::KernelTable& table, const Tuning& tune)
      : Algorithm(PlanName("ngram-gemm", ndconv_isa_name(table.isa))),
        s_(shape), g_(shape), table_(table), tuning_(tune), act_(activation_of(shape)) {}

  bool init(const float* weights, const float* bias) {
    // Channels-last, and channels-first with one input channel (then NCX and
    // NXC inputs are the same memory): windows as A rows. Otherwise the
    // transposed product over shifted views of the channel planes.
    rows_form_ = s_.layout == NDCONV_NXC || g_.cin == 1;
    rows_uk_ = pick_rows_kernel();
    // Channels-first: the cols tile that pads C[F][Lo] least (main,
    // alternatives or the wide tile). text_query_same's 128 x 50 computed
    // 140 x 64 on the main 14 x 32 tile, 132 x 64 on 12 x 32; text_char_cnn's
    // 256 x 1008 took 266 x 1024, on 8 x 48 it takes no padding.
    if (!rows_form_) cols_uk_ = pick_cols_kernel(table_, g_.cout, g_.Lo, g_.K, tuning_);
    const size_t width = rows_form_ ? rows_uk_.nr : cols_uk_.mr;
    if (!packed_.pack(s_, weights, bias, width)) return false;
    if (rows_form_) {
      if (!pack_narrow_tail(s_, table_, weights, bias, &tail_)) return false;
      if (!zero_step_.resize(g_.step)) return false;
      std::fill(zero_step_.data(), zero_step_.data() + g_.step, 0.0f);
      if (!build_row_ranges()) return false;
      // Tiny reductions (a speech stem: K = 10) take the K-stationary kernel
      // in the interior, channels-last (conv1d_audio_stem NXC, AVX-512: see
      // the commit). It reads packed_ for every column, tail included.
      if (s_.layout == NDCONV_NXC && g_.K <= kernels::kMaxSmallK && table_.gemm_rowptr_small_k.preferred)
        small_k_ = table_.gemm_rowptr_small_k.fn[g_.K];
    } else if (!build_shifted_view_offsets(g_, &offsets_)) {
      return false;
    }
    return true;
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    if (!rows_form_)
      run_shifted_views(input, output, pool);
    else
      run_windows(input, output, pool);
    return NDCONV_OK;
  }

 private:
  // The rows form's tile: the main one, whose short-row variants compute a
  // range's last M block with exactly its rows; or, channels-last, the wide
  // one (Tuning::gemm_rows_wide) where it needs no narrow tail (F a
  // multiple of its NR, so the tail's packing is the main one's: none) nor
  // the K-stationary kernel (small_k_ reads the main tile's panels), and
  // pads the rows no more than the main tile's full blocks would, or at most
  // 5% more than M (Intel Xeon Emerald Rapids, --ab, NXC, 3 alternations:
  // text_seed_conv1d, 598 rows, 0.91-0.95x -> 0.95-0.98x oneDNN;
  // text_query_same, 50 rows in 54 against 4 x 12 + 2, 0.87-0.90x ->
  // 0.94-0.95x). The padding is counted as it was measured; the wide tile
  // now has short rows as well, so its last block computes only its rows
  // (text_query_same on AMD EPYC Zen 4: 0.93x -> 0.99x oneDNN).
  kernels::GemmRowsKernel pick_rows_kernel() const {
    kernels::GemmRowsKernel main = table_.gemm_rowptr_main;
    main.short_rows = table_.gemm_rowptr_short_rows;
    const kernels::GemmRowsKernel& wide = table_.gemm_rowptr_wide;
    const size_t M = g_.batch * g_.Lo, F = g_.cout;
    if (!wide.fn || s_.layout != NDCONV_NXC || F % wide.nr != 0 || g_.K <= kernels::kMaxSmallK) return main;
    const size_t wide_rows = (M + wide.mr - 1) / wide.mr * wide.mr;
    const size_t main_rows = (M + main.mr - 1) / main.mr * main.mr;
    return wide_rows <= main_rows || wide_rows * 20 <= M * 21 ? wide : main;
  }

  // Per image: border rows before, the interior, border rows after; adjacent
  // ranges of the same kind merge (without padding the whole batch is one range).
  // Short padded sequences (a query of 50 words) run entirely in the taps
  // form instead: split, their one or two border rows would each cost a whole
  // tile (measured: text_query_same NXC 0.63x oneDNN split, see the commit).
  bool build_row_ranges() {
    const bool padded = g_.lo > 0 || g_.hi < g_.Lo;
    const bool taps_only = padded && g_.Lo < tuning_.ngram_split_min_row_tiles * table_.gemm_rowptr_main.mr;
    size_t count = 0;
    RowRange pending{0, 0, false};
    bool have = false;
    auto add = [&](size_t m0, size_t m1, bool border, bool store) {
      if (m0 == m1) return;
      if (have && pending.border == border && pending.m1 == m0) {
        pending.m1 = m1;
        return;
      }
      if (have) {
        if (store) ranges_[count] = pending;
        ++count;
      }
      pending = {m0, m1, border};
      have = true;
    };
    for (int pass = 0; pass < 2; ++pass) {  // count, then fill
      const bool store = pass == 1;
      count = 0;
      have = false;
      for (size_t n = 0; n < g_.batch; ++n) {
        const size_t base = n * g_.Lo;
        if (taps_only) {
          add(base, base + g_.Lo, true, store);
          continue;
        }
        add(base, base + g_.lo, true, store);
        add(base + g_.lo, base + g_.hi, false, store);
        add(base + g_.hi, base + g_.Lo, true, store);
      }
      if (have) {
        if (store) ranges_[count] = pending;
        ++count;
      }
      if (!store && !ranges_.resize(count)) return false;
    }
    return true;
  }

  // A rows are windows: row m = (image, l), tap t = input step l*stride + t - pad.
  void run_windows(const float* input, float* output, ndconv_threadpool* pool) const {
    // The main tile, with its short-row variants for the last M block of a
    // range (text_query_same, 50 rows: 4 x 14 rows computed -> 3 x 14 + 8).
    const kernels::GemmRowsKernel& uk = rows_uk_;
    const size_t M = g_.batch * g_.Lo, N = g_.cout;
    const GemmTiling t = choose_gemm_tiling(tuning_, M, N, g_.K, uk.mr, uk.nr, 1, threadpool_threads(pool));
    // K blocks of up to 4x the L1 budget: the B slice streams from L2 at a
    // fraction of its bandwidth, and fewer blocks mean fewer C round trips
    // (measured: seed_conv2d 212 -> 222 GFLOP/s going from 256 to K).
    const GemmRowsReduction interior = rows_reduction(tuning_, uk.nr, 1, g_.K, 4 * t.kc, N);
    const GemmRowsReduction border = rows_reduction(tuning_, uk.nr, g_.k, g_.step, t.kc, N);
    // Tasks: every range cut into chunks of at most m_tile rows, times the N split.
    size_t chunks = 0;
    for (size_t r = 0; r < ranges_.size(); ++r)
      chunks += (ranges_[r].m1 - ranges_[r].m0 + t.m_tile - 1) / t.m_tile;
    const float* zero = zero_step_.data();
    const bool channels_last = s_.layout == NDCONV_NXC;
    auto task = [&](size_t index) {
      size_t m0 = 0, m1 = 0;
      const RowRange& range = chunk_rows(t.m_tile, index / t.n_tasks, &m0, &m1);
      const size_t n0 = index % t.n_tasks * t.n_tile, n1 = std::min(N, n0 + t.n_tile);
      const InteriorWindowRows window{input, &g_};
      const BorderTapRows taps{input, &g_, zero};
      // Full-width panels [n0, min(n1, n_main)), then (last N task) the
      // narrow tail panel, whose packing starts at column n_main.
      const size_t n_main = tail_.first, tail_columns = tail_.columns;
      const size_t main1 = std::min(n1, n_main);
      const bool tail = tail_columns && n1 > n_main;
      const auto& narrow = tail_.kernel;
      const PackedWeights& packed_tail = tail_.packed;
      if (channels_last) {
        // C rows are output rows of [N, Lo, F]: the microkernel stores in place.
        if (small_k_ && !range.border) {
          small_k_rows(m0, m1, n0, n1, window, output);
        } else if (range.border) {
          if (n0 < main1) gemm_rows_task(uk, packed_, 0, border, m1, N, m0, m1, n0, main1, taps, output, N, act_);
          if (tail) gemm_rows_task(narrow, packed_tail, 0, border, m1, tail_columns, m0, m1, 0, tail_columns, taps, output + n_main, N, act_);
        } else {
          if (n0 < main1) gemm_rows_task(uk, packed_, 0, interior, m1, N, m0, m1, n0, main1, window, output, N, act_);
          if (tail) gemm_rows_task(narrow, packed_tail, 0, interior, m1, tail_columns, m0, m1, 0, tail_columns, window, output + n_main, N, act_);
        }
      } else if (range.border) {
        if (n0 < main1) transposed_tiles(uk, packed_, 0, m0, m1, n0, main1, border, taps, output);
        if (tail) transposed_tiles(narrow, packed_tail, n_main, m0, m1, 0, tail_columns, border, taps, output);
      } else {
        if (n0 < main1) transposed_tiles(uk, packed_, 0, m0, m1, n0, main1, interior, window, output);
        if (tail) transposed_tiles(narrow, packed_tail, n_main, m0, m1, 0, tail_columns, interior, window, output);
      }
    };
    parallel_for(pool, chunks * t.n_tasks, task);
  }

  // Chunk `chunk` of the row ranges, each cut into chunks of at most m_tile
  // rows: its range, and its rows [*m0, *m1).
  const RowRange& chunk_rows(size_t m_tile, size_t chunk, size_t* m0, size_t* m1) const {
    size_t r = 0;
    for (;; ++r) {  // the chunk's range (few ranges: at most 3 per image)
      const size_t c = (ranges_[r].m1 - ranges_[r].m0 + m_tile - 1) / m_tile;
      if (chunk < c) break;
      chunk -= c;
    }
    const RowRange& range = ranges_[r];
    *m0 = range.m0 + chunk * m_tile;
    *m1 = std::min(range.m1, *m0 + m_tile);
    return range;
  }

  // Rows [m0, m1), columns [n0, n1) (n0 a multiple of NR) through small_k_,
  // kSmallKRows rows per call.
  static constexpr size_t kSmallKRows = 16;
  template <class RowFn>
  void small_k_rows(size_t m0, size_t m1, size_t n0, size_t n1, const RowFn& row, float* output) const {
    const size_t NR = table_.gemm_rowptr_main.nr, N = g_.cout;
    const float* rows[kSmallKRows];
    kernels::GemmRowsArgs args;
    args.a = rows;
    args.kc = g_.K;
    args.b = packed_.rows(0, n0 / NR);
    args.bias = packed_.bias(0, n0 / NR);
    args.nr = n1 - n0;
    args.panel_stride = packed_.panel_stride();
    args.out = gemm_output(act_, nullptr, N, true, true);
    for (size_t m = m0; m < m1; m += kSmallKRows) {
      args.mr = std::min(kSmallKRows, m1 - m);
      for (size_t i = 0; i < args.mr; ++i) rows[i] = row(m + i, 0);
      args.out.c = output + m * N + n0;
      small_k_(args);
    }
  }

  // One-channel NCX: the same windows, but the output is [N, F, Lo], the
  // transpose of the GEMM's C. Each tile is finished in an L1 scratch tile and
  // scattered to its columns (mr * nr stores per MR * NR * K FMAs). Columns
  // [n0, n1) of `packed` are output channels column_offset + n.
  template <class RowFn>
  void transposed_tiles(const kernels::GemmRowsKernel& uk, const PackedWeights& packed,
                        size_t column_offset, size_t m0, size_t m1, size_t n0, size_t n1,
                        const GemmRowsReduction& red, const RowFn& row, float* output) const {
    alignas(64) float tile[kMaxMR * kMaxNR];
    const size_t N = g_.cout, Lo = g_.Lo;
    // The dot kernel (nr = 1 per packed panel) takes all its columns at once.
    const size_t step = uk.nr == 1 ? n1 - n0 : uk.nr;
    for (size_t m = m0; m < m1; m += uk.mr) {
      const size_t mr = std::min(uk.mr, m1 - m);
      for (size_t n = n0; n < n1; n += step) {
        const size_t nr = std::min(step, n1 - n);
        const size_t ld = gemm_rows_tile(uk, packed, red, m, mr, n, nr, row, tile, act_, nullptr);
        // Per run of rows within one image, column by column: each output
        // channel's rows are contiguous there (a row-by-row scatter stored
        // to nr cache lines per row: 4% of text_kim_batch NCX).
        for (size_t i0 = 0; i0 < mr;) {
          const size_t image = (m + i0) / Lo, l0 = (m + i0) % Lo;
          const size_t run = std::min(mr - i0, Lo - l0);
          float* out = output + (image * N + column_offset + n) * Lo + l0;
          const float* src = tile + i0 * ld;
          for (size_t j = 0; j < nr; ++j)
            for (size_t i = 0; i < run; ++i) out[j * Lo + i] = src[i * ld + j];
          i0 += run;
        }
      }
    }
  }

  // NCX, C_in > 1: per image C[F][Lo] = W[F][K] x B[K][Lo], B rows shifted
  // views of the channel planes (see ShiftedViews).
  void run_shifted_views(const float* input, float* output, ndconv_threadpool* pool) const {
    const auto& uk = cols_uk_;
    const size_t M = g_.cout, N = g_.Lo;
    const GemmTiling t = choose_gemm_tiling(tuning_, M, N, g_.K, uk.mr, uk.nr, g_.batch, threadpool_threads(pool));
    const ptrdiff_t* offsets = offsets_.size() ? offsets_.data() : nullptr;
    auto task = [&](size_t index) {
      const GemmTask range = gemm_task(t, index, M, N);
      const size_t image = range.gemm;
      const ShiftedViews views{input + image * g_.cin * g_.L * g_.span, &g_, offsets};
      gemm_cols_task(uk, packed_, 0, M, N, range.m0, range.m1, range.n0, range.n1, t.kc, views,
                     output + image * M * N, N, act_);
    };
    parallel_for(pool, g_.batch * t.tasks(), task);
  }

  ConvShape s_;
  NgramGeometry g_;
  const kernels::KernelTable& table_;
  Tuning tuning_;  // the plan's, copied when it is created
  kernels::Activation act_;
  bool rows_form_ = true;
  kernels::GemmRowsKernel rows_uk_;  // rows form: the tile (pick_rows_kernel)
  kernels::GemmColsKernel cols_uk_;  // shifted-views form: the tile (pick_cols_kernel)
  PackedWeights packed_;
  NarrowTail tail_;  // rows form: columns [tail_.first, F) on the narrow kernel
  kernels::GemmRowsFn small_k_ = nullptr;  // rows form, NXC, K <= kMaxSmallK: interior rows
  AlignedArray<float> zero_step_;     // the padding "step" border taps read
  AlignedArray<RowRange> ranges_;     // rows form: interior / border row ranges
  AlignedArray<ptrdiff_t> offsets_;   // shifted-views form: B row offsets, or empty
};

}  // namespace

std::unique_ptr<Algorithm> make_ngram_algorithm(const ConvShape& shape,
                                                const kernels::KernelTable& table,
                                                const Tuning& tune,
                                                const float* weights, const float* bias,
                                                ndconv_status* status) {
  *status = NDCONV_OK;
  if (!is_full_width(shape, tune)) return nullptr;
  return build_packed_algorithm<NgramGemm>(shape, table, weights, bias, status,
                                           "out of memory packing the n-gram weights", tune);
}

}  // namespace dispatch
}  // namespace ndconv
