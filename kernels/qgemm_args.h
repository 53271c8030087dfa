// Operand contracts of the int8 microkernels (the quantized convolution,
// ONNX QLinearConv / ConvInteger; the C API's ndconv_qconv_*). ISA-neutral:
// the int8 algorithms (algorithms/qconv_*) build these and call the per-ISA,
// per-dot-product-variant function pointers of QKernelTable.
//
// The arithmetic, as oneDNN's and XNNPACK's int8 kernels do it:
//  - A (activations) is read as unsigned bytes u. For an S8 input the kernel
//    flips the sign bit of every byte it loads (a_xor = 0x80: u = x + 128),
//    for U8 a_xor = 0 (u = x). Padding taps point at a row of kc bytes that
//    hold the input zero point (raw, before the flip).
//  - B (weights) is int8, packed at create (see QGemmRowsKernel).
//  - acc[i][j] = bias[j] + sum_t sum_k u(a[t][i][k]) * w[t][k][j], in int32
//    with wrap-around (modular) arithmetic. `bias` is the user's bias minus the
//    zero-point compensation zp_u * sum_{t,k} w[t][k][j] (zp_u = the input
//    zero point after the flip), computed at create, so acc is exactly
//    sum (x - x_zp) * w + user_bias: modular arithmetic makes that identity
//    exact, also where int32 wraps. No instruction may saturate an
//    intermediate (vpmaddubsw pairs of u8 x s8 do: 2 * 255 * 127 > 32767;
//    widen to 16 bits and use vpmaddwd, or vpdpbusd, never vpdpbusds).
//  - The epilogue (QEpilogue) turns acc into the output type while the tile is
//    in registers. U8/S8: y = rne(x) + out_zp, clamped, with x = acc * scale
//    the exact rational product, never the MXCSR/FPCR mode. AVX-512: float
//    steps with embedded round-to-nearest (mode independent; x is rounded to
//    float first, an ulp). AVX2 the same float-first values: plain float
//    steps where the caller's mode is round-to-nearest, a scalar
//    requantize_float_first per lane elsewhere (qgemm_avx2.hpp,
//    qpointwise_stream_x86.hpp); so every x86 level gives the same bytes.
//    NEON, scalar: exact, in double. acc and
//    scale are exact in double; p = acc * scale (the caller's mode rounds x
//    to one of its two neighbouring doubles, or not at all); err = fma(acc,
//    scale, -p) = x - p is exact in every mode (the error of a product is a
//    double: x has at most 32 + 24 bits, and x and p are multiples of
//    scale's last bit, >= 2^-149). Why p decides the rounding unless p is
//    exactly a half-integer h: every h with |h| < 2^52 is a double, and any
//    rounding (to nearest, up, down, toward zero) is monotone and leaves a
//    double unchanged. So x < h gives p <= h, x > h gives p >= h, x = h gives
//    p = h: p and x never lie strictly on opposite sides of an h, and if p
//    is none, x and p lie between the same two half-integers and rne(p) ==
//    rne(x). If p == h, x = h + err: err > 0 rounds up, err < 0 down, err ==
//    0 is x's own tie, to even. p is clamped to the integer bounds first
//    (monotone again: the clamp of rne(x)), so |p| < 2^9 where h is tested.
//    F32: float(acc) * scale[j] in the caller's mode (an ulp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ndconv {
namespace kernels {

enum class QOutputType : uint8_t { kS32, kF32, kU8, kS8 };

// What the finished int32 tile becomes; constant for a plan except the
// per-column arrays, which the caller offsets to the tile's first column.
struct QEpilogue {
  QOutputType type = QOutputType::kS32;
  const int32_t* bias = nullptr;  // per column, never null (holds the compensation)
  // Per column; F32: input_scale * weight_scale[j]; U8/S8: input_scale *
  // weight_scale[j] / output_scale. Unused for S32.
  const float* scale = nullptr;
  // S32: y = min(max(acc, s32_min), s32_max) (RELU: s32_min = 0, else INT32_MIN).
  int32_t s32_min = INT32_MIN, s32_max = INT32_MAX;
  // F32: y = min(max(float(acc) * scale[j], f32_min), f32_max) (+-inf when
  // no activation; a NaN cannot arise).
  float f32_min = 0.0f, f32_max = 0.0f;
  // U8/S8: y = min(max(rne(acc * scale[j]) + out_zp, q_min), q_max) (the
  // rounding above), q_min/q_max already fold the activation and the type's
  // range. Clamp before converting so the conversion never overflows.
  int32_t out_zp = 0, q_min = 0, q_max = 255;
};

// Channels-last GEMM through row pointers (pointwise, indirect general
// convolution, the n-gram GEMM with taps = 1 and kc = the window's bytes).
struct QGemmRowsArgs {
  // [taps][MR] row pointers; each is readable for exactly kc bytes (not more:
  // the kernel loads a k-group tail of kc % KR bytes without reading past it).
  // Rows i >= mr repeat the last real row; only rows < mr are stored.
  const uint8_t* const* a = nullptr;
  // QGemmRowsKernel::step_fn only: a holds [taps] pointers (row 0 of each
  // tap) and row i < mr of tap t is a[t] + i * a_step; except the taps t <
  // 64 whose bit is set in listed_taps: their rows are lists[t * MR + i]
  // (MR the caller's tile rows; rows i >= mr repeat the last real one).
  ptrdiff_t a_step = 0;
  uint64_t listed_taps = 0;
  const uint8_t* const* lists = nullptr;
  size_t taps = 1;
  size_t kc = 0;              // bytes per tap and row
  uint8_t a_xor = 0;          // 0x80 for S8 input, 0 for U8
  // Packed weights of this NR-column panel: [taps][ceil(kc / KR)][NR][KR]
  // int8, zero past kc and past the real columns.
  const int8_t* b = nullptr;
  size_t mr = 0, nr = 0;      // real extent, mr <= MR, nr <= NR
  // Output tile: row i at (char*)c + i * ldc * element size of the type,
  // columns contiguous; elements of QEpilogue::type.
  void* c = nullptr;
  size_t ldc = 0;             // elements between rows
  QEpilogue epi;              // per-column arrays offset to this panel's column 0
  // Tiles that pack A first (QGemmRowsKernel::a_pack_rows != 0, the AMX
  // tile): the caller's scratch of qgemm_a_pack_bytes(a_pack_rows, taps, kc)
  // bytes, 64-byte aligned, and whether it already holds these rows packed
  // (a call with the same a, taps, kc and a_xor, and mr at least as large, packed
  // it: the row block's other column panels).
  uint8_t* a_pack = nullptr;
  bool a_packed = false;
};

// The packed A of a packing tile: each row's taps x ceil(kc / 4) groups of
// 4 bytes, rounded up to whole 64-byte blocks; rows that many bytes apart,
// and 64 bytes of slack after the last row (the packing's whole-vector
// stores).
inline size_t qgemm_a_pack_stride(size_t taps, size_t kc) { return (taps * ((kc + 3) / 4) * 4 + 63) / 64 * 64; }
inline size_t qgemm_a_pack_bytes(size_t rows, size_t taps, size_t kc) {
  return rows * qgemm_a_pack_stride(taps, kc) + 64;
}
using QGemmRowsFn = void (*)(const QGemmRowsArgs& args);

// One microkernel instance: name in the float tables' style,
// e.g. "qs8_gemm_rowptr_8x32c4__avx512vnni", tile MR x NR, k-group KR (4 for
// vpdpbusd / sdot, 2 for vpmaddwd, 1 for plain multiply-adds).
struct QGemmRowsKernel {
  const char* name = nullptr;
  QGemmRowsFn fn = nullptr;
  size_t mr = 0, nr = 0, kr = 1;
  // The same tile for evenly spaced rows (QGemmRowsArgs::a_step), or null.
  QGemmRowsFn step_fn = nullptr;
  // Rows of the A scratch the tile packs (QGemmRowsArgs::a_pack), 0 for
  // the tiles that read A through the row pointers directly.
  size_t a_pack_rows = 0;
  // Tiles with tile registers (AMX): prepare() on the calling thread before
  // its first call (loads the tile configuration), release() after its last
  // (frees the tile state), with no other use of the tile registers between;
  // null for the others.
  void (*prepare)() = nullptr;
  void (*release)() = nullptr;
};

// Channels-first pointwise GEMM (int8-pointwise-gemm-cols): rows are output
// channels, the vector lanes pixels, so an NCX output row is stored as it is
// computed and no tensor is transposed. Per group of 4 input channels g:
// acc[i][p] += sum_{k < 4} u(b[g][p][k]) * a[g][i][k]; the u8 operand is the
// input vector, the s8 one the broadcast weight word.
struct QGemmColsArgs {
  // Packed weights of an MR-row panel, [groups][MR][4] int8, zero past the
  // real rows and past kc.
  const int8_t* a = nullptr;
  // The interleaved input (QColsInterleaveFn): group g's NR pixels x 4
  // bytes at b + g * b_group_stride, u8 (S8 input flipped there). Readable
  // for NR pixels even where nr < NR.
  const uint8_t* b = nullptr;
  size_t b_group_stride = 0;
  size_t groups = 0;          // ceil(kc / 4)
  size_t mr = 0, nr = 0;      // real extent, mr <= MR, nr <= NR
  // Output tile: row i at (char*)c + i * ldc * element size, pixels
  // contiguous; elements of QEpilogue::type.
  void* c = nullptr;
  size_t ldc = 0;
  // Per ROW (output channel) here: bias and scale offset to the panel's row
  // 0, read for rows < mr only.
  QEpilogue epi;
};
using QGemmColsFn = void (*)(const QGemmColsArgs& args);

// The cols kernel's input: channels 4g .. 4g + 3 (`rows` <= 4 of them, rows
// `ld` bytes apart from `src`) of `pixels` pixels into `tiles` tiles of NR
// pixels x 4 bytes, tile t at dst + t * tile_bytes, XORed with `flip`.
// Bytes of missing rows and of pixels past `pixels` are written too, with
// values the kernel multiplies by zero weights or never stores.
// The `ahead` bytes after `pixels` in each row (the next chunk's pixels,
// 0: none) are prefetched into L1 for the next call, which reads them
// while a chunk's GEMM runs: a separate pass over the input read it at L3
// speed with the vector units idle.
using QColsInterleaveFn = void (*)(const uint8_t* src, size_t ld, size_t rows, size_t pixels, size_t tiles,
                                   size_t tile_bytes, uint8_t flip, uint8_t* dst, size_t ahead);

// e.g. "qs8_gemm_cols_14x32c4__avx512vnni": MR output channels x NR pixels.
struct QGemmColsKernel {
  const char* name = nullptr;
  QGemmColsFn fn = nullptr;
  size_t mr = 0, nr = 0;
  QColsInterleaveFn interleave = nullptr;
};

}  // namespace kernels
}  // namespace ndconv
