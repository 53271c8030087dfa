// The per-ISA function tables: the only door into kernels/ from the algorithms.
// Each ISA instance (kernels/isa_<name>.cpp, compiled with that ISA's flags)
// fills one table; dispatch picks the table at plan creation. This header is
// ISA-neutral: no intrinsics, no xsimd.
//
// Names. The table is ISA-neutral while tile shapes differ per ISA, so its
// GEMM fields are named by operand addressing and role, and each entry
// carries the name of the instance it holds, built at compile time per ISA.
//  - Field: gemm_<addressing>_<role>.
//    addressing: rowptr (channels-last: A rows through row pointers, weights
//      packed), rowstride (channels-last: one pointer per tap plus a row
//      stride), cols (channels-first: weights packed, B rows read in place at
//      a stride or through a row-offset table);
//    role: main (the ISA's main tile shape), alt[i] (the alternative shapes,
//      see dispatch::pick_rows_kernel), short_rows (the main tile with fewer
//      rows), one_vector (NR = one vector), few_rows (MR <= 4), dot (dot
//      products along K), small_k (whole reductions of a few floats).
//  - Entry name (the `name` member), in the style of XNNPACK's
//    f32_gemm_minmax_ukernel_14x32__avx512f:
//      f32_<family>_<addressing>[_<variant>]_<rows>x<cols>__<isa>
//    <rows>x<cols> is the register tile of one step: MR x NR floats for the
//    GEMMs (dot: MR rows x NC columns; small_k: rows x columns per B load),
//    pixels x channels (grouped_nxc), output channels x pixels (grouped_ncx).
//    E.g. on AVX-512: gemm_rowptr_main f32_gemm_rowptr_14x32__avx512,
//    gemm_rowptr_alt[0] f32_gemm_rowptr_8x48__avx512, gemm_rowstride_main
//    f32_gemm_rowstride_14x32__avx512, gemm_cols_few_rows
//    f32_gemm_cols_4x96__avx512, gemm_rowptr_dot f32_gemm_rowptr_dot_6x4__avx512.
//    Kernels/tile shapes: kernels/gemm_tiles.hpp; names: kernels/kernel_name.hpp.
//  - Enumeration: KernelTable::entries lists every entry by operand contract
//    (KernelEntries), so tests and bench_microkernel cover an entry added to
//    a list without being edited.
// The plan's reported kernel name (<algorithm>/<isa>, e.g. indirect-gemm/avx512)
// is the algorithm's, not these.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/gemm_args.h"
#include "kernels/gemm_candidates.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace kernels {

// Fused activation as a clamp: NONE skips it, RELU is [0, +inf), CLAMP is
// [act_min, act_max].
struct Activation {
  ndconv_activation kind = NDCONV_ACT_NONE;
  float min = 0.0f;
  float max = 0.0f;
};

// y[r * ld + c] = act(y[r * ld + c] + bias) for r < rows, c < cols, where the
// bias is bias[c] (per_column) or bias[r] (per row), or absent (bias NULL).
// The epilogue of every output that is not produced by a fused microkernel.
using BiasActFn = void (*)(float* y, size_t rows, size_t cols, ptrdiff_t ld,
                           const float* bias, bool bias_per_column,
                           const Activation& act);

// ---- Depthwise convolution (kernels/depthwise.hpp) ----------------------
// groups == C_in, multiplier M = C_out / C_in: output channel o reads input
// channel o / M. The spatial dims are seen as rows over the last dim ("width");
// dispatch walks the outer dims and hands the kernel one output row at a time
// with the list of input rows its valid outer taps read (padding rows are
// simply absent), and the kernel handles the width dim: per output pixel only
// the taps inside the input are read, so no byte outside the input is touched.

// Constant for a plan.
struct DepthwiseParams {
  size_t in_channels = 0, out_channels = 0, multiplier = 1;
  size_t in_width = 0, out_width = 0;     // extent of the last spatial dim
  size_t kernel_w = 1, stride_w = 1, dilation_w = 1, pad_w = 0;  // pad_w: pad_begin of the last dim
  size_t in_plane = 0, out_plane = 0;     // NCX: floats per channel plane (in, out)
  // Packed weights, bias first (zero when absent):
  //  NXC: [1 + taps][packed_stride], packed_stride = C_out rounded up to the
  //       vector width, zero filled: row 0 the bias, row 1 + t tap t.
  //  NCX: [C_out][packed_stride], packed_stride = 1 + taps: bias, then taps.
  // Taps are numbered row-major over the kernel dims (the last dim fastest).
  const float* packed = nullptr;
  size_t packed_stride = 0;
  Activation act;
  // NXC, 3 taps along the row, stride 1: prefetch this many output pixels
  // ahead (0: none); Tuning::depthwise_nxc_prefetch_pixels.
  size_t prefetch_pixels = 0;
};

// One output row (all output pixels along the last dim) for a channel range.
struct DepthwiseRow {
  const float* input = nullptr;         // this batch item's input tensor
  // The valid outer taps of this row: offset (floats) of the input row each
  // reads, measured from `input` (NCX: from the channel plane), and the index
  // of its first tap (kx = 0) in the packed weights.
  const ptrdiff_t* row_offset = nullptr;
  const uint32_t* row_tap = nullptr;
  size_t rows = 0;
  // NXC: the output row (pixel 0, channel 0); NCX: the row in channel 0's
  // plane (channel o's is at + o * out_plane).
  float* output = nullptr;
  // Output channels [begin, end); NXC: begin is a multiple of the vector width.
  size_t channel_begin = 0, channel_end = 0;
  // first: start from the bias (else accumulate onto the output, for rows
  // whose taps come in several calls); last: apply the activation.
  bool first = true, last = true;
};

using DepthwiseRowFn = void (*)(const DepthwiseParams& params, const DepthwiseRow& row);
// ---- end depthwise --------------------------------------------------------

using CopyPanelFn = void (*)(const float* src, ptrdiff_t ld, size_t kc, size_t nr, size_t NR,
                             float* dst);
// dst[j * dst_stride + i] = src[i * src_stride + j] for i < rows, j < cols
// (kernels/transpose.hpp): bytes (the int8 plans' channels-first input and
// U8/S8 output) and any 4-byte elements, copied bit for bit (floats, the
// int8 plans' int32 and float output).
using TransposeBytesFn = void (*)(const uint8_t* src, size_t src_stride, uint8_t* dst, size_t dst_stride,
                                  size_t rows, size_t cols);
using TransposeWordsFn = void (*)(const void* src, size_t src_stride, void* dst, size_t dst_stride,
                                  size_t rows, size_t cols);

// ---- Grouped convolution, few channels per group (kernels/grouped.hpp) ----
// Channels-last, C_in/G == C_out/G == C (2 or 4): `pixels` output pixels x
// `lanes` output channels from channel `channel` on, all kernel taps.
struct GroupedNxcArgs {
  // [taps][P] pointers to channel 0 of the input pixel each tap reads (a zero
  // row of C_in floats for padding); P = the kernel's pixel count, rows past
  // `pixels` repeat the last real one.
  const float* const* rows = nullptr;
  size_t taps = 0;
  size_t channel = 0;   // first output (= input) channel, a multiple of the vector width
  size_t lanes = 0;     // channels in this block (<= the kernel's lanes), a multiple of C
  // Packed: row 0 the bias, then per tap C rows; row (t, r) holds, for output
  // channel o = g*C + co, w[o][(co + r) % C][t]. Rows of weight_stride floats
  // (C_out rounded up to the vector width, zero filled).
  const float* weights = nullptr;
  size_t weight_stride = 0;
  float* out = nullptr;  // pixel 0, channel 0 of the output block
  size_t ldo = 0;        // floats between output pixels (C_out)
  size_t pixels = 0;
  // The activation: y = min(max(y, lo), hi), always applied (-inf, +inf
  // without one: two cheap ops per stored vector, and no branch).
  float lo = 0.0f, hi = 0.0f;
};
using GroupedNxcFn = void (*)(const GroupedNxcArgs& args);
struct GroupedNxcKernel {
  const char* name = nullptr;
  GroupedNxcFn c2 = nullptr, c4 = nullptr;  // nullptr (and name) where the ISA has none
  size_t pixels = 0, lanes = 0;
};
// ---- end grouped ------------------------------------------------------------

// ---- Channels-first im2col panel packing (kernels/panel_pack.hpp) --------
// One run of a panel row: `len` floats from column j: `lead` zeros, `count`
// input floats from channel + src at the given stride, zeros to the end.
struct PanelRun {
  size_t j = 0, lead = 0, count = 0, len = 0;
  ptrdiff_t src = 0;  // meaningful when count > 0
};
// Row c (c < channels) of dst (at dst + c * ld_dst) from input + c * plane.
struct PanelPackArgs {
  float* dst = nullptr;
  size_t ld_dst = 0;
  const float* input = nullptr;
  size_t plane = 0;
  size_t channels = 0;
  const PanelRun* runs = nullptr;
  size_t run_count = 0;
  ptrdiff_t stride = 1;
};
using PanelPackFn = void (*)(const PanelPackArgs& args);
// ---- end panel packing -------------------------------------------------------

// ---- Grouped convolution, few output channels per group, channels-first ----
// (kernels/grouped_ncx.hpp) One output line of one group: `width` pixels of
// out_channels (<= the kernel's out_channels) output channels.
struct GroupedNcxArgs {
  // The input lines this output line reads (the valid taps of the outer
  // kernel dims; lines of padding are absent): line[l] points to input
  // channel 0's copy of the line, channel ci's at + ci * channel_stride. A
  // copy is zero-padded and split by stride phase so that output pixel x of
  // inner tap kx reads line[l][tap_offset[kx] + x], for every x < width.
  const float* const* line = nullptr;
  const uint32_t* line_tap = nullptr;  // kernel tap of line l's kx = 0 (row-major tap index)
  size_t lines = 0;
  size_t in_channels = 0;  // input channels per group
  size_t channel_stride = 0;
  const ptrdiff_t* tap_offset = nullptr;
  size_t kernel_w = 0;     // inner kernel extent (entries of tap_offset)
  size_t taps = 0;         // all kernel taps
  // [in_channels][taps][kernel out_channels]: weight of (input channel,
  // tap, output channel), zero for output channels past out_channels.
  const float* weights = nullptr;
  const float* bias = nullptr;  // kernel out_channels floats (zeros without a bias)
  float* out = nullptr;         // output channel 0's line; channel co's at + co * out_plane
  size_t out_plane = 0;
  size_t out_channels = 0;
  size_t width = 0;
  // The activation: y = min(max(y, lo), hi), always applied (+-inf without one).
  float lo = 0.0f, hi = 0.0f;
};
using GroupedNcxFn = void (*)(const GroupedNcxArgs& args);
struct GroupedNcxKernel {
  const char* name = nullptr;
  GroupedNcxFn fn = nullptr;
  size_t out_channels = 0;  // output channels per call (weights padded to this)
};
// ---- end grouped channels-first -----------------------------------------------

// A read-only run of a table's entries (KernelEntries).
template <class Kernel>
struct KernelList {
  const Kernel* data = nullptr;
  size_t size = 0;
  const Kernel* begin() const { return data; }
  const Kernel* end() const { return data + size; }
};

// Every GEMM and grouped entry of a table, once per instance, grouped by the
// operand contract it obeys (what one test checks and one benchmark calls);
// each list says which fields it holds.
struct KernelEntries {
  // GemmRowsArgs with packed panels: gemm_rowptr_main, gemm_rowptr_alt[0],
  // gemm_rowptr_alt[1], gemm_rowptr_one_vector.
  KernelList<GemmRowsKernel> gemm_rowptr_tiles;
  // gemm_rowptr_short_rows as kernels: entry r - 1 is the main tile with MR = r.
  KernelList<GemmRowsKernel> gemm_rowptr_short_tiles;
  KernelList<GemmRowsKernel> gemm_rowptr_dot_tiles;       // one column per panel (NR = 1)
  KernelList<GemmRowsSmallK> gemm_rowptr_small_k_tiles;
  KernelList<GemmRowsStridedKernel> gemm_rowstride_tiles;  // gemm_rowstride_main, _one_vector
  // gemm_cols_main, gemm_cols_alt[0], gemm_cols_alt[1], gemm_cols_few_rows.
  KernelList<GemmColsKernel> gemm_cols_tiles;
  KernelList<GroupedNxcKernel> grouped_nxc_tiles;        // empty where the ISA has none
  KernelList<GroupedNcxKernel> grouped_ncx_tiles;
};

struct KernelTable {
  ndconv_isa isa;
  size_t vector_floats;  // floats per SIMD register (1 for scalar)
  BiasActFn bias_act;
  // GEMM microkernels (kernels/gemm.hpp): channels-last rows x packed weights,
  // and packed weights x channels-first rows; the ISA's main tile shape.
  GemmRowsKernel gemm_rowptr_main;
  GemmColsKernel gemm_cols_main;
  // The same with the ISA's alternative tile shapes (see gemm_tiles): use
  // dispatch::pick_rows_kernel / pick_cols_kernel to choose per problem.
  GemmRowsKernel gemm_rowptr_alt[2];
  GemmColsKernel gemm_cols_alt[2];
  // dst[k * NR + j] = src[k * ld + j] for k < kc, j < nr (kernels/pack.hpp):
  // a channels-first B panel made contiguous for gemm_cols_*.
  CopyPanelFn copy_panel;
  // Depthwise (kernels/depthwise.hpp): one output row, NXC / NCX.
  DepthwiseRowFn depthwise_nxc_row;
  DepthwiseRowFn depthwise_ncx_row;
  // Row pointers with one vector of columns (NR = vector_floats): the last
  // panel when the columns left over are at most one vector (e.g. 100
  // filters = 3 x 32 + 4 on AVX-512), so no whole vector of zeros is computed.
  GemmRowsKernel gemm_rowptr_one_vector;

  // Grouped, few channels per group, channels-last (kernels/grouped.hpp).
  GroupedNxcKernel grouped_nxc;
  // Channels-first with few rows (MR <= 4, wide NR), for few output channels per group.
  GemmColsKernel gemm_cols_few_rows;
  // Channels-first im2col panel rows of one kernel tap (kernels/panel_pack.hpp).
  PanelPackFn pack_panel_rows;
  // Row pointers for reductions of at most kMaxSmallK floats (kernels/gemm_small_k.hpp).
  GemmRowsSmallK gemm_rowptr_small_k;
  // gemm_rowptr_main's NR with fewer rows: entry r - 1 computes r rows
  // (r < gemm_rowptr_main.mr), reading the same packed weights. For a
  // problem's last M block (see GemmRowsKernel::short_rows).
  const GemmRowsFn* gemm_rowptr_short_rows;
  // Row pointers for a few columns by dot products along K (kernels/gemm.hpp
  // gemm_rows_dot): nr = 1, weights packed one column per panel.
  GemmRowsKernel gemm_rowptr_dot;
  // Grouped, few output channels per group, channels-first: one output line
  // vectorized across pixels (kernels/grouped_ncx.hpp).
  GroupedNcxKernel grouped_ncx;
  // Evenly spaced rows (one pointer per tap and a row stride), main tile
  // shape: the indirect convolution's M blocks inside an output line.
  GemmRowsStridedKernel gemm_rowstride_main;
  // The same for gemm_rowptr_one_vector's tile: groups whose output channels
  // fit one vector (a few groups of 12-16 channels).
  GemmRowsStridedKernel gemm_rowstride_one_vector;
  // One vector of columns over k pairs (AVX-512; null elsewhere): groups of
  // 16 output channels whose weights are packed in k pairs (see
  // GemmKPairKernels).
  GemmKPairKernels gemm_kpair;

  // The entries above by contract, for tests and benchmarks.
  KernelEntries entries;
  // Alternative formulations and tiles (kernels/gemm_unrolled.hpp) that the
  // planner does not choose yet: for per-CPU tuning and measuring.
  const GemmCandidates* gemm_candidates;
  // A channels-first tile wider than the alternatives (AVX-512: the lean
  // 6 x 64), null in the ISA's own table: the tuned table sets it where
  // Tuning::gemm_cols_wide asks, and pick_cols_kernel weighs it.
  GemmColsKernel gemm_cols_wide;
  // The same for channels-last (AVX-512: the lean 6 x 64 rows tile and its
  // strided twin, one MR), where Tuning::gemm_rows_wide asks; the pointwise
  // algorithm's pick_channels_last_kernel and indirect-gemm's use_wide_pair
  // weigh them.
  GemmRowsKernel gemm_rowptr_wide;
  GemmRowsStridedKernel gemm_rowstride_wide;
  // Transposition in register tiles (kernels/transpose.hpp): the
  // channels-first <-> channels-last copies of addressing/channel_transpose.h.
  TransposeBytesFn transpose_bytes;
  TransposeWordsFn transpose_words;
};

// Defined by the ISA instances this build contains (see cmake/NdconvIsa.cmake).
const KernelTable& scalar_kernel_table();
#if defined(NDCONV_HAVE_AVX2)
const KernelTable& avx2_kernel_table();
#endif
#if defined(NDCONV_HAVE_AVX512)
const KernelTable& avx512_kernel_table();
#endif
#if defined(NDCONV_HAVE_NEON)
const KernelTable& neon_kernel_table();
#endif

// The table for a concrete ISA of this build, or nullptr (AUTO, or an ISA this
// build does not contain). Does not check that the CPU supports it.
const KernelTable* kernel_table_for(ndconv_isa isa);

}  // namespace kernels
}  // namespace ndconv
