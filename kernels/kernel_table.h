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

struct KernelTable {
  ndconv_isa isa;
  size_t vector_floats;  // floats per SIMD register (1 for scalar)
  BiasActFn bias_act;
  // GEMM microkernels (kernels/gemm.hpp): channels-last rows x packed weights,
  // and packed weights x channels-first rows.
  GemmRowsKernel gemm_rows;
  GemmColsKernel gemm_cols;
  // gemm_rows with one vector of columns (NR = vector_floats): the last
  // panel when the columns left over are at most one vector (e.g. 100
  // filters = 3 x 32 + 4 on AVX-512), so no whole vector of zeros is computed.
  GemmRowsKernel gemm_rows_narrow;
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
