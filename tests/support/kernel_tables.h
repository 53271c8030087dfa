// Helpers of the kernel-level tests, which call KernelTable entries directly:
// the tables of every ISA this CPU runs, and reproducible random operands.
#pragma once

#include <random>
#include <vector>

#include "plan/isa_select.h"
#include "kernels/kernel_table.h"

namespace ndconv {
namespace test {

inline std::vector<const kernels::KernelTable*> available_tables() {
  std::vector<const kernels::KernelTable*> tables;
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON})
    if (dispatch::isa_available(isa)) tables.push_back(kernels::kernel_table_for(isa));
  return tables;
}

// n floats uniform in [-1, 1), the same for the same seed.
inline std::vector<float> random_vector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

}  // namespace test
}  // namespace ndconv
