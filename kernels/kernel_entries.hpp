// The enumeration of one ISA's table (KernelTable::entries): static arrays of
// the same named instances the table's fields hold.
#pragma once

#include <utility>  // std::index_sequence (compile time only)

#include "kernels/gemm_small_k.hpp"
#include "kernels/gemm_tiles.hpp"
#include "kernels/grouped.hpp"
#include "kernels/grouped_ncx.hpp"
#include "kernels/kernel_table.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Kernel, size_t N>
KernelList<Kernel> kernel_list(const Kernel (&entries)[N]) {
  return {entries, N};
}

// The distinct instances of `entries`, compacted to its front: two roles may
// share a shape (scalar: gemm_cols_alt[0] and gemm_cols_few_rows, 2 x 8).
template <class Kernel, size_t N>
KernelList<Kernel> distinct_list(Kernel (&entries)[N]) {
  size_t count = 0;
  for (size_t i = 0; i < N; ++i) {
    bool seen = false;
    for (size_t j = 0; j < count; ++j) seen = seen || entries[j].fn == entries[i].fn;
    if (!seen) entries[count++] = entries[i];
  }
  return {entries, count};
}

template <class Arch, size_t... RowsLess1>
KernelList<GemmRowsKernel> gemm_rowptr_short_rows_list(std::index_sequence<RowsLess1...>) {
  static const GemmRowsKernel kernels[] = {
      gemm_rowptr_kernel<Arch, RowsLess1 + 1, gemm_tiles<Arch>::main.nrv>()...};
  return kernel_list(kernels);
}

template <class Arch>
KernelEntries kernel_entries() {
  using C = gemm_tiles<Arch>;
  static GemmRowsKernel rowptr[] = {
      gemm_rowptr_kernel<Arch, C::main.mr, C::main.nrv>(),
      gemm_rowptr_kernel<Arch, C::alt[0].mr, C::alt[0].nrv>(),
      gemm_rowptr_kernel<Arch, C::alt[1].mr, C::alt[1].nrv>(),
      gemm_rowptr_kernel<Arch, C::one_vector.mr, C::one_vector.nrv>(),
  };
  static const GemmRowsKernel rowptr_dot[] = {gemm_rowptr_dot_kernel<Arch>()};
  static const GemmRowsSmallK rowptr_small_k[] = {gemm_rowptr_small_k_kernel<Arch>()};
  static GemmRowsStridedKernel rowstride[] = {
      gemm_rowstride_kernel<Arch, C::main.mr, C::main.nrv>(),
      gemm_rowstride_kernel<Arch, C::one_vector.mr, C::one_vector.nrv>(),
  };
  static GemmColsKernel cols[] = {
      gemm_cols_kernel<Arch, C::main.mr, C::main.nrv>(),
      gemm_cols_kernel<Arch, C::alt[0].mr, C::alt[0].nrv>(),
      gemm_cols_kernel<Arch, C::alt[1].mr, C::alt[1].nrv>(),
      gemm_cols_kernel<Arch, C::cols_few_rows.mr, C::cols_few_rows.nrv>(),
  };
  static const GroupedNxcKernel grouped_nxc[] = {grouped_nxc_kernel<Arch>()};
  static const GroupedNcxKernel grouped_ncx[] = {grouped_ncx_kernel<Arch>()};
  KernelEntries e;
  e.gemm_rowptr_tiles = distinct_list(rowptr);
  e.gemm_rowptr_short_tiles = gemm_rowptr_short_rows_list<Arch>(std::make_index_sequence<C::main.mr - 1>());
  e.gemm_rowptr_dot_tiles = kernel_list(rowptr_dot);
  e.gemm_rowptr_small_k_tiles = kernel_list(rowptr_small_k);
  e.gemm_rowstride_tiles = distinct_list(rowstride);
  e.gemm_cols_tiles = distinct_list(cols);
  e.grouped_nxc_tiles = {grouped_nxc, grouped_nxc[0].c2 ? 1u : 0u};
  e.grouped_ncx_tiles = kernel_list(grouped_ncx);
  return e;
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
