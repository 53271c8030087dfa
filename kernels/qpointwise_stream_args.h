// Operand contract of the int8 channels-last pointwise stream kernels
// (algorithms/qpointwise_stream.cpp): stride 1, one group, K <= 4 input and
// N <= kQpsMaxOutputs output channels, the pixels contiguous. A GEMM tile
// wastes most of its lanes there (pw_tiny_3to5: K = 3 padded to one group
// of 4, 5 of 16 columns): here every int32 lane is one output element in
// channels-last order. A block of L pixels (L = int32 lanes of a vector) is
// L x K contiguous bytes in one vector, expanded once to one pixel per dword
// (vpermd: each 128-bit lane gets the <= 16 bytes of its 4 pixels, then
// vpshufb, zero past K), and N output vectors: vector v, lane i is element
// e = L v + i, pixel e / N, channel e % N, whose dword one vpermd brings to
// lane i; one dot product with a lane pattern of weights gives the element,
// and the GEMM tile's epilogue (per-lane bias and scale patterns) stores the
// vector contiguously: no interleave, no masked per-pixel stores.
// The arithmetic is the GEMM kernels' (kernels/qgemm_args.h): u = byte XOR
// a_xor, bias compensated for the zero point at create.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qgemm_args.h"

namespace ndconv {
namespace kernels {

// Outputs per pixel at most: the tables hold N vectors of patterns.
constexpr size_t kQpsMaxOutputs = 16;
// Input channels at most: a block of 16 pixels of K bytes fills one zmm.
constexpr size_t kQpsMaxInputs = 4;
// Blocks per group at most (U8/S8: 4 / gcd(N, 4), so that a group's N
// vectors per block make whole quads).
constexpr size_t kQpsMaxGroup = 4;

struct QPointwiseStreamArgs {
  const uint8_t* in = nullptr;  // pixels x k bytes, contiguous; read no further
  size_t pixels = 0, k = 0, n = 0;
  uint8_t a_xor = 0;            // 0x80 for S8 input, 0 for U8
  // Built for the kernel's L. The block's expansion to one pixel per dword:
  const int32_t* expand = nullptr;  // [L] vpermd dword indices
  const int8_t* spread = nullptr;   // [L][4] vpshufb controls (byte >= 0x80: zero)
  // U8/S8 output runs `group` blocks (4 / gcd(N, 4)) at a time: G = group x
  // N vectors, vector u of block[u] (u / N), the patterns of vector u % N
  // repeated. S32/F32 output reads the first N vectors (one block).
  size_t group = 1;
  const uint8_t* block = nullptr;   // [G]
  // G vectors of L lanes each:
  const int32_t* gather = nullptr;  // [G][L] lane's pixel in its block (its dword after the expansion)
  const int8_t* w = nullptr;        // [G][L][4] weights of lane's channel, zero past K
  void* out = nullptr;              // pixels x n elements of epi.type
  QEpilogue epi;                    // bias and scale: [G][L] lane patterns
};
using QPointwiseStreamFn = void (*)(const QPointwiseStreamArgs& args);

// e.g. "qps_nxc_16p__avx512vnni": 16 pixels per block.
struct QPointwiseStreamKernel {
  const char* name = nullptr;
  QPointwiseStreamFn fn = nullptr;
  size_t lanes = 0;
};

}  // namespace kernels
}  // namespace ndconv
