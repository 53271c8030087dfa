// Copying a channels-first B panel (kc input rows x nr pixels) into the
// contiguous [kc][NR] layout the gemm_cols microkernel reads: full-width
// vector loads and stores, masked on the row tail so no byte past a row's nr
// floats is read.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch>
void copy_panel(const float* src, ptrdiff_t ld, size_t kc, size_t nr, size_t NR, float* dst) {
  using S = simd<Arch>;
  constexpr size_t W = S::width;
  const size_t full = nr / W * W;
  for (size_t k = 0; k < kc; ++k, src += ld, dst += NR) {
    size_t j = 0;
    for (; j < full; j += W) S::store(dst + j, S::load(src + j));
    if (j < nr) S::store_partial(dst + j, S::load_partial(src + j, nr - j), nr - j);
  }
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
