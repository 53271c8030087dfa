// The int8 kernels' neon instance: AArch64 Advanced SIMD without dot product, exact widening (smull).
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_neon). The first tile is the table's; the others are the
// candidates it was measured against (bench_microkernel,
// docs/notes/int8-kernels.md), all tested.
#define NDCONV_QKERNEL_NS qneon
#include "kernels/qgemm_neon.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qneon {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_4x8c4__neon", &qgemm_rowptr<NeonWidening, 4, 2>, 4, 8, 4},
    {"qs8_gemm_rowptr_8x4c4__neon", &qgemm_rowptr<NeonWidening, 8, 1>, 8, 4, 4},
    {"qs8_gemm_rowptr_2x16c4__neon", &qgemm_rowptr<NeonWidening, 2, 4>, 2, 16, 4},
};
const QKernelTable table = {"neon", tiles[0], QDepthwiseKernel{}, QPointwiseStreamKernel{},
                            QGroupedKernel{}, QGemmColsKernel{}};  // depthwise: plain C++; the rest: the GEMMs
}  // namespace qneon

const QKernelTable& qneon_table() { return qneon::table; }
QTileList qneon_tiles() { return {qneon::tiles, sizeof qneon::tiles / sizeof qneon::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
