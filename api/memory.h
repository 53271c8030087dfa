// Every allocation the library makes goes through here, so that a test build
// can make the n-th allocation fail (see tests) and so every buffer is
// 64-byte aligned. Nothing here throws: failure is a nullptr, which callers
// turn into NDCONV_OUT_OF_MEMORY.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace ndconv {
namespace dispatch {

// 64-byte aligned; nullptr on failure (or when the fault injector says so).
void* allocate(size_t bytes) noexcept;
void deallocate(void* p) noexcept;

// new T(args...) through allocate(); nullptr on failure. T's constructor must
// not throw.
template <class T, class... Args>
T* create_object(Args&&... args) noexcept {
  void* p = allocate(sizeof(T));
  return p ? new (p) T(std::forward<Args>(args)...) : nullptr;
}
template <class T>
void destroy_object(T* p) noexcept {
  if (p) {
    p->~T();
    deallocate(p);
  }
}

// An owned, aligned array of trivially copyable T.
template <class T>
class AlignedArray {
 public:
  AlignedArray() = default;
  AlignedArray(const AlignedArray&) = delete;
  AlignedArray& operator=(const AlignedArray&) = delete;
  AlignedArray(AlignedArray&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; o.size_ = 0; }
  AlignedArray& operator=(AlignedArray&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~AlignedArray() { deallocate(data_); }
  // False on allocation failure (the array is then empty).
  bool resize(size_t n) noexcept {
    deallocate(data_);
    data_ = n ? static_cast<T*>(allocate(n * sizeof(T))) : nullptr;
    size_ = data_ ? n : 0;
    return n == 0 || data_ != nullptr;
  }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  T& operator[](size_t i) noexcept { return data_[i]; }
  const T& operator[](size_t i) const noexcept { return data_[i]; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

// A plan's kernel name, "<algorithm>/<isa>", in a fixed buffer: a std::string
// would allocate outside allocate() (names exceed the small-string buffer),
// where the fault injector cannot reach it. Longer names are truncated.
class PlanName {
 public:
  explicit PlanName(const char* name) noexcept;
  PlanName(const char* algorithm, const char* isa) noexcept;  // "<algorithm>/<isa>"
  const char* c_str() const noexcept { return text_; }

 private:
  char text_[48];
};

namespace testing {
// Fault injection for tests: allocation number `n` (1-based, counted from this
// call, all threads) and every one after it fail; 0 disables. Returns how many
// allocations were made since the last call.
size_t fail_allocations_from(size_t n) noexcept;
}  // namespace testing

}  // namespace dispatch
}  // namespace ndconv
