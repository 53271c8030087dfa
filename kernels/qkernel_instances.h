// The int8 kernel tables each kernels/qisa_<variant>.cpp defines (the rest
// of the library asks qkernel_table()), and every tile an instance compiles:
// the table's choice and the candidates it was measured against
// (bench_microkernel), all of them tested (tests/test_qgemm_kernels.cpp).
#pragma once

#include <cstddef>

#include "kernels/qkernel_table.h"

namespace ndconv {
namespace kernels {

struct QTileList {
  const QGemmRowsKernel* tiles = nullptr;
  size_t count = 0;
  const QGemmRowsKernel* begin() const { return tiles; }
  const QGemmRowsKernel* end() const { return tiles + count; }
};

// The tiles of the instance `table` belongs to (empty for an unknown table).
QTileList qkernel_tiles(const QKernelTable* table);

// A widening table's vpmaddubsw sibling: `tile` for its GEMM, weights limited
// to [-64, 64], the widening table's other kernels.
inline QKernelTable pairs_variant(const QKernelTable& widening, const char* variant, const QGemmRowsKernel& tile) {
  QKernelTable t = widening;
  t.variant = variant;
  t.gemm_rows = tile;
  t.weight_limit = kWeightLimitPairs;
  return t;
}

const QKernelTable& qscalar_table();
QTileList qscalar_tiles();
#if defined(NDCONV_HAVE_Q_AVX2)
const QKernelTable& qavx2_table();
QTileList qavx2_tiles();
const QKernelTable& qavx2pairs_table();
QTileList qavx2pairs_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVX512)
const QKernelTable& qavx512_table();
QTileList qavx512_tiles();
const QKernelTable& qavx512pairs_table();
QTileList qavx512pairs_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVXVNNI)
const QKernelTable& qavx2vnni_table();
QTileList qavx2vnni_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVX512VNNI)
const QKernelTable& qavx512vnni_table();
QTileList qavx512vnni_tiles();
#endif
#if defined(NDCONV_HAVE_Q_AVX512AMX)
const QKernelTable& qavx512amx_table();
QTileList qavx512amx_tiles();
#endif
#if defined(NDCONV_HAVE_Q_NEON)
const QKernelTable& qneon_table();
QTileList qneon_tiles();
#endif
#if defined(NDCONV_HAVE_Q_NEONDOT)
const QKernelTable& qneondot_table();
QTileList qneondot_tiles();
#endif

}  // namespace kernels
}  // namespace ndconv
