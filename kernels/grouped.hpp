// Grouped convolution with few channels per group (C = C_in/G = C_out/G of 2
// or 4, e.g. ResNeXt's 32 groups of 4), channels-last. A GEMM per group would
// use C of NR lanes (4 of 32: an eighth of the machine), and packing several
// groups block-diagonally into one panel wastes the same factor in zero
// weights. Here the lanes are output channels of several groups at once and
// the input of a pixel is loaded as the same channel slice: lane (g, co) needs
// x[g*C + ci] * w[g*C + co][ci] for every ci. Writing ci = (co + r) mod C, the
// r-th term is the input rotated by r inside each group of C lanes (an
// in-128-bit-lane vpermilps, none for r = 0) times a weight vector packed in
// the same rotated order: C FMAs and C-1 shuffles per input vector.
#pragma once

#include "kernels/gemm.hpp"  // NDCONV_UNROLL
#include "kernels/kernel_name.hpp"
#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

#if defined(NDCONV_SIMD_X86)

// imm8 of vpermilps: lane co (of each 4 lanes) takes lane group_base + (co % C + R) % C.
template <size_t C, size_t R>
constexpr int grouped_rotation_imm() {
  int imm = 0;
  for (int co = 0; co < 4; ++co) {
    const int base = co / static_cast<int>(C) * static_cast<int>(C);
    imm |= (base + (co % static_cast<int>(C) + static_cast<int>(R)) % static_cast<int>(C)) << (2 * co);
  }
  return imm;
}

template <class Arch, size_t C, size_t R>
typename simd<Arch>::vec rotate_in_groups(typename simd<Arch>::vec x);
#  if defined(__AVX512F__)
template <>
inline typename simd<avx512_arch>::vec rotate_in_groups<avx512_arch, 2, 1>(simd<avx512_arch>::vec x) {
  return _mm512_permute_ps(x, (grouped_rotation_imm<2, 1>()));
}
template <>
inline typename simd<avx512_arch>::vec rotate_in_groups<avx512_arch, 4, 1>(simd<avx512_arch>::vec x) {
  return _mm512_permute_ps(x, (grouped_rotation_imm<4, 1>()));
}
template <>
inline typename simd<avx512_arch>::vec rotate_in_groups<avx512_arch, 4, 2>(simd<avx512_arch>::vec x) {
  return _mm512_permute_ps(x, (grouped_rotation_imm<4, 2>()));
}
template <>
inline typename simd<avx512_arch>::vec rotate_in_groups<avx512_arch, 4, 3>(simd<avx512_arch>::vec x) {
  return _mm512_permute_ps(x, (grouped_rotation_imm<4, 3>()));
}
#  endif
#  if defined(__AVX2__) && defined(__FMA__)
template <>
inline typename simd<avx2_arch>::vec rotate_in_groups<avx2_arch, 2, 1>(simd<avx2_arch>::vec x) {
  return _mm256_permute_ps(x, (grouped_rotation_imm<2, 1>()));
}
template <>
inline typename simd<avx2_arch>::vec rotate_in_groups<avx2_arch, 4, 1>(simd<avx2_arch>::vec x) {
  return _mm256_permute_ps(x, (grouped_rotation_imm<4, 1>()));
}
template <>
inline typename simd<avx2_arch>::vec rotate_in_groups<avx2_arch, 4, 2>(simd<avx2_arch>::vec x) {
  return _mm256_permute_ps(x, (grouped_rotation_imm<4, 2>()));
}
template <>
inline typename simd<avx2_arch>::vec rotate_in_groups<avx2_arch, 4, 3>(simd<avx2_arch>::vec x) {
  return _mm256_permute_ps(x, (grouped_rotation_imm<4, 3>()));
}
#  endif

// acc += sum_{r >= R} rotate(x, r) * w[r]
template <class Arch, size_t C, size_t R>
struct GroupedTerms {
  using vec = typename simd<Arch>::vec;
  static void apply(vec x, const vec* w, vec& acc) {
    acc = simd<Arch>::fmadd(rotate_in_groups<Arch, C, R>(x), w[R], acc);
    GroupedTerms<Arch, C, R + 1>::apply(x, w, acc);
  }
};
template <class Arch, size_t C>
struct GroupedTerms<Arch, C, C> {
  static void apply(typename simd<Arch>::vec, const typename simd<Arch>::vec*, typename simd<Arch>::vec&) {}
};

// P pixels x V vectors of output channels, all taps. See GroupedNxcArgs.
template <class Arch, size_t C, size_t P, size_t V, bool kFull>
void grouped_nxc_impl(const GroupedNxcArgs& args) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  const size_t ch = args.channel;
  auto lanes = [&](size_t v) -> size_t {
    return args.lanes <= v * W ? 0 : (args.lanes - v * W < W ? args.lanes - v * W : W);
  };
  vec acc[P][V];
  NDCONV_UNROLL
  for (size_t v = 0; v < V; ++v) {
    // Row 0: the bias (padded to the stride: a vector with lanes is whole in
    // its row; vectors past the block's lanes are not read at all).
    const vec b = kFull || v * W < args.lanes ? S::load(args.weights + ch + v * W) : S::zero();
    NDCONV_UNROLL
    for (size_t p = 0; p < P; ++p) acc[p][v] = b;
  }
  const float* wt = args.weights + args.weight_stride + ch;
  for (size_t t = 0; t < args.taps; ++t) {
    const float* const* rows = args.rows + t * P;
    vec w[V][C];
    NDCONV_UNROLL
    for (size_t v = 0; v < V; ++v) {
      NDCONV_UNROLL
      for (size_t r = 0; r < C; ++r)
        w[v][r] = kFull || v * W < args.lanes ? S::load(wt + r * args.weight_stride + v * W) : S::zero();
    }
    wt += C * args.weight_stride;
    NDCONV_UNROLL
    for (size_t p = 0; p < P; ++p) {
      const float* x = rows[p] + ch;
      NDCONV_UNROLL
      for (size_t v = 0; v < V; ++v) {
        const vec xv = kFull ? S::load(x + v * W) : S::load_partial(x + v * W, lanes(v));
        acc[p][v] = S::fmadd(xv, w[v][0], acc[p][v]);
        GroupedTerms<Arch, C, 1>::apply(xv, w[v], acc[p][v]);
      }
    }
  }
  // Rows past `pixels` alias the last real one and are stored first.
  float* out[P];
  out[0] = args.out + ch;
  for (size_t p = 1; p < P; ++p) out[p] = p < args.pixels ? out[p - 1] + args.ldo : out[p - 1];
  const vec lo = S::set1(args.lo), hi = S::set1(args.hi);
  NDCONV_UNROLL
  for (size_t q = 0; q < P; ++q) {
    const size_t p = P - 1 - q;
    NDCONV_UNROLL
    for (size_t v = 0; v < V; ++v) {
      const vec y = S::min(hi, S::max(lo, acc[p][v]));
      if (kFull)
        S::store(out[p] + v * W, y);
      else
        S::store_partial(out[p] + v * W, y, lanes(v));
    }
  }
}

template <class Arch, size_t C, size_t P, size_t V>
void grouped_nxc(const GroupedNxcArgs& args) {
  if (args.lanes == V * simd<Arch>::width)
    grouped_nxc_impl<Arch, C, P, V, true>(args);
  else
    grouped_nxc_impl<Arch, C, P, V, false>(args);
}

// Tiles: AVX-512 8 pixels x 2 zmm = 16 accumulators + 8 weights + 2 temporaries
// of 32 zmm; AVX2 6 pixels x 1 ymm = 6 + 4 + 2 of 16 ymm.
template <class Arch>
struct grouped_tiles;
#  if defined(__AVX512F__)
template <>
struct grouped_tiles<avx512_arch> {
  static constexpr size_t pixels = 8, vectors = 2;
};
#  endif
#  if defined(__AVX2__) && defined(__FMA__)
template <>
struct grouped_tiles<avx2_arch> {
  static constexpr size_t pixels = 6, vectors = 1;
};
#  endif

template <class Arch>
GroupedNxcKernel grouped_nxc_kernel() {
  using T = grouped_tiles<Arch>;
  constexpr size_t lanes = T::vectors * simd<Arch>::width;
  return {kernel_name<Arch, GroupedNxcKind, T::pixels, lanes>.text,
          &grouped_nxc<Arch, 2, T::pixels, T::vectors>, &grouped_nxc<Arch, 4, T::pixels, T::vectors>,
          T::pixels, lanes};
}
template <>
inline GroupedNxcKernel grouped_nxc_kernel<scalar_arch>() { return {}; }

#else  // no x86: not provided (the indirect GEMM runs grouped shapes)

template <class Arch>
GroupedNxcKernel grouped_nxc_kernel() { return {}; }

#endif

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
