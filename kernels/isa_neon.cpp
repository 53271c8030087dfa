// AArch64 Advanced SIMD instance.
#define NDCONV_SIMD_NEON 1
#define NDCONV_KERNEL_NS neon
#define NDCONV_KERNEL_ARCH neon_arch
#define NDCONV_KERNEL_ISA NDCONV_ISA_NEON
#define NDCONV_KERNEL_TABLE_FN neon_kernel_table
#include "kernels/isa_instance.inc"
