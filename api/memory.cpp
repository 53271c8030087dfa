#include "api/memory.h"

#include <atomic>
#include <cstdio>

namespace ndconv {
namespace dispatch {
namespace {

constexpr std::align_val_t kAlignment{64};  // a cache line; every SIMD width we have

// Fault injection state (see testing::fail_allocations_from). Relaxed atomics:
// the counter only has to be exact, not ordered with other memory.
std::atomic<size_t> allocations_made{0};
std::atomic<size_t> fail_from{0};

}  // namespace

void* allocate(size_t bytes) noexcept {
  const size_t n = allocations_made.fetch_add(1, std::memory_order_relaxed) + 1;
  const size_t first_failing = fail_from.load(std::memory_order_relaxed);
  if (first_failing != 0 && n >= first_failing) return nullptr;
  return ::operator new(bytes ? bytes : 1, kAlignment, std::nothrow);
}

void deallocate(void* p) noexcept {
  if (p) ::operator delete(p, kAlignment);
}

PlanName::PlanName(const char* name) noexcept { std::snprintf(text_, sizeof text_, "%s", name); }
PlanName::PlanName(const char* algorithm, const char* isa) noexcept {
  std::snprintf(text_, sizeof text_, "%s/%s", algorithm, isa);
}

namespace testing {
size_t fail_allocations_from(size_t n) noexcept {
  const size_t made = allocations_made.exchange(0, std::memory_order_relaxed);
  fail_from.store(n, std::memory_order_relaxed);
  return made;
}
}  // namespace testing

}  // namespace dispatch
}  // namespace ndconv
