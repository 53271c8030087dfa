// Operand contract of the int8 channels-last grouped kernels
// (algorithms/qgrouped.cpp): groups > 1, not depthwise, C_in per group a
// multiple of 4 (a group's bytes never share a dword with another's). A
// GEMM per group wastes most of its tile there (grouped_resnext: 4 outputs
// of a 32-column tile per group); here a vector holds L consecutive output
// channels of one pixel, whatever their groups. Per tap, vector v's input
// bytes (the groups its channels belong to: at most 4 L bytes) are one
// masked load, and per k-group kk (4 input channels of a group) a dword
// permute gives lane c the 4 bytes of its group's k-group kk; one dot
// product with the packed weights accumulates them. The arithmetic is the
// GEMM kernels' (kernels/qgemm_args.h): u = byte XOR a_xor, bias compensated
// for the zero point, padding taps read a row of the zero point's byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qgemm_args.h"

namespace ndconv {
namespace kernels {

struct QGroupedArgs {
  // [pixels][taps] row pointers at channel 0 of the input pixel each tap
  // reads (padding taps: a row of the zero point's byte), each readable for
  // in_channels bytes.
  const uint8_t* const* rows = nullptr;
  size_t pixels = 0, taps = 0;
  size_t out_channels = 0;
  size_t kgroups = 0;             // C_in per group / 4
  uint8_t a_xor = 0;              // 0x80 for S8 input, 0 for U8
  // Every vector inside one group (C_out per group a multiple of L): lane c
  // of k-group kk takes the same dword, broadcast from memory instead of
  // permuted (a load port instead of the shuffle port: grouped_g4x16).
  bool uniform = false;
  const uint32_t* span = nullptr;  // [vectors][2]: vector v's input bytes (offset, count <= 4 L)
  const int32_t* perm = nullptr;  // [vectors][kgroups][L] dword indices into those bytes
  // [vectors][taps][kgroups][L][4] int8, zero past the real channels.
  const int8_t* w = nullptr;
  // Output pixel i, channel c at (char*)out + (i * out_channels + c) * element size.
  void* out = nullptr;
  QEpilogue epi;                  // bias and scale per channel, from channel 0
};
using QGroupedFn = void (*)(const QGroupedArgs& args);

// e.g. "qgrouped_nxc_4v4p__avx512vnni": 4 vectors of channels by 4 pixels
// (AVX2: 2v4p, 8 accumulators of its 16 ymm registers; 4v4p spilled)
// of accumulators; lanes: int32 lanes per vector (the tables' L).
struct QGroupedKernel {
  const char* name = nullptr;
  QGroupedFn fn = nullptr;
  size_t lanes = 0;
};

}  // namespace kernels
}  // namespace ndconv
