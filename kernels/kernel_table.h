// The per-ISA function tables: the only door from dispatch/ into kernels/.
// Each ISA instance (kernels/isa_<name>.cpp, compiled with that ISA's flags)
// fills one table; dispatch picks the table at plan creation. This header is
// ISA-neutral: no intrinsics, no xsimd.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/gemm_args.h"
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
  GroupedNxcFn c2 = nullptr, c4 = nullptr;  // nullptr where the ISA has none
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

struct KernelTable {
  ndconv_isa isa;
  size_t vector_floats;  // floats per SIMD register (1 for scalar)
  BiasActFn bias_act;
  // GEMM microkernels (kernels/gemm.hpp): channels-last rows x packed weights,
  // and packed weights x channels-first rows.
  GemmRowsKernel gemm_rows;
  GemmColsKernel gemm_cols;
  // Grouped, few channels per group, channels-last (kernels/grouped.hpp).
  GroupedNxcKernel grouped_nxc;
  // gemm_cols with few rows (MR <= 4, wide NR), for few output channels per group.
  GemmColsKernel gemm_cols_narrow;
  // Channels-first im2col panel rows of one kernel tap (kernels/panel_pack.hpp).
  PanelPackFn pack_panel_rows;
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
