// Scalar instance: portable C++, no intrinsics. Also the fallback on CPUs
// without any SIMD level this build knows.
#define NDCONV_KERNEL_NS scalar
#define NDCONV_KERNEL_ARCH scalar_arch
#define NDCONV_KERNEL_ISA NDCONV_ISA_SCALAR
#define NDCONV_KERNEL_TABLE_FN scalar_kernel_table
#include "kernels/isa_instance.inc"
