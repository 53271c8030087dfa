#include "gemm/narrow_tail.h"

namespace ndconv {
namespace dispatch {

size_t narrow_tail_columns(size_t columns, const kernels::KernelTable& table) {
  const size_t tail = columns % table.gemm_rows.nr;
  return tail <= table.gemm_rows_narrow.nr ? tail : 0;
}

bool pack_narrow_tail(const ConvShape& shape, const kernels::KernelTable& table,
                      const float* weights, const float* bias, NarrowTail* tail) {
  const size_t cout = static_cast<size_t>(shape.out_channels);
  tail->columns = narrow_tail_columns(cout, table);
  tail->first = cout - tail->columns;
  // Up to half a vector of columns: dot products along K (each FMA W useful
  // products instead of the tail's few; text_kim_batch, 4 columns past 3 x
  // 32, see the commit); more: the one-vector broadcast kernel.
  tail->kernel = table.gemm_rows_dot.fn && 2 * tail->columns <= table.gemm_rows_narrow.nr
                     ? table.gemm_rows_dot
                     : table.gemm_rows_narrow;
  return tail->columns == 0 || tail->packed.pack_channel_range(shape, weights, bias, tail->first,
                                                               tail->columns, tail->kernel.nr);
}

}  // namespace dispatch
}  // namespace ndconv
