// The GEMM microkernels' tile shapes per ISA, and the kernel-table entries
// (named instances, kernels/kernel_table.h) made of them.
#pragma once

#include <utility>  // std::index_sequence (compile time only)

#include "kernels/gemm.hpp"
#include "kernels/kernel_name.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

// MR rows x NRV vectors of columns (NR = NRV * the vector width).
struct TileShape {
  size_t mr, nrv;
};
// The dot-product kernel's MR rows x NC columns (gemm_rows_dot).
struct DotTileShape {
  size_t mr, nc;
};

// Tile shapes per ISA: fill the register file with accumulators while leaving
// room for the B vectors and the A broadcast. Each ISA has a main shape and
// two alternatives with other MR and NR (shared by the row-pointer and the
// channels-first kernels); the planner picks the one that pads the problem's
// M and N least (e.g. M = 128 rows, M = 49 pixels of a 7x7 map, or C_out = 24
// channels).
//  - AVX-512 (32 zmm): 14 x 2 zmm = 28 accumulators + 2 B vectors + the
//    broadcast; alternatives 8 x 3 and 7 x 3 zmm.
//  - AVX2 (16 ymm): 6 x 2 ymm = 12 accumulators + 2 B + 1 broadcast;
//    alternatives 4 x 3 and 5 x 2 ymm.
//  - NEON (32 q): 6 x 4 q = 24 accumulators + 4 B + broadcasts; alternatives
//    8 x 3 and 7 x 3 q.
//  - scalar: 4 x 4 floats, enough independent chains for the FPU;
//    alternatives 2 x 8 and 7 x 2.
// one_vector (row pointers, NR = one vector): MR large enough to hide the FMA
// latency (8 chains on AVX2) with the B vector and broadcast still in
// registers.
// cols_few_rows (channels-first, for grouped convolutions with C_out/G <= 4,
// where 14-row tiles would compute mostly zero rows): 4 rows x 6 zmm (AVX-512)
// = 24 accumulators, 4 x 3 ymm (AVX2), 4 x 6 q (NEON).
// dot: MR x NC accumulators plus NC B vectors and one A vector (AVX-512
// 6 x 4 = 24 zmm; AVX2 2 x 4 = 8 ymm, A and B vectors within 16; NEON 6 x 4 q;
// scalar 2 x 4).
template <class Arch>
struct gemm_tiles;
template <>
struct gemm_tiles<scalar_arch> {
  static constexpr TileShape main = {4, 4};
  static constexpr TileShape alt[2] = {{2, 8}, {7, 2}};
  static constexpr TileShape one_vector = {8, 1};
  static constexpr TileShape cols_few_rows = {2, 8};
  static constexpr DotTileShape dot = {2, 4};
};
#if defined(NDCONV_SIMD_X86) && defined(__AVX512F__)
template <>
struct gemm_tiles<avx512_arch> {
  static constexpr TileShape main = {14, 2};
  static constexpr TileShape alt[2] = {{8, 3}, {7, 3}};
  static constexpr TileShape one_vector = {14, 1};
  static constexpr TileShape cols_few_rows = {4, 6};
  static constexpr DotTileShape dot = {6, 4};
};
#endif
#if defined(NDCONV_SIMD_X86) && defined(__AVX2__) && defined(__FMA__)
template <>
struct gemm_tiles<avx2_arch> {
  static constexpr TileShape main = {6, 2};
  static constexpr TileShape alt[2] = {{4, 3}, {5, 2}};
  static constexpr TileShape one_vector = {8, 1};
  static constexpr TileShape cols_few_rows = {4, 3};
  static constexpr DotTileShape dot = {2, 4};
};
#endif
#if defined(NDCONV_SIMD_NEON)
template <>
struct gemm_tiles<neon_arch> {
  static constexpr TileShape main = {6, 4};
  static constexpr TileShape alt[2] = {{8, 3}, {7, 3}};
  static constexpr TileShape one_vector = {8, 1};
  static constexpr TileShape cols_few_rows = {4, 6};
  static constexpr DotTileShape dot = {6, 4};
};
#endif

// Row pointers, packed weights (gemm_rows).
template <class Arch, size_t MR, size_t NRV>
GemmRowsKernel gemm_rowptr_kernel() {
  constexpr size_t NR = NRV * simd<Arch>::width;
  return {kernel_name<Arch, GemmRowptrKind, MR, NR>.text, &gemm_rows<Arch, MR, NRV>, MR, NR};
}
// The main tile's columns with fewer rows: entry r - 1 has MR = r, for the
// last M block of a problem (M = 50 rows in 14-row tiles: a last block of 8
// rows computes 8 rows, not 14). Same NR, so the same packed weights.
template <class Arch, size_t... RowsLess1>
const GemmRowsFn* gemm_rowptr_short_rows_fns(std::index_sequence<RowsLess1...>) {
  static const GemmRowsFn fns[] = {&gemm_rows<Arch, RowsLess1 + 1, gemm_tiles<Arch>::main.nrv>...};
  return fns;
}
template <class Arch>
const GemmRowsFn* gemm_rowptr_short_rows() {
  return gemm_rowptr_short_rows_fns<Arch>(std::make_index_sequence<gemm_tiles<Arch>::main.mr - 1>());
}
// Row pointers, dot products along K (gemm_rows_dot): nr = 1, weights packed
// one column per panel.
template <class Arch>
GemmRowsKernel gemm_rowptr_dot_kernel() {
  constexpr DotTileShape D = gemm_tiles<Arch>::dot;
  return {kernel_name<Arch, GemmRowptrDotKind, D.mr, D.nc>.text, &gemm_rows_dot<Arch, D.mr, D.nc>, D.mr, 1};
}
// Evenly spaced rows (gemm_rows_strided).
template <class Arch, size_t MR, size_t NRV>
GemmRowsStridedKernel gemm_rowstride_kernel() {
  constexpr size_t NR = NRV * simd<Arch>::width;
  return {kernel_name<Arch, GemmRowstrideKind, MR, NR>.text, &gemm_rows_strided<Arch, MR, NRV>, MR, NR};
}
// Packed weights, channels-first rows read in place (gemm_cols).
template <class Arch, size_t MR, size_t NRV>
GemmColsKernel gemm_cols_kernel() {
  constexpr size_t NR = NRV * simd<Arch>::width;
  return {kernel_name<Arch, GemmColsKind, MR, NR>.text, &gemm_cols<Arch, MR, NRV>, MR, NR};
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
