#include "plan/cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64)
#  include <cpuid.h>
#  include <cstdint>
#  if defined(__linux__)
#    include <sys/syscall.h>
#    include <unistd.h>
#  endif
#elif defined(__aarch64__) && defined(__linux__)
#  include <asm/hwcap.h>
#  include <sys/auxv.h>
#endif

namespace ndconv {
namespace dispatch {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
// XGETBV through its encoding, so this file needs no -mxsave.
uint64_t read_xcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

// Linux enables the 8 KiB of tile data state per process, on request
// (kernel 5.16 and later); elsewhere XCR0 alone decides.
bool amx_permitted() {
#  if defined(__linux__)
  constexpr long kArchReqXcompPerm = 0x1023;  // arch/x86/include/uapi/asm/prctl.h
  constexpr long kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#  else
  return true;
#  endif
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool fma = ecx & (1u << 12);
  const bool osxsave = ecx & (1u << 27);
  const bool avx = ecx & (1u << 28);
  if (!osxsave || !avx) return f;  // no XGETBV, or no AVX at all
  const uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;      // SSE and AVX (upper YMM) state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;    // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16);
  const bool avx512dq = ebx & (1u << 17);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  f.avx2_fma = os_ymm && avx2 && fma;
  f.avx512 = f.avx2_fma && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  // The int8 dot products need no state beyond their level's (YMM / ZMM).
  f.avx512_vnni = f.avx512 && (ecx & (1u << 11));
  const unsigned max_subleaf = eax;  // CPUID.(7,0):EAX
  const bool amx_tile = edx & (1u << 24), amx_int8 = edx & (1u << 25);
  const bool os_tiles = (xcr0 & 0x60000) == 0x60000;  // XTILECFG, XTILEDATA
  f.amx_int8 = f.avx512_vnni && amx_tile && amx_int8 && os_tiles && amx_permitted();
  if (max_subleaf >= 1) {
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    f.avx_vnni = f.avx2_fma && (eax & (1u << 4));
  }
  return f;
}
#elif defined(__aarch64__)
CpuFeatures detect() {
  CpuFeatures f;
#  if defined(__linux__) && defined(HWCAP_ASIMD)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  f.neon = (hwcap & HWCAP_ASIMD) != 0;
#    if defined(HWCAP_ASIMDDP)
  f.neon_dot = f.neon && (hwcap & HWCAP_ASIMDDP) != 0;
#    endif
#  else
  f.neon = true;  // Advanced SIMD is mandatory in AArch64
#  endif
  return f;
}
#else
CpuFeatures detect() { return CpuFeatures{}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace dispatch
}  // namespace ndconv
