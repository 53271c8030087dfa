// Operand contract of the int8 channels-last depthwise kernels
// (algorithms/qdepthwise.cpp), channel multiplier 1: output channel c reads
// input channel c. The arithmetic is the GEMM kernels' (kernels/qgemm_args.h):
// acc[c] = bias[c] + sum_t u(x_t[c]) * w[t][c] in wrap-around int32, u = the
// byte XOR a_xor, bias compensated by zp_u * sum_t w[t][c] at create, so
// padding taps read a row of the zero point and contribute exactly 0.
// Products of u in [0, 255] and w in [-128, 127] widened to int16 are exact,
// and vpmaddwd / vpdpwssd sum a pair of them into int32 without saturation:
// taps go in pairs (t, t + 1), the weights packed for that at create.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qgemm_args.h"

namespace ndconv {
namespace kernels {

// The weights' packing every depthwise kernel reads: [ceil(taps / 2)]
// [padded_channels][2] int16, w[t][c] at ((t / 2) * padded_channels + c) * 2
// + t % 2, zero past the last tap and past the real channels.
// padded_channels is the channel count rounded up to kQdwChannelAlign, a
// multiple of every kernel's channel tile.
constexpr size_t kQdwChannelAlign = 64;

struct QDepthwiseArgs {
  // Row pointers at channel 0 of the input pixel each tap reads (padding
  // taps: a row of the zero point's byte), each readable for exactly
  // `channels` bytes: pixel i's tap t at rows[i * row_stride + t] +
  // i * pixel_step. Either [pixels][taps] pointers (row_stride = taps,
  // pixel_step = 0) or, for pixels evenly spaced in the input and reading
  // no padding, pixel 0's [taps] (row_stride = 0, pixel_step the bytes
  // between two pixels' rows).
  const uint8_t* const* rows = nullptr;
  size_t row_stride = 0;
  ptrdiff_t pixel_step = 0;
  size_t pixels = 0, taps = 0, channels = 0;
  size_t padded_channels = 0;  // the weights' row length (see above)
  uint8_t a_xor = 0;           // 0x80 for S8 input, 0 for U8
  const int16_t* w = nullptr;
  // Output pixel i, channel c at (char*)out + (i * channels + c) * element size.
  void* out = nullptr;
  QEpilogue epi;               // bias and scale per channel, from channel 0
  // The dot-product forms (kernels/qdepthwise_dot_x86.hpp), for U8/S8
  // output when wq is set: blocks of B = QDepthwiseKernel::quad_block
  // channels (64 with AVX512-VNNI, 32 with AVX-VNNI), 4 rows per vpdpbusd;
  // the channels past the last block the family takes go to the pair path
  // (reading w, epi.bias and epi.scale). quad_channels = channels rounded
  // up to B. Two levels of in-lane unpacks leave 4 rows' bytes of channel
  // Bb + 16l + 4j + q in vector j, dword 4l + q (l the 128-bit lane), so wq
  // is [ceil(taps / 4)][quad_channels / B][4 vectors j][B / 4 dwords 4l + q]
  // [4 taps] int8 (qdw_quad_weight), and quad_bias / quad_scale hold bias
  // and scale in that channel order (qdw_quad_slot; zero past the last tap
  // and the last channel).
  const int8_t* wq = nullptr;
  size_t quad_channels = 0;
  const int32_t* quad_bias = nullptr;
  const float* quad_scale = nullptr;
  // The sliding form, for the dot-product form's runs of evenly spaced
  // pixels (row_stride 0) when ws is set: the taps are [slide_rows][3]
  // (slide_rows 3 or 4), one input pixel apart along the line (stride 1,
  // dilation 1: rows[3 r + kx] = rows[3 r] + kx * channels), and ws holds
  // w[r][kx] where wq would hold tap 4 kx + r (qdw_slide_weight). Each input
  // column's kernel rows are interleaved once for the 3 pixels reading it.
  const int8_t* ws = nullptr;
  size_t slide_rows = 0;
  // With ws, where channels > B is not a multiple of B: the sliding form's
  // operands of channels [channels - B, channels) as one block (read only
  // where QDepthwiseKernel::slide_overlap_last) (ws, bias,
  // scale packed as for channels 0..B-1, kx's weights 4 B bytes apart). The
  // last partial block takes them, overlapping the block before it: its
  // dot products cost less than the pair path's or byte-masked loads and
  // stores (dw3x3_mbv2's last 16 of 144 channels took 37% of the time on
  // the pair path, AMD EPYC Zen 5).
  const int8_t* ws_last = nullptr;
  const int32_t* last_bias = nullptr;
  const float* last_scale = nullptr;
};
using QDepthwiseFn = void (*)(const QDepthwiseArgs& args);

// e.g. "qdw_nxc_32c__avx512": channel tile 32 (the channels one pass of the
// tap loop keeps in accumulators); "qdw_nxc_64c4_32c__avx512vnni": also the
// dot-product forms over blocks of quad_block = 64 channels, 4 rows each.
struct QDepthwiseKernel {
  const char* name = nullptr;
  QDepthwiseFn fn = nullptr;
  size_t channel_tile = 0;
  size_t quad_block = 0;  // 0: no dot-product form (args.wq ignored)
  // Whether the sliding form's last partial block overlaps (args.ws_last
  // read): zmm yes; ymm no (dw3x3_mbv2's last 16 of 144 channels ran 4%
  // slower as an overlapping block of 32 than on the pair path's whole
  // 16-channel tile, AMD EPYC Zen 5 with AVX-VNNI).
  bool slide_overlap_last = false;
};

// Where channel c sits in quad_bias / quad_scale, and its tap t weight in
// wq (QDepthwiseArgs), for blocks of `block` (32 or 64) channels.
inline size_t qdw_quad_slot(size_t c, size_t block) {
  return c / block * block + c % 16 / 4 * (block / 4) + c % block / 16 * 4 + c % 4;
}
inline size_t qdw_quad_weight(size_t c, size_t t, size_t quad_channels, size_t block) {
  return ((t / 4) * quad_channels + qdw_quad_slot(c, block)) * 4 + t % 4;
}
// Where channel c's weight of kernel row r, column kx sits in ws.
inline size_t qdw_slide_weight(size_t c, size_t r, size_t kx, size_t quad_channels, size_t block) {
  return qdw_quad_weight(c, 4 * kx + r, quad_channels, block);
}

}  // namespace kernels
}  // namespace ndconv
