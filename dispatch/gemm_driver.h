// The loops around the GEMM microkernels: cache blocking over K, M and N, and
// the split of the tile grid into thread-pool tasks. Shared by every algorithm
// that is a GEMM (pointwise, n-gram, indirect): they differ only in how A rows
// (channels-last) or B rows (channels-first) are addressed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dispatch/weight_packing.h"
#include "kernels/kernel_table.h"

namespace ndconv {
namespace dispatch {

constexpr size_t kMaxMR = 16;   // largest microkernel MR of any ISA
constexpr size_t kMaxNR = 64;   // largest microkernel NR of any ISA

// How one GEMM (M x N, reduction K) is cut: K blocks of `kc` (the B panel
// slice kc x NR stays in L1), tasks of m_tile x n_tile (multiples of MR/NR;
// the A block m_tile x kc stays in L2), and the resulting task grid.
struct GemmTiling {
  size_t kc = 0;
  size_t m_tile = 0, n_tile = 0;
  size_t m_tasks = 0, n_tasks = 0;
  size_t tasks() const { return m_tasks * n_tasks; }
};

// `independent` is how many such GEMMs run side by side (batch x groups for
// channels-first), which also feed the threads. `k_splittable` is false when K
// must not be blocked (several kernel taps per microkernel call).
GemmTiling choose_gemm_tiling(size_t M, size_t N, size_t K, size_t MR, size_t NR,
                              size_t independent, size_t threads, bool k_splittable = true);

// The epilogue fields every microkernel call of a K block shares.
kernels::GemmOutput gemm_output(const kernels::Activation& act, float* c, size_t ldc,
                                bool first_k_block, bool last_k_block);

// One task of a channels-last GEMM: C[m0:m1, n0:n1] of group g, A rows from
// `row(m)` (a pointer to the K floats of row m; for taps > 1 `row(m, t)`).
template <class RowFn>
void gemm_rows_task(const kernels::GemmRowsKernel& uk, const PackedWeights& w, size_t g,
                    size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1, size_t kc_block,
                    const RowFn& row, float* c, size_t ldc, const kernels::Activation& act) {
  const size_t K = w.k(), MR = uk.mr, NR = uk.nr;
  const float* a[kMaxMR];
  for (size_t k0 = 0; k0 < K; k0 += kc_block) {
    const size_t kc = K - k0 < kc_block ? K - k0 : kc_block;
    for (size_t n = n0; n < n1; n += NR) {
      kernels::GemmRowsArgs args;
      args.a = a;
      args.a_k_offset = static_cast<ptrdiff_t>(k0);
      args.kc = kc;
      args.b = w.rows(g, n / NR) + k0 * NR;
      args.bias = w.bias(g, n / NR);
      args.nr = N - n < NR ? N - n : NR;
      for (size_t m = m0; m < m1; m += MR) {
        args.mr = M - m < MR ? M - m : MR;
        // Rows past mr repeat the last real row: always readable, never stored.
        for (size_t i = 0; i < MR; ++i) a[i] = row(m + (i < args.mr ? i : args.mr - 1));
        args.out = gemm_output(act, c + m * ldc + n, ldc, k0 == 0, k0 + kc == K);
        uk.fn(args);
      }
    }
  }
}

// One task of a channels-first GEMM: C[m0:m1, n0:n1] of group g, where C rows
// are output channels and columns pixels. B row k (input channel) is at
// b + k * ldb; when `gather` is non-NULL, column j of B is element gather[j]
// of that row (strided pixels), packed per panel into a stack buffer.
void gemm_cols_task(const kernels::GemmColsKernel& uk, const PackedWeights& w, size_t g,
                    size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1, size_t kc_block,
                    const float* b, ptrdiff_t ldb, const int64_t* gather, float* c, size_t ldc,
                    const kernels::Activation& act);

}  // namespace dispatch
}  // namespace ndconv
