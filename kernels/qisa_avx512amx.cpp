// The int8 kernels' avx512-amx instance: the AVX512-VNNI table with the AMX
// GEMM tile (kernels/qgemm_amx.hpp) for the channels-last GEMMs; the
// depthwise, stream, grouped and channels-first kernels stay the VNNI ones.
// Compiled with that instance's flags only (cmake/NdconvIsa.cmake:
// NDCONV_QFLAGS_avx512amx).
#define NDCONV_QKERNEL_NS qavx512amx
#include "kernels/qgemm_amx.hpp"
#include "kernels/qkernel_instances.h"

namespace ndconv {
namespace kernels {

namespace qavx512amx {
const QGemmRowsKernel tiles[] = {
    {"qs8_gemm_rowptr_32x32c4__avx512amx", &qgemm_amx_32x32, 32, 32, 4, &qgemm_amx_32x32_step, 32, &amx_prepare,
     &amx_release},
};
}  // namespace qavx512amx

const QKernelTable& qavx512amx_table() {
  static const QKernelTable table = [] {
    QKernelTable t = qavx512vnni_table();
    t.variant = "avx512-amx";
    t.gemm_rows = qavx512amx::tiles[0];
    return t;
  }();
  return table;
}
QTileList qavx512amx_tiles() { return {qavx512amx::tiles, sizeof qavx512amx::tiles / sizeof qavx512amx::tiles[0]}; }

}  // namespace kernels
}  // namespace ndconv
