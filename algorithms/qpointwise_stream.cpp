#include "algorithms/qpointwise_stream.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "algorithms/qalgorithm_factory.h"
#include "algorithms/qchannels_last.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

using kernels::kQpsMaxInputs;
using kernels::kQpsMaxOutputs;

// Pixels per task (a multiple of every kernel's group of blocks, at most
// 4 x 16 pixels): 4 KiB of input at K = 2 or more, enough to hide a task's
// overhead.
constexpr size_t kPixelsPerTask = 2048;

class QPointwiseStreamAlgorithm final : public QChannelsLastAlgorithm {
 public:
  QPointwiseStreamAlgorithm(const char* name, const QPlanInputs& in)
      : QChannelsLastAlgorithm(PlanName(name, in.table->variant), in.params), uk_(in.table->pointwise_stream_nxc) {}

  // The lane patterns of kernels/qpointwise_stream_args.h for L = the
  // kernel's lanes. The expansion: 128-bit lane q holds pixels 4q .. 4q + 3,
  // whose 4K <= 16 bytes start at byte 4qK, in dwords qK .. qK + 3. U8/S8:
  // the vectors' patterns repeated for a group of blocks.
  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    const size_t L = uk_.lanes, K = static_cast<size_t>(s.in_channels), N = static_cast<size_t>(s.out_channels);
    const bool bytes = p_->epi.type == kernels::QOutputType::kU8 || p_->epi.type == kernels::QOutputType::kS8;
    group_ = bytes ? 4 / std::gcd(N, size_t{4}) : 1;
    const size_t G = group_ * N;
    if (!expand_.resize(L) || !spread_.resize(L * 4) || !block_.resize(G) || !gather_.resize(G * L) ||
        !w_.resize(G * L * 4) || !bias_.resize(G * L) || !scale_.resize(G * L))
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
    for (size_t pixel = 0; pixel < L; ++pixel) {
      const size_t q = pixel / 4, first = q * K;  // the 128-bit lane's first dword
      // first + 3 <= L - 1 for K <= 4; the min only keeps the index a lane.
      expand_[pixel] = static_cast<int32_t>(std::min(first + pixel % 4, L - 1));
      for (size_t c = 0; c < 4; ++c)  // byte c of the pixel: input byte K * pixel + c
        spread_[pixel * 4 + c] = c < K ? static_cast<int8_t>(K * pixel + c - 4 * first) : int8_t{-128};
    }
    for (size_t u = 0; u < G; ++u) {
      block_[u] = static_cast<uint8_t>(u / N);
      for (size_t i = 0; i < L; ++i) {
        const size_t e = (u % N) * L + i, j = e % N;  // element e of its block
        gather_[u * L + i] = static_cast<int32_t>(e / N);
        bias_[u * L + i] = bias[j];
        scale_[u * L + i] = p_->scale[j];
        for (size_t c = 0; c < 4; ++c) w_[(u * L + i) * 4 + c] = c < K ? w[j][c] : int8_t{0};
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
    base.expand = expand_.data();
    base.spread = spread_.data();
    base.gather = gather_.data();
    base.group = group_;
    base.block = block_.data();
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
  size_t group_ = 1;
  AlignedArray<uint8_t> block_;
  AlignedArray<int32_t> expand_, gather_;
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
  if (!s.is_pointwise() || s.has_stride()) return nullptr;
  return build_qalgorithm<QPointwiseStreamAlgorithm>(
      in.weights, status, s.layout == NDCONV_NCX ? "int8-pointwise-stream-ncx" : "int8-pointwise-stream", in);
}

}  // namespace dispatch
}  // namespace ndconv
