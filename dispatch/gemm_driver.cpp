#include "dispatch/gemm_driver.h"

#include <algorithm>
#include <limits>

namespace ndconv {
namespace dispatch {
namespace {

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

// Cache budgets (bytes). Conservative for current x86 and Arm server cores:
// 32 KiB of L1D for the B panel slice, 256 KiB of L2 for the A block.
constexpr size_t kL1Budget = 32 * 1024;
constexpr size_t kL2Budget = 256 * 1024;
// The largest B panel slice the channels-first gather buffer holds.
constexpr size_t kMaxGatherFloats = 8192;

}  // namespace

GemmTiling choose_gemm_tiling(size_t M, size_t N, size_t K, size_t MR, size_t NR,
                              size_t independent, size_t threads, bool k_splittable) {
  GemmTiling t;
  const size_t kc_max = std::max<size_t>(64, kL1Budget / (sizeof(float) * NR));
  const size_t k_blocks = k_splittable ? ceil_div(K, kc_max) : 1;
  t.kc = ceil_div(K, k_blocks);

  const size_t m_blocks = ceil_div(M, MR), n_panels = ceil_div(N, NR);
  size_t m_tile_blocks = std::max<size_t>(1, kL2Budget / (sizeof(float) * t.kc * MR));
  m_tile_blocks = std::min(m_tile_blocks, m_blocks);
  size_t m_tasks = ceil_div(m_blocks, m_tile_blocks);
  size_t n_tasks = 1;

  // Enough tasks for every thread, with slack for dynamic balance; split the
  // longer dimension first.
  if (threads > 1) {
    const size_t want = threads * 4;
    while (independent * m_tasks * n_tasks < want) {
      const size_t m_left = m_blocks / m_tasks, n_left = n_panels / n_tasks;
      if (m_left <= 1 && n_left <= 1) break;
      if (m_left >= n_left) ++m_tasks; else ++n_tasks;
    }
  }
  t.m_tile = ceil_div(m_blocks, m_tasks) * MR;
  t.n_tile = ceil_div(n_panels, n_tasks) * NR;
  t.m_tasks = ceil_div(M, t.m_tile);
  t.n_tasks = ceil_div(N, t.n_tile);
  return t;
}

kernels::GemmOutput gemm_output(const kernels::Activation& act, float* c, size_t ldc,
                                bool first_k_block, bool last_k_block) {
  kernels::GemmOutput out;
  out.c = c;
  out.ldc = ldc;
  out.accumulate = !first_k_block;
  if (last_k_block && act.kind != NDCONV_ACT_NONE) {
    out.clamp = true;
    out.lo = act.kind == NDCONV_ACT_RELU ? 0.0f : act.min;
    out.hi = act.kind == NDCONV_ACT_RELU ? std::numeric_limits<float>::infinity() : act.max;
  }
  return out;
}

void gemm_cols_task(const kernels::GemmColsKernel& uk, const PackedWeights& w, size_t g,
                    size_t M, size_t N, size_t m0, size_t m1, size_t n0, size_t n1, size_t kc_block,
                    const float* b, ptrdiff_t ldb, const int64_t* gather, float* c, size_t ldc,
                    const kernels::Activation& act) {
  const size_t K = w.k(), MR = uk.mr, NR = uk.nr;
  alignas(64) float packed_b[kMaxGatherFloats];
  if (gather) kc_block = std::min(kc_block, kMaxGatherFloats / NR);
  for (size_t k0 = 0; k0 < K; k0 += kc_block) {
    const size_t kc = K - k0 < kc_block ? K - k0 : kc_block;
    for (size_t n = n0; n < n1; n += NR) {
      kernels::GemmColsArgs args;
      args.kc = kc;
      args.nr = N - n < NR ? N - n : NR;
      if (gather) {
        // Strided pixels: gather this panel's kc x nr slice once, reuse it
        // for every M block.
        for (size_t k = 0; k < kc; ++k) {
          const float* src = b + static_cast<ptrdiff_t>(k0 + k) * ldb;
          float* dst = packed_b + k * NR;
          for (size_t j = 0; j < args.nr; ++j) dst[j] = src[gather[n + j]];
        }
        args.b = packed_b;
        args.ldb = static_cast<ptrdiff_t>(NR);
      } else {
        args.b = b + static_cast<ptrdiff_t>(k0) * ldb + static_cast<ptrdiff_t>(n);
        args.ldb = ldb;
      }
      for (size_t m = m0; m < m1; m += MR) {
        args.a = w.rows(g, m / MR) + k0 * MR;
        args.bias = w.bias(g, m / MR);
        args.mr = M - m < MR ? M - m : MR;
        args.out = gemm_output(act, c + m * ldc + n, ldc, k0 == 0, k0 + kc == K);
        uk.fn(args);
      }
    }
  }
}

}  // namespace dispatch
}  // namespace ndconv
