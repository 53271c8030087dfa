// AVX2 + FMA instance (compiled with -mavx2 -mfma only).
#define NDCONV_SIMD_X86 1
#define NDCONV_KERNEL_NS avx2
#define NDCONV_KERNEL_ARCH avx2_arch
#define NDCONV_KERNEL_ISA NDCONV_ISA_AVX2
#define NDCONV_KERNEL_TABLE_FN avx2_kernel_table
#include "kernels/isa_instance.inc"
