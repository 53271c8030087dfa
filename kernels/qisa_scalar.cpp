// The int8 kernels' scalar instance: portable C++, no intrinsics, KR = 4 so
// it streams the packing every x86 and dot-product table uses.
#define NDCONV_QKERNEL_NS qscalar
#include "kernels/qgemm_scalar.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qscalar {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_4x8c4__scalar", &qgemm_rowptr_scalar<4, 8, 4>, 4, 8, 4},
};
const QKernelTable table = {"scalar", tiles[0], QDepthwiseKernel{}, QPointwiseStreamKernel{},
                            QGroupedKernel{}, QGemmColsKernel{}};  // depthwise: plain C++; the rest: the GEMMs
}  // namespace qscalar

const QKernelTable& qscalar_table() { return qscalar::table; }
QTileList qscalar_tiles() { return {qscalar::tiles, sizeof qscalar::tiles / sizeof qscalar::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
