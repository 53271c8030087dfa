// Cache sizes of the CPU ndconv runs on, detected once at run time: the GEMM
// driver's cache budgets (plan/tuning.h) follow from them.
//
// Sources, in order: x86-64 CPUID (leaf 4 on Intel and others, 0x8000001D on
// AMD and Hygon when the topology-extensions bit is set, 0x80000005/6 on
// older AMD), then on Linux sysfs (/sys/devices/system/cpu/cpu0/cache: the
// only source on AArch64, and the second opinion on x86-64 when CPUID says
// nothing useful, e.g. under a hypervisor that hides the cache leaves). A
// value that no source gives, or that looks absurd (0, a line that is not a
// power of two, an L2 no larger than L1d, ...), is replaced by its default:
// kDefaultL1dBytes, kDefaultL2Bytes, kDefaultLineBytes.
//
// Detection allocates nothing (CPUID, or POSIX open/read into a stack
// buffer), so it may run inside ndconv_conv_create under the allocation test.
// The decoders take their source as a function, so the tests can feed them
// fake CPUID tables and fake sysfs trees.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ndconv {
namespace dispatch {

// Defaults when nothing answers: the smallest caches of the cores ndconv may
// meet (32 KiB L1d: Intel before Ice Lake, AMD before Zen 5, most Arm cores;
// 512 KiB L2: Cortex-A55/A72-class clusters). Guessing small only shrinks the
// cache blocks, which costs a little speed; guessing large thrashes.
constexpr size_t kDefaultL1dBytes = 32 * 1024;
constexpr size_t kDefaultL2Bytes = 512 * 1024;
constexpr size_t kDefaultLineBytes = 64;

// Bits of CacheInfo::defaulted.
enum CacheField : unsigned {
  kCacheL1d = 1u << 0,
  kCacheL2 = 1u << 1,
  kCacheL3 = 1u << 2,
  kCacheLine = 1u << 3,
};

struct CacheInfo {
  size_t l1d_bytes = 0;   // level-1 data cache of one core
  size_t l2_bytes = 0;    // level-2 cache (of one core, or shared by a cluster)
  size_t l3_bytes = 0;    // level-3 cache, 0 when none is reported (unused by the tuning)
  size_t line_bytes = 0;  // L1d line size
  // Where the sizes came from: "cpuid leaf 4", "cpuid 0x8000001d",
  // "cpuid 0x80000005/6", "sysfs" or "none" (a static string).
  const char* source = "none";
  unsigned defaulted = 0;  // CacheField bits of the values replaced by defaults
};

// The caches of this machine, detected on first use (thread-safe).
const CacheInfo& cache_info();

// --- The decoders, exposed for the tests --------------------------------

struct CpuidRegs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};
// Answers CPUID (leaf, subleaf): the real instruction, or a test's table.
// Leaves above the maximum that leaf 0 / 0x80000000 report are never asked.
using CpuidFn = CpuidRegs (*)(const void* context, uint32_t leaf, uint32_t subleaf);
// Reads a whole small file into buf (NUL-terminated, at most size - 1 bytes);
// false if it cannot be read.
using ReadFileFn = bool (*)(const void* context, const char* path, char* buf, size_t size);

// The caches as CPUID describes them; values it does not give are 0.
CacheInfo caches_from_cpuid(CpuidFn cpuid, const void* context);
// The caches as /sys/devices/system/cpu/cpu0/cache/index*/{level,type,size,
// coherency_line_size} describe them; values it does not give are 0.
CacheInfo caches_from_sysfs(ReadFileFn read_file, const void* context);
// Whether L1d and L2 both look like real caches (what with_defaults keeps).
bool plausible_caches(const CacheInfo& caches);
// `caches` with every absent or absurd value replaced by its default, and
// the replaced ones marked in `defaulted`.
CacheInfo with_defaults(CacheInfo caches);

}  // namespace dispatch
}  // namespace ndconv
