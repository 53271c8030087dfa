// The int8 depthwise kernel's dot-product forms (QDepthwiseArgs::wq, ws),
// generic over the x86 family D (QdwZmm with AVX512-VNNI: blocks of 64
// channels; QdwYmm with AVX-VNNI: 32), for U8/S8 output. Per block, 4 rows'
// bytes are interleaved by two levels of in-lane unpacks (vpunpck[lh]bw,
// then [lh]wd) into 4 vectors of (u_0[c], u_1[c], u_2[c], u_3[c]) dwords,
// one vpdpbusd each (u8 x s8 in groups of 4: exact, no saturation). The
// unpacks leave channel 16 l + 4 j + q in vector j, dword 4 l + q (l the
// 128-bit lane), so weights, bias and scales are packed in that order at
// create (qdw_quad_slot) and the epilogue's packs come out in channel order.
//  - The quad form: the 4 rows are 4 taps of one pixel (taps in groups of
//    4; a last group of fewer reads its first tap's row in place of the
//    missing ones, whose weights are 0). 256 products (zmm) per 8 shuffles
//    and 4 vpdpbusd, where the tap-pair path spends 16 vpmovzxbd, 8 shifts,
//    8 ors and 8 vpdpwssd.
//  - The sliding form, along runs of pixels 1 input column apart with 3
//    taps across: the rows are one input column's 3 or 4 kernel rows (a
//    zero row past them), interleaved once and used by the 3 output pixels
//    that read it, each with its kx's weights. Per pixel and block 3 loads
//    and 8 shuffles, where the quad form spends 12 and 24 on 3x3 taps, for
//    the same 12 vpdpbusd.
// D provides quad_block, lanes, quad_partial (a last block of more than 32
// channels masked), QuadMask, load_bytes<Full>, flip_bytes, the unpacks,
// dot (weights from memory), hold_slide_weights with load_weights and
// dot_held (weights in registers), store_bytes<Full> and quad_out<T> (the U8/S8 bytes of 4 vectors in
// that order, rounded as the pair path's epilogue rounds). Included inside the TU's namespace NDCONV_QKERNEL_NS.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qdepthwise_args.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

template <class D>
NDCONV_QINLINE void qdw_interleave4(const typename D::Acc (&x)[4], typename D::Acc (&v)[4]) {
  const auto lo01 = D::unpacklo8(x[0], x[1]), hi01 = D::unpackhi8(x[0], x[1]);
  const auto lo23 = D::unpacklo8(x[2], x[3]), hi23 = D::unpackhi8(x[2], x[3]);
  v[0] = D::unpacklo16(lo01, lo23);
  v[1] = D::unpackhi16(lo01, lo23);
  v[2] = D::unpacklo16(hi01, hi23);
  v[3] = D::unpackhi16(hi01, hi23);
}

// Channels [c, c + quad_block) of every pixel, 4 taps per vpdpbusd; Full:
// all real, else those of mask `m`.
template <class D, QOutputType T, bool Flip, bool Full>
void qdw_quad_pixels(const QDepthwiseArgs& a, const typename D::Epilogue& e, size_t c, typename D::QuadMask m) {
  using V = typename D::Acc;
  constexpr size_t L = D::lanes;
  const size_t groups = (a.taps + 3) / 4, gstep = 4 * a.quad_channels;
  V bias[4];
#pragma GCC unroll 4
  for (size_t j = 0; j < 4; ++j) bias[j] = D::load_i32(a.quad_bias + c + L * j);
  for (size_t i = 0; i < a.pixels; ++i) {
    const uint8_t* const* rows = a.rows + i * a.row_stride;
    const ptrdiff_t off = static_cast<ptrdiff_t>(i) * a.pixel_step + static_cast<ptrdiff_t>(c);
    V acc[4];
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; ++j) acc[j] = bias[j];
    const int8_t* w = a.wq + 4 * c;
    for (size_t g = 0, t = 0; g < groups; ++g, t += 4, w += gstep) {
      V x[4], v[4];
#pragma GCC unroll 4
      for (size_t k = 0; k < 4; ++k) {
        x[k] = D::template load_bytes<Full>((t + k < a.taps ? rows[t + k] : rows[t]) + off, m);
        if (Flip) x[k] = D::flip_bytes(x[k]);
      }
      qdw_interleave4<D>(x, v);
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; ++j) acc[j] = D::dot(acc[j], v[j], w + 4 * L * j);
    }
    char* out = static_cast<char*>(a.out) + i * a.channels + c;
    D::template store_bytes<Full>(out, m, D::template quad_out<T>(e, acc, a.quad_scale + c));
  }
}

// The input column `off` bytes past the block's first tap column (at r):
// its `rows` kernel rows, a zero row past them, interleaved.
template <class D, bool Flip, bool Full>
NDCONV_QINLINE void qdw_slide_column(size_t rows, const uint8_t* const (&r)[4], size_t off, typename D::QuadMask m,
                                     typename D::Acc (&v)[4]) {
  typename D::Acc x[4];
#pragma GCC unroll 4
  for (size_t k = 0; k < 4; ++k) {
    x[k] = D::zero();
    if (k >= rows) continue;
    x[k] = D::template load_bytes<Full>(r[k] + off, m);
    if (Flip) x[k] = D::flip_bytes(x[k]);
  }
  qdw_interleave4<D>(x, v);
}

// The sliding form over channels [c, c + quad_block) of a run of evenly
// spaced pixels (row_stride 0). Column i + 2, the run's last read, is the
// last tap column of pixel i: inside the input.
// The sliding form's operands of one block: weights (kx's at w + kx *
// kstep), bias and scales, in slot order.
struct QdwSlideOperands {
  const int8_t* w;
  size_t kstep;
  const int32_t* bias;
  const float* scale;
};

template <class D, QOutputType T, bool Flip, bool Full>
void qdw_slide_pixels(const QDepthwiseArgs& a, const typename D::Epilogue& e, size_t c, typename D::QuadMask m,
                      const QdwSlideOperands& o) {
  using V = typename D::Acc;
  constexpr size_t L = D::lanes;
  const uint8_t* r[4] = {};
  for (size_t k = 0; k < a.slide_rows; ++k) r[k] = a.rows[3 * k] + c;
  // Weights and bias in registers where the family has 32 (zmm: 10% faster
  // on dw3x3_mbv2 than memory operands, AMD EPYC Zen 5), else memory
  // operands (ymm: 16 registers hold the 3 columns and the accumulators).
  const int8_t* w = o.w;
  const size_t kstep = o.kstep;
  V held_w[3][4], held_bias[4];
  if constexpr (D::hold_slide_weights) {
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; ++j) {
      held_bias[j] = D::load_i32(o.bias + L * j);
#pragma GCC unroll 3
      for (size_t kx = 0; kx < 3; ++kx) held_w[kx][j] = D::load_weights(w + kx * kstep + 4 * L * j);
    }
  }
  auto dot = [&](V acc, V u, size_t kx, size_t j) {
    if constexpr (D::hold_slide_weights) return D::dot_held(acc, u, held_w[kx][j]);
    return D::dot(acc, u, w + kx * kstep + 4 * L * j);
  };
  // Locals: the output's stores may alias `a` for the compiler.
  const size_t rows = a.slide_rows, channels = a.channels, pixels = a.pixels;
  const float* const scale = o.scale;
  V col0[4], col1[4], col2[4];
  qdw_slide_column<D, Flip, Full>(rows, r, 0, m, col0);
  qdw_slide_column<D, Flip, Full>(rows, r, channels, m, col1);
  char* out = static_cast<char*>(a.out) + c;
  size_t off = 2 * channels;
  for (size_t i = 0; i < pixels; ++i, out += channels, off += channels) {
    qdw_slide_column<D, Flip, Full>(rows, r, off, m, col2);
    V acc[4];
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; ++j) {
      if constexpr (D::hold_slide_weights)
        acc[j] = held_bias[j];
      else
        acc[j] = D::load_i32(o.bias + L * j);
      acc[j] = dot(dot(dot(acc[j], col0[j], 0, j), col1[j], 1, j), col2[j], 2, j);
      col0[j] = col1[j];
      col1[j] = col2[j];
    }
    D::template store_bytes<Full>(out, m, D::template quad_out<T>(e, acc, scale));
  }
}

template <class D, QOutputType T, bool Flip, bool Full>
NDCONV_QINLINE void qdw_dot_block(const QDepthwiseArgs& a, const typename D::Epilogue& e, size_t c,
                                  typename D::QuadMask m) {
  if (a.ws != nullptr && a.row_stride == 0)
    qdw_slide_pixels<D, T, Flip, Full>(a, e, c, m, {a.ws + 4 * c, 4 * a.quad_channels, a.quad_bias + c, a.quad_scale + c});
  else
    qdw_quad_pixels<D, T, Flip, Full>(a, e, c, m);
}

// The blocks the dot-product forms take; returns the channel from which the
// tap-pair path goes on. The sliding form's last partial block, where the
// channels fill more than one block, is a whole block ending at the last
// channel (QDepthwiseArgs::ws_last). Else a last partial block stays on the pair path where
// the family has no byte-masked loads, and with them when it holds at most
// 32 channels: the pair path costs at most 20 vector ops per 4 taps for it,
// this form 20 for any (dw3x3_mbv2's 144 = 2 x 64 + 16 ran 0.81x oneDNN
// with a masked third block, 0.94x with the pair path's 16).
template <class D, QOutputType T, bool Flip>
size_t qdw_dot_blocks(const QDepthwiseArgs& a, const typename D::Epilogue& e) {
  constexpr size_t B = D::quad_block;
  size_t c = 0;
  for (; c + B <= a.channels; c += B) qdw_dot_block<D, T, Flip, true>(a, e, c, D::full_mask());
  if (D::slide_overlap_last && c < a.channels && a.ws_last != nullptr && a.row_stride == 0) {
    // The sliding form's last block overlaps the one before it (its
    // channels stored twice, the same bytes).
    qdw_slide_pixels<D, T, Flip, true>(a, e, a.channels - B, D::full_mask(),
                                       {a.ws_last, 4 * B, a.last_bias, a.last_scale});
    return a.channels;
  }
  if constexpr (D::quad_partial) {
    const size_t n = a.channels - c;
    if (n > 32) {
      qdw_dot_block<D, T, Flip, false>(a, e, c, D::partial_mask(n));
      return a.channels;
    }
  }
  return c;
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
