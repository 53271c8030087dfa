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
};

// Detected once, cached.
const CpuFeatures& cpu_features();

}  // namespace dispatch
}  // namespace ndconv
