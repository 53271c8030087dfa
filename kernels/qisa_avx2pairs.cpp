// The int8 kernels' avx2-maddubsw instance: the vpmaddubsw tiles (Avx2Pairs)
// for plans whose weights all lie in [-64, 64] (kWeightLimitPairs;
// docs/notes/int8-maddubsw.md), compiled with the avx2 instance's flags
// (cmake/NdconvIsa.cmake: NDCONV_QFLAGS_avx2pairs). A TU of its own, apart
// from kernels/qisa_avx2.cpp, so that two cores build the two at once (under
// the sanitizers each takes minutes). The first tile is the table's; the
// others are the candidates (bench_microkernel), all tested. The depthwise,
// stream and grouped kernels are the widening table's (they take no
// weight-range shortcut).
#define NDCONV_QKERNEL_NS qavx2pairs
#include "kernels/qgemm_avx2.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx2pairs {
// 16 ymm hold 12 accumulators, the broadcast, vpmaddubsw's product and the ones.
const QGemmRowsKernel pair_tiles[] = {
    {"qs8_gemm_rowptr_6x16c4__avx2_maddubsw", &qgemm_rowptr_tails<Avx2Pairs, 6, 2>, 6, 16, 4},
    {"qs8_gemm_rowptr_4x16c4__avx2_maddubsw", &qgemm_rowptr<Avx2Pairs, 4, 2>, 4, 16, 4},
    {"qs8_gemm_rowptr_4x24c4__avx2_maddubsw", &qgemm_rowptr<Avx2Pairs, 4, 3>, 4, 24, 4},
    {"qs8_gemm_rowptr_2x32c4__avx2_maddubsw", &qgemm_rowptr<Avx2Pairs, 2, 4>, 2, 32, 4},
};
}  // namespace qavx2pairs

const QKernelTable& qavx2pairs_table() {
  static const QKernelTable table = pairs_variant(qavx2_table(), "avx2-maddubsw", qavx2pairs::pair_tiles[0]);
  return table;
}
QTileList qavx2pairs_tiles() {
  return {qavx2pairs::pair_tiles, sizeof qavx2pairs::pair_tiles / sizeof qavx2pairs::pair_tiles[0]};
}

}  // namespace kernels
}  // namespace ndconv
