// The int8 channels-last grouped kernel (contract: kernels/qgrouped_args.h),
// generic over the x86 family D of the pointwise stream (QpsZmm, QpsYmm:
// masked loads, the dot product). A tile of NV vectors of channels by two
// pixels (2 NV independent accumulator chains hide the dot product's
// latency); the tile's weights stay in L1 across the pixels. The epilogue is
// the GEMM tile's (D::Epilogue). Included inside the TU's namespace
// NDCONV_QKERNEL_NS, after the family's header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qgrouped_args.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

template <class D>
struct QgTables {
  const uint32_t* span;
  const int32_t* perm;
  const int8_t* w;
  size_t taps, kgroups;
};

// Vectors [v0, v0 + nv) of pixels i and j (j == i: one pixel), accumulated
// over every tap. nv <= NV; KG: the k-groups when known at compile time
// (1, 2, 4: one to four vpdpbusd per load), else 0 (t.kgroups). The input
// masks and offsets come precomputed (their arithmetic per load cost more
// than the dot products on grouped_resnext).
template <class D, bool Flip, size_t NV, size_t KG>
NDCONV_QINLINE void qg_accumulate(const QgTables<D>& t, const uint8_t* const* ri, const uint8_t* const* rj,
                                  size_t v0, size_t nv, const typename D::InputMask (&m)[NV],
                                  const size_t (&off)[NV], typename D::Acc (&acc)[2][NV]) {
  constexpr size_t L = D::lanes;
  const size_t kgroups = KG ? KG : t.kgroups;
  for (size_t tap = 0; tap < t.taps; ++tap) {
    const uint8_t* pi = ri[tap];
    const uint8_t* pj = rj[tap];
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; ++v) {
      if (v >= nv) break;
      typename D::Acc xi = D::load_masked(pi + off[v], m[v]);
      typename D::Acc xj = D::load_masked(pj + off[v], m[v]);
      if (Flip) {
        xi = D::flip(xi);
        xj = D::flip(xj);
      }
      const int32_t* perm = t.perm + (v0 + v) * kgroups * L;
      const int8_t* w = t.w + (((v0 + v) * t.taps + tap) * kgroups) * L * 4;
#pragma GCC unroll 4
      for (size_t kk = 0; kk < kgroups; ++kk, perm += L, w += L * 4) {
        acc[0][v] = D::dot(acc[0][v], D::permute(xi, perm), w);
        acc[1][v] = D::dot(acc[1][v], D::permute(xj, perm), w);
      }
    }
  }
}

template <class D, QOutputType T, bool Flip, size_t NV, size_t KG>
void qg_typed(const QGroupedArgs& a) {
  using Acc = typename D::Acc;
  constexpr size_t L = D::lanes;
  constexpr size_t esize = T == QOutputType::kU8 || T == QOutputType::kS8 ? 1 : 4;
  // Locals: the byte stores may alias args as far as the compiler knows.
  const QgTables<D> t{a.span, a.perm, a.w, a.taps, a.kgroups};
  const QEpilogue epi = a.epi;
  const typename D::Epilogue e(epi);
  const size_t oc = a.out_channels, pixels = a.pixels, taps = a.taps;
  const size_t vectors = (oc + L - 1) / L;
  const uint8_t* const* rows = a.rows;
  char* const out = static_cast<char*>(a.out);
  for (size_t v0 = 0; v0 < vectors; v0 += NV) {
    const size_t nv = vectors - v0 < NV ? vectors - v0 : NV;
    Acc bias[NV];
    typename D::InputMask m[NV];
    size_t off[NV];
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; ++v) {
      const size_t c = (v0 + v) * L;
      bias[v] = v < nv ? D::load_bias(epi.bias + c, oc - c) : D::splat(0);
      off[v] = v < nv ? t.span[2 * (v0 + v)] : 0;
      m[v] = D::input_mask(v < nv ? t.span[2 * (v0 + v) + 1] : 0);
    }
    for (size_t i = 0; i < pixels; i += 2) {
      const size_t j = i + 1 < pixels ? i + 1 : i;
      Acc acc[2][NV];
#pragma GCC unroll 8
      for (size_t v = 0; v < NV; ++v) acc[0][v] = acc[1][v] = bias[v];
      qg_accumulate<D, Flip, NV, KG>(t, rows + i * taps, rows + j * taps, v0, nv, m, off, acc);
#pragma GCC unroll 8
      for (size_t v = 0; v < NV; ++v) {
        if (v >= nv) break;
        const size_t c = (v0 + v) * L, n = oc - c < L ? oc - c : L;
        e.template store<T>(acc[0][v], c, n, out + i * oc * esize);
        if (j != i) e.template store<T>(acc[1][v], c, n, out + j * oc * esize);
      }
    }
  }
}

template <class D, QOutputType T, bool Flip, size_t NV>
void qg_kgroups(const QGroupedArgs& a) {
  switch (a.kgroups) {
    case 1: return qg_typed<D, T, Flip, NV, 1>(a);
    case 2: return qg_typed<D, T, Flip, NV, 2>(a);
    case 4: return qg_typed<D, T, Flip, NV, 4>(a);
    default: return qg_typed<D, T, Flip, NV, 0>(a);
  }
}

template <class D, bool Flip, size_t NV>
void qg_flip(const QGroupedArgs& a) {
  switch (a.epi.type) {
    case QOutputType::kS32: return qg_kgroups<D, QOutputType::kS32, Flip, NV>(a);
    case QOutputType::kF32: return qg_kgroups<D, QOutputType::kF32, Flip, NV>(a);
    case QOutputType::kU8: return qg_kgroups<D, QOutputType::kU8, Flip, NV>(a);
    case QOutputType::kS8: return qg_kgroups<D, QOutputType::kS8, Flip, NV>(a);
  }
}

// The table's entry: U8 input runs without the XOR.
template <class D, size_t NV>
void qg_nxc(const QGroupedArgs& a) {
  if (a.a_xor != 0)
    qg_flip<D, true, NV>(a);
  else
    qg_flip<D, false, NV>(a);
}

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
