#include "algorithms/qconv_gemm.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "addressing/indirection.h"
#include "algorithms/qalgorithm_factory.h"
#include "algorithms/qchannels_last.h"
#include "algorithms/qconv_gemm_geometry.h"
#include "api/error.h"
#include "api/threadpool.h"
#include "algorithms/qgemm_tile_choice.h"
#include "gemm/qpack.h"
#include "kernels/qkernel_instances.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// TapIndirection's float zero row is unused here (padding taps read the
// zero-point row or are skipped); one float, not zero: build memsets it.
constexpr size_t kUnusedZeroRowFloats = 1;

// Rows of output pixels per task (a multiple of MR): enough work to hide the
// task's overhead, small enough to balance two to a few dozen threads.
constexpr size_t kRowsPerTask = 96;

// The A scratch of a packing tile (AMX: 32 rows), on the task's stack as
// the float GEMMs' panels are: K up to 2 KiB per row (conv3d_video's 27 x
// 64 and every suite shape but none larger); a plan whose rows need more
// takes the same level's register tile (amx_fits).
constexpr size_t kAPackBytes = 32 * 2048 + 64;

class QGemmAlgorithm final : public QChannelsLastAlgorithm {
 public:
  QGemmAlgorithm(const PlanName& name, const QPlanInputs& in, const QGemmGeometry& geo)
      : QChannelsLastAlgorithm(name, in.params),
        uk_(rows_kernel(*in.table, in.params->shape.conv.out_channels_per_group(), geo.narrow_tile,
                        in.rows_tile_mr)),
        geo_(geo),
        m_outer_max_weight_bytes_(tuning().qgemm_m_outer_max_weight_bytes) {}

  const kernels::QGemmRowsKernel* rows_tile() const override { return &uk_; }

  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    if (!pack_qweights(*p_, weights, geo_.taps, geo_.kc, uk_.nr, uk_.kr, &packed_) ||
        !zero_point_row_.resize(geo_.kc))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 weights");
    std::memset(zero_point_row_.data(), p_->zero_point_byte, geo_.kc);
    if (geo_.source == RowSource::kIndirection && !indirection_.build(s, geo_.span, kUnusedZeroRowFloats))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory building the int8 indirection buffer");
    if (!build_tap_compensation())
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory for the int8 per-tap compensation");
    return NDCONV_OK;
  }

 private:
  struct Split {
    size_t m_blocks, n_chunks, panels_per_chunk, rows_per_block;
  };

  Split split(ndconv_threadpool* pool) const {
    const ConvShape& s = p_->shape.conv;
    Split sp;
    sp.rows_per_block = std::max<size_t>(uk_.mr, kRowsPerTask / uk_.mr * uk_.mr);
    sp.m_blocks = (static_cast<size_t>(geo_.m) + sp.rows_per_block - 1) / sp.rows_per_block;
    // Split N too when the M blocks alone leave threads idle (short sequences).
    const size_t tasks = static_cast<size_t>(s.batch * s.groups) * sp.m_blocks;
    const size_t want = 4 * threadpool_threads(pool);
    sp.n_chunks = tasks >= want ? 1 : std::min(packed_.panels, (want + tasks - 1) / tasks);
    sp.panels_per_chunk = (packed_.panels + sp.n_chunks - 1) / sp.n_chunks;
    sp.n_chunks = (packed_.panels + sp.panels_per_chunk - 1) / sp.panels_per_chunk;
    return sp;
  }

  ndconv_status run_channels_last(const uint8_t* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    const Split sp = split(pool);
    auto task = [&](size_t i) {
      const size_t chunk = i % sp.n_chunks, block = (i / sp.n_chunks) % sp.m_blocks;
      const size_t ng = i / (sp.n_chunks * sp.m_blocks);
      const int64_t n = static_cast<int64_t>(ng) / s.groups, g = static_cast<int64_t>(ng) % s.groups;
      const size_t m0 = block * sp.rows_per_block;
      const size_t m1 = std::min(m0 + sp.rows_per_block, static_cast<size_t>(geo_.m));
      const size_t p0 = chunk * sp.panels_per_chunk;
      const size_t p1 = std::min(p0 + sp.panels_per_chunk, packed_.panels);
      if (uk_.a_pack_rows != 0)
        run_block_packing(input, output, n, g, m0, m1, p0, p1);
      else
        run_block(input, output, n, g, m0, m1, p0, p1, nullptr);
    };
    parallel_for(pool, static_cast<size_t>(s.batch * s.groups) * sp.m_blocks * sp.n_chunks, task);
    return NDCONV_OK;
  }

  // Taps [first, last) of a tile: the taps before and after read only
  // padding in every row, and are skipped (their zero-point rows'
  // products go into the bias instead: skipped_tap_bias).
  // step: the rows are evenly spaced, a_step bytes apart, and a[t] holds
  // tap t's row 0 only (the kernel's step_fn).
  // listed (with step): bit t set, tap t's rows are the MR pointers at
  // a[geo_.taps + t * MR] instead (QGemmRowsArgs::listed_taps).
  struct TapRange {
    size_t first, last;
    bool step = false;
    ptrdiff_t a_step = 0;
    uint64_t listed = 0;
  };

  // Skipping whole padding taps (the top and bottom output lines of a 3x3
  // pad-1 convolution: 3 of 9 taps, 1.2% of conv3x3_res2's products, which
  // oneDNN skips too): tap_comp_[t][c] = zp_u * sum of tap t's weights of
  // column c, what a zero-point row adds to the accumulator (wrap-around,
  // as the kernels sum). Not for one tap, nor beyond kMaxSkipColumns per
  // group (the adjusted bias is a stack array).
  static constexpr size_t kMaxSkipColumns = 1024;
  bool skips_taps() const {
    return geo_.taps > 1 && geo_.source == RowSource::kIndirection &&
           p_->shape.conv.out_channels_per_group() <= static_cast<int64_t>(kMaxSkipColumns);
  }

  bool build_tap_compensation() {
    if (!skips_taps()) return true;
    const size_t oc = static_cast<size_t>(p_->shape.conv.out_channels);
    const size_t ocg = static_cast<size_t>(p_->shape.conv.out_channels_per_group());
    const size_t kgroups = (geo_.kc + uk_.kr - 1) / uk_.kr, nr = uk_.nr, kr = uk_.kr;
    if (!tap_comp_.resize(geo_.taps * oc)) return false;
    const uint32_t zp = static_cast<uint32_t>(p_->zero_point_u);
    for (size_t c = 0; c < oc; ++c) {
      const size_t g = c / ocg, j = c % ocg;
      const int8_t* panel = packed_.panel(static_cast<int64_t>(g), j / nr);
      for (size_t t = 0; t < geo_.taps; ++t) {
        uint32_t sum = 0;
        for (size_t q = 0; q < kgroups * kr; ++q)
          sum += static_cast<uint32_t>(static_cast<int32_t>(panel[((t * kgroups + q / kr) * nr + j % nr) * kr + q % kr]));
        tap_comp_[t * oc + c] = static_cast<int32_t>(zp * sum);
      }
    }
    return true;
  }

  // The bias of group g's columns with taps outside `r` skipped, into `out`.
  void skipped_tap_bias(int64_t g, TapRange r, int32_t* out) const {
    const size_t oc = static_cast<size_t>(p_->shape.conv.out_channels);
    const size_t ocg = static_cast<size_t>(p_->shape.conv.out_channels_per_group());
    const size_t c0 = static_cast<size_t>(g) * ocg;
    for (size_t j = 0; j < ocg; ++j) {
      uint32_t b = static_cast<uint32_t>(packed_.bias[c0 + j]);
      for (size_t t = 0; t < geo_.taps; ++t)
        if (t < r.first || t >= r.last) b += static_cast<uint32_t>(tap_comp_[t * oc + c0 + j]);
      out[j] = static_cast<int32_t>(b);
    }
  }

  // Row pointers [taps][MR] of output pixels m0 .. m0 + mr - 1 (rows past mr
  // repeat the last); merged border runs gathered into `border`. Returns the
  // taps to run (all but leading and trailing padding-only taps when
  // skips_taps(); their rows are not filled).
  TapRange build_rows(const uint8_t* image, int64_t g, size_t m0, size_t mr, const uint8_t** a,
                      uint8_t* border) const {
    const ConvShape& s = p_->shape.conv;
    const int64_t group_offset = g * s.in_channels_per_group();
    if (geo_.source == RowSource::kStrided) {  // one tap, rows evenly spaced
      const uint8_t* row = image + static_cast<int64_t>(m0) * geo_.row_stride + group_offset;
      if (uk_.step_fn != nullptr) {
        a[0] = row;
        return {0, 1, true, static_cast<ptrdiff_t>(mr > 1 ? geo_.row_stride : 0)};
      }
      for (size_t i = 0; i < uk_.mr; ++i)
        a[i] = row + static_cast<int64_t>(i < mr ? i : mr - 1) * geo_.row_stride;
      return {0, 1};
    }
    // Rows inside one output line (m0 % MR == 0: all when MR divides its
    // width, conv3x3_res2's 56 with 14) read each tap at inputs `stride`
    // pixels apart, none padding if the first and last are not: evenly
    // spaced pointers, two indirection reads per tap (the per-row reads
    // were 14% of conv3x3_res2's time).
    // Merged taps: when the first and last runs lie inside the input's
    // width, so do all between (the stem: all but 2 of 8 tiles per line).
    const int64_t width = s.out_size[s.rank - 1];
    bool one_line = static_cast<int64_t>(m0 % static_cast<size_t>(width) + mr) <= width;
    if (one_line && geo_.span > 1) {
      const int64_t* x0 = indirection_.inner_start();
      one_line = x0[m0] >= 0 && x0[m0 + mr - 1] + geo_.span <= s.in_size[s.rank - 1];
    }
    prefetch_entries(m0 + uk_.mr);
    TapRange range{0, geo_.taps};
    if (skips_taps()) {
      while (range.first < range.last && padding_tap(m0, mr, range.first)) ++range.first;
      while (range.last > range.first && padding_tap(m0, mr, range.last - 1)) --range.last;
    }
    if (one_line && uk_.step_fn != nullptr && step_rows(image, g, m0, mr, range, a)) return range;
    for (size_t t = range.first; t < range.last; ++t) {
      const int64_t first = one_line ? indirection_.entries()[m0 * geo_.taps + t] : kPaddingTap;
      const int64_t last = one_line ? indirection_.entries()[(m0 + mr - 1) * geo_.taps + t] : kPaddingTap;
      if (first != kPaddingTap && last != kPaddingTap) {
        // Computed here, where the first and last rows lie inside the input:
        // (mr - 1) strides fit in its width. A stride with one output pixel
        // per line can be near INT64_MAX (the fuzzer): times C_in it overflows.
        const int64_t step = mr > 1 ? s.stride[s.rank - 1] * s.in_channels : 0;
        const uint8_t* row = image + first * s.in_channels + group_offset;
        for (size_t i = 0; i < mr; ++i) a[t * uk_.mr + i] = row + static_cast<int64_t>(i) * step;
        for (size_t i = mr; i < uk_.mr; ++i) a[t * uk_.mr + i] = a[t * uk_.mr + mr - 1];
        continue;
      }
      if (one_line && geo_.span == 1) {
        line_tap_rows(image + group_offset, m0, mr, t, a + t * uk_.mr);
        continue;
      }
      for (size_t i = 0; i < mr; ++i) {
        const size_t m = m0 + i;
        const int64_t e = indirection_.entries()[m * geo_.taps + t];
        a[t * uk_.mr + i] = e == kPaddingTap ? zero_point_row_.data()
                            : geo_.span > 1  ? merged_row(image, m, e, border + (i * geo_.taps + t) * geo_.kc)
                                             : image + e * s.in_channels + group_offset;
      }
      for (size_t i = mr; i < uk_.mr; ++i) a[t * uk_.mr + i] = a[t * uk_.mr + mr - 1];
    }
    return range;
  }

  // The rows of a block inside one output line as one pointer per tap
  // (a[t], t in range) and the step, when no tap's first or last row reads
  // padding (then none between does). Taps whose do (the left taps of a
  // line's first block, the right ones of its last) get their MR pointers
  // listed after the taps' (line_tap_rows; span 1, taps below 64): the
  // other taps of those blocks stay evenly spaced, where all of them took
  // per-row pointers (AMD EPYC Zen 5, conv3x3_res2 NXC int8: every block
  // evenly spaced, its padding rows ignored, ran 3% faster). False (a
  // partly written) when a tap cannot be listed, or every tap would be.
  bool step_rows(const uint8_t* image, int64_t g, size_t m0, size_t mr, TapRange& range,
                 const uint8_t** a) const {
    const ConvShape& s = p_->shape.conv;
    const int64_t* first = indirection_.entries() + m0 * geo_.taps;
    const int64_t* last = first + (mr - 1) * geo_.taps;
    const uint8_t* base = image + g * s.in_channels_per_group();
    const bool can_list = geo_.span == 1 && geo_.taps * (uk_.mr + 1) <= kMaxRowPointers;
    uint64_t listed = 0;
    for (size_t t = range.first; t < range.last; ++t) {
      if (first[t] == kPaddingTap || last[t] == kPaddingTap) {
        if (!can_list || t >= 64) return false;
        line_tap_rows(base, m0, mr, t, a + geo_.taps + t * uk_.mr);
        listed |= uint64_t{1} << t;
        a[t] = nullptr;  // not read: the kernel takes the list
        continue;
      }
      a[t] = base + first[t] * s.in_channels;
    }
    if (listed != 0 && static_cast<size_t>(__builtin_popcountll(listed)) == range.last - range.first) return false;
    // Two rows of a tap inside the input's line: (mr - 1) strides fit (see build_rows).
    range.listed = listed;
    range.step = true;
    range.a_step = mr > 1 ? static_cast<ptrdiff_t>(s.stride[s.rank - 1] * s.in_channels) : 0;
    return true;
  }

  // Tap t of a block inside one output line whose first or last row reads
  // padding: the rows reading the input are one run [lo, hi) (the input
  // coordinate grows along the line; the outer ones are the line's), evenly
  // spaced from lo's entry, the others the zero-point row. Two to four
  // entry reads instead of one per row (the line ends' blocks of
  // conv3x3_res2 read all 14 for 3 of their 9 taps).
  void line_tap_rows(const uint8_t* base, size_t m0, size_t mr, size_t t, const uint8_t** dst) const {
    const ConvShape& s = p_->shape.conv;
    const int64_t* e = indirection_.entries() + m0 * geo_.taps + t;
    size_t lo = 0, hi = mr;
    while (lo < mr && e[lo * geo_.taps] == kPaddingTap) ++lo;
    while (hi > lo && e[(hi - 1) * geo_.taps] == kPaddingTap) --hi;
    for (size_t i = 0; i < lo; ++i) dst[i] = zero_point_row_.data();
    if (lo < hi) {
      // hi - 1 - lo strides lie inside the input's width: no overflow.
      const int64_t step = hi - lo > 1 ? s.stride[s.rank - 1] * s.in_channels : 0;
      const uint8_t* row = base + e[lo * geo_.taps] * s.in_channels;
      for (size_t i = lo; i < hi; ++i) dst[i] = row + static_cast<int64_t>(i - lo) * step;
    }
    for (size_t i = hi; i < mr; ++i) dst[i] = zero_point_row_.data();
    for (size_t i = mr; i < uk_.mr; ++i) dst[i] = dst[mr - 1];
  }

  // Fetches the entries of the block from output pixel m (MR x taps x 8
  // bytes) ahead of its build_rows: its first and last rows are a kilobyte
  // apart (3x3, 14 rows), not a stream the hardware prefetcher follows.
  void prefetch_entries(size_t m) const {
    const size_t end = std::min(m + uk_.mr, static_cast<size_t>(geo_.m)) * geo_.taps;
    const int64_t* e = indirection_.entries();
    for (size_t i = m * geo_.taps; i < end; i += 8) __builtin_prefetch(e + i, 0, 3);
  }

  // Whether tap t of rows m0 .. m0 + mr - 1 reads padding only.
  bool padding_tap(size_t m0, size_t mr, size_t t) const {
    const int64_t* e = indirection_.entries() + m0 * geo_.taps + t;
    for (size_t i = 0; i < mr; ++i)
      if (e[i * geo_.taps] != kPaddingTap) return false;
    return true;
  }

  // The row of a merged tap of output pixel m whose run starts at input
  // pixel e (one group): in place when the run lies inside the input, else
  // gathered into `slot` with the zero point outside (plain loops: C_in is
  // a few bytes per pixel, memcpy/memset calls would cost more).
  const uint8_t* merged_row(const uint8_t* image, size_t m, int64_t e, uint8_t* slot) const {
    const ConvShape& s = p_->shape.conv;
    const int64_t x0 = indirection_.inner_start()[m], span = geo_.span;
    const int64_t width = s.in_size[s.rank - 1], c = s.in_channels;
    if (x0 >= 0 && x0 + span <= width) return image + e * c;
    const int64_t lo = (x0 < 0 ? -x0 : 0) * c, hi = (x0 + span > width ? width - x0 : span) * c;
    const int64_t kc = static_cast<int64_t>(geo_.kc);
    const uint8_t zp = p_->zero_point_byte;
    int64_t f = 0;
    for (; f < lo; ++f) slot[f] = zp;
    for (; f < hi; ++f) slot[f] = image[e * c + f];
    for (; f < kc; ++f) slot[f] = zp;
    return slot;
  }

  // run_block for a tile that packs A (AMX): the scratch on this task's
  // stack, the tile registers configured around the block.
  void run_block_packing(const uint8_t* input, void* output, int64_t n, int64_t g, size_t m0, size_t m1,
                         size_t p0, size_t p1) const {
    alignas(64) uint8_t a_pack[kAPackBytes];
    if (uk_.prepare != nullptr) uk_.prepare();
    run_block(input, output, n, g, m0, m1, p0, p1, a_pack);
    if (uk_.release != nullptr) uk_.release();
  }

  void run_block(const uint8_t* input, void* output, int64_t n, int64_t g, size_t m0, size_t m1,
                 size_t p0, size_t p1, uint8_t* a_pack) const {
    const ConvShape& s = p_->shape.conv;
    const uint8_t* image = input + n * s.in_channels * s.in_pixels();
    const size_t esize = p_->output_bytes(), oc = static_cast<size_t>(s.out_channels);
    const size_t ocg = static_cast<size_t>(s.out_channels_per_group());
    const uint8_t* a[kMaxRowPointers];
    alignas(64) uint8_t border[kBorderScratchBytes];
    alignas(64) int32_t skip_bias[kMaxSkipColumns];
    const size_t tap_bytes = packed_.panel_bytes / geo_.taps;
    TapRange range{0, geo_.taps};
    kernels::QGemmRowsArgs args;
    args.a = a;
    args.taps = geo_.taps;
    args.kc = geo_.kc;
    args.a_xor = p_->a_xor;
    args.ldc = oc;
    args.epi = p_->epi;
    args.a_pack = a_pack;
    auto tile = [&](size_t m, size_t p) {
      const size_t row0 = static_cast<size_t>(n * geo_.m) + m;
      const size_t col = static_cast<size_t>(g) * ocg + p * uk_.nr;
      args.nr = std::min(uk_.nr, ocg - p * uk_.nr);
      args.a = a + range.first * (range.step ? 1 : uk_.mr);
      args.a_step = range.a_step;
      // first < 64 when a tap is listed; the lists then lie inside a.
      args.listed_taps = range.listed == 0 ? 0 : range.listed >> range.first;
      args.lists = range.listed == 0 ? nullptr : a + geo_.taps + range.first * uk_.mr;
      args.taps = range.last - range.first;
      args.b = packed_.panel(g, p) + range.first * tap_bytes;
      args.c = static_cast<char*>(output) + (row0 * oc + col) * esize;
      args.epi.bias = args.taps == geo_.taps ? packed_.bias.data() + col : skip_bias + p * uk_.nr;
      args.epi.scale = p_->scale.data() + col;
      (range.step ? uk_.step_fn : uk_.fn)(args);
      args.a_packed = true;  // the block's other panels reuse the packed rows
    };
    TapRange biased{0, geo_.taps};  // the taps skip_bias holds
    auto rows = [&](size_t m) {
      range = build_rows(image, g, m, args.mr, a, border);
      args.a_packed = false;
      const bool skipped = range.last - range.first != geo_.taps;
      if (skipped && (range.first != biased.first || range.last != biased.last)) {
        skipped_tap_bias(g, range, skip_bias);
        biased = range;
      }
    };
    // M blocks outermost over chunks of the task's panels that fit the L2
    // budget (all of them when they fit): each block's rows stay in L1
    // across the chunk's panels, each panel streams from L2 once per block.
    // Panels outermost instead (each panel in L1, the rows re-read from L2
    // per panel) ran pw_seq_ffn NXC (2.3 MiB of weights) at 0.99x oneDNN
    // against 1.006x (AMD EPYC Zen 5, int8 VNNI, --ab, 10 alternations).
    const size_t chunk = std::max<size_t>(1, m_outer_max_weight_bytes_ / packed_.panel_bytes);
    for (size_t c0 = p0; c0 < p1; c0 += chunk) {
      const size_t c1 = std::min(p1, c0 + chunk);
      for (size_t m = m0; m < m1; m += uk_.mr) {
        args.mr = std::min(uk_.mr, m1 - m);
        rows(m);
        for (size_t p = c0; p < c1; ++p) tile(m, p);
      }
    }
  }

  kernels::QGemmRowsKernel uk_;
  QGemmGeometry geo_;
  QPackedWeights packed_;
  AlignedArray<uint8_t> zero_point_row_;
  TapIndirection indirection_;
  AlignedArray<int32_t> tap_comp_;  // [taps][out_channels], when skips_taps()
  size_t m_outer_max_weight_bytes_;  // Tuning::qgemm_m_outer_max_weight_bytes
};

// Whether the AMX tile k takes geo: its A scratch fits kAPackBytes, and a
// row holds Tuning::qgemm_amx_min_k_bytes of K.
bool amx_fits(const kernels::QGemmRowsKernel& k, const QGemmGeometry& geo) {
  if (geo.taps > kAPackBytes || geo.kc > kAPackBytes ||
      kernels::qgemm_a_pack_bytes(k.a_pack_rows, geo.taps, geo.kc) > kAPackBytes)
    return false;
  return geo.taps * ((geo.kc + 3) / 4 * 4) >= tuning().qgemm_amx_min_k_bytes;
}

// geo for a tile of mr rows: merged taps whose border slots (mr x taps x kc
// bytes) would overflow kBorderScratchBytes are unmerged. merged_span
// (algorithms/qconv_gemm_plans.cpp) bounds them for the level's register
// tile; the AMX tile, taken after, has more rows (conv3d_s2: 9 merged taps
// of 96 bytes fit 8 rows, not 32).
QGemmGeometry for_rows(QGemmGeometry geo, size_t mr) {
  if (geo.span > 1 && geo.taps * geo.kc > kBorderScratchBytes / mr) {
    geo.taps *= static_cast<size_t>(geo.span);
    geo.kc /= static_cast<size_t>(geo.span);
    geo.span = 1;
  }
  return geo;
}

}  // namespace

std::unique_ptr<QAlgorithm> make_qgemm_algorithm(const QPlanInputs& given, const QGemmGeometry& merged,
                                                 ndconv_status* status) {
  QPlanInputs in = given;
  QGemmGeometry geo = merged;
  const kernels::QKernelTable* amx = in.amx ? kernels::qkernel_amx_table(in.table) : nullptr;
  if (amx != nullptr && (in.rows_tile_mr <= 0 || in.rows_tile_mr == static_cast<int>(amx->gemm_rows.mr)) &&
      amx_fits(amx->gemm_rows, for_rows(merged, amx->gemm_rows.mr)))
    in.table = amx;
  if (in.table == nullptr || in.table->gemm_rows.fn == nullptr) return nullptr;
  const int64_t ocg = in.params->shape.conv.out_channels_per_group();
  const size_t mr = rows_kernel(*in.table, ocg, geo.narrow_tile, in.rows_tile_mr).mr;
  geo = for_rows(geo, mr);
  if (geo.taps * mr > kMaxRowPointers) return nullptr;  // the reference takes it
  char name[40];
  std::snprintf(name, sizeof name, "%s%s", geo.name,
                in.params->shape.conv.layout == NDCONV_NCX ? "-ncx" : "");
  return build_qalgorithm<QGemmAlgorithm>(in.weights, status, PlanName(name, in.table->variant), in, geo);
}

}  // namespace dispatch
}  // namespace ndconv
