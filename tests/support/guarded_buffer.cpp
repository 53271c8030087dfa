#include "tests/support/guarded_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

namespace ndconv {
namespace test {

GuardedBuffer::GuardedBuffer(size_t count, Guard guard)
    : GuardedBuffer(count, guard, std::numeric_limits<float>::quiet_NaN()) {}

GuardedBuffer::GuardedBuffer(size_t count, Guard guard, float fill_value) : count_(count) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t bytes = count * sizeof(float);
  const size_t data_pages = (bytes + page - 1) / page;
  mapping_bytes_ = (data_pages + 1) * page;  // + the guard page
  mapping_ = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    throw std::bad_alloc();
  }
  char* base = static_cast<char*>(mapping_);
  if (guard == Guard::kAfter) {
    char* guard_page = base + data_pages * page;
    mprotect(guard_page, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(guard_page - bytes);
  } else {
    mprotect(base, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(base + page);
  }
  fill(fill_value);
}

GuardedBuffer::~GuardedBuffer() {
  if (mapping_) munmap(mapping_, mapping_bytes_);
}

GuardedBuffer::GuardedBuffer(GuardedBuffer&& o) noexcept { *this = std::move(o); }

GuardedBuffer& GuardedBuffer::operator=(GuardedBuffer&& o) noexcept {
  std::swap(mapping_, o.mapping_);
  std::swap(mapping_bytes_, o.mapping_bytes_);
  std::swap(data_, o.data_);
  std::swap(count_, o.count_);
  return *this;
}

void GuardedBuffer::fill(float value) {
  for (size_t i = 0; i < count_; ++i) data_[i] = value;
}

void GuardedBuffer::copy_from(const float* src) {
  if (count_) std::memcpy(data_, src, count_ * sizeof(float));
}

}  // namespace test
}  // namespace ndconv
