// Which CPU ndconv runs on: vendor, family / model / stepping (x86 CPUID) or
// implementer / part / variant / revision (AArch64 MIDR_EL1), the brand
// string, the named microarchitecture they map to, and its FMA units. The
// tuning module (plan/tuning.h) keys its per-core values on the name.
//
// Detection allocates nothing (CPUID, MRS, or POSIX open/read into a stack
// buffer). The mapping is a pure function of a CpuIdentity, so the tests
// feed it the identities of cores this machine is not.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plan/cache_info.h"

namespace ndconv {
namespace dispatch {

enum class CpuVendor { unknown, intel, amd, arm };

enum class Microarch {
  unknown,
  skylake_sp,       // Intel Xeon Scalable 1st gen (Skylake-SP), Skylake-X/W
  cascade_lake,     // 2nd gen (Cascade Lake; Cooper Lake counted here too)
  ice_lake_sp,      // 3rd gen (Ice Lake-SP / -D)
  sapphire_rapids,  // 4th and 5th gen (Sapphire Rapids, Emerald Rapids), and
                    // later AMX cores (Granite Rapids) until measured apart
  zen,              // AMD Zen and Zen+ (family 0x17)
  zen2,
  zen3,
  zen4,
  zen5,
  neoverse_n1,
  neoverse_v1,
  neoverse_n2,
  neoverse_v2,
};

// The CPUID feature bits that tell cores apart when the model number does
// not (a hypervisor may report any model): what the CPU reports, OS state
// not considered (they name the core, they do not pick kernels).
struct CpuEvidence {
  bool avx512 = false;  // AVX-512 F + BW + DQ + VL (Skylake-SP and later)
  bool avx512_vnni = false;   // Cascade Lake and later, Zen 4 and later
  bool avx512_vbmi2 = false;  // Ice Lake and later, Zen 4 and later
  bool avx512_fp16 = false;   // Sapphire Rapids (and Alder Lake P-cores)
  bool amx_tile = false;      // Sapphire Rapids and later Xeons only
};

struct CpuIdentity {
  CpuVendor vendor = CpuVendor::unknown;
  // x86: display family and model (base + extended fields, as Linux's
  // /proc/cpuinfo shows them) and stepping.
  unsigned family = 0, model = 0, stepping = 0;
  // AArch64: MIDR_EL1's fields (vendor is arm only for implementer 0x41);
  // from_midr says they are set (implementer 0 is valid: QEMU's "max" CPU).
  bool from_midr = false;
  unsigned implementer = 0, part = 0, variant = 0, revision = 0;
  // x86: CPUID 0x80000002..4, leading spaces removed; AArch64: made from the
  // MIDR ("Arm part 0xd0c r3p1"), as the CPU has no brand string.
  char brand[64] = "";
  CpuEvidence evidence;
};

// FMA units and their width: the peak is count x width / 32 fp32 FMAs per
// cycle. count 0: not known for this core.
struct FmaUnits {
  unsigned count = 0;
  unsigned width_bits = 0;
  // Where the count came from, a static string: "microarchitecture table",
  // "brand string tier", "client model table", "assumed (...)", "unknown".
  const char* source = "unknown";
};

struct CpuInfo {
  CpuIdentity identity;
  Microarch microarch = Microarch::unknown;
  FmaUnits fma;
};

// The CPU this process runs on, detected on first use (thread-safe).
const CpuInfo& cpu_info();

// --- The pure parts, exposed for the tests -------------------------------

// The named microarchitecture of an identity (how it decides: microarch.cpp).
Microarch identify_microarch(const CpuIdentity& id);
// The FMA units of that core (for SKX / CLX from the brand string's tier).
FmaUnits fma_units(const CpuIdentity& id, Microarch microarch);
// "skylake-sp", "zen4", ..., "unknown".
const char* microarch_name(Microarch microarch);
const char* vendor_name(CpuVendor vendor);

// The x86 identity from CPUID (a test's table or the real instruction).
CpuIdentity identity_from_cpuid(CpuidFn cpuid, const void* context);
// Decodes MIDR_EL1 from its sysfs text ("0x00000000410fd0c1\n"); false if
// the text is not a hexadecimal number.
bool parse_midr(const char* text, CpuIdentity* id);
// The AArch64 identity of a MIDR_EL1 value.
CpuIdentity identity_from_midr(uint64_t midr);

// "name = value" lines (cpu.brand, cpu.vendor, cpu.family, cpu.model,
// cpu.stepping or cpu.implementer/part/variant/revision, cpu.microarchitecture,
// cpu.fma_units, cpu.fma_units_source); snprintf's contract.
size_t format_cpu(const CpuInfo& cpu, char* buf, size_t size);

}  // namespace dispatch
}  // namespace ndconv
