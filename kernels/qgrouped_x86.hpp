// The int8 channels-last grouped kernel (contract: kernels/qgrouped_args.h),
// generic over the x86 family D of the pointwise stream (QpsZmm, QpsYmm:
// masked loads, the dot product). A tile of NV vectors of channels by
// kQgPixels pixels; the tile's weights stay in L1 across the pixels. The epilogue is
// the GEMM tile's (D::Epilogue). Included inside the TU's namespace
// NDCONV_QKERNEL_NS, after the family's header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qgrouped_args.h"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// Pixels per tile: each weight load feeds that many dot products, and NV x
// kQgPixels independent accumulators hide the dot product's latency (4
// against 2 on AMD EPYC Zen 5, --ab --int8 NXC: grouped_resnext 1.37x ->
// 1.71-1.80x, g8x12 1.54-1.62x -> 1.94-1.96x, g4x16 0.60x -> 0.62-0.64x oneDNN).
constexpr size_t kQgPixels = 4;

template <class D>
struct QgTables {
  const uint32_t* span;
  const int32_t* perm;
  const int8_t* w;
  size_t taps, kgroups;
};

// Vectors [v0, v0 + nv) of PX pixels (rows[p]: pixel p's taps; repeated
// past the last pixel), accumulated over every tap. nv <= NV; KG: the
// k-groups when known at compile time (1, 2, 4), else 0 (t.kgroups). The
// input masks and offsets come precomputed (their arithmetic per load cost
// more than the dot products on grouped_resnext).
template <class D, bool Flip, size_t NV, size_t PX, size_t KG, bool Uniform>
NDCONV_QINLINE void qg_accumulate(const QgTables<D>& t, const uint8_t* const* const (&rows)[PX], size_t v0,
                                  size_t nv, const typename D::InputMask (&m)[NV], const size_t (&off)[NV],
                                  typename D::Acc (&acc)[PX][NV]) {
  constexpr size_t L = D::lanes;
  const size_t kgroups = KG ? KG : t.kgroups;
  for (size_t tap = 0; tap < t.taps; ++tap) {
    const uint8_t* px[PX];
#pragma GCC unroll 8
    for (size_t p = 0; p < PX; ++p) px[p] = rows[p][tap];
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; ++v) {
      if (v >= nv) break;
      const int8_t* w = t.w + (((v0 + v) * t.taps + tap) * kgroups) * L * 4;
      if constexpr (Uniform && KG == 4 && D::kQgShuffleBroadcast) {
        // A dword broadcast per dot product: k-group 0's from memory,
        // k-groups 1-3 by vpshufd from 16 bytes loaded once per pixel.
        // Measured on zmm, AMD EPYC Zen 5, grouped_g4x16: every k-group
        // from memory 0.71x oneDNN; all four by vpshufd 0.80x; this mix 12%
        // faster than all four by vpshufd; k-groups 0-1 from memory 4%
        // slower than all four by vpshufd. ymm lost with any shuffles (0.35x -> 0.31x).
        typename D::Acc x[PX];
#pragma GCC unroll 8
        for (size_t p = 0; p < PX; ++p) x[p] = D::template broadcast16<Flip>(px[p] + off[v]);
#pragma GCC unroll 8
        for (size_t p = 0; p < PX; ++p) acc[p][v] = D::dot(acc[p][v], D::template broadcast4<Flip>(px[p] + off[v]), w);
#pragma GCC unroll 8
        for (size_t p = 0; p < PX; ++p) acc[p][v] = D::dot(acc[p][v], D::template dword<1>(x[p]), w + L * 4);
#pragma GCC unroll 8
        for (size_t p = 0; p < PX; ++p) acc[p][v] = D::dot(acc[p][v], D::template dword<2>(x[p]), w + L * 8);
#pragma GCC unroll 8
        for (size_t p = 0; p < PX; ++p) acc[p][v] = D::dot(acc[p][v], D::template dword<3>(x[p]), w + L * 12);
        continue;
      }
      if (Uniform) {  // the group's k-group kk: one dword for every lane
#pragma GCC unroll 4
        for (size_t kk = 0; kk < kgroups; ++kk, w += L * 4)
#pragma GCC unroll 8
          for (size_t p = 0; p < PX; ++p)
            acc[p][v] = D::dot(acc[p][v], D::template broadcast4<Flip>(px[p] + off[v] + 4 * kk), w);
        continue;
      }
      typename D::Acc x[PX];
#pragma GCC unroll 8
      for (size_t p = 0; p < PX; ++p) {
        x[p] = D::load_masked(px[p] + off[v], m[v]);
        if (Flip) x[p] = D::flip(x[p]);
      }
      const int32_t* perm = t.perm + (v0 + v) * kgroups * L;
#pragma GCC unroll 4
      for (size_t kk = 0; kk < kgroups; ++kk, perm += L, w += L * 4)
#pragma GCC unroll 8
        for (size_t p = 0; p < PX; ++p) acc[p][v] = D::dot(acc[p][v], D::permute(x[p], perm), w);
    }
  }
}

template <class D, QOutputType T, bool Flip, size_t NV, size_t PX, size_t KG, bool Uniform>
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
    for (size_t i = 0; i < pixels; i += PX) {
      const uint8_t* const* r[PX];
      Acc acc[PX][NV];
#pragma GCC unroll 8
      for (size_t p = 0; p < PX; ++p) {
        r[p] = rows + (i + p < pixels ? i + p : pixels - 1) * taps;
#pragma GCC unroll 8
        for (size_t v = 0; v < NV; ++v) acc[p][v] = bias[v];
      }
      qg_accumulate<D, Flip, NV, PX, KG, Uniform>(t, r, v0, nv, m, off, acc);
#pragma GCC unroll 8
      for (size_t p = 0; p < PX; ++p) {
        if (i + p >= pixels) break;
#pragma GCC unroll 8
        for (size_t v = 0; v < NV; ++v) {
          if (v >= nv) break;
          const size_t c = (v0 + v) * L, n = oc - c < L ? oc - c : L;
          e.template store<T>(acc[p][v], c, n, out + (i + p) * oc * esize);
        }
      }
    }
  }
}

template <class D, QOutputType T, bool Flip, size_t NV>
void qg_kgroups(const QGroupedArgs& a) {
  // k-groups known at compile time: the kk loop unrolled (its loop control
  // was a tenth of grouped_g4x16's instructions).
  if (a.uniform) {
    switch (a.kgroups) {
      case 2: return qg_typed<D, T, Flip, NV, kQgPixels, 2, true>(a);
      case 4: return qg_typed<D, T, Flip, NV, kQgPixels, 4, true>(a);
      default: return qg_typed<D, T, Flip, NV, kQgPixels, 0, true>(a);
    }
  }
  switch (a.kgroups) {
    case 1: return qg_typed<D, T, Flip, NV, kQgPixels, 1, false>(a);
    case 2: return qg_typed<D, T, Flip, NV, kQgPixels, 2, false>(a);
    case 4: return qg_typed<D, T, Flip, NV, kQgPixels, 4, false>(a);
    default: return qg_typed<D, T, Flip, NV, kQgPixels, 0, false>(a);
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
