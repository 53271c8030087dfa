#include "algorithms/pointwise_stream.h"

#include <algorithm>

namespace ndconv {
namespace dispatch {
namespace {

// Output vector j of a block holds pixels first_pixel .. last_pixel; its
// input floats are first_pixel * K .. last_pixel * K + K - 1.
size_t first_input(size_t W, size_t K, size_t N, size_t j) { return j * W / N * K; }
size_t last_input(size_t W, size_t K, size_t N, size_t j) { return ((j + 1) * W - 1) / N * K + K - 1; }

}  // namespace

bool PointwiseStreamTables::fits(size_t W, size_t K, size_t N) {
  if (W == 0 || K == 0 || N == 0) return false;
  for (size_t j = 0; j < N; ++j)
    if (last_input(W, K, N, j) >= (first_input(W, K, N, j) / W + 2) * W) return false;
  return true;
}

bool PointwiseStreamTables::build(size_t W, size_t K, size_t N, const float* weights, size_t ldw,
                                  const float* bias) {
  if (!index_.resize(N * K * W) || !weights_.resize(N * K * W) || !bias_.resize(N * W) ||
      !source_.resize(2 * N))
    return false;
  k_ = K;
  n_ = N;
  for (size_t j = 0; j < N; ++j) {
    // The two input vectors: the first one's and the next (the last input
    // vector twice when the first is the last; its indices then stay < W).
    const size_t lo = first_input(W, K, N, j) / W;
    source_[2 * j] = static_cast<uint32_t>(lo);
    source_[2 * j + 1] = static_cast<uint32_t>(std::min(lo + 1, K - 1));
    for (size_t l = 0; l < W; ++l) {
      const size_t pixel = (j * W + l) / N, channel = (j * W + l) % N;
      bias_[j * W + l] = bias ? bias[channel] : 0.0f;
      for (size_t k = 0; k < K; ++k) {
        const size_t at = (j * K + k) * W + l;
        index_[at] = static_cast<int32_t>(pixel * K + k - lo * W);
        weights_[at] = weights[k * ldw + channel];
      }
    }
  }
  return true;
}

void PointwiseStreamTables::fill(kernels::PointwiseStreamArgs* args) const {
  args->k = k_;
  args->n = n_;
  args->index = index_.data();
  args->weights = weights_.data();
  args->bias = bias_.data();
  args->source = source_.data();
}

}  // namespace dispatch
}  // namespace ndconv
