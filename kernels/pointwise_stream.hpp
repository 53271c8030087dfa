// Channels-last pointwise convolutions over contiguous pixels with few
// channels, as a stream of whole vectors (contract: PointwiseStreamArgs in
// gemm_args.h; the tables: algorithms/pointwise_stream.h).
//
// A 3 -> 5 colour head reads 12 bytes and writes 20 per pixel for 15 FMAs:
// row pointers, one broadcast per input float and a masked 5-lane store per
// pixel (gemm_rows_small_k_narrow) cost several cycles a pixel, more than the
// memory it moves. Here a block of W pixels is K vector loads, N x K
// two-source permutes and FMAs (every lane useful) and N full vector stores.
#pragma once

#include <type_traits>

#include "kernels/gemm_args.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch, class = void>
struct has_permute2 : std::false_type {};
template <class Arch>
struct has_permute2<Arch, std::void_t<decltype(simd<Arch>::permute2(typename simd<Arch>::vec(),
                                                                  static_cast<const int32_t*>(nullptr),
                                                                  typename simd<Arch>::vec()))>>
    : std::true_type {};

template <class Arch>
void pointwise_stream(const PointwiseStreamArgs& args) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  // Locals, not args' fields: the output stores may alias the tables' floats
  // as far as the compiler knows.
  const size_t K = args.k, N = args.n, blocks = args.blocks;
  const int32_t* const index = args.index;
  const float* const weights = args.weights;
  const float* const bias = args.bias;
  const uint32_t* const source = args.source;
  const vec lo = S::set1(args.lo), hi = S::set1(args.hi);
  const bool clamp = args.clamp;
  const float* in = args.in;
  float* out = args.out;
  for (size_t b = 0; b < blocks; ++b, in += K * W, out += N * W) {
    const int32_t* idx = index;
    const float* w = weights;
    for (size_t j = 0; j < N; ++j) {
      const vec a0 = S::load(in + source[2 * j] * W), a1 = S::load(in + source[2 * j + 1] * W);
      vec acc = S::load(bias + j * W);
      for (size_t k = 0; k < K; ++k, idx += W, w += W) acc = S::fmadd(S::permute2(a0, idx, a1), S::load(w), acc);
      if (clamp) acc = S::min(hi, S::max(lo, acc));
      S::store(out + j * W, acc);
    }
  }
}

// The ISA's stream kernel, or nullptr where simd<> has no two-source permute
// (only AVX-512 has one: see GemmRowsSmallK::stream).
template <class Arch>
PointwiseStreamFn pointwise_stream_kernel() {
  if constexpr (has_permute2<Arch>::value)
    return &pointwise_stream<Arch>;
  else
    return nullptr;
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
