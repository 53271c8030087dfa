// The int8 kernels' avx512-maddubsw instance: the vpmaddubsw tiles (Avx512Pairs)
// for plans whose weights all lie in [-64, 64] (kWeightLimitPairs;
// docs/notes/int8-maddubsw.md), compiled with the avx512 instance's flags
// (cmake/NdconvIsa.cmake: NDCONV_QFLAGS_avx512pairs). A TU of its own, apart
// from kernels/qisa_avx512.cpp, so that two cores build the two at once (under
// the sanitizers each takes minutes). The first tile is the table's; the
// others are the candidates (bench_microkernel), all tested. The depthwise,
// stream and grouped kernels are the widening table's (they take no
// weight-range shortcut).
#define NDCONV_QKERNEL_NS qavx512pairs
#include "kernels/qgemm_avx512.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx512pairs {
const QGemmRowsKernel pair_tiles[] = {
    {"qs8_gemm_rowptr_8x32c4__avx512_maddubsw", &qgemm_rowptr_tails<Avx512Pairs, 8, 2>, 8, 32, 4},
    {"qs8_gemm_rowptr_12x32c4__avx512_maddubsw", &qgemm_rowptr_tails<Avx512Pairs, 12, 2>, 12, 32, 4},
    {"qs8_gemm_rowptr_6x48c4__avx512_maddubsw", &qgemm_rowptr<Avx512Pairs, 6, 3>, 6, 48, 4},
    {"qs8_gemm_rowptr_16x16c4__avx512_maddubsw", &qgemm_rowptr_tails<Avx512Pairs, 16, 1>, 16, 16, 4},
};
}  // namespace qavx512pairs

const QKernelTable& qavx512pairs_table() {
  static const QKernelTable table = pairs_variant(qavx512_table(), "avx512-maddubsw", qavx512pairs::pair_tiles[0]);
  return table;
}
QTileList qavx512pairs_tiles() {
  return {qavx512pairs::pair_tiles, sizeof qavx512pairs::pair_tiles / sizeof qavx512pairs::pair_tiles[0]};
}

}  // namespace kernels
}  // namespace ndconv
