// The narrow tail of a channels-last GEMM's N (output channels): the last
// F % NR columns, when they fit in one vector, run on a narrower microkernel
// from their own packing instead of padding a full NR panel (the n-gram GEMM
// and the text-CNN block).
#pragma once

#include <cstddef>

#include "api/conv_shape.h"
#include "gemm/weight_packing.h"
#include "kernels/kernel_table.h"

namespace ndconv {
namespace dispatch {

// Columns the narrow microkernel (KernelTable::gemm_rows_narrow) takes: the
// last F % NR when they fit in its one vector, else 0 (all panels full width).
size_t narrow_tail_columns(size_t columns, const kernels::KernelTable& table);

// Output channels [first, first + columns) of a groups-1 convolution.
struct NarrowTail {
  size_t columns = 0;  // 0: no tail
  size_t first = 0;    // the first tail column: the full-width panels end here
  kernels::GemmRowsKernel kernel;  // narrow (one vector) or dot (nr = 1)
  PackedWeights packed;            // column 0 is output channel `first`
};

// Chooses the tail of `shape`'s output channels, its kernel, and packs its
// weights (from any layout). False on allocation failure.
bool pack_narrow_tail(const ConvShape& shape, const kernels::KernelTable& table,
                      const float* weights, const float* bias, NarrowTail* tail);

}  // namespace dispatch
}  // namespace ndconv
