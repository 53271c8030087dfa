// The int8 channels-last depthwise kernel (contract: kernels/qdepthwise_args.h),
// generic over the x86 family D (QdwZmm in qdepthwise_avx512.hpp, QdwYmm in
// qdepthwise_avx2.hpp): a tile of 2 * D::lanes channels, two int32
// accumulator vectors, per output pixel. Per pair of taps (t, t + 1) the two
// rows' bytes are interleaved (u_t[c], u_t+1[c]), flipped by a_xor,
// zero-extended to int16 and multiplied by the packed (w_t[c], w_t+1[c]) with
// vpmaddwd (or vpdpwssd): exact, one instruction per 2 taps x lanes channels.
// The epilogue is the GEMM tile's (D::Epilogue, in registers). Included
// inside the TU's namespace NDCONV_QKERNEL_NS, after the family's header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qdepthwise_args.h"
#include "kernels/qdepthwise_dot_x86.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// Channels [c, c + tile) of every pixel of `a`; Full: the whole tile is real.
// Channel blocks outside, pixels inside: the block's weights stay in L1.
template <class D, QOutputType T, bool Flip, bool Full>
void qdw_block(const QDepthwiseArgs& a, const typename D::Epilogue& e, size_t c) {
  using Acc = typename D::Acc;
  constexpr size_t L = D::lanes;
  constexpr size_t esize = T == QOutputType::kU8 || T == QOutputType::kS8 ? 1 : 4;
  const typename D::template Block<Full> blk(c, a.channels);
  const Acc b0 = D::load_bias(a.epi.bias + c, blk.n0), b1 = D::load_bias(a.epi.bias + c + L, blk.n1);
  const size_t pairs = (a.taps + 1) / 2, wstep = 2 * a.padded_channels;
  for (size_t i = 0; i < a.pixels; ++i) {
    const uint8_t* const* rows = a.rows + i * a.row_stride;
    const ptrdiff_t off = static_cast<ptrdiff_t>(i) * a.pixel_step + static_cast<ptrdiff_t>(c);
    Acc acc[2] = {b0, b1};
    const int16_t* w = a.w + 2 * c;
    for (size_t j = 0; j < pairs; ++j, w += wstep) {
      const uint8_t* r0 = rows[2 * j] + off;
      // An odd last tap pairs with itself: its packed partner weights are 0.
      const uint8_t* r1 = 2 * j + 1 < a.taps ? rows[2 * j + 1] + off : r0;
      blk.template accumulate<Flip>(acc, r0, r1, w);
    }
    char* out = static_cast<char*>(a.out) + i * a.channels * esize;
    e.template store<T>(acc[0], c, blk.n0, out);
    if (Full || blk.n1) e.template store<T>(acc[1], c + L, blk.n1, out);
  }
}

template <class D, QOutputType T, bool Flip>
void qdw_nxc_typed(const QDepthwiseArgs& a) {
  const typename D::Epilogue e(a.epi);
  constexpr size_t tile = 2 * D::lanes;
  size_t c = 0;
  if constexpr (D::quad_block != 0 && (T == QOutputType::kU8 || T == QOutputType::kS8)) {
    if (a.wq != nullptr) c = qdw_dot_blocks<D, T, Flip>(a, e);
  }
  for (; c + tile <= a.channels; c += tile) qdw_block<D, T, Flip, true>(a, e, c);
  if (c < a.channels) qdw_block<D, T, Flip, false>(a, e, c);
}

template <class D, bool Flip>
void qdw_nxc_flip(const QDepthwiseArgs& a) {
  switch (a.epi.type) {
    case QOutputType::kS32: return qdw_nxc_typed<D, QOutputType::kS32, Flip>(a);
    case QOutputType::kF32: return qdw_nxc_typed<D, QOutputType::kF32, Flip>(a);
    case QOutputType::kU8: return qdw_nxc_typed<D, QOutputType::kU8, Flip>(a);
    case QOutputType::kS8: return qdw_nxc_typed<D, QOutputType::kS8, Flip>(a);
  }
}

// The table's entry: U8 input runs without the XOR.
template <class D>
void qdw_nxc(const QDepthwiseArgs& a) {
  if (a.a_xor != 0)
    qdw_nxc_flip<D, true>(a);
  else
    qdw_nxc_flip<D, false>(a);
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
