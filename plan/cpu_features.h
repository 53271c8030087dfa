// CPU feature detection, done by ndconv itself (xsimd 8.1's detection has no
// XGETBV check): a feature counts only if the CPU reports it AND the OS has
// enabled the register state it needs.
#pragma once

namespace ndconv {
namespace dispatch {

struct CpuFeatures {
  bool avx2_fma = false;   // AVX2 + FMA3, YMM state enabled by the OS
  bool avx512 = false;     // AVX-512 F/BW/DQ/VL, opmask + ZMM state enabled
  bool neon = false;       // AArch64 Advanced SIMD
  // The vendor and the rest of the CPU's identity: plan/microarch.h.

  // The int8 dot products (the int8 kernels' dot-product variants,
  // kernels/qkernel_table.h). Each implies its ISA level's flag above.
  bool avx512_vnni = false;  // AVX512-VNNI (vpdpbusd zmm): avx512 + CPUID.(7,0):ECX[11]
  bool avx_vnni = false;     // AVX-VNNI (VEX vpdpbusd ymm): avx2_fma + CPUID.(7,1):EAX[4]
  bool neon_dot = false;     // AArch64 dot product (sdot/udot): HWCAP_ASIMDDP
  // AMX-TILE + AMX-INT8 (tdpbusd; the avx512-amx table): avx512_vnni +
  // CPUID.(7,0):EDX[24,25], XCR0's tile state (bits 17, 18), and on Linux
  // the process's permission to use it, requested here
  // (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), as oneDNN does).
  bool amx_int8 = false;
};

// Detected once, cached.
const CpuFeatures& cpu_features();

}  // namespace dispatch
}  // namespace ndconv
