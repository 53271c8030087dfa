// Alternative GEMM microkernels per ISA that the planner does not choose (yet):
// the lean-k-loop formulations of kernels/gemm_unrolled.hpp, under the
// operand contracts of gemm_args.h, for a per-CPU tuning module (or a
// measure mode) to pick from. ISA-neutral, like kernel_table.h.
#pragma once

#include <cstddef>

#include "kernels/gemm_args.h"

namespace ndconv {
namespace kernels {

// One candidate: a name that says the addressing, tile and k unrolling
// (e.g. "rows-lean/12x32/u2"), and the kernel with its tile shape. The
// packed weights are those of any kernel with the same NR (MR is free).
struct GemmRowsCandidate {
  const char* name;
  // kernel.short_rows: nullptr (args.mr < MR computes MR rows, the last
  // repeated) or the tile with fewer rows (rows-lean/6x64/u4).
  GemmRowsKernel kernel;
};
struct GemmRowsStridedCandidate {
  const char* name;
  GemmRowsStridedKernel kernel;
};
struct GemmColsCandidate {
  const char* name;
  GemmColsKernel kernel;
};

struct GemmCandidates {
  const GemmRowsCandidate* rows = nullptr;
  size_t rows_count = 0;
  const GemmRowsStridedCandidate* strided = nullptr;
  size_t strided_count = 0;
  const GemmColsCandidate* cols = nullptr;
  size_t cols_count = 0;
};

}  // namespace kernels
}  // namespace ndconv
