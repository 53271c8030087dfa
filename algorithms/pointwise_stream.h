// The tables of the stream form of a channels-last pointwise convolution with
// few channels (kernels::PointwiseStreamArgs, kernels/pointwise_stream.hpp):
// for a block of W pixels (W floats per vector), which input lanes and which
// weights each lane of each output vector takes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "api/memory.h"
#include "kernels/gemm_args.h"

namespace ndconv {
namespace dispatch {

class PointwiseStreamTables {
 public:
  // Whether every output vector of a block reads at most two consecutive
  // input vectors (the kernel's two-source permute): true when K is about N
  // or less (3 -> 5: an output vector's 4 pixels are 12 input floats), false
  // for many inputs per output (11 -> 1: 16 pixels, 176 floats).
  static bool fits(size_t W, size_t K, size_t N);
  // From weights[k * ldw + n] and bias[n] (nullptr: zeros), K x N, fits(W, K,
  // N). False on allocation failure.
  bool build(size_t W, size_t K, size_t N, const float* weights, size_t ldw, const float* bias);
  // Sets args' table fields, k and n.
  void fill(kernels::PointwiseStreamArgs* args) const;

 private:
  size_t k_ = 0, n_ = 0;
  AlignedArray<int32_t> index_;   // [N][K][W]
  AlignedArray<float> weights_;   // [N][K][W]
  AlignedArray<float> bias_;      // [N][W]
  AlignedArray<uint32_t> source_; // [N][2]
};

}  // namespace dispatch
}  // namespace ndconv
