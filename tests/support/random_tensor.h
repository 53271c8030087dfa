// Seeded random test data: the same seed gives the same numbers on every
// platform and standard library (our own generator and float conversion).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ndconv {
namespace test {

// Fills p[0 .. n) with values uniform in [lo, hi).
void fill_random(float* p, size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f);

std::vector<float> random_tensor(size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f);

}  // namespace test
}  // namespace ndconv
