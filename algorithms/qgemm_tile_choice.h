// Which int8 kernel table and rows tile a GEMM plan of algorithms/
// qconv_gemm.cpp runs: the vpmaddubsw tables where the weights allow them,
// the tile for the outputs per group and the core (Tuning::qgemm_rows_tile_mr).
#pragma once

#include <cstdint>

#include "kernels/qkernel_table.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

// The rows tile of `table` for ocg outputs per group; narrow_ok: a
// pointwise GEMM, which may take a narrower or a wider tile than the main.
// rows_tile_mr: QPlanInputs::rows_tile_mr.
kernels::QGemmRowsKernel rows_kernel(const kernels::QKernelTable& table, int64_t ocg, bool narrow_ok,
                                     int rows_tile_mr);

// `in` with its table replaced by the table's vpmaddubsw sibling when every
// weight lies within that sibling's weight_limit.
QPlanInputs with_gemm_table(const QPlanInputs& in);

}  // namespace dispatch
}  // namespace ndconv
