// Compiled with -mavx2 -mfma (bench/CMakeLists.txt), called only when the CPU has them.
#include <immintrin.h>

#include "fma_peak.h"

namespace ndconv_bench {

float fma_chains_avx2(int64_t iterations) {
  // acc = acc * a + b with a just below 1 keeps every value finite and normal.
  const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-3f);
  __m256 acc[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm256_set1_ps(float(i));
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kFmaChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kFmaChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[7];
}

}  // namespace ndconv_bench
