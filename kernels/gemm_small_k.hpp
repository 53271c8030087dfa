// K-stationary channels-last microkernel for reductions of a few floats per
// row (contract: GemmRowsSmallK in gemm_args.h).
//
// With K = 10 (a speech stem: one input channel, 10 taps), gemm_rows' tiles
// run 10 k steps between a tile's setup and its 28 stores: the setup, the row
// pointers and the epilogue cost as much as the FMAs. Here the K broadcasts of
// R rows stay in registers while the kernel sweeps every column of C, four
// vectors at a time (4 R accumulators, K dependent FMAs each): per C vector
// K FMAs, K/R loads of B (from L1: K x N floats) and one store, and each C row
// is written front to back.
#pragma once

#include <utility>

#include "kernels/gemm_tiles.hpp"
#include "kernels/pointwise_stream.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

// Rows sharing each B load: the K broadcasts of R rows, 4 R accumulators and
// a B vector must fit the register file for every K <= kMaxSmallK (AVX-512
// and NEON: 2 x 11 + 8 + 1 of 32; AVX2: 11 + 4 + 1 of 16).
template <class Arch>
struct small_k_rows { static constexpr size_t value = 1; };
#if defined(NDCONV_SIMD_X86) && defined(__AVX512F__)
template <>
struct small_k_rows<avx512_arch> { static constexpr size_t value = 2; };
#endif
#if defined(NDCONV_SIMD_NEON)
template <>
struct small_k_rows<neon_arch> { static constexpr size_t value = 2; };
#endif

template <class Arch, size_t K, size_t R, size_t U>
struct SmallKStep {
  using S = simd<Arch>;
  using vec = typename S::vec;
  static constexpr size_t W = S::width;
  static constexpr size_t NR = gemm_tiles<Arch>::main.nrv * W;  // packed panel width

  // Loads a B vector into a register once for its R FMAs: else GCC folds the
  // load into each of them (R loads per vector: the load ports the bound).
  static void keep_in_register(vec& v) {
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (W > 1) {
      typename vec::register_type r = v;  // the native register (see depthwise.hpp)
      asm("" : "+v"(r));
      v = r;
    }
#else
    (void)v;
#endif
  }

  // C vectors v .. v+U of rows `c` (columns v*W.., `lanes` floats in the
  // last one, W in the others).
  static void run(const GemmRowsArgs& args, const vec (&a)[R][K], float* const (&c)[R], size_t v,
                  size_t lanes) {
    constexpr size_t NRV = gemm_tiles<Arch>::main.nrv;
    const float* b[U];
    vec acc[R][U];
    for (size_t u = 0; u < U; ++u) {
      const size_t offset = (v + u) / NRV * args.panel_stride + (v + u) % NRV * W;
      b[u] = args.b + offset;
      const vec bias = args.bias ? S::load(args.bias + offset) : S::zero();
      for (size_t i = 0; i < R; ++i) acc[i][u] = bias;
    }
    NDCONV_UNROLL
    for (size_t k = 0; k < K; ++k) {
      NDCONV_UNROLL
      for (size_t u = 0; u < U; ++u) {
        vec bv = S::load(b[u] + k * NR);
        if (R > 1) keep_in_register(bv);
        NDCONV_UNROLL
        for (size_t i = 0; i < R; ++i) acc[i][u] = S::fmadd(a[i][k], bv, acc[i][u]);
      }
    }
    const GemmOutput& out = args.out;
    if (out.clamp) {
      const vec lo = S::set1(out.lo), hi = S::set1(out.hi);
      for (size_t i = 0; i < R; ++i)
        for (size_t u = 0; u < U; ++u) acc[i][u] = S::min(hi, S::max(lo, acc[i][u]));
    }
    // Rows past the real ones alias the last real row and hold its values.
    for (size_t i = 0; i < R; ++i)
      for (size_t u = 0; u < U; ++u) {
        float* dst = c[i] + (v + u) * W;
        if (u + 1 < U || lanes == W)
          S::store(dst, acc[i][u]);
        else
          S::store_partial(dst, acc[i][u], lanes);
      }
  }
};

// C vectors per SmallKStep: 4 R accumulators (see small_k_rows).
constexpr size_t kSmallKStepVectors = 4;

// At most one vector of columns (a 3 -> 5 pointwise head): the K weight
// vectors and the bias stay in registers for every row, and four rows at a
// time run K FMAs each into independent accumulators; per row K broadcasts,
// K FMAs and one (masked) store, no per-row setup.
template <class Arch, size_t K>
void gemm_rows_small_k_narrow(const GemmRowsArgs& args) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width, kRows = 4;
  vec b[K];
  for (size_t k = 0; k < K; ++k) b[k] = S::load(args.b + k * gemm_tiles<Arch>::main.nrv * W);
  const vec bias = args.bias ? S::load(args.bias) : S::zero();
  // Locals, not args' fields: a store through C may alias them, which would
  // make the compiler reload every field after each row's store.
  const vec lo = S::set1(args.out.lo), hi = S::set1(args.out.hi);
  const bool clamp = args.out.clamp;
  float* const c = args.out.c;
  const size_t nr = args.nr, ldc = args.out.ldc, mr = args.mr;
  const float* const* const a = args.a;
  const ptrdiff_t a_k_offset = args.a_k_offset;
  auto finish = [&](vec acc, size_t row) {
    if (clamp) acc = S::min(hi, S::max(lo, acc));
    float* dst = c + row * ldc;
    if (nr == W)
      S::store(dst, acc);
    else
      S::store_partial(dst, acc, nr);
  };
  size_t r = 0;
  for (; r + kRows <= mr; r += kRows) {
    vec acc[kRows];
    NDCONV_UNROLL
    for (size_t i = 0; i < kRows; ++i) {
      const float* p = a[r + i] + a_k_offset;
      acc[i] = bias;
      NDCONV_UNROLL
      for (size_t k = 0; k < K; ++k) acc[i] = S::fmadd(S::set1(p[k]), b[k], acc[i]);
    }
    NDCONV_UNROLL
    for (size_t i = 0; i < kRows; ++i) finish(acc[i], r + i);
  }
  for (; r < mr; ++r) {
    const float* p = a[r] + a_k_offset;
    vec acc = bias;
    NDCONV_UNROLL
    for (size_t k = 0; k < K; ++k) acc = S::fmadd(S::set1(p[k]), b[k], acc);
    finish(acc, r);
  }
}

template <class Arch, size_t K>
void gemm_rows_small_k(const GemmRowsArgs& args) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  constexpr size_t R = small_k_rows<Arch>::value;
  constexpr size_t U = kSmallKStepVectors;
  if (args.nr <= W) {
    gemm_rows_small_k_narrow<Arch, K>(args);
    return;
  }
  const size_t vectors = (args.nr + W - 1) / W;
  const size_t last_lanes = args.nr - (vectors - 1) * W;
  for (size_t r0 = 0; r0 < args.mr; r0 += R) {
    const size_t rows = args.mr - r0 < R ? args.mr - r0 : R;
    vec a[R][K];
    float* c[R];
    for (size_t i = 0; i < R; ++i) {
      const size_t row = r0 + (i < rows ? i : rows - 1);
      const float* p = args.a[row] + args.a_k_offset;
      for (size_t k = 0; k < K; ++k) a[i][k] = S::set1(p[k]);
      c[i] = args.out.c + row * args.out.ldc;
    }
    size_t v = 0;
    for (; v + U <= vectors; v += U)
      SmallKStep<Arch, K, R, U>::run(args, a, c, v, v + U == vectors ? last_lanes : W);
    for (; v < vectors; ++v)
      SmallKStep<Arch, K, R, 1>::run(args, a, c, v, v + 1 == vectors ? last_lanes : W);
  }
}

template <class Arch, size_t... Ks>
GemmRowsSmallK gemm_rows_small_k_table(std::index_sequence<Ks...>) {
  constexpr size_t R = small_k_rows<Arch>::value, NR = kSmallKStepVectors * simd<Arch>::width;
  GemmRowsSmallK t;
  t.name = kernel_name<Arch, GemmRowptrSmallKKind, R, NR>.text;  // the register tile of a step
  const GemmRowsFn fns[] = {&gemm_rows_small_k<Arch, Ks + 1>...};
  for (size_t k = 0; k < sizeof...(Ks); ++k) t.fn[k + 1] = fns[k];
  t.preferred = small_k_rows<Arch>::value > 1 && simd<Arch>::width >= 16;  // AVX-512
  t.stream = pointwise_stream_kernel<Arch>();
  return t;
}
template <class Arch>
GemmRowsSmallK gemm_rowptr_small_k_kernel() {
  return gemm_rows_small_k_table<Arch>(std::make_index_sequence<kMaxSmallK>());
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
