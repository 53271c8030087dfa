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
  // [pixels][taps] row pointers at channel 0 of the input pixel each tap
  // reads (padding taps: a row of the zero point's byte); each readable for
  // exactly `channels` bytes.
  const uint8_t* const* rows = nullptr;
  size_t pixels = 0, taps = 0, channels = 0;
  size_t padded_channels = 0;  // the weights' row length (see above)
  uint8_t a_xor = 0;           // 0x80 for S8 input, 0 for U8
  const int16_t* w = nullptr;
  // Output pixel i, channel c at (char*)out + (i * channels + c) * element size.
  void* out = nullptr;
  QEpilogue epi;               // bias and scale per channel, from channel 0
};
using QDepthwiseFn = void (*)(const QDepthwiseArgs& args);

// e.g. "qdw_nxc_32c__avx512": channel tile 32 (the channels one pass of the
// tap loop keeps in accumulators).
struct QDepthwiseKernel {
  const char* name = nullptr;
  QDepthwiseFn fn = nullptr;
  size_t channel_tile = 0;
};

}  // namespace kernels
}  // namespace ndconv
