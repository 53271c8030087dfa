// What the float32 and int8 algorithms share (plan/algorithm.h,
// plan/qalgorithm.h): the plan's reported name, and allocation through
// dispatch::allocate (aligned, and counted by the tests' fault injector), so
// factories use `new (std::nothrow)`.
#pragma once

#include <cstddef>
#include <new>

#include "api/memory.h"

namespace ndconv {
namespace dispatch {

class PlanAlgorithmBase {
 public:
  virtual ~PlanAlgorithmBase() = default;
  // "<algorithm>/<isa or variant>", e.g. "pointwise-gemm/avx512".
  const PlanName& name() const { return name_; }

  static void* operator new(size_t bytes) {
    void* p = allocate(bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
  static void* operator new(size_t bytes, const std::nothrow_t&) noexcept { return allocate(bytes); }
  static void operator delete(void* p) noexcept { deallocate(p); }
  static void operator delete(void* p, const std::nothrow_t&) noexcept { deallocate(p); }

 protected:
  explicit PlanAlgorithmBase(const PlanName& name) : name_(name) {}

 private:
  PlanName name_;
};

}  // namespace dispatch
}  // namespace ndconv
