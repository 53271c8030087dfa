#include "kernels/qkernel_table.h"

#include "kernels/qkernel_instances.h"
#include "plan/cpu_features.h"

namespace ndconv {
namespace kernels {
// A level's table needs the level's CPU support; its dot-product table also
// the dot-product feature (and a compiler that could build it).
const QKernelTable* qkernel_table(ndconv_isa isa, bool dot_product) {
  const dispatch::CpuFeatures& f = dispatch::cpu_features();
  (void)f;
  (void)dot_product;
  switch (isa) {
    case NDCONV_ISA_SCALAR: return &qscalar_table();
#if defined(NDCONV_HAVE_Q_AVX2)
    case NDCONV_ISA_AVX2:
      if (!f.avx2_fma) return nullptr;
#  if defined(NDCONV_HAVE_Q_AVXVNNI)
      if (dot_product && f.avx_vnni) return &qavx2vnni_table();
#  endif
      return &qavx2_table();
#endif
#if defined(NDCONV_HAVE_Q_AVX512)
    case NDCONV_ISA_AVX512:
      if (!f.avx512) return nullptr;
#  if defined(NDCONV_HAVE_Q_AVX512VNNI)
      if (dot_product && f.avx512_vnni) return &qavx512vnni_table();
#  endif
      return &qavx512_table();
#endif
#if defined(NDCONV_HAVE_Q_NEON)
    case NDCONV_ISA_NEON:
      if (!f.neon) return nullptr;
#  if defined(NDCONV_HAVE_Q_NEONDOT)
      if (dot_product && f.neon_dot) return &qneondot_table();
#  endif
      return &qneon_table();
#endif
    default: return nullptr;
  }
}

}  // namespace kernels
}  // namespace ndconv
