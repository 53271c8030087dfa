// The int8 kernel tables: one per (ISA level, dot-product variant) compiled
// into this build. An ISA level (ndconv_isa) holds up to two variants: with
// the CPU's int8 dot-product instructions (AVX512-VNNI vpdpbusd on AVX-512,
// AVX-VNNI on AVX2, the dot-product extension sdot/udot on NEON) and without
// (exact 16-bit widening multiply-adds). The variant is chosen by the CPU's
// features inside the level and can be forced off for tests and benchmarks.
// ISA-neutral header: no intrinsics.
#pragma once

#include "kernels/qdepthwise_args.h"
#include "kernels/qgemm_args.h"
#include "kernels/qgrouped_args.h"
#include "kernels/qpointwise_stream_args.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace kernels {

constexpr int kWeightLimitAny = 128;
// vpmaddubsw adds two u8 x s8 products into a saturating int16: with
// |w| <= 64 the sum stays within 2 * 255 * 64 = 32640, exact. ONNX Runtime's
// reduce_range quantizes weights to this range for CPUs without VNNI.
constexpr int kWeightLimitPairs = 64;

struct QKernelTable {
  // "<isa>" or "<isa>-<dot>", as the plan's kernel name prints it:
  // "avx512-vnni", "avx512", "avx2-vnni", "avx2", "neon-dot", "neon", "scalar",
  // and "avx512-maddubsw", "avx2-maddubsw" (qkernel_pairs_table).
  const char* variant = nullptr;
  QGemmRowsKernel gemm_rows;      // the main channels-last tile
  // The channels-last depthwise kernel; fn null where the level has none
  // (scalar, NEON: the algorithm's plain C++ runs, named "scalar").
  QDepthwiseKernel depthwise_nxc;
  // The channels-last pointwise stream kernel for K <= 4 inputs and few
  // outputs; fn null where the level has none (scalar, NEON: the GEMM runs).
  QPointwiseStreamKernel pointwise_stream_nxc;
  // The channels-last grouped kernel (C_in per group a multiple of 4); fn
  // null where the level has none (scalar, NEON: the indirect GEMM runs).
  QGroupedKernel grouped_nxc;
  // The channels-first pointwise GEMM (output channels x pixels, no
  // transposes); fn null where the level has none (the channels-last GEMM
  // runs through transposed copies).
  QGemmColsKernel gemm_cols_ncx;
  // The GEMM tiles are exact for weights w with |w| <= weight_limit: every
  // int8 (kWeightLimitAny), or [-64, 64] for the vpmaddubsw tables.
  int weight_limit = kWeightLimitAny;
};

// The table of ISA level `isa` (not AUTO), with the dot-product variant when
// `dot_product` and the CPU has it, else the widening variant; nullptr when
// the level is not compiled into this build or the CPU cannot run it.
const QKernelTable* qkernel_table(ndconv_isa isa, bool dot_product);

// The vpmaddubsw sibling of a widening table (levels without dot products:
// "avx2" -> "avx2-maddubsw", "avx512" -> "avx512-maddubsw"; weight_limit
// kWeightLimitPairs), faster where the weights allow it; nullptr for any
// other table.
const QKernelTable* qkernel_pairs_table(const QKernelTable* table);

// The AMX sibling of the AVX512-VNNI table where the CPU has AMX-INT8 and
// this build its instance ("avx512-amx": that table with the AMX GEMM tile,
// kernels/qgemm_amx.hpp), nullptr for any other table. The GEMM algorithms
// take it (QPlanInputs::amx); the others keep the VNNI kernels and name.
const QKernelTable* qkernel_amx_table(const QKernelTable* table);

}  // namespace kernels
}  // namespace ndconv
