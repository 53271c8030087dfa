// Helpers of the kernel-level tests, which call KernelTable entries directly:
// the tables of every ISA this CPU runs, their entries as test parameters
// (kernels/kernel_table.h, KernelTable::entries), and reproducible random
// operands.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "plan/isa_select.h"
#include "kernels/kernel_table.h"
#include "tests/support/random_tensor.h"

namespace ndconv {
namespace test {

inline std::vector<const kernels::KernelTable*> available_tables() {
  std::vector<const kernels::KernelTable*> tables;
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON})
    if (dispatch::isa_available(isa)) tables.push_back(kernels::kernel_table_for(isa));
  return tables;
}

// The test name of a parameter that is a table: its ISA.
inline std::string table_test_name(const ::testing::TestParamInfo<const kernels::KernelTable*>& info) {
  return ndconv_isa_name(info.param->isa);
}

// One entry of one ISA's table: the parameter of a kernel test.
template <class Kernel>
struct KernelCase {
  const kernels::KernelTable* table;
  Kernel kernel;
};
template <class Kernel>
std::ostream& operator<<(std::ostream& os, const KernelCase<Kernel>& c) {
  return os << c.kernel.name;
}

// Every entry of one KernelEntries list (e.g. &KernelEntries::gemm_rowptr_tiles)
// in the table of every ISA this CPU runs: a test instantiated over them
// covers an entry added to the list without being edited.
template <class Kernel>
std::vector<KernelCase<Kernel>> kernel_cases(kernels::KernelList<Kernel> kernels::KernelEntries::*list) {
  std::vector<KernelCase<Kernel>> cases;
  for (const kernels::KernelTable* t : available_tables())
    for (const Kernel& k : t->entries.*list) cases.push_back({t, k});
  return cases;
}

// The test name of a case: the entry's name, which ends in its ISA
// (f32_gemm_rowptr_14x32__avx512).
struct KernelCaseName {
  template <class Kernel>
  std::string operator()(const ::testing::TestParamInfo<KernelCase<Kernel>>& info) const {
    return info.param.kernel.name;
  }
};

// Kernel tests draw their data from random_tensor (random_tensor.h), not
// std::uniform_real_distribution: libstdc++ computes a long double log per
// number there when the compiler does not fold it, as clang -O1 does not
// (three quarters of the kernel tests' time in the asan build).

}  // namespace test
}  // namespace ndconv
