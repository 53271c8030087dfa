// Ceiling division that cannot overflow: strides and extents are accepted up
// to INT64_MAX, so the textbook (a + b - 1) / b overflows for large b (the
// fuzzer found stride = INT64_MAX in the im2col panels).
#pragma once

#include <cstdint>

namespace ndconv {

// ceil(a / b) for a >= 0 and b >= 1.
inline int64_t ceil_div_nonneg(int64_t a, int64_t b) { return a == 0 ? 0 : (a - 1) / b + 1; }

}  // namespace ndconv
