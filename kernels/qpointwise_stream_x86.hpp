// The int8 pointwise stream kernel (contract: kernels/qpointwise_stream_args.h),
// generic over the x86 family D (QpsZmm in qpointwise_stream_avx512.hpp,
// QpsYmm in qpointwise_stream_avx2.hpp). Per block of D::lanes pixels: one
// masked load of its L x K bytes, then per output vector a vpermd, a vpshufb,
// one dot product and the GEMM tile's epilogue (D::Epilogue) storing L
// contiguous elements. The pixels' tail (pixels % L) runs through a zeroed
// stack block and is copied out: no byte read or written past the tensors.
// Included inside the TU's namespace NDCONV_QKERNEL_NS, after the family's header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/qpointwise_stream_args.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// The tables and the epilogue's constants as locals: the byte stores through
// `out` may alias any memory as far as the compiler knows, and with args'
// fields it reloaded each per vector (a third of pw_tiny_3to5's time).
struct QpsTables {
  size_t n;
  const int32_t* gather;
  const int8_t* spread;
  const int8_t* w;
  const int32_t* bias;
};

template <class D, QOutputType T, bool Flip>
NDCONV_QINLINE void qps_block(const QpsTables& t, const typename D::Epilogue& e, typename D::Acc x, char* out) {
  constexpr size_t L = D::lanes;
  if (Flip) x = D::flip(x);
  for (size_t v = 0; v < t.n; ++v) {
    const typename D::Acc xv = D::spread(x, t.gather + v * L, t.spread + v * L * 4);
    const typename D::Acc acc = D::dot(D::load_bias(t.bias + v * L, L), xv, t.w + v * L * 4);
    e.template store<T>(acc, v * L, L, out);
  }
}

template <class D, QOutputType T, bool Flip>
void qps_typed(const QPointwiseStreamArgs& a) {
  constexpr size_t L = D::lanes;
  constexpr size_t esize = T == QOutputType::kU8 || T == QOutputType::kS8 ? 1 : 4;
  const QpsTables t{a.n, a.gather, a.spread, a.w, a.epi.bias};
  const QEpilogue epi = a.epi;
  const typename D::Epilogue e(epi);
  const size_t k = a.k, pixels = a.pixels;
  const size_t in_bytes = L * k, out_bytes = L * t.n * esize;
  const uint8_t* in = a.in;
  char* out = static_cast<char*>(a.out);
  const size_t blocks = pixels / L;
  for (size_t b = 0; b < blocks; ++b, in += in_bytes, out += out_bytes)
    qps_block<D, T, Flip>(t, e, D::load_input(in, in_bytes), out);
  const size_t rest = pixels % L;
  if (rest == 0) return;
  alignas(64) uint8_t block_in[L * kQpsMaxInputs] = {};
  alignas(64) char block_out[L * kQpsMaxOutputs * 4];
  std::memcpy(block_in, in, rest * k);
  qps_block<D, T, Flip>(t, e, D::load_input(block_in, in_bytes), block_out);
  std::memcpy(out, block_out, rest * t.n * esize);
}

template <class D, bool Flip>
void qps_flip(const QPointwiseStreamArgs& a) {
  switch (a.epi.type) {
    case QOutputType::kS32: return qps_typed<D, QOutputType::kS32, Flip>(a);
    case QOutputType::kF32: return qps_typed<D, QOutputType::kF32, Flip>(a);
    case QOutputType::kU8: return qps_typed<D, QOutputType::kU8, Flip>(a);
    case QOutputType::kS8: return qps_typed<D, QOutputType::kS8, Flip>(a);
  }
}

// The table's entry: U8 input runs without the XOR.
template <class D>
void qps_nxc(const QPointwiseStreamArgs& a) {
  if (a.a_xor != 0)
    qps_flip<D, true>(a);
  else
    qps_flip<D, false>(a);
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
