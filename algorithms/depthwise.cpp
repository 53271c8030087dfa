// Depthwise convolution: packs the weights once, then runs the per-ISA row
// kernels (kernels/depthwise.hpp) over every output row of every batch item.
//
// An output "row" is one position of the outer spatial dims (all but the
// last); the kernel covers the last dim. For each row we list the input rows
// its valid outer taps read; taps that land in the padding are left out, so
// they cost nothing and nothing outside the input is addressed.
#include "algorithms/depthwise.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "api/error.h"
#include "api/memory.h"
#include "api/threadpool.h"
#include "gemm/pack_depthwise.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

using kernels::DepthwiseParams;
using kernels::DepthwiseRow;
using kernels::DepthwiseRowFn;

// Input rows handed to the kernel per call. A row with more valid outer taps
// (large kernels over rank >= 3) is accumulated over several calls; this
// bounds the per-task scratch to a few stack arrays, so run never allocates.
constexpr size_t kRowsPerCall = 64;

// Taps [*lo, *hi) of a k-tap window starting at input position `base` with
// dilation d that fall inside [0, extent).
void valid_taps(int64_t base, int64_t d, int64_t k, int64_t extent, int64_t* lo, int64_t* hi) {
  // ceil(-base / d) without forming -base + d - 1 (overflows for huge dilations).
  int64_t l = base >= 0 ? 0 : -base / d + (-base % d != 0);
  int64_t h = base > extent - 1 ? 0 : (extent - 1 - base) / d + 1;
  h = std::min(h, k);
  *lo = std::min(l, h);
  *hi = h;
}

class DepthwiseAlgorithm final : public Algorithm {
 public:
  DepthwiseAlgorithm(const ConvShape& shape, const kernels::KernelTable& table, const Tuning& tune)
      : Algorithm(PlanName("depthwise", ndconv_isa_name(table.isa))),
        shape_(shape),
        units_per_thread_(tune.tasks_per_thread) {
    const bool nxc = shape.layout == NDCONV_NXC;
    row_fn_ = nxc ? table.depthwise_nxc_row : table.depthwise_ncx_row;
    vector_ = nxc ? table.vector_floats : 1;
    const int last = shape.rank - 1;
    outer_ = last;
    in_pixels_ = static_cast<size_t>(shape.in_pixels());
    out_pixels_ = static_cast<size_t>(shape.out_pixels());
    out_rows_ = out_pixels_ / static_cast<size_t>(shape.out_size[last]);
    taps_ = static_cast<size_t>(shape.kernel_taps());
    // Strides (in floats of one batch item / channel plane) of one step along
    // each outer dim, of the input rows and of the flat tap index.
    int64_t in_step = shape.in_size[last] * (nxc ? shape.in_channels : 1);
    int64_t tap_step = shape.kernel[last];
    for (int i = last - 1; i >= 0; --i) {
      in_row_step_[i] = in_step;
      tap_step_[i] = tap_step;
      in_step *= shape.in_size[i];
      tap_step *= shape.kernel[i];
    }

    DepthwiseParams& p = params_;
    p.in_channels = static_cast<size_t>(shape.in_channels);
    p.out_channels = static_cast<size_t>(shape.out_channels);
    p.multiplier = p.out_channels / p.in_channels;
    p.in_width = static_cast<size_t>(shape.in_size[last]);
    p.out_width = static_cast<size_t>(shape.out_size[last]);
    p.kernel_w = static_cast<size_t>(shape.kernel[last]);
    p.stride_w = static_cast<size_t>(shape.stride[last]);
    p.dilation_w = static_cast<size_t>(shape.dilation[last]);
    p.pad_w = static_cast<size_t>(shape.pad_begin[last]);
    p.in_plane = in_pixels_;
    p.out_plane = out_pixels_;
    p.packed_stride = nxc ? (p.out_channels + vector_ - 1) / vector_ * vector_ : 1 + taps_;
    p.act.kind = shape.activation;
    p.act.min = shape.act_min;
    p.act.max = shape.act_max;
    p.prefetch_pixels = tune.depthwise_nxc_prefetch_pixels;
  }

  // False when out of memory.
  bool pack(const float* weights, const float* bias) {
    if (!pack_depthwise_weights(shape_, weights, bias, params_.packed_stride, &packed_)) return false;
    params_.packed = packed_.data();
    return true;
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    const size_t threads = pool ? std::max<size_t>(1, threadpool_threads(pool)) : 1;
    const size_t rows = static_cast<size_t>(shape_.batch) * out_rows_;
    // Split channels too when there are too few rows to go around (e.g. a
    // single 1-D row); in NXC by whole vectors.
    const size_t channel_units = (params_.out_channels + vector_ - 1) / vector_;
    size_t chunks = 1;
    if (threads > 1 && rows < threads * units_per_thread_)
      chunks = std::min(channel_units, (threads * units_per_thread_ + rows - 1) / rows);
    const size_t units_per_chunk = (channel_units + chunks - 1) / chunks;
    chunks = (channel_units + units_per_chunk - 1) / units_per_chunk;
    const size_t units = rows * chunks;
    const size_t tasks = threads == 1 ? 1 : std::min(units, threads * units_per_thread_);

    auto task = [&](size_t t) {
      // Contiguous range of units: channel chunk major, rows minor, so a task
      // walks consecutive rows that share input rows.
      const size_t begin = units / tasks * t + std::min(t, units % tasks);
      const size_t end = begin + units / tasks + (t < units % tasks ? 1 : 0);
      for (size_t u = begin; u < end; ++u) {
        const size_t chunk = u / rows, row = u % rows;
        const size_t c0 = chunk * units_per_chunk * vector_;
        const size_t c1 = std::min(params_.out_channels, c0 + units_per_chunk * vector_);
        run_row(input, output, row / out_rows_, row % out_rows_, c0, c1);
      }
    };
    parallel_for(pool, tasks, task);
    return NDCONV_OK;
  }

 private:
  // The valid taps of every outer dim for one output row: tap k[i] of dim i
  // reads input position base[i] + k[i] * dilation[i], inside for k[i] in
  // [lo[i], hi[i]).
  struct OuterTaps {
    int64_t base[NDCONV_MAX_RANK], lo[NDCONV_MAX_RANK], hi[NDCONV_MAX_RANK];
    bool any = true;  // false when some dim has none (the row reads only padding)
  };

  OuterTaps outer_taps(size_t row) const {
    OuterTaps o;
    size_t rest = row;
    for (int i = outer_ - 1; i >= 0; --i) {
      const int64_t oy = static_cast<int64_t>(rest % static_cast<size_t>(shape_.out_size[i]));
      rest /= static_cast<size_t>(shape_.out_size[i]);
      o.base[i] = oy * shape_.stride[i] - shape_.pad_begin[i];
      valid_taps(o.base[i], shape_.dilation[i], shape_.kernel[i], shape_.in_size[i], &o.lo[i], &o.hi[i]);
      if (o.lo[i] == o.hi[i]) o.any = false;
    }
    return o;
  }

  // Calls visit(input row offset, flat tap index of the outer taps) for every
  // valid combination of outer taps (o.any must be true): an odometer over
  // k[i] in [lo[i], hi[i]).
  template <class Visit>
  void for_each_outer_tap(const OuterTaps& o, const Visit& visit) const {
    int64_t k[NDCONV_MAX_RANK];
    for (int i = 0; i < outer_; ++i) k[i] = o.lo[i];
    for (;;) {
      int64_t offset = 0, tap = 0;
      for (int i = 0; i < outer_; ++i) {
        offset += (o.base[i] + k[i] * shape_.dilation[i]) * in_row_step_[i];
        tap += k[i] * tap_step_[i];
      }
      visit(offset, tap);
      int i = outer_ - 1;
      for (; i >= 0; --i) {
        if (++k[i] < o.hi[i]) break;
        k[i] = o.lo[i];
      }
      if (i < 0) break;
    }
  }

  // Output row `row` (flat index over the outer dims) of batch item n,
  // output channels [c0, c1): the input rows of its valid outer taps, handed
  // to the row kernel kRowsPerCall at a time.
  void run_row(const float* input, float* output, size_t n, size_t row, size_t c0, size_t c1) const {
    const bool nxc = shape_.layout == NDCONV_NXC;
    DepthwiseRow a;
    a.input = input + n * params_.in_channels * in_pixels_;
    a.output = output + n * params_.out_channels * out_pixels_ +
               row * params_.out_width * (nxc ? params_.out_channels : 1);
    a.channel_begin = c0;
    a.channel_end = c1;

    ptrdiff_t offsets[kRowsPerCall];
    uint32_t taps[kRowsPerCall];
    a.row_offset = offsets;
    a.row_tap = taps;
    a.first = true;
    size_t count = 0;
    auto flush = [&](bool last) {
      a.rows = count;
      a.last = last;
      row_fn_(params_, a);
      a.first = false;
      count = 0;
    };
    const OuterTaps outer = outer_taps(row);
    if (outer.any)
      for_each_outer_tap(outer, [&](int64_t offset, int64_t tap) {
        if (count == kRowsPerCall) flush(false);
        offsets[count] = static_cast<ptrdiff_t>(offset);
        taps[count] = static_cast<uint32_t>(tap);
        ++count;
      });
    flush(true);  // also when no outer tap is valid: the row is bias + activation
  }

  ConvShape shape_;
  DepthwiseRowFn row_fn_ = nullptr;
  size_t vector_ = 1;        // channel granularity of a work unit
  int outer_ = 0;            // number of outer spatial dims (rank - 1)
  size_t in_pixels_ = 0, out_pixels_ = 0, out_rows_ = 0, taps_ = 0;
  int64_t in_row_step_[NDCONV_MAX_RANK] = {};
  int64_t tap_step_[NDCONV_MAX_RANK] = {};
  DepthwiseParams params_;
  AlignedArray<float> packed_;
  // Work units per thread, for balance between threads of uneven speed.
  size_t units_per_thread_;
};

}  // namespace

std::unique_ptr<Algorithm> make_depthwise_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const Tuning& tune,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status) {
  *status = NDCONV_OK;
  // groups == C_in == 1 is an ordinary convolution with one input channel
  // (a speech stem, a one-channel text CNN): the GEMM paths serve it better.
  if (!shape.is_depthwise()) return nullptr;
  if (!table.depthwise_nxc_row || !table.depthwise_ncx_row) return nullptr;
  // The kernel numbers taps with 32 bits; a larger depthwise kernel (over 16
  // GiB of weights) is left to the reference.
  if (shape.kernel_taps() > static_cast<int64_t>(std::numeric_limits<uint32_t>::max())) return nullptr;

  std::unique_ptr<DepthwiseAlgorithm> algo(new (std::nothrow) DepthwiseAlgorithm(shape, table, tune));
  if (!algo) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating the depthwise algorithm");
    return nullptr;
  }
  if (!algo->pack(weights, bias)) {
    *status = failf(NDCONV_OUT_OF_MEMORY, "out of memory packing %lld depthwise weights",
                    static_cast<long long>(shape.weight_elements()));
    return nullptr;
  }
  return algo;
}

}  // namespace dispatch
}  // namespace ndconv
