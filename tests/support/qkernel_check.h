// What the int8 kernel tests share (tests/test_qgemm_kernels.cpp,
// tests/test_qgemm_cols.cpp): the kernel tables this CPU runs, bytes against
// a guard page, and the epilogue's contract (kernels/qgemm_args.h) computed
// exactly here, as the output type's bit pattern.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/qkernel_table.h"

namespace ndconv {
namespace test {

using kernels::QEpilogue;
using kernels::QKernelTable;
using kernels::QOutputType;

// Every table this CPU runs, each once (a level without its dot product
// returns the widening table for both requests: on AMD Zen 4, AVX2 has no
// AVX-VNNI, so its widening table comes back after its vpmaddubsw sibling).
inline std::vector<const QKernelTable*> runnable_tables() {
  std::vector<const QKernelTable*> tables;
  auto add = [&](const QKernelTable* t) {
    if (t != nullptr && std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
  };
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON})
    for (bool dot : {false, true}) {
      const QKernelTable* t = kernels::qkernel_table(isa, dot);
      add(t);
      // The widening table's vpmaddubsw sibling (weights in [-64, 64]).
      add(kernels::qkernel_pairs_table(t));
      // The VNNI table's AMX sibling (its GEMM tile).
      add(kernels::qkernel_amx_table(t));
    }
  return tables;
}

// `bytes` bytes with a PROT_NONE page right after them (after = true) or
// right before them: one byte too far faults.
class GuardedKernelBytes {
 public:
  GuardedKernelBytes(size_t bytes, bool after) : bytes_(bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t body = (bytes + page - 1) / page * page;
    map_bytes_ = body + 2 * page;
    void* m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    map_ = static_cast<uint8_t*>(m);
    mprotect(map_, page, PROT_NONE);
    mprotect(map_ + page + body, page, PROT_NONE);
    data_ = after ? map_ + page + body - bytes : map_ + page;
  }
  ~GuardedKernelBytes() { munmap(map_, map_bytes_); }
  GuardedKernelBytes(const GuardedKernelBytes&) = delete;
  GuardedKernelBytes& operator=(const GuardedKernelBytes&) = delete;
  uint8_t* data() { return data_; }
  size_t size() const { return bytes_; }

 private:
  uint8_t* map_ = nullptr;
  uint8_t* data_ = nullptr;
  size_t map_bytes_ = 0, bytes_ = 0;
};

inline size_t element_size(QOutputType t) {
  return t == QOutputType::kU8 || t == QOutputType::kS8 ? 1 : 4;
}

// Round half to even of a long double, by floor and compare (exact in every
// mode: x - floor(x) is x's fraction).
inline long double rne(long double x) {
  const long double r = std::floor(x);
  if (x - r > 0.5L) return r + 1;
  if (x - r < 0.5L) return r;
  return std::fmod(r, 2.0L) == 0 ? r : r + 1;
}

// The U8/S8 contract: rne(acc * scale) + out_zp, clamped, from the exact
// product: an int32 times a float has at most 32 + 24 significant bits, exact
// in long double (x87's 64-bit significand; AArch64's is 113 bits).
static_assert(std::numeric_limits<long double>::digits >= 56, "acc * scale must be exact");
inline int64_t exact_requantized(const QEpilogue& e, int32_t acc, size_t j) {
  const long double q = rne(static_cast<long double>(acc) * static_cast<long double>(e.scale[j])) + e.out_zp;
  return static_cast<int64_t>(std::min(std::max(q, static_cast<long double>(e.q_min)), static_cast<long double>(e.q_max)));
}

// float(acc) * scale in rounding mode `mode` (the conversion and the product
// are the operations the contract leaves to the mode where the ISA has no
// embedded rounding); volatile keeps them after fesetround.
inline float scaled_in_mode(int32_t acc, float scale, int mode) {
  const int saved = std::fegetround();
  std::fesetround(mode);
  volatile int32_t va = acc;
  volatile float vs = scale;
  volatile float f = static_cast<float>(va);
  volatile float p = f * vs;
  const float result = p;
  std::fesetround(saved);
  return result;
}

// The contract's epilogue of one accumulator, as the output type's bit
// pattern. F32: the float steps in `mode`. U8/S8 with float_steps: the
// AVX-512 form, float(acc) * scale rounded to nearest in float, then half to
// even (mode independent, an ulp from the exact product); else exact.
inline int64_t epilogue(const QEpilogue& e, int32_t acc, size_t j, int mode, bool float_steps = false) {
  switch (e.type) {
    case QOutputType::kS32: return std::min(std::max(acc, e.s32_min), e.s32_max);
    case QOutputType::kF32: {
      const float y = std::min(std::max(scaled_in_mode(acc, e.scale[j], mode), e.f32_min), e.f32_max);
      uint32_t bits;
      std::memcpy(&bits, &y, 4);
      return bits;
    }
    default: {
      if (!float_steps) return exact_requantized(e, acc, j);
      const long double q = rne(scaled_in_mode(acc, e.scale[j], FE_TONEAREST)) + e.out_zp;
      return static_cast<int64_t>(std::min(std::max(q, static_cast<long double>(e.q_min)), static_cast<long double>(e.q_max)));
    }
  }
}

// The x86 tables requantize U8/S8 float first (kernels/qgemm_avx512.hpp with
// embedded rounding, qgemm_avx2.hpp with plain float steps in round-to-nearest
// and scalar elsewhere): mode independent, not exact. The others are exact.
inline bool float_step_epilogue(const QKernelTable* t) {
  const std::string v = t->variant;
  return v.compare(0, 6, "avx512") == 0 || v.compare(0, 4, "avx2") == 0;  // every x86 level
}

inline int64_t stored(QOutputType t, const uint8_t* c, size_t index) {
  switch (t) {
    case QOutputType::kU8: return c[index];
    case QOutputType::kS8: return static_cast<int8_t>(c[index]);
    case QOutputType::kF32: {
      uint32_t bits;
      std::memcpy(&bits, c + 4 * index, 4);
      return bits;
    }
    default: {
      int32_t v;
      std::memcpy(&v, c + 4 * index, 4);
      return v;
    }
  }
}

// Calls `fn` (tile k's fn or step_fn) on `args` as the GEMM algorithm does:
// a packing tile (AMX) gets a 64-byte aligned scratch of exactly
// qgemm_a_pack_bytes, filled with garbage (the result must not depend on
// it), followed by a canary that must survive, and its tile registers
// configured around the call. a_packed stays as the caller set it (then
// `scratch` must hold the earlier call's rows: pass the same one).
struct RowsKernelScratch {
  std::vector<uint8_t> bytes;
  uint8_t* data = nullptr;
  size_t size = 0;
  static constexpr size_t kCanary = 64;
  void fit(size_t n) {
    if (n <= size) return;
    bytes.assign(n + 64 + kCanary, 0xC5);
    data = bytes.data() + (64 - reinterpret_cast<uintptr_t>(bytes.data()) % 64) % 64;
    size = n;
  }
  bool canary_intact() const {
    for (size_t i = 0; i < kCanary; ++i)
      if (data[size + i] != 0xC5) return false;
    return true;
  }
};

inline void call_rows_kernel(const kernels::QGemmRowsKernel& k, kernels::QGemmRowsFn fn,
                             kernels::QGemmRowsArgs args, RowsKernelScratch* scratch = nullptr) {
  RowsKernelScratch own;
  if (k.a_pack_rows != 0) {
    if (scratch == nullptr) scratch = &own;
    scratch->fit(kernels::qgemm_a_pack_bytes(k.a_pack_rows, args.taps, args.kc));
    args.a_pack = scratch->data;
  }
  if (k.prepare != nullptr) k.prepare();
  fn(args);
  if (k.release != nullptr) k.release();
  if (k.a_pack_rows != 0 && !scratch->canary_intact()) throw std::runtime_error("wrote past the A scratch");
}

}  // namespace test
}  // namespace ndconv
