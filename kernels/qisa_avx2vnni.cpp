// The int8 kernels' avx2-vnni instance: AVX-VNNI on the AVX2 level, VEX vpdpbusd ymm.
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_avx2vnni). The first tile is the table's; the others are the
// candidates it was measured against (bench_microkernel,
// docs/notes/int8-kernels.md), all tested; then the depthwise kernel
// (kernels/qdepthwise_x86.hpp, tested by tests/test_qdepthwise.cpp).
#define NDCONV_QKERNEL_NS qavx2vnni
#include "kernels/qdepthwise_avx2.hpp"
#include "kernels/qpointwise_stream_avx2.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx2vnni {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_6x16c4__avxvnni", &qgemm_rowptr<Avx2Vnni, 6, 2>, 6, 16, 4},
    {"qs8_gemm_rowptr_4x24c4__avxvnni", &qgemm_rowptr<Avx2Vnni, 4, 3>, 4, 24, 4},
    {"qs8_gemm_rowptr_4x16c4__avxvnni", &qgemm_rowptr<Avx2Vnni, 4, 2>, 4, 16, 4},
    {"qs8_gemm_rowptr_2x32c4__avxvnni", &qgemm_rowptr<Avx2Vnni, 2, 4>, 2, 32, 4},
};
const QKernelTable table = {"avx2-vnni", tiles[0],
                            {"qdw_nxc_32c4_16c__avx2vnni", &qdw_nxc<QdwYmm>, 16, QdwYmm::quad_block,
                             QdwYmm::slide_overlap_last},
                            {"qps_nxc_8p__avx2vnni", &qps_nxc<QpsYmm>, 8},
                            {"qgrouped_nxc_2v4p__avx2vnni", &qg_nxc<QpsYmm, 2>, 8},
                            QGemmColsKernel{}};  // channels-first pointwise: the transposed GEMM
}  // namespace qavx2vnni

const QKernelTable& qavx2vnni_table() { return qavx2vnni::table; }
QTileList qavx2vnni_tiles() { return {qavx2vnni::tiles, sizeof qavx2vnni::tiles / sizeof qavx2vnni::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
