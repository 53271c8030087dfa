// The AMX int8 tile (Intel Sapphire Rapids and later: AMX-TILE, AMX-INT8):
// 32 rows x 32 columns of int32 in four 16 x 16 accumulator tiles, K in
// blocks of 16 groups of 4 bytes, one tdpbusd (u8 x s8, no intermediate
// saturation) per accumulator tile and block: 16 x 16 x 64 products each,
// eight times the vpdpbusd zmm rate of the same core.
//
// tdpbusd reads A as rows of 64 bytes a fixed stride apart, so the kernel
// first copies the tile's rows (row pointers per tap, or the step entry's
// evenly spaced rows, XORed with a_xor, each tap's kc bytes padded to its K
// groups) into the caller's scratch
// (QGemmRowsArgs::a_pack), once per row block: the calls for the block's
// other column panels find it packed (a_packed) and only stream B. B is the
// packing every int8 table shares, [groups][32 columns][4 bytes]: a 16 x 16
// B tile is 16 group rows of 64 bytes, 128 bytes apart, read in place; the
// last block's groups past the real ones come from a zeroed copy (the panel
// ends there). The accumulators go through the stack to the AVX-512
// epilogue (qgemm_avx512.hpp), which adds the bias and converts.
//
// Measured and left out (Intel Xeon Emerald Rapids, one thread, the same
// plans timed in one process, alternating, 25 rounds): tile loads reading
// the input in place where a half's rows are evenly spaced with kc a
// multiple of 64 (no copy at all) ran 10-20% slower than packing on
// pw_res2_expand, pw_seq_ffn, conv3x3_res2 and conv1d_dilated NXC; an L1
// prefetch of B one or three blocks ahead gained nothing or lost up to 15%;
// prefetching the tile's output lines for writing lost 10% on
// pw_res2_expand; the bias loaded into the accumulators (tileloadd of a
// stack copy with stride 0) instead of added in the epilogue lost 10-40%.
// What the time goes to (the same A/B, parts switched off): pw_res2_expand
// (K = 64) about 55% the requantizing epilogue, 10% packing, 20% the
// multiply; conv3x3_res2 (K = 576) about 57% the multiply, 22% packing, 7%
// the epilogue, 12% building the rows.
//
// The tile registers are configured once per thread and task
// (QGemmRowsKernel::prepare, ldtilecfg: about 230 cycles on Intel Xeon
// Emerald Rapids, four block steps' worth) and released after
// (QGemmRowsKernel::release, tilerelease).
// Included inside the TU's namespace NDCONV_QKERNEL_NS.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/qgemm_avx512.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_QKERNEL_NS {

// Tile register use: 0-3 the accumulators (rows 0-15 x columns 0-15, 0-15 x
// 16-31, 16-31 x 0-15, 16-31 x 16-31), 4 and 5 A (rows 0-15, 16-31: 16 rows
// of 64 bytes), 6 and 7 B (columns 0-15, 16-31: 16 groups of 16 x 4 bytes).
struct alignas(64) AmxTileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};

inline void amx_prepare() {
  static const AmxTileConfig config;
  _tile_loadconfig(&config);
}

inline void amx_release() { _tile_release(); }

constexpr size_t kAmxTileRows = 16, kAmxBlockGroups = 16, kAmxNr = 32;

// Row i of tap t, i < MR: fn's pointers, or step_fn's step (a listed tap's
// rows from its list).
struct AmxRowPointers {
  const QGemmRowsArgs& p;
  const uint8_t* operator()(size_t t, size_t i) const { return p.a[t * kAmxNr + i]; }
};
struct AmxRowSteps {
  const QGemmRowsArgs& p;
  const uint8_t* operator()(size_t t, size_t i) const {
    if (t < 64 && (p.listed_taps >> t & 1)) return p.lists[t * kAmxNr + i];
    return p.a[t] + static_cast<ptrdiff_t>(i < p.mr ? i : p.mr - 1) * p.a_step;
  }
};

// The tile's A rows 0 .. rows - 1 into p.a_pack (lda bytes apart): tap t's
// kc bytes at t * 4 * ceil(kc / 4), XORed with a_xor. Bytes past a tap's kc
// up to the next 64 are written too (the next tap's, then the next row's
// writes overwrite them; the scratch has 64 bytes of slack): their weights
// are zero, so any value is exact. The row's last 64 bytes are zeroed
// first, so the block past the last group holds no stale bytes.
template <class RowOf>
NDCONV_QINLINE void amx_pack_a(const QGemmRowsArgs& p, size_t rows, size_t lda, RowOf row_of) {
  const size_t tap_bytes = (p.kc + 3) / 4 * 4;
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(p.a_xor));
  const __m512i zero = _mm512_setzero_si512();
  for (size_t i = 0; i < rows; ++i) {
    uint8_t* dst = p.a_pack + i * lda;
    _mm512_store_si512(dst + lda - 64, zero);
    for (size_t t = 0; t < p.taps; ++t) {
      const uint8_t* src = row_of(t, i);
      uint8_t* d = dst + t * tap_bytes;
      size_t k = 0;
      for (; k + 64 <= p.kc; k += 64) _mm512_storeu_si512(d + k, _mm512_xor_si512(_mm512_loadu_si512(src + k), flip));
      if (k < p.kc) {
        const __mmask64 m = (~uint64_t{0}) >> (64 - (p.kc - k));  // reads only the row's kc bytes
        _mm512_storeu_si512(d + k, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + k), flip));
      }
    }
  }
}

// The epilogue of rows 0 .. mr - 1 from the int32 tile `c` (32 x 32, rows
// 128 bytes apart): bias added, then as the register tiles' epilogue.
template <QOutputType T>
NDCONV_QINLINE void amx_store(const int32_t (*c)[kAmxNr], const QGemmRowsArgs& p) {
  const Zmm::Epilogue e(p.epi);
  const __m512i b0 = Zmm::load_bias(p.epi.bias, columns_in<16>(p.nr, 0));
  const __m512i b1 = Zmm::load_bias(p.epi.bias + 16, columns_in<16>(p.nr, 1));
  constexpr size_t esize = T == QOutputType::kU8 || T == QOutputType::kS8 ? 1 : 4;
  char* out = static_cast<char*>(p.c);
  for (size_t i = 0; i < p.mr; i += 2) {
    const size_t j = i + 1 < p.mr ? i + 1 : i;
    const __m512i acc[2][2] = {
        {_mm512_add_epi32(_mm512_load_si512(c[i]), b0), _mm512_add_epi32(_mm512_load_si512(c[i] + 16), b1)},
        {_mm512_add_epi32(_mm512_load_si512(c[j]), b0), _mm512_add_epi32(_mm512_load_si512(c[j] + 16), b1)}};
    char* row = out + i * p.ldc * esize;
    if constexpr (esize == 1) {
      e.template store_full_width<T, 2, 2>(acc, j - i + 1, p.nr, row, p.ldc);
    } else {
      for (size_t r = 0; r < j - i + 1; ++r) {
        e.template store<T>(acc[r][0], 0, columns_in<16>(p.nr, 0), row + r * p.ldc * esize);
        if (p.nr > 16) e.template store<T>(acc[r][1], 16, columns_in<16>(p.nr, 1), row + r * p.ldc * esize);
      }
    }
  }
}

// MR = 32, NR = 32, KR = 4; rows past mr repeat the last (as every tile's
// caller fills them), only rows < mr are stored; a tile of at most 16 rows
// packs and multiplies only the first 16.
template <class RowOf>
NDCONV_QINLINE void amx_32x32(const QGemmRowsArgs& p, RowOf row_of) {
  const size_t groups = p.taps * ((p.kc + 3) / 4);
  const size_t blocks = (groups + kAmxBlockGroups - 1) / kAmxBlockGroups;
  const size_t full = groups / kAmxBlockGroups, lda = qgemm_a_pack_stride(p.taps, p.kc);
  const bool two = p.mr > kAmxTileRows;
  if (!p.a_packed) amx_pack_a(p, two ? 2 * kAmxTileRows : kAmxTileRows, lda, row_of);
  constexpr size_t kBlockBytes = kAmxBlockGroups * kAmxNr * 4;
  alignas(64) int8_t b_tail[kBlockBytes];
  if (full != blocks) {
    const size_t tail = (groups - full * kAmxBlockGroups) * kAmxNr * 4;
    std::memcpy(b_tail, p.b + full * kBlockBytes, tail);
    std::memset(b_tail + tail, 0, kBlockBytes - tail);
  }
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (size_t kb = 0; kb < blocks; ++kb) {
    const int8_t* b = kb < full ? p.b + kb * kBlockBytes : b_tail;
    _tile_loadd(4, p.a_pack + kb * 64, lda);
    _tile_loadd(6, b, kAmxNr * 4);
    _tile_loadd(7, b + 64, kAmxNr * 4);
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(1, 4, 7);
    if (two) {
      _tile_loadd(5, p.a_pack + kAmxTileRows * lda + kb * 64, lda);
      _tile_dpbusd(2, 5, 6);
      _tile_dpbusd(3, 5, 7);
    }
  }
  alignas(64) int32_t c[2 * kAmxTileRows][kAmxNr];
  _tile_stored(0, &c[0][0], kAmxNr * 4);
  _tile_stored(1, &c[0][16], kAmxNr * 4);
  if (two) {
    _tile_stored(2, &c[16][0], kAmxNr * 4);
    _tile_stored(3, &c[16][16], kAmxNr * 4);
  }
  switch (p.epi.type) {
    case QOutputType::kS32: return amx_store<QOutputType::kS32>(c, p);
    case QOutputType::kF32: return amx_store<QOutputType::kF32>(c, p);
    case QOutputType::kU8: return amx_store<QOutputType::kU8>(c, p);
    case QOutputType::kS8: return amx_store<QOutputType::kS8>(c, p);
  }
}

inline void qgemm_amx_32x32(const QGemmRowsArgs& p) { amx_32x32(p, AmxRowPointers{p}); }

// The step entry: the caller names one row per tap and the step (cheaper to
// build than 32 pointers per tap); packed the same way.
inline void qgemm_amx_32x32_step(const QGemmRowsArgs& p) { amx_32x32(p, AmxRowSteps{p}); }

}  // namespace NDCONV_QKERNEL_NS
}  // namespace kernels
}  // namespace ndconv
