// The int8 kernels' avx2 instance: AVX2 without VNNI, exact 16-bit widening
// (vpmaddwd); the vpmaddubsw tiles are kernels/qisa_avx2pairs.cpp.
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
                            {"qgrouped_nxc_2v4p__avx2", &qg_nxc<QpsYmm, 2>, 8},
                            QGemmColsKernel{}};  // channels-first pointwise: the transposed GEMM
}  // namespace qavx2

const QKernelTable& qavx2_table() { return qavx2::table; }
QTileList qavx2_tiles() { return {qavx2::tiles, sizeof qavx2::tiles / sizeof qavx2::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
