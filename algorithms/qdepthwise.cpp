#include "algorithms/qdepthwise.h"

#include <algorithm>
#include <cstring>

#include "addressing/channel_transpose.h"
#include "addressing/indirection.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// TapIndirection's float zero row is unused here (padding taps read the
// zero-point row or are skipped); one float, not zero: build memsets it.
constexpr size_t kUnusedZeroRowFloats = 1;

// Channels per pass: the accumulators of one pass stay in L1 (1 KiB).
constexpr size_t kChannelBlock = 256;
constexpr size_t kPixelsPerTask = 64;

class QDepthwiseAlgorithm final : public QAlgorithm {
 public:
  QDepthwiseAlgorithm(const char* name, const QConvParams* p) : QAlgorithm(PlanName(name, "scalar")), p_(p) {}

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
    return NDCONV_OK;
  }

  ndconv_status run(const void* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    if (s.layout == NDCONV_NXC) {
      run_channels_last(input, output, pool);
      return NDCONV_OK;
    }
    return run_through_channels_last(s, p_->output_bytes(), input, output, pool,
                                     [&](const uint8_t* in, void* out) { run_channels_last(in, out, pool); });
  }

 private:
  void run_channels_last(const void* input, void* output, ndconv_threadpool* pool) const {
    const ConvShape& s = p_->shape.conv;
    const size_t pixels = static_cast<size_t>(s.out_pixels());
    const size_t blocks = (pixels + kPixelsPerTask - 1) / kPixelsPerTask;
    auto task = [&](size_t i) {
      const int64_t n = static_cast<int64_t>(i / blocks);
      const size_t p0 = (i % blocks) * kPixelsPerTask, p1 = std::min(p0 + kPixelsPerTask, pixels);
      for (size_t p = p0; p < p1; ++p) run_pixel(input, output, n, p);
    };
    parallel_for(pool, static_cast<size_t>(s.batch) * blocks, task);
  }

  void run_pixel(const void* input, void* output, int64_t n, size_t p) const {
    const ConvShape& s = p_->shape.conv;
    const size_t taps = static_cast<size_t>(s.kernel_taps()), oc = static_cast<size_t>(s.out_channels);
    const size_t ic = static_cast<size_t>(s.in_channels);
    const uint8_t* image = static_cast<const uint8_t*>(input) + static_cast<size_t>(n * s.in_pixels()) * ic;
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

  const QConvParams* p_;
  AlignedArray<int8_t> weights_;
  TapIndirection indirection_;
};

}  // namespace

std::unique_ptr<QAlgorithm> make_qdepthwise_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (!(s.groups > 1 && s.groups == s.in_channels)) return nullptr;
  std::unique_ptr<QDepthwiseAlgorithm> a(new (std::nothrow) QDepthwiseAlgorithm(
      s.layout == NDCONV_NCX ? "int8-depthwise-ncx" : "int8-depthwise", in.params));
  if (!a) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating an int8 plan");
    return nullptr;
  }
  *status = a->init(in.weights);
  if (*status != NDCONV_OK) return nullptr;
  return a;
}

}  // namespace dispatch
}  // namespace ndconv
