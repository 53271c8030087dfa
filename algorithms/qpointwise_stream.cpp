#include "algorithms/qpointwise_stream.h"

#include <algorithm>
#include <cstring>

#include "algorithms/qchannels_last.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

using kernels::kQpsMaxInputs;
using kernels::kQpsMaxOutputs;

// Pixels per task (a multiple of every kernel's block): 4 KiB of input at
// K = 2 or more, enough to hide a task's overhead.
constexpr size_t kPixelsPerTask = 2048;

class QPointwiseStreamAlgorithm final : public QChannelsLastAlgorithm {
 public:
  QPointwiseStreamAlgorithm(const char* name, const QPlanInputs& in)
      : QChannelsLastAlgorithm(PlanName(name, in.table->variant), in.params), uk_(in.table->pointwise_stream_nxc) {}

  // The lane patterns of kernels/qpointwise_stream_args.h for L = the
  // kernel's lanes: vector v, lane i is element e = L v + i (pixel e / N,
  // channel e % N). False when a 128-bit lane's bytes do not fit 16 bytes
  // after its first dword (never for K <= 4; checked, not assumed).
  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    const size_t L = uk_.lanes, K = static_cast<size_t>(s.in_channels), N = static_cast<size_t>(s.out_channels);
    if (!gather_.resize(N * L) || !spread_.resize(N * L * 4) || !w_.resize(N * L * 4) || !bias_.resize(N * L) ||
        !scale_.resize(N * L))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing the int8 pointwise stream's tables");
    int8_t w[kQpsMaxOutputs][kQpsMaxInputs] = {};
    int32_t bias[kQpsMaxOutputs];
    for (size_t j = 0; j < N; ++j) {
      int64_t sum = 0;
      for (size_t k = 0; k < K; ++k) {
        // OIX: [C_out][C_in][1]; XIO: [1][C_in][C_out].
        w[j][k] = s.weight_layout == NDCONV_XIO ? weights[k * N + j] : weights[j * K + k];
        sum += w[j][k];
      }
      bias[j] = p_->compensated_bias(static_cast<int64_t>(j), sum);
    }
    for (size_t v = 0; v < N; ++v)
      for (size_t q = 0; q < L / 4; ++q) {
        const size_t e0 = v * L + 4 * q;
        const size_t d0 = e0 / N * K / 4;  // the 128-bit lane's first dword
        if ((e0 + 3) / N * K + K > 4 * d0 + 16) return NDCONV_INTERNAL_ERROR;
        for (size_t t = 0; t < 4; ++t) {
          const size_t i = 4 * q + t, e = e0 + t, pixel = e / N, j = e % N;
          gather_[v * L + i] = static_cast<int32_t>(std::min(d0 + t, L - 1));
          bias_[v * L + i] = bias[j];
          scale_[v * L + i] = p_->scale[j];
          for (size_t c = 0; c < 4; ++c) {
            // Byte c of lane i: input byte K * pixel + c, at 16 q + (that - 4 d0) in the permuted vector.
            spread_[(v * L + i) * 4 + c] = c < K ? static_cast<int8_t>(K * pixel + c - 4 * d0) : int8_t{-128};
            w_[(v * L + i) * 4 + c] = c < K ? w[j][c] : int8_t{0};
          }
        }
      }
    return NDCONV_OK;
  }

 private:
  // Stride 1, no padding, one group: the batch's pixels are one stream.
  ndconv_status run_channels_last(const uint8_t* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    const size_t pixels = static_cast<size_t>(s.batch * s.out_pixels());
    const size_t K = static_cast<size_t>(s.in_channels), N = static_cast<size_t>(s.out_channels);
    const size_t out_bytes = N * p_->output_bytes();
    kernels::QPointwiseStreamArgs base;
    base.k = K;
    base.n = N;
    base.a_xor = p_->a_xor;
    base.gather = gather_.data();
    base.spread = spread_.data();
    base.w = w_.data();
    base.epi = p_->epi;
    base.epi.bias = bias_.data();
    base.epi.scale = scale_.data();
    auto task = [&](size_t t) {
      kernels::QPointwiseStreamArgs a = base;
      const size_t p0 = t * kPixelsPerTask;
      a.pixels = std::min(kPixelsPerTask, pixels - p0);
      a.in = input + p0 * K;
      a.out = static_cast<char*>(output) + p0 * out_bytes;
      uk_.fn(a);
    };
    parallel_for(pool, (pixels + kPixelsPerTask - 1) / kPixelsPerTask, task);
    return NDCONV_OK;
  }

  kernels::QPointwiseStreamKernel uk_;
  AlignedArray<int32_t> gather_;
  AlignedArray<int8_t> spread_, w_;
  AlignedArray<int32_t> bias_;
  AlignedArray<float> scale_;
};

}  // namespace

std::unique_ptr<QAlgorithm> make_qpointwise_stream_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (in.table == nullptr || in.table->pointwise_stream_nxc.fn == nullptr || s.groups != 1 ||
      s.in_channels > static_cast<int64_t>(kQpsMaxInputs) || s.out_channels > static_cast<int64_t>(kQpsMaxOutputs))
    return nullptr;
  for (int d = 0; d < s.rank; ++d)
    if (s.kernel[d] != 1 || s.stride[d] != 1 || s.pad_begin[d] != 0 || s.pad_end[d] != 0) return nullptr;
  std::unique_ptr<QPointwiseStreamAlgorithm> a(new (std::nothrow) QPointwiseStreamAlgorithm(
      s.layout == NDCONV_NCX ? "int8-pointwise-stream-ncx" : "int8-pointwise-stream", in));
  if (!a) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating an int8 plan");
    return nullptr;
  }
  const ndconv_status st = a->init(in.weights);
  if (st == NDCONV_INTERNAL_ERROR) return nullptr;  // a lane's bytes do not fit: the GEMM takes it
  *status = st;
  if (*status != NDCONV_OK) return nullptr;
  return a;
}

}  // namespace dispatch
}  // namespace ndconv
