#include "kernels/kernel_table.h"

namespace ndconv {
namespace kernels {

const KernelTable* kernel_table_for(ndconv_isa isa) {
  switch (isa) {
    case NDCONV_ISA_SCALAR: return &scalar_kernel_table();
#if defined(NDCONV_HAVE_AVX2)
    case NDCONV_ISA_AVX2: return &avx2_kernel_table();
#endif
#if defined(NDCONV_HAVE_AVX512)
    case NDCONV_ISA_AVX512: return &avx512_kernel_table();
#endif
#if defined(NDCONV_HAVE_NEON)
    case NDCONV_ISA_NEON: return &neon_kernel_table();
#endif
    default: return nullptr;
  }
}

}  // namespace kernels
}  // namespace ndconv
