// The detected caches and the tuning derived from them (plan/cache_info.h,
// plan/tuning.h): the decoders on fake CPUID tables and sysfs trees, the
// defaults when nothing answers, the budget rules, ndconv_tuning_string.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "ndconv/ndconv.h"
#include "plan/cache_info.h"
#include "plan/tuning.h"

namespace {

using ndconv::dispatch::CacheInfo;
using ndconv::dispatch::CpuidRegs;
using ndconv::dispatch::Tuning;

constexpr size_t KiB = 1024, MiB = 1024 * 1024;

// A CPU as its CPUID table: leaves not listed answer zeros.
struct FakeCpuid {
  std::map<std::pair<uint32_t, uint32_t>, CpuidRegs> leaves;

  FakeCpuid(const char* vendor, uint32_t max_basic, uint32_t max_extended) {
    CpuidRegs r;
    r.eax = max_basic;
    std::memcpy(&r.ebx, vendor, 4);
    std::memcpy(&r.edx, vendor + 4, 4);
    std::memcpy(&r.ecx, vendor + 8, 4);
    leaves[{0, 0}] = r;
    leaves[{0x80000000, 0}].eax = max_extended;
  }
  // One cache of leaf 4 / 0x8000001D. type: 1 data, 2 instruction, 3 unified.
  void cache(uint32_t leaf, uint32_t subleaf, uint32_t type, uint32_t level, size_t bytes,
             size_t ways, size_t line = 64) {
    CpuidRegs r;
    r.eax = type | level << 5;
    r.ebx = static_cast<uint32_t>((line - 1) | (ways - 1) << 22);
    r.ecx = static_cast<uint32_t>(bytes / (ways * line) - 1);
    leaves[{leaf, subleaf}] = r;
  }
  static CpuidRegs query(const void* self, uint32_t leaf, uint32_t subleaf) {
    const auto& leaves = static_cast<const FakeCpuid*>(self)->leaves;
    const auto it = leaves.find({leaf, subleaf});
    return it == leaves.end() ? CpuidRegs{} : it->second;
  }
  CacheInfo decode() const { return ndconv::dispatch::caches_from_cpuid(query, this); }
};

// A sysfs tree: path -> contents; other paths do not exist.
struct FakeSysfs {
  std::map<std::string, std::string> files;

  void cache(int index, const char* level, const char* type, const char* size) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    files[dir + "level"] = std::string(level) + "\n";
    files[dir + "type"] = std::string(type) + "\n";
    files[dir + "size"] = std::string(size) + "\n";
    files[dir + "coherency_line_size"] = "64\n";
  }
  static bool read(const void* self, const char* path, char* buf, size_t size) {
    const auto& files = static_cast<const FakeSysfs*>(self)->files;
    const auto it = files.find(path);
    if (it == files.end()) return false;
    std::snprintf(buf, size, "%s", it->second.c_str());
    return true;
  }
  CacheInfo decode() const { return ndconv::dispatch::caches_from_sysfs(read, this); }
};

CacheInfo caches(size_t l1d, size_t l2, size_t l3 = 0) {
  CacheInfo c;
  c.l1d_bytes = l1d;
  c.l2_bytes = l2;
  c.l3_bytes = l3;
  c.line_bytes = 64;
  return c;
}

std::string text_of(const CacheInfo& c, const Tuning& t) {
  char buf[4096];
  ndconv::dispatch::format_tuning(c, t, buf, sizeof buf);
  return buf;
}

TEST(Tuning, DetectedCachesArePlausible) {
  const CacheInfo& c = ndconv::dispatch::cache_info();
  std::printf("detected: %s, L1d %zu KiB, L2 %zu KiB, L3 %zu KiB, line %zu B, defaulted %#x\n",
              c.source, c.l1d_bytes / KiB, c.l2_bytes / KiB, c.l3_bytes / KiB, c.line_bytes,
              c.defaulted);
  EXPECT_GE(c.l1d_bytes, 4 * KiB);
  EXPECT_LE(c.l1d_bytes, 256 * KiB);
  EXPECT_LT(c.l1d_bytes, c.l2_bytes);
  EXPECT_TRUE(c.l3_bytes == 0 || c.l3_bytes > c.l2_bytes);
  EXPECT_GE(c.line_bytes, 16u);
  EXPECT_EQ(c.line_bytes & (c.line_bytes - 1), 0u);
  EXPECT_TRUE(ndconv::dispatch::plausible_caches(c));
}

TEST(Tuning, IntelLeaf4) {  // Sapphire Rapids-like
  FakeCpuid cpu("GenuineIntel", 0x20, 0x80000008);
  cpu.cache(4, 0, 1, 1, 48 * KiB, 12);
  cpu.cache(4, 1, 2, 1, 32 * KiB, 8);
  cpu.cache(4, 2, 3, 2, 2 * MiB, 16);
  cpu.cache(4, 3, 3, 3, 105 * MiB, 15);
  const CacheInfo c = cpu.decode();
  EXPECT_STREQ(c.source, "cpuid leaf 4");
  EXPECT_EQ(c.l1d_bytes, 48 * KiB);
  EXPECT_EQ(c.l2_bytes, 2 * MiB);
  EXPECT_EQ(c.l3_bytes, 105 * MiB);
  EXPECT_EQ(c.line_bytes, 64u);
}

TEST(Tuning, AmdTopologyExtensions) {  // Zen 5: 0x8000001D, leaf 4 is reserved
  FakeCpuid cpu("AuthenticAMD", 0x10, 0x80000028);
  cpu.leaves[{0x80000001, 0}].ecx = 1u << 22;
  cpu.cache(0x8000001D, 0, 1, 1, 48 * KiB, 12);
  cpu.cache(0x8000001D, 1, 2, 1, 32 * KiB, 8);
  cpu.cache(0x8000001D, 2, 3, 2, 1 * MiB, 16);
  cpu.cache(0x8000001D, 3, 3, 3, 32 * MiB, 16);
  cpu.cache(4, 0, 1, 1, 1 * MiB, 1);  // must not be read on AMD
  const CacheInfo c = cpu.decode();
  EXPECT_STREQ(c.source, "cpuid 0x8000001d");
  EXPECT_EQ(c.l1d_bytes, 48 * KiB);
  EXPECT_EQ(c.l2_bytes, 1 * MiB);
  EXPECT_EQ(c.l3_bytes, 32 * MiB);
}

TEST(Tuning, OlderAmdLegacyLeaves) {  // no topology extensions: 0x80000005/6
  FakeCpuid cpu("AuthenticAMD", 0x5, 0x8000001B);
  cpu.cache(0x8000001D, 0, 1, 1, 1 * MiB, 1);  // must not be read without the bit
  cpu.leaves[{0x80000005, 0}].ecx = 64u << 24 | 64;           // 64 KiB L1d, 64 B lines
  cpu.leaves[{0x80000006, 0}].ecx = 512u << 16 | 64;          // 512 KiB L2
  cpu.leaves[{0x80000006, 0}].edx = 12u << 18;                // 6 MiB L3
  const CacheInfo c = cpu.decode();
  EXPECT_STREQ(c.source, "cpuid 0x80000005/6");
  EXPECT_EQ(c.l1d_bytes, 64 * KiB);
  EXPECT_EQ(c.l2_bytes, 512 * KiB);
  EXPECT_EQ(c.l3_bytes, 6 * MiB);
  EXPECT_EQ(c.line_bytes, 64u);
}

TEST(Tuning, NothingAnswersGivesTheDefaults) {
  const FakeCpuid hidden("GenuineIntel", 1, 0);  // a hypervisor hiding the cache leaves
  const FakeSysfs empty;
  for (const CacheInfo& raw : {hidden.decode(), empty.decode()}) {
    EXPECT_EQ(raw.l1d_bytes, 0u);
    const CacheInfo c = ndconv::dispatch::with_defaults(raw);
    EXPECT_STREQ(c.source, "none");
    EXPECT_EQ(c.l1d_bytes, 32 * KiB);
    EXPECT_EQ(c.l2_bytes, 512 * KiB);
    EXPECT_EQ(c.l3_bytes, 0u);
    EXPECT_EQ(c.line_bytes, 64u);
    using namespace ndconv::dispatch;
    EXPECT_EQ(c.defaulted, unsigned{kCacheL1d | kCacheL2 | kCacheLine});
    EXPECT_FALSE(plausible_caches(raw));
  }
}

TEST(Tuning, AbsurdValuesGiveTheDefaults) {
  using namespace ndconv::dispatch;
  CacheInfo raw = caches(48 * KiB, 32 * KiB, 1 * KiB);  // L2 smaller than L1d, tiny L3
  raw.line_bytes = 48;                                  // not a power of two
  CacheInfo c = with_defaults(raw);
  EXPECT_EQ(c.l1d_bytes, 48 * KiB);
  EXPECT_EQ(c.l2_bytes, 512 * KiB);
  EXPECT_EQ(c.l3_bytes, 0u);
  EXPECT_EQ(c.line_bytes, 64u);
  EXPECT_EQ(c.defaulted, unsigned{kCacheL2 | kCacheL3 | kCacheLine});

  c = with_defaults(caches(0, 4 * MiB));
  EXPECT_EQ(c.l1d_bytes, 32 * KiB);
  EXPECT_EQ(c.l2_bytes, 4 * MiB);
  EXPECT_EQ(c.defaulted, unsigned{kCacheL1d});

  FakeSysfs zero;  // a sysfs that answers zeros
  zero.cache(0, "1", "Data", "0K");
  zero.cache(1, "2", "Unified", "0K");
  c = with_defaults(zero.decode());
  EXPECT_EQ(c.l1d_bytes, 32 * KiB);
  EXPECT_EQ(c.l2_bytes, 512 * KiB);
}

TEST(Tuning, SysfsTree) {  // Neoverse N1-like
  FakeSysfs sys;
  sys.cache(0, "1", "Data", "64K");
  sys.cache(1, "1", "Instruction", "64K");
  sys.cache(2, "2", "Unified", "1024K");
  sys.cache(3, "3", "Unified", "32M");
  const CacheInfo c = sys.decode();
  EXPECT_STREQ(c.source, "sysfs");
  EXPECT_EQ(c.l1d_bytes, 64 * KiB);
  EXPECT_EQ(c.l2_bytes, 1 * MiB);
  EXPECT_EQ(c.l3_bytes, 32 * MiB);
  EXPECT_EQ(c.line_bytes, 64u);
  EXPECT_TRUE(ndconv::dispatch::plausible_caches(c));
}

TEST(Tuning, DefaultsAreTheMeasuredConstants) {
  const Tuning t;
  EXPECT_EQ(t.gemm_l1_budget_bytes, 32 * KiB);
  EXPECT_EQ(t.gemm_l2_budget_bytes, 512 * KiB);
  EXPECT_EQ(t.gemm_m_outer_max_weight_bytes, 768 * KiB);
  EXPECT_EQ(t.gemm_min_k_block_floats, 64u);
  EXPECT_EQ(t.tasks_per_thread, 4u);
  EXPECT_EQ(t.reference_min_macs_per_task, 16384u);
  EXPECT_EQ(t.threadpool_worker_spins, 4000u);
  EXPECT_EQ(t.threadpool_caller_spins, 4000u);
  EXPECT_EQ(t.pointwise_copy_panel_min_m_blocks, 4u);
  EXPECT_EQ(t.l1_way_bytes, 4096u);
  EXPECT_EQ(t.pointwise_max_panel_lines_per_set, 8u);
  EXPECT_EQ(t.pointwise_cols_a_block_bytes, 4 * MiB);
  EXPECT_EQ(t.pointwise_rows_slice_bytes, 256 * KiB);
  EXPECT_EQ(t.ngram_min_channels_first_window_floats, 64u);
  EXPECT_EQ(t.ngram_split_min_row_tiles, 16u);
  EXPECT_EQ(t.indirect_panel_group, 2u);
  EXPECT_EQ(t.indirect_merge_max_channels, 32u);
  EXPECT_EQ(t.im2col_a_block_bytes, 4 * MiB);
  EXPECT_EQ(t.cache_line_floats, 16u);
  EXPECT_EQ(t.indirect_padded_lines, 0u);  // set per core (the tuning table)
  EXPECT_EQ(t.indirect_kpair, 0u);         // set per core (the tuning table)
}

// On Zen 5 (48 KiB L1d, 1 MiB L2), where the constants were measured, the
// derived tuning is exactly the defaults.
TEST(Tuning, Zen5GetsTheMeasuredConstants) {
  const CacheInfo zen5 = caches(48 * KiB, 1 * MiB, 32 * MiB);
  EXPECT_EQ(text_of(zen5, ndconv::dispatch::tuning_for(zen5, {})), text_of(zen5, Tuning{}));
}

// L1 budget: two thirds of L1d, whole lines; L2 budget: half of L2; weights
// kept in L2 (m_outer): 3/2 of the L2 budget. None above the measured values.
TEST(Tuning, BudgetsFollowTheCaches) {
  struct Case { size_t l1d, l2, l1_budget, l2_budget, m_outer; };
  const Case cases[] = {
      {32 * KiB, 1 * MiB, 21824, 512 * KiB, 768 * KiB},      // Zen 4
      {48 * KiB, 2 * MiB, 32 * KiB, 512 * KiB, 768 * KiB},   // Sapphire Rapids: capped
      {64 * KiB, 1 * MiB, 32 * KiB, 512 * KiB, 768 * KiB},   // Neoverse N1: capped
      {32 * KiB, 512 * KiB, 21824, 256 * KiB, 384 * KiB},    // the defaults
      {16 * KiB, 256 * KiB, 10880, 128 * KiB, 192 * KiB},    // a small core
  };
  for (const Case& k : cases) {
    const Tuning t = ndconv::dispatch::tuning_for(caches(k.l1d, k.l2), {});
    EXPECT_EQ(t.gemm_l1_budget_bytes, k.l1_budget) << k.l1d;
    EXPECT_EQ(t.gemm_l2_budget_bytes, k.l2_budget) << k.l2;
    EXPECT_EQ(t.gemm_m_outer_max_weight_bytes, k.m_outer) << k.l2;
    EXPECT_EQ(t.qgemm_m_outer_max_weight_bytes, k.l2_budget) << k.l2;  // the int8 sweep: the L2 budget
    EXPECT_EQ(t.gemm_l1_budget_bytes % 64, 0u);
    EXPECT_EQ(t.tasks_per_thread, Tuning{}.tasks_per_thread);
  }
}

// The int8 GEMM tile: 14 rows on Zen 5 (measured), the table's main tile
// (0) on every other core, named or not.
TEST(Tuning, Int8TileRowsPerCore) {
  ndconv::dispatch::CpuInfo cpu;
  const CacheInfo c = caches(48 * KiB, 1 * MiB, 32 * MiB);
  cpu.microarch = ndconv::dispatch::Microarch::zen5;
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).qgemm_rows_tile_mr, 14u);
  for (auto m : {ndconv::dispatch::Microarch::zen4, ndconv::dispatch::Microarch::sapphire_rapids,
                 ndconv::dispatch::Microarch::ice_lake_sp}) {
    cpu.microarch = m;
    EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).qgemm_rows_tile_mr, 0u);
  }
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, {}).qgemm_rows_tile_mr, 0u);
}

// The channels-first output-bound GEMMs' C prefetch: off on Zen 4
// (measured), on (K <= 32) on every other core, named or not.
TEST(Tuning, ColsPrefetchOfTheOutputPerCore) {
  using ndconv::dispatch::Microarch;
  ndconv::dispatch::CpuInfo cpu;
  const CacheInfo c = caches(32 * KiB, 1 * MiB, 32 * MiB);
  cpu.microarch = Microarch::zen4;
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).cols_prefetch_c_max_k, 0u);
  for (auto m : {Microarch::zen5, Microarch::zen3, Microarch::sapphire_rapids, Microarch::ice_lake_sp}) {
    cpu.microarch = m;
    EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).cols_prefetch_c_max_k, 32u) << static_cast<int>(m);
  }
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, {}).cols_prefetch_c_max_k, 32u);
}

// The wide channels-first tile: Zen 4, Zen 5 and the Intel cores (measured
// on Zen 4, Zen 5 and Emerald Rapids). The wide channels-last tile: Zen 4
// and the Intel cores, an unnamed Intel core too. The depthwise prefetch:
// the Intel cores, no AMD core.
TEST(Tuning, WideTilesAndDepthwisePrefetchPerCore) {
  using ndconv::dispatch::Microarch;
  ndconv::dispatch::CpuInfo cpu;
  const CacheInfo c = caches(48 * KiB, 2 * MiB, 32 * MiB);
  for (auto m : {Microarch::zen4, Microarch::zen5, Microarch::sapphire_rapids, Microarch::ice_lake_sp,
                 Microarch::skylake_sp}) {
    cpu.microarch = m;
    const Tuning t = ndconv::dispatch::tuning_for(c, cpu);
    const bool intel = m != Microarch::zen4 && m != Microarch::zen5;
    EXPECT_EQ(t.gemm_cols_wide, 1u) << static_cast<int>(m);
    EXPECT_EQ(t.depthwise_nxc_prefetch_pixels, intel ? 8u : 0u) << static_cast<int>(m);
    EXPECT_EQ(t.gemm_rows_wide, m == Microarch::zen4 || intel ? 1u : 0u) << static_cast<int>(m);
  }
  for (auto m : {Microarch::zen3, Microarch::zen2}) {
    cpu.microarch = m;
    EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).gemm_cols_wide, 0u) << static_cast<int>(m);
  }
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, {}).depthwise_nxc_prefetch_pixels, 0u);
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, {}).gemm_rows_wide, 0u);
  cpu = {};
  cpu.identity.vendor = ndconv::dispatch::CpuVendor::intel;
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).depthwise_nxc_prefetch_pixels, 8u);
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).gemm_rows_wide, 1u);
  EXPECT_EQ(ndconv::dispatch::tuning_for(c, cpu).gemm_cols_wide, 1u);
  EXPECT_EQ(Tuning{}.gemm_cols_wide, 0u);
  EXPECT_EQ(Tuning{}.gemm_rows_wide, 0u);
  EXPECT_EQ(Tuning{}.depthwise_nxc_prefetch_pixels, 0u);
}

TEST(Tuning, AccessorIsTheDetectedCpusTuning) {
  const Tuning expected =
      ndconv::dispatch::tuning_for(ndconv::dispatch::cache_info(), ndconv::dispatch::cpu_info());
  const CacheInfo& c = ndconv::dispatch::cache_info();
  EXPECT_EQ(text_of(c, ndconv::dispatch::tuning()), text_of(c, expected));
  EXPECT_EQ(&ndconv::dispatch::tuning(), &ndconv::dispatch::tuning());
}

TEST(Tuning, StringNamesEveryField) {
  const size_t length = ndconv_tuning_string(nullptr, 0);
  std::string text(length + 1, '\0');
  EXPECT_EQ(ndconv_tuning_string(&text[0], text.size()), length);
  text.resize(length);
  EXPECT_EQ(std::strlen(text.c_str()), length);
  std::printf("%s", text.c_str());
  const char* names[] = {
      "cache.source", "cache.l1d_bytes", "cache.l2_bytes", "cache.l3_bytes", "cache.line_bytes",
      "cache.defaulted", "gemm_l1_budget_bytes", "gemm_l2_budget_bytes",
      "gemm_m_outer_max_weight_bytes", "gemm_min_k_block_floats", "tasks_per_thread",
      "reference_min_macs_per_task", "threadpool_worker_spins", "threadpool_caller_spins",
      "pointwise_copy_panel_min_m_blocks", "l1_way_bytes", "pointwise_max_panel_lines_per_set",
      "pointwise_cols_a_block_bytes", "pointwise_rows_slice_bytes", "pointwise_small_k_stream",
      "ngram_min_channels_first_window_floats", "ngram_split_min_row_tiles",
      "depthwise_nxc_prefetch_pixels", "indirect_panel_group", "cols_prefetch_c_max_k", "indirect_merge_max_channels",
      "im2col_a_block_bytes", "cache_line_floats", "ncx_channels_last", "ncx_channels_last_min_flops",
      "ncx_channels_last_pointwise_max_pixels", "ncx_channels_last_depthwise_max_line", "textcnn_min_tiles_per_task", "gemm_lean_kernels",
      "gemm_cols_wide", "gemm_rows_wide", "prefer_avx2_to_avx512", "indirect_padded_lines", "indirect_kpair", "qgemm_m_outer_max_weight_bytes",
      "qgemm_rows_tile_mr", "qgemm_amx_min_k_bytes"};
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, sizeof names / sizeof names[0]);
  const std::string lines_text = "\n" + text;
  for (const char* name : names)
    EXPECT_NE(lines_text.find(std::string("\n") + name + " = "), std::string::npos)
        << name << " missing from:" << lines_text;
  char l1d[64];
  std::snprintf(l1d, sizeof l1d, "cache.l1d_bytes = %zu\n", ndconv::dispatch::cache_info().l1d_bytes);
  EXPECT_NE(text.find(l1d), std::string::npos);
}

TEST(Tuning, StringFollowsSnprintfContract) {
  const size_t length = ndconv_tuning_string(nullptr, 0);
  char small[10];
  std::memset(small, 'x', sizeof small);
  EXPECT_EQ(ndconv_tuning_string(small, sizeof small), length);
  EXPECT_EQ(std::strlen(small), sizeof small - 1);
  EXPECT_EQ(std::strncmp(small, "cache.sou", 9), 0);
  char untouched = 'x';
  EXPECT_EQ(ndconv_tuning_string(&untouched, 0), length);
  EXPECT_EQ(untouched, 'x');
  EXPECT_EQ(ndconv_tuning_string(nullptr, 100), length);  // NULL buf: nothing written
}

}  // namespace
