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

const QKernelTable* qkernel_pairs_table(const QKernelTable* table) {
  (void)table;
#if defined(NDCONV_HAVE_Q_AVX2)
  if (table == &qavx2_table()) return &qavx2pairs_table();
#endif
#if defined(NDCONV_HAVE_Q_AVX512)
  if (table == &qavx512_table()) return &qavx512pairs_table();
#endif
  return nullptr;
}

const QKernelTable* qkernel_amx_table(const QKernelTable* table) {
  (void)table;
#if defined(NDCONV_HAVE_Q_AVX512AMX)
  if (table == &qavx512vnni_table() && dispatch::cpu_features().amx_int8) return &qavx512amx_table();
#endif
  return nullptr;
}

QTileList qkernel_tiles(const QKernelTable* table) {
  if (table == &qscalar_table()) return qscalar_tiles();
#if defined(NDCONV_HAVE_Q_AVX2)
  if (table == &qavx2_table()) return qavx2_tiles();
  if (table == &qavx2pairs_table()) return qavx2pairs_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVXVNNI)
  if (table == &qavx2vnni_table()) return qavx2vnni_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVX512)
  if (table == &qavx512_table()) return qavx512_tiles();
  if (table == &qavx512pairs_table()) return qavx512pairs_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVX512VNNI)
  if (table == &qavx512vnni_table()) return qavx512vnni_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVX512AMX)
  if (table == &qavx512amx_table()) return qavx512amx_tiles();
#endif
#if defined(NDCONV_HAVE_Q_NEON)
  if (table == &qneon_table()) return qneon_tiles();
#endif
#if defined(NDCONV_HAVE_Q_NEONDOT)
  if (table == &qneondot_table()) return qneondot_tiles();
#endif
  return {};
}

}  // namespace kernels
}  // namespace ndconv
