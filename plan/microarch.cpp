#include "plan/microarch.h"

#include "plan/cpu_features.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#  include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#  include <asm/hwcap.h>
#  include <fcntl.h>
#  include <sys/auxv.h>
#  include <unistd.h>
#endif

namespace ndconv {
namespace dispatch {
namespace {

bool contains(const char* text, const char* part) { return std::strstr(text, part) != nullptr; }

// ---- Intel ------------------------------------------------------------------
//
// How an Intel core is named, in this order:
//  1. AMX-TILE: Sapphire Rapids class, whatever the model number. Only Xeons
//     have AMX (Sapphire, Emerald, Granite Rapids), and a hypervisor may
//     report any model: the machine this was written on, under KVM, reports
//     family 6 model 167 (officially Rocket Lake, a client core) and has AMX
//     and AVX512-FP16.
//  2. AVX512-FP16 without AMX: Sapphire Rapids class too, unless the model is
//     Alder Lake's (151, 154): its Golden Cove P-cores had AVX512-FP16 where
//     early firmware let AVX-512 on, and they have one 512-bit FMA unit.
//  3. The server model numbers: 143 / 207 Sapphire / Emerald Rapids, 106 / 108
//     Ice Lake-SP / -D, 85 Skylake-SP, Cascade Lake (stepping 5 and later,
//     Cooper Lake's 10 and 11 included) or, with AVX512-VNNI, Cascade Lake.
//  4. A client model with AVX-512 (Cannon, Ice, Tiger, Rocket, Alder Lake)
//     whose brand string confirms a client part ("Core(TM)", Rocket Lake's
//     "Xeon(R) E-23" / "Xeon(R) W-13"): no named microarchitecture (none of
//     these is tuned apart), one 512-bit FMA unit (fma_units).
//  5. Any other model with AVX-512 (an odd model a hypervisor reports, a
//     client model number on a Xeon): the feature evidence, newest first:
//     VNNI + VBMI2 is Ice Lake class, VNNI alone Cascade Lake, neither
//     Skylake-SP.
//  Everything else is unknown (the tuning then falls back on the caches and
//  the vendor).

bool is_alder_lake_model(unsigned model) { return model == 151 || model == 154; }

bool is_avx512_client_model(unsigned model) {
  switch (model) {
    case 102:            // Cannon Lake
    case 125: case 126:  // Ice Lake client
    case 140: case 141:  // Tiger Lake
    case 167:            // Rocket Lake
    case 151: case 154:  // Alder Lake (AVX-512 only on early firmware)
      return true;
    default:
      return false;
  }
}

bool brand_says_client(const char* brand) {
  return contains(brand, "Core(TM)") || contains(brand, "Xeon(R) E-23") ||
         contains(brand, "Xeon(R) W-13");
}

Microarch identify_intel(const CpuIdentity& id) {
  const CpuEvidence& e = id.evidence;
  if (id.family != 6) return Microarch::unknown;
  if (e.amx_tile) return Microarch::sapphire_rapids;
  if (e.avx512_fp16 && !is_alder_lake_model(id.model)) return Microarch::sapphire_rapids;
  switch (id.model) {
    case 143: case 207: return Microarch::sapphire_rapids;
    case 106: case 108: return Microarch::ice_lake_sp;
    case 85:
      return id.stepping >= 5 || e.avx512_vnni ? Microarch::cascade_lake : Microarch::skylake_sp;
    default: break;
  }
  if (is_avx512_client_model(id.model) && brand_says_client(id.brand)) return Microarch::unknown;
  if (!e.avx512) return Microarch::unknown;
  if (e.avx512_vnni && e.avx512_vbmi2) return Microarch::ice_lake_sp;
  if (e.avx512_vnni) return Microarch::cascade_lake;
  return Microarch::skylake_sp;
}

// ---- AMD --------------------------------------------------------------------
//
// Family 0x17: models below 0x30 are Zen and Zen+ (Naples, Summit and Pinnacle
// Ridge, Raven Ridge, Picasso), 0x30 and up Zen 2 (Rome 0x31, Renoir 0x60,
// Matisse 0x71, Van Gogh 0x90, Mendocino 0xA0). Family 0x19: Zen 4 where
// AVX-512 is reported (Zen 3 has none) or the model is one of Zen 4's ranges
// (0x10-0x1F Genoa, 0x60-0x7F Raphael / Phoenix, 0xA0-0xAF Bergamo / Siena:
// a hypervisor may hide AVX-512), else Zen 3. Family 0x1A: Zen 5.
Microarch identify_amd(const CpuIdentity& id) {
  const unsigned m = id.model;
  switch (id.family) {
    case 0x17: return m < 0x30 ? Microarch::zen : Microarch::zen2;
    case 0x19: {
      const bool zen4_model = (m >= 0x10 && m <= 0x1F) || (m >= 0x60 && m <= 0x7F) ||
                              (m >= 0xA0 && m <= 0xAF);
      return id.evidence.avx512 || zen4_model ? Microarch::zen4 : Microarch::zen3;
    }
    case 0x1A: return Microarch::zen5;
    default: return Microarch::unknown;
  }
}

// ---- Arm --------------------------------------------------------------------
// Implementer 0x41 (Arm Ltd) parts; other implementers' cores are unknown.
Microarch identify_arm(const CpuIdentity& id) {
  if (id.implementer != 0x41) return Microarch::unknown;
  switch (id.part) {
    case 0xd0c: return Microarch::neoverse_n1;
    case 0xd40: return Microarch::neoverse_v1;
    case 0xd49: return Microarch::neoverse_n2;
    case 0xd4f: return Microarch::neoverse_v2;
    default: return Microarch::unknown;
  }
}

// ---- FMA units ----------------------------------------------------------------
//
// Skylake-SP and Cascade Lake Xeons come with one or two 512-bit FMA units
// (port 0+1 fused, and port 5 on two-unit parts) and the model number does
// not tell them apart: the brand string's tier does (Intel's ARK "# of
// AVX-512 FMA Units"): Platinum and Gold 6xxx two, Gold 5xxx one except the
// Gold 5122 and 5222, Silver and Bronze one. A brand string that names no
// tier (a hypervisor's "Intel(R) Xeon(R) Processor", Xeon W, Core i9 X) is
// assumed to have two. Why not measure (time AVX-512 against AVX2 FMA chains
// once, as bench/fma_peak.cpp does)? It would cost milliseconds at load on
// every process, and on a shared or virtual machine a descheduled probe can
// read one unit where there are two; and the two errors are not alike:
// AVX2 on a two-unit core halves the FMA peak, AVX-512 on a one-unit core
// has the same FMA peak as AVX2 (a little lower clock at most). So the table
// decides, errors lean to two, and NDCONV_ISA=avx2 remains for the rest.
FmaUnits skylake_server_fma(const char* brand) {
  FmaUnits f{2, 512, "brand string tier"};
  if (contains(brand, "Gold 5122") || contains(brand, "Gold 5222")) return f;
  if (contains(brand, "Platinum") || contains(brand, "Gold 6")) return f;
  if (contains(brand, "Gold 5") || contains(brand, "Silver") || contains(brand, "Bronze")) {
    f.count = 1;
    return f;
  }
  f.source = "assumed (the brand string names no Xeon tier)";
  return f;
}

FmaUnits table(unsigned count, unsigned width_bits) {
  return FmaUnits{count, width_bits, "microarchitecture table"};
}

// Zen 5 with the full 512-bit datapath: Turin (0x00-0x1F), Granite Ridge
// (0x40-0x4F), Strix Halo (0x70-0x77). The mobile parts (Strix Point,
// Krackan) split 512-bit operations in two halves: not listed, so unknown.
bool zen5_full_width(unsigned model) {
  return model <= 0x1F || (model >= 0x40 && model <= 0x4F) || (model >= 0x70 && model <= 0x77);
}

}  // namespace

Microarch identify_microarch(const CpuIdentity& id) {
  switch (id.vendor) {
    case CpuVendor::intel: return identify_intel(id);
    case CpuVendor::amd: return identify_amd(id);
    case CpuVendor::arm: return identify_arm(id);
    default: return Microarch::unknown;
  }
}

// Counts from the vendors' optimization manuals; for Neoverse the NEON view
// (V1's two 256-bit SVE pipes run four 128-bit NEON FMAs).
FmaUnits fma_units(const CpuIdentity& id, Microarch microarch) {
  switch (microarch) {
    case Microarch::skylake_sp:
    case Microarch::cascade_lake: return skylake_server_fma(id.brand);
    case Microarch::ice_lake_sp:
    case Microarch::sapphire_rapids: return table(2, 512);
    case Microarch::zen: return table(2, 128);
    case Microarch::zen2:
    case Microarch::zen3:
    case Microarch::zen4: return table(2, 256);  // Zen 4: 512-bit FMAs in two halves
    case Microarch::zen5: return zen5_full_width(id.model) ? table(2, 512) : FmaUnits{};
    case Microarch::neoverse_n1:
    case Microarch::neoverse_n2: return table(2, 128);
    case Microarch::neoverse_v1:
    case Microarch::neoverse_v2: return table(4, 128);
    case Microarch::unknown: break;
  }
  if (id.vendor == CpuVendor::intel && id.evidence.avx512 && is_avx512_client_model(id.model) &&
      brand_says_client(id.brand))
    return FmaUnits{1, 512, "client model table"};  // port 0+1 fused only
  return FmaUnits{};
}

const char* microarch_name(Microarch m) {
  switch (m) {
    case Microarch::skylake_sp: return "skylake-sp";
    case Microarch::cascade_lake: return "cascade-lake";
    case Microarch::ice_lake_sp: return "ice-lake-sp";
    case Microarch::sapphire_rapids: return "sapphire-rapids";
    case Microarch::zen: return "zen";
    case Microarch::zen2: return "zen2";
    case Microarch::zen3: return "zen3";
    case Microarch::zen4: return "zen4";
    case Microarch::zen5: return "zen5";
    case Microarch::neoverse_n1: return "neoverse-n1";
    case Microarch::neoverse_v1: return "neoverse-v1";
    case Microarch::neoverse_n2: return "neoverse-n2";
    case Microarch::neoverse_v2: return "neoverse-v2";
    case Microarch::unknown: break;
  }
  return "unknown";
}

const char* vendor_name(CpuVendor v) {
  switch (v) {
    case CpuVendor::intel: return "intel";
    case CpuVendor::amd: return "amd";
    case CpuVendor::arm: return "arm";
    case CpuVendor::unknown: break;
  }
  return "unknown";
}

CpuIdentity identity_from_cpuid(CpuidFn cpuid, const void* context) {
  CpuIdentity id;
  const CpuidRegs leaf0 = cpuid(context, 0, 0);
  char vendor[13] = {};
  std::memcpy(vendor, &leaf0.ebx, 4);
  std::memcpy(vendor + 4, &leaf0.edx, 4);
  std::memcpy(vendor + 8, &leaf0.ecx, 4);
  if (std::strcmp(vendor, "GenuineIntel") == 0) id.vendor = CpuVendor::intel;
  if (std::strcmp(vendor, "AuthenticAMD") == 0 || std::strcmp(vendor, "HygonGenuine") == 0)
    id.vendor = CpuVendor::amd;
  if (leaf0.eax >= 1) {
    const uint32_t sig = cpuid(context, 1, 0).eax;
    const unsigned base_family = (sig >> 8) & 0xF, base_model = (sig >> 4) & 0xF;
    id.stepping = sig & 0xF;
    id.family = base_family == 0xF ? base_family + ((sig >> 20) & 0xFF) : base_family;
    id.model = base_family == 6 || base_family == 0xF ? base_model | ((sig >> 16) & 0xF) << 4
                                                      : base_model;
  }
  if (leaf0.eax >= 7) {
    const CpuidRegs l7 = cpuid(context, 7, 0);
    CpuEvidence& e = id.evidence;
    e.avx512 = (l7.ebx >> 16 & 1) && (l7.ebx >> 17 & 1) && (l7.ebx >> 30 & 1) && (l7.ebx >> 31 & 1);
    e.avx512_vbmi2 = l7.ecx >> 6 & 1;
    e.avx512_vnni = l7.ecx >> 11 & 1;
    e.avx512_fp16 = l7.edx >> 23 & 1;
    e.amx_tile = l7.edx >> 24 & 1;
  }
  if (cpuid(context, 0x80000000, 0).eax >= 0x80000004) {
    char brand[49] = {};
    for (uint32_t i = 0; i < 3; ++i) {
      const CpuidRegs r = cpuid(context, 0x80000002 + i, 0);
      const uint32_t words[4] = {r.eax, r.ebx, r.ecx, r.edx};
      std::memcpy(brand + 16 * i, words, 16);
    }
    const char* start = brand;
    while (*start == ' ') ++start;
    std::snprintf(id.brand, sizeof id.brand, "%s", start);
  }
  return id;
}

CpuIdentity identity_from_midr(uint64_t midr) {
  CpuIdentity id;
  id.from_midr = true;
  id.implementer = (midr >> 24) & 0xFF;
  id.variant = (midr >> 20) & 0xF;
  id.part = (midr >> 4) & 0xFFF;
  id.revision = midr & 0xF;
  id.vendor = id.implementer == 0x41 ? CpuVendor::arm : CpuVendor::unknown;
  if (id.implementer == 0x41)
    std::snprintf(id.brand, sizeof id.brand, "Arm part 0x%03x r%up%u", id.part, id.variant,
                  id.revision);
  else
    std::snprintf(id.brand, sizeof id.brand, "implementer 0x%02x part 0x%03x r%up%u",
                  id.implementer, id.part, id.variant, id.revision);
  return id;
}

bool parse_midr(const char* text, CpuIdentity* id) {
  char* end = nullptr;
  const unsigned long long midr = std::strtoull(text, &end, 16);
  if (end == text) return false;
  while (*end == '\n' || *end == ' ') ++end;
  if (*end != '\0') return false;
  *id = identity_from_midr(midr);
  return true;
}

namespace {

// Appends formatted text to a fixed buffer, counting what would have been
// written when it is full (as snprintf does); the format strings are checked.
struct TextSink {
  char* buf;
  size_t size;
  size_t length = 0;
  __attribute__((format(printf, 2, 3))) void operator()(const char* format, ...) {
    const size_t left = length < size ? size - length : 0;
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(left ? buf + length : nullptr, left, format, args);
    va_end(args);
    if (n > 0) length += static_cast<size_t>(n);
  }
};

}  // namespace

size_t format_cpu(const CpuInfo& cpu, char* buf, size_t size) {
  TextSink append{buf, size};
  const CpuIdentity& id = cpu.identity;
  append("cpu.brand = %s\n", id.brand[0] ? id.brand : "(none)");
  append("cpu.vendor = %s\n", vendor_name(id.vendor));
  if (id.from_midr) {
    append("cpu.implementer = 0x%02x\ncpu.part = 0x%03x\n", id.implementer, id.part);
    append("cpu.variant = %u\ncpu.revision = %u\n", id.variant, id.revision);
  } else {
    append("cpu.family = %u (0x%x)\ncpu.model = %u (0x%x)\n", id.family, id.family, id.model,
           id.model);
    append("cpu.stepping = %u\n", id.stepping);
  }
  append("cpu.microarchitecture = %s\n", microarch_name(cpu.microarch));
  if (cpu.fma.count)
    append("cpu.fma_units = %u x %u-bit\n", cpu.fma.count, cpu.fma.width_bits);
  else
    append("cpu.fma_units = unknown\n");
  append("cpu.fma_units_source = %s\n", cpu.fma.source);
  return append.length;
}

namespace {

#if defined(__x86_64__) || defined(_M_X64)
CpuidRegs real_cpuid(const void*, uint32_t leaf, uint32_t subleaf) {
  CpuidRegs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

CpuIdentity detect_identity() { return identity_from_cpuid(real_cpuid, nullptr); }
#elif defined(__aarch64__) && defined(__linux__)
// MIDR_EL1 of cpu0 from sysfs, else (no sysfs entry: old kernels, some
// containers) the register itself, which Linux emulates for EL0 where it
// sets HWCAP_CPUID. On big.LITTLE systems this is cpu0's core.
CpuIdentity detect_identity() {
  char text[64] = {};
  const int fd = open("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", O_RDONLY);
  if (fd >= 0) {
    const ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    CpuIdentity id;
    if (n > 0 && parse_midr(text, &id)) return id;
  }
#  if defined(HWCAP_CPUID)
  if (getauxval(AT_HWCAP) & HWCAP_CPUID) {
    uint64_t midr = 0;
    __asm__ volatile("mrs %0, MIDR_EL1" : "=r"(midr));
    return identity_from_midr(midr);
  }
#  endif
  return CpuIdentity{};
}
#else
CpuIdentity detect_identity() { return CpuIdentity{}; }
#endif

}  // namespace

const CpuInfo& cpu_info() {
  static const CpuInfo info = [] {
    CpuInfo c;
    c.identity = detect_identity();
    c.microarch = identify_microarch(c.identity);
    c.fma = fma_units(c.identity, c.microarch);
    return c;
  }();
  return info;
}

}  // namespace dispatch
}  // namespace ndconv

// The text is made once and kept for the process: callers may hold the pointer.
extern "C" const char* ndconv_cpu_string(void) {
  static const char* text = [] {
    const ndconv::dispatch::CpuInfo& cpu = ndconv::dispatch::cpu_info();
    static char buf[1024];
    const size_t n = ndconv::dispatch::format_cpu(cpu, buf, sizeof buf);
    // The int8 kernels' dot-product instructions this CPU and OS allow.
    const ndconv::dispatch::CpuFeatures& f = ndconv::dispatch::cpu_features();
    if (n < sizeof buf)
      std::snprintf(buf + n, sizeof buf - n, "cpu.int8_dot_products =%s%s%s%s%s\n",
                    f.avx512_vnni ? " avx512-vnni" : "", f.avx_vnni ? " avx-vnni" : "",
                    f.amx_int8 ? " amx-int8" : "", f.neon_dot ? " neon-dot" : "",
                    f.avx512_vnni || f.avx_vnni || f.amx_int8 || f.neon_dot ? "" : " none");
    return buf;
  }();
  return text;
}
