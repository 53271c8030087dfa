#include "algorithms/qgrouped.h"

#include <algorithm>
#include <cstring>

#include "addressing/indirection.h"
#include "addressing/line_runs.h"
#include "algorithms/qchannels_last.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// TapIndirection's float zero row is unused here (padding taps read the
// zero-point row); one float, not zero: build memsets it.
constexpr size_t kUnusedZeroRowFloats = 1;
constexpr size_t kPixelsPerTask = 64;

class QGroupedAlgorithm final : public QChannelsLastAlgorithm {
 public:
  QGroupedAlgorithm(const char* name, const QPlanInputs& in)
      : QChannelsLastAlgorithm(PlanName(name, in.table->variant), in.params), uk_(in.table->grouped_nxc) {}

  // The tables of kernels/qgrouped_args.h for L = the kernel's lanes.
  // NDCONV_INTERNAL_ERROR when a vector's groups span more than 4 L input
  // bytes (many input channels per group: the GEMM's shape anyway).
  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    const size_t L = uk_.lanes, taps = static_cast<size_t>(s.kernel_taps());
    const size_t oc = static_cast<size_t>(s.out_channels), ic = static_cast<size_t>(s.in_channels);
    const size_t icg = static_cast<size_t>(s.in_channels_per_group());
    const size_t ocg = static_cast<size_t>(s.out_channels_per_group());
    const size_t vectors = (oc + L - 1) / L, kgroups = icg / 4;
    if (!span_.resize(2 * vectors) || !perm_.resize(vectors * kgroups * L) ||
        !w_.resize(vectors * taps * kgroups * L * 4) || !bias_.resize(oc) || !zero_point_row_.resize(ic) ||
        !indirection_.build(s, 1, kUnusedZeroRowFloats))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 grouped weights");
    interior_ = LineInterior::of(s);
    std::memset(w_.data(), 0, w_.size());
    std::memset(zero_point_row_.data(), p_->zero_point_byte, ic);
    for (size_t v = 0; v < vectors; ++v) {
      const size_t first = v * L, last = std::min(oc, first + L) - 1;
      const size_t offset = first / ocg * icg, count = (last / ocg + 1) * icg - offset;
      if (count > 4 * L) return NDCONV_INTERNAL_ERROR;
      span_[2 * v] = static_cast<uint32_t>(offset);
      span_[2 * v + 1] = static_cast<uint32_t>(count);
      for (size_t kk = 0; kk < kgroups; ++kk)
        for (size_t c = 0; c < L; ++c) {
          const size_t ch = std::min(first + c, last);  // lanes past the channels: any valid dword
          perm_[(v * kgroups + kk) * L + c] = static_cast<int32_t>((ch / ocg * icg + 4 * kk - offset) / 4);
        }
    }
    for (size_t ch = 0; ch < oc; ++ch) {
      int64_t sum = 0;
      const size_t v = ch / L, c = ch % L;
      for (size_t t = 0; t < taps; ++t)
        for (size_t k = 0; k < icg; ++k) {
          // OIX: [C_out][C_in / groups][taps]; XIO: [taps][C_in / groups][C_out].
          const int8_t w = s.weight_layout == NDCONV_XIO ? weights[(t * icg + k) * oc + ch] : weights[(ch * icg + k) * taps + t];
          w_[((((v * taps + t) * kgroups) + k / 4) * L + c) * 4 + k % 4] = w;
          sum += w;
        }
      bias_[ch] = p_->compensated_bias(static_cast<int64_t>(ch), sum);
    }
    return NDCONV_OK;
  }

 private:
  ndconv_status run_channels_last(const uint8_t* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    const size_t pixels = static_cast<size_t>(s.out_pixels());
    const size_t blocks = (pixels + kPixelsPerTask - 1) / kPixelsPerTask;
    auto task = [&](size_t i) {
      const int64_t n = static_cast<int64_t>(i / blocks);
      const size_t p0 = (i % blocks) * kPixelsPerTask, p1 = std::min(p0 + kPixelsPerTask, pixels);
      run_kernel(input, output, n, p0, p1);
    };
    parallel_for(pool, static_cast<size_t>(s.batch) * blocks, task);
    return NDCONV_OK;
  }

  // Output pixels [p0, p1) of image n, as many per call as kMaxRowPointers
  // row pointers hold (at least one: see the factory). The runs of an output
  // line that read no padding (addressing/line_runs.h) step their row
  // pointers from the run's first pixel, the others read the indirection.
  void run_kernel(const uint8_t* input, void* output, int64_t n, size_t p0, size_t p1) const {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), ic = static_cast<size_t>(s.in_channels);
    const size_t oc = static_cast<size_t>(s.out_channels);
    const uint8_t* image = input + static_cast<size_t>(n * s.in_pixels()) * ic;
    char* out = static_cast<char*>(output) + static_cast<size_t>(n * s.out_pixels()) * oc * p_->output_bytes();
    const uint8_t* rows[kMaxRowPointers];
    kernels::QGroupedArgs a;
    a.rows = rows;
    a.taps = taps;
    a.out_channels = oc;
    a.kgroups = static_cast<size_t>(s.in_channels_per_group()) / 4;
    a.a_xor = p_->a_xor;
    a.uniform = s.out_channels_per_group() % static_cast<int64_t>(uk_.lanes) == 0;
    a.span = span_.data();
    a.perm = perm_.data();
    a.w = w_.data();
    a.epi = p_->epi;
    a.epi.bias = bias_.data();
    a.epi.scale = p_->scale.data();
    const int64_t* entries = indirection_.entries();
    const size_t per_call = kMaxRowPointers / taps;
    for (size_t p = p0; p < p1; p += a.pixels) {
      a.pixels = std::min(per_call, p1 - p);
      // One call for the whole chunk: the kernel repeats the last pixel to
      // fill its 4-pixel tile, so a call per run (1 border pixel, 54
      // inside, 1 border) computed 64 pixels a line for 56.
      for_each_line_run(s, interior_, entries, p, p + a.pixels, [&](size_t r0, size_t r1, bool evenly) {
        const uint8_t** r = rows + (r0 - p) * taps;
        if (evenly)
          step_row_pointers(entries + r0 * taps, r1 - r0, image, r);
        else
          fill_row_pointers(entries + r0 * taps, (r1 - r0) * taps, image, ic, zero_point_row_.data(), r);
      });
      a.out = out + p * oc * p_->output_bytes();
      uk_.fn(a);
    }
  }

  // Row pointers of `pixels` evenly spaced pixels reading no padding, from
  // the first pixel's entries: adds, not the indirection's loads, tests and
  // multiplies (filling from the indirection was 15% of grouped_g4x16's
  // time; AMD EPYC Zen 5, AVX-512 VNNI).
  void step_row_pointers(const int64_t* entries, size_t pixels, const uint8_t* image, const uint8_t** rows) const {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), ic = static_cast<size_t>(s.in_channels);
    for (size_t t = 0; t < taps; ++t) rows[t] = image + static_cast<size_t>(entries[t]) * ic;
    // (pixels - 1) strides lie inside the input's width: no overflow.
    const size_t step = pixels > 1 ? static_cast<size_t>(s.stride[s.rank - 1]) * ic : 0;
    // From pixel 0's pointers, not the previous pixel's: a load that
    // straddles two recent stores stalls on store forwarding (a vectorized
    // rows[k - taps] + step ran slower than the indirection).
    for (size_t p = 1; p < pixels; ++p)
      for (size_t t = 0; t < taps; ++t) rows[p * taps + t] = rows[t] + p * step;
  }

  kernels::QGroupedKernel uk_;
  AlignedArray<uint32_t> span_;
  AlignedArray<int32_t> perm_;
  AlignedArray<int8_t> w_;
  AlignedArray<int32_t> bias_;
  AlignedArray<uint8_t> zero_point_row_;
  TapIndirection indirection_;
  LineInterior interior_;
};

}  // namespace

std::unique_ptr<QAlgorithm> make_qgrouped_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (in.table == nullptr || in.table->grouped_nxc.fn == nullptr || s.groups <= 1 || s.is_depthwise() ||
      s.in_channels_per_group() % 4 != 0 || static_cast<size_t>(s.kernel_taps()) > kMaxRowPointers)
    return nullptr;
  std::unique_ptr<QGroupedAlgorithm> a(
      new (std::nothrow) QGroupedAlgorithm(s.layout == NDCONV_NCX ? "int8-grouped-ncx" : "int8-grouped", in));
  if (!a) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating an int8 plan");
    return nullptr;
  }
  const ndconv_status st = a->init(in.weights);
  if (st == NDCONV_INTERNAL_ERROR) return nullptr;  // a vector's groups too wide: the GEMM takes it
  *status = st;
  if (*status != NDCONV_OK) return nullptr;
  return a;
}

}  // namespace dispatch
}  // namespace ndconv
