// The portable int8 GEMM tile (kernels/qgemm_args.h's contract in plain C++):
// the scalar table's kernel, and the scalar epilogue the SIMD instances use
// for nothing. Included by one TU per instance, inside that TU's namespace
// NDCONV_QKERNEL_NS (each TU has its own ISA flags: no inline function may be
// shared between them, or the linker could keep an AVX-512 copy for all).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/qgemm_args.h"
#include "kernels/qrequantize_exact.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// One finished accumulator (bias included) of column j as the epilogue's type,
// stored to element j of `row`.
inline void store_scalar(const QEpilogue& e, int32_t acc, size_t j, void* row) {
  switch (e.type) {
    case QOutputType::kS32: {
      const int32_t y = acc < e.s32_min ? e.s32_min : (acc > e.s32_max ? e.s32_max : acc);
      static_cast<int32_t*>(row)[j] = y;
      return;
    }
    case QOutputType::kF32: {
      float y = static_cast<float>(acc) * e.scale[j];
      y = y < e.f32_min ? e.f32_min : (y > e.f32_max ? e.f32_max : y);
      static_cast<float*>(row)[j] = y;
      return;
    }
    case QOutputType::kU8:
    case QOutputType::kS8: {
      const double lo = e.q_min - e.out_zp, hi = e.q_max - e.out_zp;
      const int32_t q = static_cast<int32_t>(requantize_exact(acc, e.scale[j], lo, hi)) + e.out_zp;
      if (e.type == QOutputType::kU8)
        static_cast<uint8_t*>(row)[j] = static_cast<uint8_t>(q);
      else
        static_cast<int8_t*>(row)[j] = static_cast<int8_t>(q);
      return;
    }
  }
}

inline size_t qoutput_size(QOutputType t) {
  return t == QOutputType::kU8 || t == QOutputType::kS8 ? 1 : 4;
}

// Bytes k0 .. k0 + n - 1 of a row (n <= KR), each XORed with a_xor, as
// unsigned values; bytes past n are 0 (their weights are 0 anyway).
template <size_t KR>
inline void load_group_scalar(const uint8_t* row, size_t n, uint8_t a_xor, uint32_t* u) {
  for (size_t k = 0; k < KR; ++k) u[k] = k < n ? static_cast<uint32_t>(row[k] ^ a_xor) : 0u;
}

// MR x NR tile, weights in groups of KR along K. Modular int32 arithmetic
// through uint32_t: wrap-around is the contract, and signed overflow is UB.
template <size_t MR, size_t NR, size_t KR>
void qgemm_rowptr_scalar(const QGemmRowsArgs& p) {
  uint32_t acc[MR][NR];
  for (size_t i = 0; i < MR; ++i)
    for (size_t j = 0; j < NR; ++j) acc[i][j] = j < p.nr ? static_cast<uint32_t>(p.epi.bias[j]) : 0u;
  const size_t groups = (p.kc + KR - 1) / KR;
  const int8_t* b = p.b;
  for (size_t t = 0; t < p.taps; ++t) {
    const uint8_t* const* rows = p.a + t * MR;
    for (size_t g = 0; g < groups; ++g, b += NR * KR) {
      const size_t n = p.kc - g * KR < KR ? p.kc - g * KR : KR;
      for (size_t i = 0; i < MR; ++i) {
        uint32_t u[KR];
        load_group_scalar<KR>(rows[i] + g * KR, n, p.a_xor, u);
        for (size_t j = 0; j < NR; ++j)
          for (size_t k = 0; k < KR; ++k)
            acc[i][j] += u[k] * static_cast<uint32_t>(static_cast<int32_t>(b[j * KR + k]));
      }
    }
  }
  const size_t esize = qoutput_size(p.epi.type);
  for (size_t i = 0; i < p.mr; ++i) {
    void* row = static_cast<char*>(p.c) + i * p.ldc * esize;
    for (size_t j = 0; j < p.nr; ++j) {
      int32_t v;
      std::memcpy(&v, &acc[i][j], sizeof v);  // the two's-complement value
      store_scalar(p.epi, v, j, row);
    }
  }
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
