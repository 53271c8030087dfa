// Test tensors that sit against a PROT_NONE guard page, so a kernel that
// reads or writes one float past the end (Guard::kAfter) or before the start
// (Guard::kBefore) of a tensor crashes the test instead of passing silently.
#pragma once

#include <cstddef>

namespace ndconv {
namespace test {

enum class Guard {
  kAfter,   // the byte after the last element is the first byte of a guard page
  kBefore,  // the byte before the first element is the last byte of a guard page
};

class GuardedBuffer {
 public:
  // `count` floats, filled with `fill` (NaN by default: an output element a
  // kernel forgets to write then fails every comparison). count may be 0.
  explicit GuardedBuffer(size_t count, Guard guard = Guard::kAfter);
  GuardedBuffer(size_t count, Guard guard, float fill);
  ~GuardedBuffer();
  GuardedBuffer(GuardedBuffer&& other) noexcept;
  GuardedBuffer& operator=(GuardedBuffer&& other) noexcept;
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  size_t size() const { return count_; }
  float& operator[](size_t i) { return data_[i]; }
  const float& operator[](size_t i) const { return data_[i]; }
  float* begin() { return data_; }
  float* end() { return data_ + count_; }
  const float* begin() const { return data_; }
  const float* end() const { return data_ + count_; }

  void fill(float value);
  void copy_from(const float* src);  // size() floats

 private:
  void* mapping_ = nullptr;
  size_t mapping_bytes_ = 0;
  float* data_ = nullptr;
  size_t count_ = 0;
};

}  // namespace test
}  // namespace ndconv
