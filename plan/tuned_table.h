// The kernel table a plan uses: the ISA's table (kernels/kernel_table.h) with
// its main GEMM tiles replaced by the formulation the tuning picks for this
// CPU (Tuning::gemm_lean_kernels), and the wide channels-first and
// channels-last tiles where Tuning::gemm_cols_wide / gemm_rows_wide ask. The algorithms read only the table they
// are given, so the choice is made here, once per ISA, and nowhere else.
#pragma once

#include "kernels/kernel_table.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {

// `base` with the main tiles `t` asks for; `base` itself when it asks for
// none or the ISA has no such candidates. Pure: for tests and tuning_table().
kernels::KernelTable tune_kernel_table(const kernels::KernelTable& base, const Tuning& t);

// tune_kernel_table(*base, tuning()), made once per ISA and kept for the
// process (plans hold a reference to it). nullptr for nullptr.
const kernels::KernelTable* tuned_kernel_table(const kernels::KernelTable* base);
// The same for another Tuning (a measure-mode candidate's): the table depends
// only on t.gemm_lean_kernels, t.gemm_cols_wide and t.gemm_rows_wide, so
// one per ISA and combination, kept for the process. `base` must be the
// ISA's own table (kernels::kernel_table_for).
const kernels::KernelTable* tuned_kernel_table(const kernels::KernelTable* base, const Tuning& t);

}  // namespace dispatch
}  // namespace ndconv
