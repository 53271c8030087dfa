#include "tests/support/random_tensor.h"

namespace ndconv {
namespace test {
namespace {
// SplitMix64: tiny, well mixed, and fully specified (std distributions are not
// portable across standard libraries).
uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

void fill_random(float* p, size_t n, uint64_t seed, float lo, float hi) {
  uint64_t state = seed;
  for (size_t i = 0; i < n; ++i) {
    const double unit = static_cast<double>(splitmix64(&state) >> 11) * 0x1.0p-53;  // [0, 1)
    p[i] = static_cast<float>(lo + (static_cast<double>(hi) - lo) * unit);
  }
}

std::vector<float> random_tensor(size_t n, uint64_t seed, float lo, float hi) {
  std::vector<float> v(n);
  fill_random(v.data(), n, seed, lo, hi);
  return v;
}

}  // namespace test
}  // namespace ndconv
