// The int8 kernels' neon-dot instance: AArch64 with the dot-product extension, sdot on u - 128.
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_neondot). The first tile is the table's; the others are the
// candidates it was measured against (bench_microkernel,
// docs/notes/int8-kernels.md), all tested.
#define NDCONV_QKERNEL_NS qneondot
#include "kernels/qgemm_neon.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qneondot {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_8x8c4__neondot", &qgemm_rowptr<NeonDot, 8, 2>, 8, 8, 4},
    {"qs8_gemm_rowptr_4x16c4__neondot", &qgemm_rowptr<NeonDot, 4, 4>, 4, 16, 4},
    {"qs8_gemm_rowptr_6x8c4__neondot", &qgemm_rowptr<NeonDot, 6, 2>, 6, 8, 4},
};
const QKernelTable table = {"neon-dot", tiles[0], QDepthwiseKernel{}, QPointwiseStreamKernel{},
                            QGroupedKernel{}, QGemmColsKernel{}};  // depthwise: plain C++; the rest: the GEMMs
}  // namespace qneondot

const QKernelTable& qneondot_table() { return qneondot::table; }
QTileList qneondot_tiles() { return {qneondot::tiles, sizeof qneondot::tiles / sizeof qneondot::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
