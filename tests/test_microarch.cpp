// The CPU's identity and named microarchitecture (plan/microarch.h): the
// mapping from (vendor, family, model, stepping, features, brand) and from
// MIDR_EL1 for every named core and for made-up ones, the FMA units, the
// CPUID decoding on fake tables, and what the tuning and the ISA choice make
// of them (plan/tuning.h, plan/isa_select.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "ndconv/ndconv.h"
#include "plan/cpu_features.h"
#include "plan/isa_select.h"
#include "plan/microarch.h"
#include "plan/tuning.h"

namespace {

using ndconv::dispatch::CacheInfo;
using ndconv::dispatch::CpuEvidence;
using ndconv::dispatch::CpuIdentity;
using ndconv::dispatch::CpuInfo;
using ndconv::dispatch::CpuVendor;
using ndconv::dispatch::Microarch;

// Feature sets, newest Intel server generation last.
constexpr unsigned kAvx512 = 1, kVnni = 2, kVbmi2 = 4, kFp16 = 8, kAmx = 16;
constexpr unsigned kSkx = kAvx512, kClx = kAvx512 | kVnni, kIcx = kClx | kVbmi2,
                   kSpr = kIcx | kFp16 | kAmx;

CpuIdentity x86(CpuVendor vendor, unsigned family, unsigned model, unsigned stepping,
                unsigned features, const char* brand = "") {
  CpuIdentity id;
  id.vendor = vendor;
  id.family = family;
  id.model = model;
  id.stepping = stepping;
  CpuEvidence& e = id.evidence;
  e.avx512 = features & kAvx512;
  e.avx512_vnni = features & kVnni;
  e.avx512_vbmi2 = features & kVbmi2;
  e.avx512_fp16 = features & kFp16;
  e.amx_tile = features & kAmx;
  std::snprintf(id.brand, sizeof id.brand, "%s", brand);
  return id;
}

std::string name_of(const CpuIdentity& id) {
  return ndconv::dispatch::microarch_name(ndconv::dispatch::identify_microarch(id));
}

CpuInfo info_of(const CpuIdentity& id) {
  CpuInfo c;
  c.identity = id;
  c.microarch = ndconv::dispatch::identify_microarch(id);
  c.fma = ndconv::dispatch::fma_units(id, c.microarch);
  return c;
}

constexpr CpuVendor kIntel = CpuVendor::intel, kAmd = CpuVendor::amd;

TEST(Microarch, IntelServerCoresByModel) {
  EXPECT_EQ(name_of(x86(kIntel, 6, 85, 4, kSkx, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz")), "skylake-sp");
  EXPECT_EQ(name_of(x86(kIntel, 6, 85, 7, kClx, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz")), "cascade-lake");
  // A Cascade Lake stepping whose VNNI a hypervisor hides: the stepping says it.
  EXPECT_EQ(name_of(x86(kIntel, 6, 85, 7, kSkx)), "cascade-lake");
  EXPECT_EQ(name_of(x86(kIntel, 6, 106, 6, kIcx, "Intel(R) Xeon(R) Platinum 8375C CPU")), "ice-lake-sp");
  EXPECT_EQ(name_of(x86(kIntel, 6, 108, 1, kIcx)), "ice-lake-sp");
  EXPECT_EQ(name_of(x86(kIntel, 6, 143, 8, kSpr, "Intel(R) Xeon(R) Platinum 8480+")), "sapphire-rapids");
  EXPECT_EQ(name_of(x86(kIntel, 6, 207, 2, kSpr, "INTEL(R) XEON(R) PLATINUM 8592+")), "sapphire-rapids");
}

// Under a hypervisor the model number can be anything: the features decide.
TEST(Microarch, IntelOddModelsByFeatureEvidence) {
  // This project's machine: KVM, model 167 (Rocket Lake's number), AMX.
  EXPECT_EQ(name_of(x86(kIntel, 6, 167, 1, kSpr, "Intel(R) Xeon(R) Processor")), "sapphire-rapids");
  EXPECT_EQ(name_of(x86(kIntel, 6, 167, 1, kSpr & ~kAmx, "Intel(R) Xeon(R) Processor")), "sapphire-rapids");
  EXPECT_EQ(name_of(x86(kIntel, 6, 167, 1, kIcx, "Intel(R) Xeon(R) Processor")), "ice-lake-sp");
  EXPECT_EQ(name_of(x86(kIntel, 6, 250, 0, kIcx)), "ice-lake-sp");
  EXPECT_EQ(name_of(x86(kIntel, 6, 250, 0, kClx)), "cascade-lake");
  EXPECT_EQ(name_of(x86(kIntel, 6, 250, 0, kSkx)), "skylake-sp");
}

TEST(Microarch, IntelClientAndMadeUpCoresAreUnknown) {
  // Real client parts (the brand says so): no named core.
  EXPECT_EQ(name_of(x86(kIntel, 6, 167, 1, kIcx, "11th Gen Intel(R) Core(TM) i7-11700K @ 3.60GHz")), "unknown");
  EXPECT_EQ(name_of(x86(kIntel, 6, 140, 1, kIcx, "11th Gen Intel(R) Core(TM) i7-1165G7")), "unknown");
  // Alder Lake's P-cores with AVX-512 enabled report AVX512-FP16, not AMX.
  EXPECT_EQ(name_of(x86(kIntel, 6, 151, 2, kSpr & ~kAmx, "12th Gen Intel(R) Core(TM) i9-12900K")), "unknown");
  EXPECT_EQ(name_of(x86(kIntel, 6, 60, 3, 0, "Intel(R) Core(TM) i7-4770")), "unknown");  // Haswell
  EXPECT_EQ(name_of(x86(kIntel, 15, 6, 5, 0)), "unknown");
  EXPECT_EQ(name_of(x86(kIntel, 6, 250, 0, 0)), "unknown");
  EXPECT_EQ(name_of(x86(CpuVendor::unknown, 6, 143, 8, kSpr)), "unknown");
}

TEST(Microarch, AmdFamiliesAndModels) {
  EXPECT_EQ(name_of(x86(kAmd, 0x17, 0x01, 2, 0, "AMD EPYC 7601 32-Core Processor")), "zen");
  EXPECT_EQ(name_of(x86(kAmd, 0x17, 0x08, 2, 0, "AMD Ryzen 7 2700X")), "zen");  // Zen+
  EXPECT_EQ(name_of(x86(kAmd, 0x17, 0x31, 0, 0, "AMD EPYC 7742 64-Core Processor")), "zen2");
  EXPECT_EQ(name_of(x86(kAmd, 0x17, 0x71, 0, 0, "AMD Ryzen 9 3950X")), "zen2");
  EXPECT_EQ(name_of(x86(kAmd, 0x19, 0x01, 1, 0, "AMD EPYC 7763 64-Core Processor")), "zen3");
  EXPECT_EQ(name_of(x86(kAmd, 0x19, 0x21, 0, 0, "AMD Ryzen 9 5950X")), "zen3");
  EXPECT_EQ(name_of(x86(kAmd, 0x19, 0x11, 1, kIcx, "AMD EPYC 9654 96-Core Processor")), "zen4");
  EXPECT_EQ(name_of(x86(kAmd, 0x19, 0x61, 2, 0)), "zen4");  // AVX-512 hidden: the model says it
  EXPECT_EQ(name_of(x86(kAmd, 0x19, 0x50, 0, kIcx)), "zen4");  // odd model: AVX-512 says it
  EXPECT_EQ(name_of(x86(kAmd, 0x1A, 0x02, 1, kIcx, "AMD EPYC 9755 128-Core Processor")), "zen5");
  EXPECT_EQ(name_of(x86(kAmd, 0x1A, 0x44, 0, kIcx, "AMD Ryzen 9 9950X")), "zen5");
  EXPECT_EQ(name_of(x86(kAmd, 0x15, 0x02, 0, 0, "AMD Opteron 6380")), "unknown");  // Piledriver
  EXPECT_EQ(name_of(x86(kAmd, 0x42, 0x00, 0, kSpr)), "unknown");
}

TEST(Microarch, MidrParse) {
  CpuIdentity id;
  ASSERT_TRUE(ndconv::dispatch::parse_midr("0x00000000413fd0c1\n", &id));
  EXPECT_EQ(id.vendor, CpuVendor::arm);
  EXPECT_EQ(id.implementer, 0x41u);
  EXPECT_EQ(id.variant, 3u);
  EXPECT_EQ(id.part, 0xd0cu);
  EXPECT_EQ(id.revision, 1u);
  EXPECT_STREQ(id.brand, "Arm part 0xd0c r3p1");
  EXPECT_EQ(name_of(id), "neoverse-n1");
  const std::pair<const char*, const char*> parts[] = {
      {"0x00000000411fd401", "neoverse-v1"}, {"0x00000000410fd490\n", "neoverse-n2"},
      {"0x00000000410fd4f0", "neoverse-v2"}, {"0x00000000410fd083", "unknown"},  // Cortex-A72
      {"0x00000000610f0220", "unknown"},  // implementer 0x61 (Apple)
      {"0x00000000510fd0c1", "unknown"},  // N1's part number from another implementer
  };
  for (const auto& p : parts) {
    ASSERT_TRUE(ndconv::dispatch::parse_midr(p.first, &id)) << p.first;
    EXPECT_EQ(name_of(id), p.second) << p.first;
  }
  EXPECT_EQ(id.vendor, CpuVendor::unknown);
  EXPECT_STREQ(id.brand, "implementer 0x51 part 0xd0c r0p1");
  // QEMU's "max" CPU: implementer 0, still MIDR fields in the text.
  ASSERT_TRUE(ndconv::dispatch::parse_midr("0x00000000000f0510", &id));
  CpuInfo info = info_of(id);
  char text[512];
  ndconv::dispatch::format_cpu(info, text, sizeof text);
  EXPECT_STREQ(text,
               "cpu.brand = implementer 0x00 part 0x051 r0p0\ncpu.vendor = unknown\n"
               "cpu.implementer = 0x00\ncpu.part = 0x051\ncpu.variant = 0\ncpu.revision = 0\n"
               "cpu.microarchitecture = unknown\ncpu.fma_units = unknown\n"
               "cpu.fma_units_source = unknown\n");
  for (const char* bad : {"", "\n", "zzz", "0x410fd0c1 extra", "0x41g"})
    EXPECT_FALSE(ndconv::dispatch::parse_midr(bad, &id)) << '"' << bad << '"';
}

TEST(Microarch, FmaUnitsOfSkylakeServerFollowTheBrandTier) {
  const std::pair<const char*, unsigned> brands[] = {
      {"Intel(R) Xeon(R) Platinum 8180 CPU @ 2.50GHz", 2}, {"Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz", 2},
      {"Intel(R) Xeon(R) Gold 5122 CPU @ 3.60GHz", 2},     {"Intel(R) Xeon(R) Gold 5118 CPU @ 2.30GHz", 1},
      {"Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz", 1},   {"Intel(R) Xeon(R) Bronze 3106 CPU @ 1.70GHz", 1},
      {"Intel(R) Xeon(R) Processor", 2},  // KVM's name: assumed two
  };
  for (const auto& b : brands) {
    const CpuInfo c = info_of(x86(kIntel, 6, 85, 4, kSkx, b.first));
    EXPECT_EQ(c.fma.count, b.second) << b.first;
    EXPECT_EQ(c.fma.width_bits, 512u) << b.first;
  }
  EXPECT_EQ(info_of(x86(kIntel, 6, 85, 7, kClx, "Intel(R) Xeon(R) Gold 5222 CPU @ 3.80GHz")).fma.count, 2u);
  EXPECT_EQ(info_of(x86(kIntel, 6, 85, 7, kClx, "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz")).fma.count, 1u);
  EXPECT_STREQ(info_of(x86(kIntel, 6, 85, 4, kSkx, "Intel(R) Xeon(R) Processor")).fma.source,
               "assumed (the brand string names no Xeon tier)");
}

TEST(Microarch, FmaUnitsOfOtherCores) {
  struct Case { CpuIdentity id; unsigned count, width; };
  const Case cases[] = {
      {x86(kIntel, 6, 106, 6, kIcx), 2, 512},
      {x86(kIntel, 6, 167, 1, kSpr, "Intel(R) Xeon(R) Processor"), 2, 512},
      {x86(kIntel, 6, 167, 1, kIcx, "11th Gen Intel(R) Core(TM) i7-11700K"), 1, 512},
      {x86(kAmd, 0x17, 0x31, 0, 0), 2, 256},
      {x86(kAmd, 0x19, 0x11, 1, kIcx), 2, 256},  // Zen 4: 512-bit FMAs in two halves
      {x86(kAmd, 0x1A, 0x02, 1, kIcx), 2, 512},
      {x86(kAmd, 0x1A, 0x24, 0, kIcx), 0, 0},  // mobile Zen 5: not in the table
      {x86(kIntel, 6, 60, 3, 0), 0, 0},
  };
  for (const Case& c : cases) {
    const CpuInfo info = info_of(c.id);
    EXPECT_EQ(info.fma.count, c.count) << c.id.model << " " << c.id.brand;
    EXPECT_EQ(info.fma.width_bits, c.width) << c.id.model << " " << c.id.brand;
  }
}

// A CPU as its CPUID table: leaves not listed answer zeros.
struct FakeCpuid {
  std::map<std::pair<uint32_t, uint32_t>, ndconv::dispatch::CpuidRegs> leaves;
  static ndconv::dispatch::CpuidRegs query(const void* self, uint32_t leaf, uint32_t subleaf) {
    const auto& leaves = static_cast<const FakeCpuid*>(self)->leaves;
    const auto it = leaves.find({leaf, subleaf});
    return it == leaves.end() ? ndconv::dispatch::CpuidRegs{} : it->second;
  }
  FakeCpuid(const char* vendor, uint32_t signature, const char* brand) {
    auto& l0 = leaves[{0, 0}];
    l0.eax = 7;
    std::memcpy(&l0.ebx, vendor, 4);
    std::memcpy(&l0.edx, vendor + 4, 4);
    std::memcpy(&l0.ecx, vendor + 8, 4);
    leaves[{1, 0}].eax = signature;
    leaves[{0x80000000, 0}].eax = 0x80000008;
    char text[48] = {};
    std::memcpy(text, brand, std::strlen(brand));
    for (uint32_t i = 0; i < 3; ++i) std::memcpy(&leaves[{0x80000002 + i, 0}], text + 16 * i, 16);
  }
  CpuIdentity decode() const { return ndconv::dispatch::identity_from_cpuid(query, this); }
};

TEST(Microarch, DecodesCpuid) {
  // This machine's signature (family 6, model 0xA7, stepping 1), leaf 7 with
  // AVX-512 F/DQ/BW/VL, VBMI2, VNNI, AVX512-FP16 and AMX-TILE.
  FakeCpuid spr("GenuineIntel", 0x000A0671, "       Intel(R) Xeon(R) Processor");
  auto& l7 = spr.leaves[{7, 0}];
  l7.ebx = 1u << 16 | 1u << 17 | 1u << 30 | 1u << 31;
  l7.ecx = 1u << 6 | 1u << 11;
  l7.edx = 1u << 23 | 1u << 24;
  const CpuIdentity id = spr.decode();
  EXPECT_EQ(id.vendor, kIntel);
  EXPECT_EQ(id.family, 6u);
  EXPECT_EQ(id.model, 167u);
  EXPECT_EQ(id.stepping, 1u);
  EXPECT_STREQ(id.brand, "Intel(R) Xeon(R) Processor");
  EXPECT_TRUE(id.evidence.avx512 && id.evidence.avx512_vnni && id.evidence.avx512_vbmi2);
  EXPECT_TRUE(id.evidence.avx512_fp16 && id.evidence.amx_tile);
  EXPECT_EQ(name_of(id), "sapphire-rapids");
  l7.ebx &= ~(1u << 30);  // no AVX512-BW: not the AVX-512 ndconv counts
  EXPECT_FALSE(spr.decode().evidence.avx512);

  // Genoa: family 0xF + 0xA, model 0x11, no leaf 7 (max leaf 1).
  FakeCpuid genoa("AuthenticAMD", 0x00A10F11, "AMD EPYC 9654 96-Core Processor");
  genoa.leaves[{0, 0}].eax = 1;
  const CpuIdentity amd = genoa.decode();
  EXPECT_EQ(amd.vendor, kAmd);
  EXPECT_EQ(amd.family, 0x19u);
  EXPECT_EQ(amd.model, 0x11u);
  EXPECT_EQ(name_of(amd), "zen4");
}

// The tuning keyed by the named core: the lean k loops on Intel's server
// cores (and an unknown Intel core) and Zen 4 (measured there), GemmTile on
// the other Zen cores and elsewhere; AVX2
// preferred where there is one 512-bit FMA unit.
TEST(Microarch, TuningPerCore) {
  CacheInfo c;
  c.l1d_bytes = 48 * 1024, c.l2_bytes = 2 << 20, c.line_bytes = 64;
  struct Case { CpuIdentity id; size_t lean, prefer_avx2; };
  const Case cases[] = {
      {x86(kIntel, 6, 85, 4, kSkx, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz"), 1, 0},
      {x86(kIntel, 6, 85, 4, kSkx, "Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz"), 1, 1},
      {x86(kIntel, 6, 85, 7, kClx, "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz"), 1, 1},
      {x86(kIntel, 6, 106, 6, kIcx), 1, 0},
      {x86(kIntel, 6, 167, 1, kSpr, "Intel(R) Xeon(R) Processor"), 1, 0},
      {x86(kIntel, 6, 167, 1, kIcx, "11th Gen Intel(R) Core(TM) i7-11700K"), 1, 1},
      {x86(kIntel, 6, 60, 3, 0, "Intel(R) Core(TM) i7-4770"), 1, 0},
      {x86(kAmd, 0x17, 0x31, 0, 0), 0, 0},
      {x86(kAmd, 0x19, 0x01, 1, 0), 0, 0},
      {x86(kAmd, 0x19, 0x11, 1, kIcx), 1, 0},
      {x86(kAmd, 0x1A, 0x44, 0, kIcx), 0, 0},
      {x86(kAmd, 0x15, 0x02, 0, 0), 0, 0},
      {ndconv::dispatch::identity_from_midr(0x413fd0c1), 0, 0},
  };
  for (const Case& k : cases) {
    const CpuInfo info = info_of(k.id);
    const ndconv::dispatch::Tuning t = ndconv::dispatch::tuning_for(c, info);
    EXPECT_EQ(t.gemm_lean_kernels, k.lean) << k.id.brand << " model " << k.id.model;
    EXPECT_EQ(t.prefer_avx2_to_avx512, k.prefer_avx2) << k.id.brand << " model " << k.id.model;
  }
}

// indirect-gemm's padded-lines loop: on Zen 5 (measured), not on Zen 4
// (measured slower there), nowhere else until measured.
TEST(Microarch, PaddedLinesPerCore) {
  CacheInfo c;
  c.l1d_bytes = 48 * 1024, c.l2_bytes = 1 << 20, c.line_bytes = 64;
  struct Case { CpuIdentity id; const char* name; size_t padded; };
  const Case cases[] = {
      {x86(kAmd, 0x1A, 0x44, 0, kIcx), "zen5", 1},
      {x86(kAmd, 0x19, 0x11, 1, kIcx), "zen4", 0},
      {x86(kAmd, 0x19, 0x01, 1, 0), "zen3", 0},
      {x86(kIntel, 6, 167, 1, kSpr, "Intel(R) Xeon(R) Processor"), "sapphire-rapids", 0},
      {x86(kAmd, 0x15, 0x02, 0, 0), nullptr, 0},
  };
  for (const Case& k : cases) {
    if (k.name) EXPECT_EQ(name_of(k.id), k.name);
    const ndconv::dispatch::Tuning t = ndconv::dispatch::tuning_for(c, info_of(k.id));
    EXPECT_EQ(t.indirect_padded_lines, k.padded) << k.id.family << " model " << k.id.model;
  }
}

// indirect-gemm's k-pair kernels for groups of 16 output channels: on Zen 5
// and Zen 4 (measured) and the named Intel server cores (modelled), not on
// older or unknown cores.
TEST(Microarch, KPairPerCore) {
  CacheInfo c;
  c.l1d_bytes = 48 * 1024, c.l2_bytes = 1 << 20, c.line_bytes = 64;
  struct Case { CpuIdentity id; size_t kpair; };
  const Case cases[] = {
      {x86(kAmd, 0x1A, 0x44, 0, kIcx), 1},
      {x86(kAmd, 0x19, 0x11, 1, kIcx), 1},
      {x86(kAmd, 0x19, 0x01, 1, 0), 0},
      {x86(kIntel, 6, 143, 1, kSpr, "Intel(R) Xeon(R) Processor"), 1},
      {x86(kIntel, 6, 60, 3, 0, "Intel(R) Core(TM) i7-4770"), 0},
      {x86(kAmd, 0x15, 0x02, 0, 0), 0},
  };
  for (const Case& k : cases) {
    const ndconv::dispatch::Tuning t = ndconv::dispatch::tuning_for(c, info_of(k.id));
    EXPECT_EQ(t.indirect_kpair, k.kpair) << k.id.family << " model " << k.id.model;
  }
}

// The detected CPU: the C API's text says what cpu_info() holds, and the
// automatic ISA follows the tuning's preference.
TEST(Microarch, DetectedCpuString) {
  const CpuInfo& cpu = ndconv::dispatch::cpu_info();
  const std::string text = ndconv_cpu_string();
  std::printf("%s", text.c_str());
  EXPECT_EQ(ndconv_cpu_string(), ndconv_cpu_string());  // one static text
  EXPECT_NE(text.find(std::string("\ncpu.microarchitecture = ") +
                      ndconv::dispatch::microarch_name(cpu.microarch) + "\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find(std::string("cpu.vendor = ") + ndconv::dispatch::vendor_name(cpu.identity.vendor)),
            std::string::npos) << text;
  EXPECT_EQ(text.rfind("cpu.brand = ", 0), 0u) << text;
  EXPECT_NE(text.find("\ncpu.fma_units = "), std::string::npos) << text;
  const ndconv::dispatch::CpuFeatures& f = ndconv::dispatch::cpu_features();
  const size_t dots = text.find("\ncpu.int8_dot_products = ");
  ASSERT_NE(dots, std::string::npos) << text;
  const std::string line = text.substr(dots + 1, text.find('\n', dots + 1) - dots - 1) + " ";
  EXPECT_EQ(line.find(" avx512-vnni ") != std::string::npos, f.avx512_vnni) << line;
  EXPECT_EQ(line.find(" avx-vnni ") != std::string::npos, f.avx_vnni) << line;
  EXPECT_EQ(line.find(" amx-int8 ") != std::string::npos, f.amx_int8) << line;
  EXPECT_EQ(line.find(" neon-dot ") != std::string::npos, f.neon_dot) << line;
  EXPECT_EQ(cpu.microarch, ndconv::dispatch::identify_microarch(cpu.identity));
}

TEST(Microarch, AutomaticIsaFollowsTheTuning) {
  using ndconv::dispatch::isa_available;
  const bool avx2_preferred =
      ndconv::dispatch::tuning().prefer_avx2_to_avx512 && isa_available(NDCONV_ISA_AVX2);
  EXPECT_EQ(ndconv_detected_isa() == NDCONV_ISA_AVX512,
            isa_available(NDCONV_ISA_AVX512) && !avx2_preferred);
}

}  // namespace
