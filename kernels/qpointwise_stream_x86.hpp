// The int8 pointwise stream kernel (contract: kernels/qpointwise_stream_args.h),
// generic over the x86 family D (QpsZmm in qpointwise_stream_avx512.hpp,
// QpsYmm in qpointwise_stream_avx2.hpp). Per block of D::lanes pixels: one
// masked load of its L x K bytes, one vpermd and one vpshufb to a pixel per
// dword, then per output vector a vpermd, one dot product and the GEMM
// tile's epilogue (D::Epilogue) storing L contiguous elements; U8/S8 in
// groups of blocks, four vectors requantized float first (kernels/
// qgemm_args.h) and narrowed into one store. The pixels' tail
// (pixels % (group x L)) runs through a zeroed stack step and is copied
// out: no byte read or written past the tensors.
// Included inside the TU's namespace NDCONV_QKERNEL_NS, after the family's header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/qpointwise_stream_args.h"
#include "kernels/qrequantize_exact.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// The tables and the epilogue's constants as locals: the byte stores through
// `out` may alias any memory as far as the compiler knows, and with args'
// fields it reloaded each per vector (a third of pw_tiny_3to5's time).
struct QpsTables {
  size_t n, k;
  uint8_t a_xor;
  const int32_t* expand;
  const int8_t* spread;
  const uint8_t* block;
  const int32_t* gather;
  const int8_t* w;
  const int32_t* bias;
};

template <class D, bool Flip>
NDCONV_QINLINE typename D::Acc qps_expand(const QpsTables& t, const uint8_t* in) {
  constexpr size_t L = D::lanes;
  typename D::Acc x = D::load_input(in, L * t.k);
  if (Flip) x = D::flip(x);
  return D::spread(x, t.expand, t.spread);
}

template <class D>
NDCONV_QINLINE typename D::Acc qps_vector(const QpsTables& t, typename D::Acc x, size_t v) {
  constexpr size_t L = D::lanes;
  return D::dot(D::load_bias(t.bias + v * L, L), D::permute(x, t.gather + v * L), t.w + v * L * 4);
}

// S32/F32 output: one block, each vector stored by the GEMM's epilogue.
template <class D, QOutputType T, bool Flip>
NDCONV_QINLINE void qps_block(const QpsTables& t, const typename D::Epilogue& e, const uint8_t* in, char* out) {
  constexpr size_t L = D::lanes;
  const typename D::Acc x = qps_expand<D, Flip>(t, in);
  for (size_t v = 0; v < t.n; ++v) e.template store<T>(qps_vector<D>(t, x, v), v * L, L, out);
}

// U8/S8 output: a group of B = args' group blocks (B N vectors, a whole number
// of quads) narrowed four vectors at a time into one store
// (Epilogue::store_quad_nearest): pw_tiny_3to5 (N = 5) spent two thirds of
// its time in a per-vector epilogue. Vector u takes block t.block[u]'s pixels.
template <class D, QOutputType T, bool Flip>
NDCONV_QINLINE void qps_group(const QpsTables& t, const typename D::Epilogue& e, size_t group, const uint8_t* in,
                              char* out) {
  constexpr size_t L = D::lanes;
  typename D::Acc x[kQpsMaxGroup];
  for (size_t b = 0; b < group; ++b) x[b] = qps_expand<D, Flip>(t, in + b * L * t.k);
  for (size_t u = 0; u < group * t.n; u += 4) {
    const typename D::Acc acc[4] = {qps_vector<D>(t, x[t.block[u]], u), qps_vector<D>(t, x[t.block[u + 1]], u + 1),
                                    qps_vector<D>(t, x[t.block[u + 2]], u + 2),
                                    qps_vector<D>(t, x[t.block[u + 3]], u + 3)};
    e.template store_quad_nearest<T>(acc, u * L, out);
  }
}

// U8/S8 output where the family's store_quad_nearest would follow the
// caller's rounding mode (D::nearest_mode() false): the same bytes in
// scalar, requantize_float_first per element. Slow, and only for callers
// that run in a directed rounding mode: results never depend on it.
template <size_t L, QOutputType T>
__attribute__((noinline, cold)) void qps_bytes_scalar(const QpsTables& t, const QEpilogue& e, size_t group,
                                                      const uint8_t* in, size_t pixels, char* out) {
  const double lo = e.q_min - e.out_zp, hi = e.q_max - e.out_zp;
  const size_t group_elements = group * L * t.n;
  for (size_t element = 0; element < pixels * t.n; ++element) {
    const size_t idx = element % group_elements;  // the tables' lane
    const uint8_t* x = in + element / t.n * t.k;
    uint32_t acc = static_cast<uint32_t>(t.bias[idx]);  // int32 wrap-around, as vpdpbusd's
    for (size_t c = 0; c < t.k; ++c) acc += static_cast<uint32_t>((x[c] ^ t.a_xor) * t.w[idx * 4 + c]);
    const double q = requantize_float_first(static_cast<int32_t>(acc), e.scale[idx], lo, hi);
    const int32_t b = static_cast<int32_t>(q) + e.out_zp;
    out[element] = static_cast<char>(T == QOutputType::kU8 ? static_cast<uint8_t>(b)
                                                           : static_cast<uint8_t>(static_cast<int8_t>(b)));
  }
}

template <class D, QOutputType T, bool Flip>
void qps_typed(const QPointwiseStreamArgs& a) {
  constexpr size_t L = D::lanes;
  constexpr bool bytes = T == QOutputType::kU8 || T == QOutputType::kS8;
  constexpr size_t esize = bytes ? 1 : 4;
  const QpsTables t{a.n, a.k, a.a_xor, a.expand, a.spread, a.block, a.gather, a.w, a.epi.bias};
  const QEpilogue epi = a.epi;
  const size_t group = bytes ? a.group : 1;  // blocks per step
  if (bytes && !D::nearest_mode())
    return qps_bytes_scalar<L, T>(t, epi, group, a.in, a.pixels, static_cast<char*>(a.out));
  const typename D::Epilogue e(epi);
  const size_t in_bytes = group * L * t.k, out_bytes = group * L * t.n * esize;
  const uint8_t* in = a.in;
  char* out = static_cast<char*>(a.out);
  auto step = [&](const uint8_t* i, char* o) {
    if constexpr (bytes)
      qps_group<D, T, Flip>(t, e, group, i, o);
    else
      qps_block<D, T, Flip>(t, e, i, o);
  };
  const size_t steps = a.pixels / (group * L);
  for (size_t s = 0; s < steps; ++s, in += in_bytes, out += out_bytes) step(in, out);
  const size_t rest = a.pixels % (group * L);
  if (rest == 0) return;
  alignas(64) uint8_t step_in[kQpsMaxGroup * L * kQpsMaxInputs] = {};
  alignas(64) char step_out[kQpsMaxGroup * L * kQpsMaxOutputs * 4];
  std::memcpy(step_in, in, rest * t.k);
  step(step_in, step_out);
  std::memcpy(out, step_out, rest * t.n * esize);
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
