#include "plan/cache_info.h"

#include <cstdio>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#  include <cpuid.h>
#  define NDCONV_CACHE_CPUID 1
#endif
#if defined(__linux__)
#  include <fcntl.h>
#  include <unistd.h>
#  define NDCONV_CACHE_SYSFS 1
#endif

namespace ndconv {
namespace dispatch {
namespace {

// Plausible sizes: anything outside is a broken report (a hypervisor's zeros,
// a misread field), not a real cache.
constexpr size_t kMinL1dBytes = 4 * 1024, kMaxL1dBytes = 256 * 1024;
constexpr size_t kMinL2Bytes = 64 * 1024, kMaxL2Bytes = size_t{256} << 20;
constexpr size_t kMaxL3Bytes = size_t{16} << 30;
constexpr size_t kMinLineBytes = 16, kMaxLineBytes = 512;

bool in_range(size_t v, size_t lo, size_t hi) { return v >= lo && v <= hi; }

// --- CPUID ---------------------------------------------------------------

// One cache of leaf 4 / 0x8000001D (same layout) into `c`: data and unified
// caches only. False at the end of the list (type 0).
bool add_deterministic_cache(const CpuidRegs& r, CacheInfo* c) {
  const uint32_t type = r.eax & 0x1f;  // 1 data, 2 instruction, 3 unified
  if (type == 0) return false;
  if (type == 2) return true;
  const uint32_t level = (r.eax >> 5) & 0x7;
  const size_t line = (r.ebx & 0xfff) + 1;
  const size_t partitions = ((r.ebx >> 12) & 0x3ff) + 1;
  const size_t ways = ((r.ebx >> 22) & 0x3ff) + 1;
  const size_t sets = static_cast<size_t>(r.ecx) + 1;
  const size_t bytes = ways * partitions * line * sets;
  if (level == 1) c->l1d_bytes = bytes, c->line_bytes = line;
  if (level == 2) c->l2_bytes = bytes;
  if (level == 3) c->l3_bytes = bytes;
  return true;
}

CacheInfo deterministic_caches(CpuidFn cpuid, const void* context, uint32_t leaf,
                               const char* source) {
  CacheInfo c;
  c.source = source;
  for (uint32_t sub = 0; sub < 32; ++sub)  // real CPUs list 4 to 6
    if (!add_deterministic_cache(cpuid(context, leaf, sub), &c)) break;
  return c;
}

// AMD's older description (K8 to Zen 1 without topology extensions; Intel
// fills 0x80000006's L2 field too): sizes in KiB, L3 in 512 KiB units.
CacheInfo legacy_amd_caches(CpuidFn cpuid, const void* context) {
  CacheInfo c;
  c.source = "cpuid 0x80000005/6";
  const CpuidRegs l1 = cpuid(context, 0x80000005, 0);
  const CpuidRegs l23 = cpuid(context, 0x80000006, 0);
  c.l1d_bytes = static_cast<size_t>(l1.ecx >> 24) * 1024;
  c.line_bytes = l1.ecx & 0xff;
  c.l2_bytes = static_cast<size_t>(l23.ecx >> 16) * 1024;
  c.l3_bytes = static_cast<size_t>(l23.edx >> 18) * 512 * 1024;
  if (c.line_bytes == 0) c.line_bytes = l23.ecx & 0xff;
  return c;
}

bool vendor_is(const CpuidRegs& leaf0, const char* name) {
  char vendor[13];
  std::memcpy(vendor, &leaf0.ebx, 4);
  std::memcpy(vendor + 4, &leaf0.edx, 4);
  std::memcpy(vendor + 8, &leaf0.ecx, 4);
  vendor[12] = '\0';
  return std::strcmp(vendor, name) == 0;
}

// --- sysfs ---------------------------------------------------------------

// "48K\n", "2048K", "32M", "64": bytes, or 0 if it is not a size.
size_t parse_size(const char* text) {
  size_t v = 0;
  const char* p = text;
  for (; *p >= '0' && *p <= '9'; ++p) {
    if (v > (~size_t{0} >> 4) / 10) return 0;  // absurdly long: not a cache
    v = v * 10 + static_cast<size_t>(*p - '0');
  }
  if (p == text) return 0;
  if (*p == 'K') return v << 10;
  if (*p == 'M') return v << 20;
  if (*p == 'G') return v << 30;
  return v;
}

bool read_index_file(ReadFileFn read_file, const void* context, int index, const char* name,
                     char* buf, size_t size) {
  char path[96];
  std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/%s", index, name);
  return read_file(context, path, buf, size);
}

#if defined(NDCONV_CACHE_CPUID)
CpuidRegs real_cpuid(const void*, uint32_t leaf, uint32_t subleaf) {
  CpuidRegs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}
#endif

#if defined(NDCONV_CACHE_SYSFS)
bool real_read_file(const void*, const char* path, char* buf, size_t size) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::read(fd, buf, size - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}
#endif

CacheInfo detect_caches() {
  CacheInfo c;
#if defined(NDCONV_CACHE_CPUID)
  c = caches_from_cpuid(real_cpuid, nullptr);
#endif
#if defined(NDCONV_CACHE_SYSFS)
  if (!plausible_caches(c)) {
    const CacheInfo sysfs = caches_from_sysfs(real_read_file, nullptr);
    if (plausible_caches(sysfs) || c.l1d_bytes == 0) c = sysfs;
  }
#endif
  return with_defaults(c);
}

}  // namespace

CacheInfo caches_from_cpuid(CpuidFn cpuid, const void* context) {
  const CpuidRegs leaf0 = cpuid(context, 0, 0);
  const uint32_t max_ext = cpuid(context, 0x80000000, 0).eax;
  const bool amd = vendor_is(leaf0, "AuthenticAMD") || vendor_is(leaf0, "HygonGenuine");
  CacheInfo c;
  if (amd) {
    // 0x8000001D is valid only with TopologyExtensions (CPUID 0x80000001 ECX[22]).
    if (max_ext >= 0x8000001D && (cpuid(context, 0x80000001, 0).ecx & (1u << 22)))
      c = deterministic_caches(cpuid, context, 0x8000001D, "cpuid 0x8000001d");
  } else if (leaf0.eax >= 4) {
    c = deterministic_caches(cpuid, context, 4, "cpuid leaf 4");
  }
  if ((c.l1d_bytes == 0 || c.l2_bytes == 0) && max_ext >= 0x80000006) {
    const CacheInfo legacy = legacy_amd_caches(cpuid, context);
    if (legacy.l1d_bytes != 0 || c.l1d_bytes == 0) c = legacy;
  }
  return c;
}

CacheInfo caches_from_sysfs(ReadFileFn read_file, const void* context) {
  CacheInfo c;
  char buf[64];
  for (int index = 0; index < 16; ++index) {  // index0.. are contiguous
    if (!read_index_file(read_file, context, index, "level", buf, sizeof buf)) break;
    const size_t level = parse_size(buf);
    if (!read_index_file(read_file, context, index, "type", buf, sizeof buf)) continue;
    if (std::strncmp(buf, "Instruction", 11) == 0) continue;  // "Data" or "Unified"
    if (!read_index_file(read_file, context, index, "size", buf, sizeof buf)) continue;
    const size_t bytes = parse_size(buf);
    c.source = "sysfs";
    if (level == 1) {
      c.l1d_bytes = bytes;
      if (read_index_file(read_file, context, index, "coherency_line_size", buf, sizeof buf))
        c.line_bytes = parse_size(buf);
    }
    if (level == 2) c.l2_bytes = bytes;
    if (level == 3) c.l3_bytes = bytes;
  }
  return c;
}

bool plausible_caches(const CacheInfo& c) {
  return in_range(c.l1d_bytes, kMinL1dBytes, kMaxL1dBytes) &&
         in_range(c.l2_bytes, kMinL2Bytes, kMaxL2Bytes) && c.l2_bytes > c.l1d_bytes;
}

CacheInfo with_defaults(CacheInfo c) {
  if (!in_range(c.l1d_bytes, kMinL1dBytes, kMaxL1dBytes)) {
    c.l1d_bytes = kDefaultL1dBytes;
    c.defaulted |= kCacheL1d;
  }
  static_assert(kDefaultL2Bytes > kMaxL1dBytes, "the default L2 must exceed any L1d kept");
  if (!in_range(c.l2_bytes, kMinL2Bytes, kMaxL2Bytes) || c.l2_bytes <= c.l1d_bytes) {
    c.l2_bytes = kDefaultL2Bytes;
    c.defaulted |= kCacheL2;
  }
  // L3 has no default (the tuning does not use it): an absurd one is "none".
  if (c.l3_bytes != 0 && !in_range(c.l3_bytes, c.l2_bytes + 1, kMaxL3Bytes)) {
    c.l3_bytes = 0;
    c.defaulted |= kCacheL3;
  }
  const bool power_of_two = (c.line_bytes & (c.line_bytes - 1)) == 0;
  if (!in_range(c.line_bytes, kMinLineBytes, kMaxLineBytes) || !power_of_two) {
    c.line_bytes = kDefaultLineBytes;
    c.defaulted |= kCacheLine;
  }
  if ((c.defaulted & (kCacheL1d | kCacheL2)) == (kCacheL1d | kCacheL2)) c.source = "none";
  return c;
}

const CacheInfo& cache_info() {
  static const CacheInfo caches = detect_caches();
  return caches;
}

}  // namespace dispatch
}  // namespace ndconv
