// AVX-512 F/BW/DQ/VL instance (compiled with those flags only).
#define NDCONV_SIMD_X86 1
#define NDCONV_KERNEL_NS avx512
#define NDCONV_KERNEL_ARCH avx512_arch
#define NDCONV_KERNEL_ISA NDCONV_ISA_AVX512
#define NDCONV_KERNEL_TABLE_FN avx512_kernel_table
#include "kernels/isa_instance.inc"
