// The int8 kernels' avx512 instance: AVX-512BW without VNNI, exact 16-bit widening
// (vpmaddwd); the vpmaddubsw tiles are kernels/qisa_avx512pairs.cpp.
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_avx512). The first tile is the table's; the others are the
// candidates it was measured against (bench_microkernel,
// docs/notes/int8-kernels.md), all tested; then the depthwise kernel
// (kernels/qdepthwise_x86.hpp, tested by tests/test_qdepthwise.cpp).
#define NDCONV_QKERNEL_NS qavx512
#include "kernels/qdepthwise_avx512.hpp"
#include "kernels/qpointwise_stream_avx512.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx512 {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_8x32c4__avx512", &qgemm_rowptr_tails<Avx512Widening, 8, 2>, 8, 32, 4},
    {"qs8_gemm_rowptr_12x32c4__avx512", &qgemm_rowptr<Avx512Widening, 12, 2>, 12, 32, 4},
    {"qs8_gemm_rowptr_6x48c4__avx512", &qgemm_rowptr<Avx512Widening, 6, 3>, 6, 48, 4},
    {"qs8_gemm_rowptr_4x64c4__avx512", &qgemm_rowptr<Avx512Widening, 4, 4>, 4, 64, 4},
};
const QKernelTable table = {"avx512", tiles[0],
                            {"qdw_nxc_32c__avx512", &qdw_nxc<QdwZmm>, 32},
                            {"qps_nxc_16p__avx512", &qps_nxc<QpsZmm>, 16},
                            {"qgrouped_nxc_4v4p__avx512", &qg_nxc<QpsZmm, 4>, 16},
                            QGemmColsKernel{}};  // channels-first pointwise: the transposed GEMM
}  // namespace qavx512

const QKernelTable& qavx512_table() { return qavx512::table; }
QTileList qavx512_tiles() { return {qavx512::tiles, sizeof qavx512::tiles / sizeof qavx512::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
