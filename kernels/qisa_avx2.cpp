// The int8 kernels' avx2 instance: AVX2 without VNNI, exact 16-bit widening
// (vpmaddwd), and the vpmaddubsw tiles for weights in [-64, 64].
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_avx2). The first tile is the table's; the others are the
// candidates it was measured against (bench_microkernel,
// docs/notes/int8-kernels.md), all tested; then the depthwise kernel
// (kernels/qdepthwise_x86.hpp, tested by tests/test_qdepthwise.cpp).
#define NDCONV_QKERNEL_NS qavx2
#include "kernels/qdepthwise_avx2.hpp"
#include "kernels/qpointwise_stream_avx2.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx2 {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_4x16c4__avx2", &qgemm_rowptr<Avx2Widening, 4, 2>, 4, 16, 4},
    {"qs8_gemm_rowptr_3x16c4__avx2", &qgemm_rowptr<Avx2Widening, 3, 2>, 3, 16, 4},
    {"qs8_gemm_rowptr_2x24c4__avx2", &qgemm_rowptr<Avx2Widening, 2, 3>, 2, 24, 4},
    {"qs8_gemm_rowptr_6x8c4__avx2", &qgemm_rowptr<Avx2Widening, 6, 1>, 6, 8, 4},
};
const QKernelTable table = {"avx2", tiles[0],
                            {"qdw_nxc_16c__avx2", &qdw_nxc<QdwYmm>, 16},
                            {"qps_nxc_8p__avx2", &qps_nxc<QpsYmm>, 8},
                            {"qgrouped_nxc_2v4p__avx2", &qg_nxc<QpsYmm, 2>, 8}};

// The vpmaddubsw tiles, for weights in [-64, 64] (Avx2Pairs): 16 ymm hold
// 12 accumulators, the broadcast, vpmaddubsw's product and the ones.
const QGemmRowsKernel pair_tiles[] = {
    {"qs8_gemm_rowptr_6x16c4__avx2_maddubsw", &qgemm_rowptr_tails<Avx2Pairs, 6, 2>, 6, 16, 4},
    {"qs8_gemm_rowptr_4x16c4__avx2_maddubsw", &qgemm_rowptr<Avx2Pairs, 4, 2>, 4, 16, 4},
    {"qs8_gemm_rowptr_4x24c4__avx2_maddubsw", &qgemm_rowptr<Avx2Pairs, 4, 3>, 4, 24, 4},
    {"qs8_gemm_rowptr_2x32c4__avx2_maddubsw", &qgemm_rowptr<Avx2Pairs, 2, 4>, 2, 32, 4},
};
const QKernelTable pairs_table = {"avx2-maddubsw", pair_tiles[0],
                                  {"qdw_nxc_16c__avx2", &qdw_nxc<QdwYmm>, 16},
                                  {"qps_nxc_8p__avx2", &qps_nxc<QpsYmm>, 8},
                                  {"qgrouped_nxc_2v4p__avx2", &qg_nxc<QpsYmm, 2>, 8},
                                  kWeightLimitPairs};
}  // namespace qavx2

const QKernelTable& qavx2_table() { return qavx2::table; }
QTileList qavx2_tiles() { return {qavx2::tiles, sizeof qavx2::tiles / sizeof qavx2::tiles[0]}; }
const QKernelTable& qavx2pairs_table() { return qavx2::pairs_table; }
QTileList qavx2pairs_tiles() { return {qavx2::pair_tiles, sizeof qavx2::pair_tiles / sizeof qavx2::pair_tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
