#include "algorithms/qdepthwise.h"

#include <algorithm>
#include <cstring>

#include "addressing/indirection.h"
#include "addressing/line_runs.h"
#include "algorithms/qalgorithm_factory.h"
#include "algorithms/qchannels_last.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

using kernels::kQdwChannelAlign;

// TapIndirection's float zero row is unused here (padding taps read the
// zero-point row or are skipped); one float, not zero: build memsets it.
constexpr size_t kUnusedZeroRowFloats = 1;

// Channels per pass of the plain C++ path: its accumulators stay in L1 (1 KiB).
constexpr size_t kChannelBlock = 256;
constexpr size_t kPixelsPerTask = 64;

class QDepthwiseAlgorithm final : public QChannelsLastAlgorithm {
 public:
  // `variant`: the kernel table's (uk.fn set), or "scalar" for the plain C++ path.
  QDepthwiseAlgorithm(const char* name, const char* variant, const QConvParams* p,
                      const kernels::QDepthwiseKernel& uk)
      : QChannelsLastAlgorithm(PlanName(name, variant), p), uk_(uk) {}

  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), oc = static_cast<size_t>(s.out_channels);
    if (!weights_.resize(taps * oc) || !indirection_.build(s, 1, kUnusedZeroRowFloats))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 depthwise weights");
    // [tap][out channel]: one contiguous vector of weights per tap. OIX is
    // [C_out][1][taps], XIO is [taps][1][C_out] already.
    for (size_t t = 0; t < taps; ++t)
      for (size_t c = 0; c < oc; ++c)
        weights_[t * oc + c] = s.weight_layout == NDCONV_XIO ? weights[t * oc + c] : weights[c * taps + t];
    interior_ = LineInterior::of(s);
    return uk_.fn ? pack_for_kernel() : NDCONV_OK;
  }

 private:
  // The kernel's operands (kernels/qdepthwise_args.h): int16 weights in tap
  // pairs, the bias compensated for the zero point (the kernel reads u, not
  // u - zp_u), the zero-point row padding taps read.
  ndconv_status pack_for_kernel() {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), oc = static_cast<size_t>(s.out_channels);
    padded_ = (oc + kQdwChannelAlign - 1) / kQdwChannelAlign * kQdwChannelAlign;
    const size_t pairs = (taps + 1) / 2;
    if (!packed_.resize(pairs * padded_ * 2) || !bias_.resize(padded_) || !zero_point_row_.resize(oc))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 depthwise weights");
    std::memset(packed_.data(), 0, packed_.size() * sizeof(int16_t));
    std::memset(bias_.data(), 0, bias_.size() * sizeof(int32_t));
    std::memset(zero_point_row_.data(), p_->zero_point_byte, oc);
    for (size_t c = 0; c < oc; ++c) {
      int64_t sum = 0;
      for (size_t t = 0; t < taps; ++t) {
        const int8_t w = weights_[t * oc + c];
        packed_[((t / 2) * padded_ + c) * 2 + t % 2] = w;
        sum += w;
      }
      bias_[c] = p_->compensated_bias(static_cast<int64_t>(c), sum);
    }
    return pack_quads();
  }

  // The dot-product form's operands (QDepthwiseArgs::wq), for the kernels
  // that have it and U8/S8 output.
  ndconv_status pack_quads() {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), oc = static_cast<size_t>(s.out_channels);
    const bool quantized = p_->epi.type == kernels::QOutputType::kU8 || p_->epi.type == kernels::QOutputType::kS8;
    const size_t block = uk_.quad_block;
    if (block == 0 || !quantized) return NDCONV_OK;
    quad_channels_ = (oc + block - 1) / block * block;
    const size_t groups = (taps + 3) / 4;
    if (!quad_w_.resize(groups * quad_channels_ * 4) || !quad_bias_.resize(quad_channels_) ||
        !quad_scale_.resize(quad_channels_))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 depthwise weights");
    std::memset(quad_w_.data(), 0, quad_w_.size());
    std::memset(quad_bias_.data(), 0, quad_bias_.size() * sizeof(int32_t));
    std::memset(quad_scale_.data(), 0, quad_scale_.size() * sizeof(float));
    for (size_t c = 0; c < oc; ++c) {
      for (size_t t = 0; t < taps; ++t)
        quad_w_[kernels::qdw_quad_weight(c, t, quad_channels_, block)] = weights_[t * oc + c];
      quad_bias_[kernels::qdw_quad_slot(c, block)] = bias_[c];
      quad_scale_[kernels::qdw_quad_slot(c, block)] = p_->scale[c];
    }
    return pack_slides();
  }

  // The sliding form's weights (QDepthwiseArgs::ws): 3 taps across, stride
  // and dilation 1 along the line, 3 or 4 kernel rows (the other dims'
  // taps). Fewer rows would waste more of each vpdpbusd than the quad form;
  // more need a second group of rows.
  ndconv_status pack_slides() {
    const ConvShape& s = p_->shape.conv;
    const int r = s.rank - 1;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), oc = static_cast<size_t>(s.out_channels);
    if (s.kernel[r] != 3 || s.stride[r] != 1 || s.dilation[r] != 1 || (taps != 9 && taps != 12)) return NDCONV_OK;
    slide_rows_ = taps / 3;
    if (!slide_w_.resize(3 * quad_channels_ * 4))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 depthwise weights");
    std::memset(slide_w_.data(), 0, slide_w_.size());
    for (size_t c = 0; c < oc; ++c)
      for (size_t t = 0; t < taps; ++t)
        slide_w_[kernels::qdw_slide_weight(c, t / 3, t % 3, quad_channels_, uk_.quad_block)] = weights_[t * oc + c];
    return pack_last_slide();
  }

  // QDepthwiseArgs::ws_last: channels [oc - B, oc) as one block, where oc > B
  // is not a multiple of B.
  ndconv_status pack_last_slide() {
    const size_t taps = static_cast<size_t>(p_->shape.conv.kernel_taps());
    const size_t oc = static_cast<size_t>(p_->shape.conv.out_channels), block = uk_.quad_block;
    if (!uk_.slide_overlap_last || oc < block || oc % block == 0) return NDCONV_OK;
    if (!last_w_.resize(3 * block * 4) || !last_bias_.resize(block) || !last_scale_.resize(block))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 depthwise weights");
    std::memset(last_w_.data(), 0, last_w_.size());
    for (size_t i = 0; i < block; ++i) {
      const size_t c = oc - block + i, slot = kernels::qdw_quad_slot(i, block);
      for (size_t t = 0; t < taps; ++t)
        last_w_[kernels::qdw_slide_weight(i, t / 3, t % 3, block, block)] = weights_[t * oc + c];
      last_bias_[slot] = bias_[c];
      last_scale_[slot] = p_->scale[c];
    }
    return NDCONV_OK;
  }

  ndconv_status run_channels_last(const uint8_t* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    const int64_t multiplier = s.out_channels_per_group();
    if (uk_.fn && multiplier > 1) {
      // The kernel reads input channel c for output channel c: repeat each
      // input channel `multiplier` times into scratch first.
      AlignedArray<uint8_t> expanded;
      const size_t rows = static_cast<size_t>(s.batch * s.in_pixels()), ic = static_cast<size_t>(s.in_channels);
      if (!expanded.resize(rows * ic * static_cast<size_t>(multiplier)))
        return fail(NDCONV_OUT_OF_MEMORY, "out of memory expanding the int8 depthwise channel multiplier");
      const size_t m = static_cast<size_t>(multiplier);
      // Plain byte loops, the multiplier 2 of separable-conv entries its
      // own: a memset call per input byte held dw_mult2_s2 NXC to 3.2 GOP/s
      // (36.8 now, AMD EPYC Zen 5, AVX-512 VNNI).
      auto expand = [&](size_t task) {
        const size_t r0 = task * kPixelsPerTask, r1 = std::min(rows, r0 + kPixelsPerTask);
        const uint8_t* src = input + r0 * ic;
        uint8_t* dst = expanded.data() + r0 * ic * m;
        const size_t n = (r1 - r0) * ic;
        if (m == 2) {
          for (size_t i = 0; i < n; ++i) dst[2 * i] = dst[2 * i + 1] = src[i];
          return;
        }
        for (size_t i = 0; i < n; ++i)
          for (size_t j = 0; j < m; ++j) dst[i * m + j] = src[i];
      };
      parallel_for(pool, (rows + kPixelsPerTask - 1) / kPixelsPerTask, expand);
      run_tasks(expanded.data(), output, pool);
      return NDCONV_OK;
    }
    run_tasks(input, output, pool);
    return NDCONV_OK;
  }

  // `input`: channels-last, with out_channels channels per pixel when the
  // kernel runs (expanded), in_channels for the plain C++ path.
  void run_tasks(const uint8_t* input, void* output, ndconv_threadpool* pool) const {
    const ConvShape& s = p_->shape.conv;
    const size_t pixels = static_cast<size_t>(s.out_pixels());
    const size_t blocks = (pixels + kPixelsPerTask - 1) / kPixelsPerTask;
    auto task = [&](size_t i) {
      const int64_t n = static_cast<int64_t>(i / blocks);
      const size_t p0 = (i % blocks) * kPixelsPerTask, p1 = std::min(p0 + kPixelsPerTask, pixels);
      if (uk_.fn) {
        run_kernel(input, output, n, p0, p1);
        return;
      }
      for (size_t p = p0; p < p1; ++p) run_pixel(input, output, n, p);
    };
    parallel_for(pool, static_cast<size_t>(s.batch) * blocks, task);
  }

  // Output pixels [p0, p1) of image n through the kernel: the runs of an
  // output line that read no padding take one call with evenly spaced rows,
  // the others row pointers per pixel (addressing/line_runs.h).
  void run_kernel(const uint8_t* input, void* output, int64_t n, size_t p0, size_t p1) const {
    const ConvShape& s = p_->shape.conv;
    const size_t oc = static_cast<size_t>(s.out_channels);
    const uint8_t* rows[kMaxRowPointers];
    kernels::QDepthwiseArgs a;
    a.rows = rows;
    a.taps = static_cast<size_t>(s.kernel_taps());
    a.channels = oc;
    a.padded_channels = padded_;
    a.a_xor = p_->a_xor;
    a.w = packed_.data();
    a.epi = p_->epi;
    a.epi.bias = bias_.data();
    a.epi.scale = p_->scale.data();
    if (quad_channels_ != 0) {
      a.wq = quad_w_.data();
      a.quad_channels = quad_channels_;
      a.quad_bias = quad_bias_.data();
      a.quad_scale = quad_scale_.data();
      if (slide_rows_ != 0) {
        a.ws = slide_w_.data();
        a.slide_rows = slide_rows_;
        if (last_w_.size() != 0) {
          a.ws_last = last_w_.data();
          a.last_bias = last_bias_.data();
          a.last_scale = last_scale_.data();
        }
      }
    }
    const uint8_t* image = input + static_cast<size_t>(n * s.in_pixels()) * oc;
    char* out = static_cast<char*>(output) + static_cast<size_t>(n * s.out_pixels()) * oc * p_->output_bytes();
    for_each_line_run(s, interior_, indirection_.entries(), p0, p1, [&](size_t p, size_t q, bool evenly) {
      if (evenly)
        run_evenly_spaced(image, out, p, q, rows, a);
      else
        run_row_pointers(image, out, p, q, rows, a);
    });
  }

  // Pixels [p, q) of one output line, none reading padding: pixel p's rows
  // and the step between pixels (stride pixels of the input).
  void run_evenly_spaced(const uint8_t* image, char* out, size_t p, size_t q, const uint8_t** rows,
                         kernels::QDepthwiseArgs& a) const {
    const ConvShape& s = p_->shape.conv;
    const size_t oc = static_cast<size_t>(s.out_channels);
    const int64_t* e = indirection_.entries() + p * a.taps;
    for (size_t t = 0; t < a.taps; ++t) rows[t] = image + static_cast<size_t>(e[t]) * oc;
    // (q - p - 1) strides lie inside the input's width: no overflow.
    a.pixel_step = q - p > 1 ? static_cast<ptrdiff_t>(s.stride[s.rank - 1] * s.out_channels) : 0;
    a.row_stride = 0;
    a.pixels = q - p;
    a.out = out + p * oc * p_->output_bytes();
    uk_.fn(a);
  }

  // Pixels [p, q): row pointers per pixel, as many pixels per call as
  // kMaxRowPointers holds (at least one: see the factory).
  void run_row_pointers(const uint8_t* image, char* out, size_t p, size_t q, const uint8_t** rows,
                        kernels::QDepthwiseArgs& a) const {
    const size_t oc = static_cast<size_t>(p_->shape.conv.out_channels), per_call = kMaxRowPointers / a.taps;
    a.pixel_step = 0;
    a.row_stride = a.taps;
    for (; p < q; p += a.pixels) {
      a.pixels = std::min(per_call, q - p);
      fill_row_pointers(indirection_.entries() + p * a.taps, a.pixels * a.taps, image, oc, zero_point_row_.data(),
                        rows);
      a.out = out + p * oc * p_->output_bytes();
      uk_.fn(a);
    }
  }

  void run_pixel(const uint8_t* input, void* output, int64_t n, size_t p) const {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), oc = static_cast<size_t>(s.out_channels);
    const size_t ic = static_cast<size_t>(s.in_channels);
    const uint8_t* image = input + static_cast<size_t>(n * s.in_pixels()) * ic;
    const size_t out_index = (static_cast<size_t>(n * s.out_pixels()) + p) * oc;
    const int64_t* entries = indirection_.entries() + p * taps;
    uint32_t acc[kChannelBlock];
    int32_t result[kChannelBlock];
    const size_t esize = p_->output_bytes();
    for (size_t c0 = 0; c0 < oc; c0 += kChannelBlock) {
      const size_t cn = std::min(kChannelBlock, oc - c0);
      for (size_t c = 0; c < cn; ++c) acc[c] = static_cast<uint32_t>(p_->user_bias[c0 + c]);
      for (size_t t = 0; t < taps; ++t) {
        if (entries[t] == kPaddingTap) continue;  // the zero point: contributes 0
        accumulate_tap(image + static_cast<size_t>(entries[t]) * ic, weights_.data() + t * oc, c0, cn, acc);
      }
      for (size_t c = 0; c < cn; ++c) result[c] = static_cast<int32_t>(acc[c]);  // modular: two's complement
      apply_qepilogue_span(p_->epi, p_->scale.data() + c0, result, cn,
                           static_cast<char*>(output) + (out_index + c0) * esize);
    }
  }

  // acc[c] += (x[c / multiplier] - zp) * w[c] in wrap-around int32, x read as
  // bytes flipped to unsigned (u = x ^ a_xor, zp_u likewise).
  void accumulate_tap(const uint8_t* x, const int8_t* w, size_t c0, size_t cn, uint32_t* acc) const {
    const uint8_t flip = p_->a_xor;
    const int32_t zp = p_->zero_point_u;
    const size_t multiplier = static_cast<size_t>(p_->shape.conv.out_channels_per_group());
    if (multiplier == 1) {
      for (size_t c = 0; c < cn; ++c)
        acc[c] += static_cast<uint32_t>((static_cast<int32_t>(x[c0 + c] ^ flip) - zp) * w[c0 + c]);
      return;
    }
    for (size_t c = 0; c < cn; ++c)
      acc[c] += static_cast<uint32_t>((static_cast<int32_t>(x[(c0 + c) / multiplier] ^ flip) - zp) * w[c0 + c]);
  }

  kernels::QDepthwiseKernel uk_;  // fn null: the plain C++ path
  AlignedArray<int8_t> weights_;  // [tap][out channel] (the plain C++ path; packing's source)
  TapIndirection indirection_;
  // The kernel's operands (pack_for_kernel).
  size_t padded_ = 0;
  AlignedArray<int16_t> packed_;
  AlignedArray<int32_t> bias_;
  AlignedArray<uint8_t> zero_point_row_;
  // Output x of a line whose taps all read inside the input's width:
  LineInterior interior_;
  // The dot-product form's (pack_quads; quad_channels_ 0: none).
  size_t quad_channels_ = 0;
  AlignedArray<int8_t> quad_w_;
  AlignedArray<int32_t> quad_bias_;
  AlignedArray<float> quad_scale_;
  // The sliding form's (pack_slides; slide_rows_ 0: none).
  size_t slide_rows_ = 0;
  AlignedArray<int8_t> slide_w_;
  AlignedArray<int8_t> last_w_;  // QDepthwiseArgs::ws_last (empty: none)
  AlignedArray<int32_t> last_bias_;
  AlignedArray<float> last_scale_;
};

}  // namespace

std::unique_ptr<QAlgorithm> make_qdepthwise_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (!s.is_depthwise()) return nullptr;
  // The table's kernel, unless one pixel's row pointers overflow the stack
  // array (more than kMaxRowPointers taps): then the plain C++ path.
  kernels::QDepthwiseKernel uk;
  if (in.table && in.table->depthwise_nxc.fn && static_cast<size_t>(s.kernel_taps()) <= kMaxRowPointers)
    uk = in.table->depthwise_nxc;
  return build_qalgorithm<QDepthwiseAlgorithm>(
      in.weights, status, s.layout == NDCONV_NCX ? "int8-depthwise-ncx" : "int8-depthwise",
      uk.fn ? in.table->variant : "scalar", in.params, uk);
}

}  // namespace dispatch
}  // namespace ndconv
