// The int8 kernels' avx512-vnni instance: AVX512-VNNI, vpdpbusd zmm.
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_avx512vnni). The first tile is the table's; the others are the
// candidates it was measured against (bench_microkernel,
// docs/notes/int8-kernels.md), all tested; then the depthwise kernel
// (kernels/qdepthwise_x86.hpp, tested by tests/test_qdepthwise.cpp).
#define NDCONV_QKERNEL_NS qavx512vnni
#include "kernels/qdepthwise_avx512.hpp"
#include "kernels/qgemm_cols_avx512.hpp"
#include "kernels/qpointwise_stream_avx512.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx512vnni {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_8x32c4__avx512vnni", &qgemm_rowptr_tails<Avx512Vnni, 8, 2>, 8, 32, 4,
     &qgemm_rowstep_tails<Avx512Vnni, 8, 2>},
    {"qs8_gemm_rowptr_12x32c4__avx512vnni", &qgemm_rowptr<Avx512Vnni, 12, 2>, 12, 32, 4},
    {"qs8_gemm_rowptr_14x32c4__avx512vnni", &qgemm_rowptr_tails<Avx512Vnni, 14, 2>, 14, 32, 4,
     &qgemm_rowstep_tails<Avx512Vnni, 14, 2>},
    {"qs8_gemm_rowptr_6x48c4__avx512vnni", &qgemm_rowptr<Avx512Vnni, 6, 3>, 6, 48, 4},
    {"qs8_gemm_rowptr_16x16c4__avx512vnni", &qgemm_rowptr_tails<Avx512Vnni, 16, 1>, 16, 16, 4},
    {"qs8_gemm_rowptr_4x64c4__avx512vnni", &qgemm_rowptr<Avx512Vnni, 4, 4>, 4, 64, 4},
};
const QKernelTable table = {"avx512-vnni", tiles[0],
                            {"qdw_nxc_64c4_32c__avx512vnni", &qdw_nxc<QdwZmm>, 32, QdwZmm::quad_block,
                             QdwZmm::slide_overlap_last},
                            {"qps_nxc_16p__avx512vnni", &qps_nxc<QpsZmm>, 16},
                            {"qgrouped_nxc_4v4p__avx512vnni", &qg_nxc<QpsZmm, 4>, 16},
                            {"qs8_gemm_cols_8x32c4__avx512vnni", &qgemm_cols_avx512vnni<8, 2>, 8, 32,
                             &interleave_cols32_avx512}};
}  // namespace qavx512vnni

const QKernelTable& qavx512vnni_table() { return qavx512vnni::table; }
QTileList qavx512vnni_tiles() { return {qavx512vnni::tiles, sizeof qavx512vnni::tiles / sizeof qavx512vnni::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
