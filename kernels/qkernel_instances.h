// The int8 kernel tables each kernels/qisa_<variant>.cpp defines (private to
// kernels/: the rest of the library asks qkernel_table()).
#pragma once

#include "kernels/qkernel_table.h"

namespace ndconv {
namespace kernels {

const QKernelTable& qscalar_table();
#if defined(NDCONV_HAVE_Q_AVX2)
const QKernelTable& qavx2_table();
#endif
#if defined(NDCONV_HAVE_Q_AVX512)
const QKernelTable& qavx512_table();
#endif
#if defined(NDCONV_HAVE_Q_AVXVNNI)
const QKernelTable& qavx2vnni_table();
#endif
#if defined(NDCONV_HAVE_Q_AVX512VNNI)
const QKernelTable& qavx512vnni_table();
#endif
#if defined(NDCONV_HAVE_Q_NEON)
const QKernelTable& qneon_table();
#endif
#if defined(NDCONV_HAVE_Q_NEONDOT)
const QKernelTable& qneondot_table();
#endif

}  // namespace kernels
}  // namespace ndconv
