// Operand contracts of the GEMM microkernels (kernels/gemm.hpp). ISA-neutral:
// dispatch builds these and calls the per-ISA function pointers of
// KernelTable::gemm_rowptr_main / gemm_cols_main and their variants.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ndconv {
namespace kernels {

// Where the finished mr x nr tile goes and what happens to it on the way.
struct GemmOutput {
  float* c = nullptr;      // tile row i at c + i * ldc, columns contiguous
  size_t ldc = 0;
  // Add the tile to what C already holds (K blocks after the first) instead
  // of starting from the bias.
  bool accumulate = false;
  // Apply min(max(y, lo), hi) before storing (the last K block only).
  bool clamp = false;
  float lo = 0.0f, hi = 0.0f;
  // gemm_rows only: instead of storing the tile, max-reduce it over its rows
  // into this running maximum, row_max[j] = max(row_max[j], max_i C[i][j])
  // for j < nr (row_max holds NR floats; lanes past nr are don't-care).
  // Max-over-time pooling fused into the GEMM: the finished tile (after
  // accumulate and clamp) never reaches memory. Rows past mr repeat the last
  // real row (see GemmRowsArgs), so they do not change the maximum. With
  // accumulate, C (ldc) still supplies the partial sums of earlier K blocks.
  // NaN handling is the ISA max instruction's (not guaranteed to propagate).
  float* row_max = nullptr;
};

// Channels-last: C[i][j] (+)= bias[j] + sum_t sum_k a[t*MR+i][a_k_offset + k] * b[(t*kc + k)*NR + j]
struct GemmRowsArgs {
  // [taps][MR] row pointers. Every one of the MR pointers of a tap must be
  // readable for kc floats from a_k_offset, also for rows i >= mr (callers
  // repeat the last valid row); only rows < mr are stored.
  const float* const* a = nullptr;
  ptrdiff_t a_k_offset = 0;
  size_t taps = 1;
  size_t kc = 0;            // floats per tap and row
  const float* b = nullptr; // packed panel slice: taps * kc rows of NR floats (zero past the real N)
  const float* bias = nullptr;  // NR floats (zero past the real N), or nullptr for no bias
  // The real extent: mr <= MR rows, nr columns. nr > NR makes one call sweep
  // ceil(nr / NR) adjacent panels (C columns p*NR.., weights and bias at
  // b + p * panel_stride and bias + p * panel_stride), sharing the A row
  // setup: the per-call cost is paid once per M block, not once per tile.
  size_t mr = 0, nr = 0;
  size_t panel_stride = 0;  // floats between consecutive packed panels (nr > NR)
  // Optional: weights the next call will stream (kc * NR floats, read as taps *
  // kc rows of NR), prefetched into cache while this call computes.
  const float* b_prefetch = nullptr;
  // Where b_prefetch goes: L1 (false), or L2 when the slice is larger than L1
  // and would evict the slice this call streams.
  bool b_prefetch_l2 = false;
  GemmOutput out;
};

// Channels-first: C[i][j] (+)= bias[i] + sum_k a[k*MR + i] * brow(k)[j],
// brow(k) = b + (b_offsets ? b_offsets[k] : k * ldb).
struct GemmColsArgs {
  const float* a = nullptr;         // packed panel slice: kc rows of MR floats (zero past the real M)
  const float* b = nullptr;
  ptrdiff_t ldb = 0;
  const ptrdiff_t* b_offsets = nullptr;  // optional per-k row offsets (shifted views)
  size_t kc = 0;
  const float* bias = nullptr;      // MR floats, or nullptr
  // The real extent: nr <= NR columns (only nr floats of each B row are
  // read), mr rows. mr > MR makes one call sweep ceil(mr / MR) blocks of MR
  // rows (C rows p*MR.., weights and bias at a + p * panel_stride and
  // bias + p * panel_stride) over the same B panel.
  size_t mr = 0, nr = 0;
  size_t panel_stride = 0;          // floats between consecutive packed panels (mr > MR)
  // Optional: the B panel the next call reads (b_prefetch_kc rows of
  // b_prefetch_nr floats, b_prefetch_ld apart), prefetched while the last
  // block of MR rows computes, one row per k: in-place channels-first rows
  // each lie on a new page, which the hardware prefetchers do not follow.
  const float* b_prefetch = nullptr;
  ptrdiff_t b_prefetch_ld = 0;
  size_t b_prefetch_kc = 0, b_prefetch_nr = 0;
  GemmOutput out;
};

using GemmRowsFn = void (*)(const GemmRowsArgs& args);
using GemmColsFn = void (*)(const GemmColsArgs& args);

// One microkernel instance, its name (kernels/kernel_table.h) and its tile shape.
struct GemmRowsKernel {
  const char* name = nullptr;
  GemmRowsFn fn = nullptr;
  size_t mr = 0, nr = 0;
  // Optional: short_rows[r - 1] is this kernel with MR = r < mr (same NR),
  // which gemm_rows_task calls for a last M block of r rows.
  const GemmRowsFn* short_rows = nullptr;
};
struct GemmColsKernel {
  const char* name = nullptr;
  GemmColsFn fn = nullptr;
  size_t mr = 0, nr = 0;
};

}  // namespace kernels
}  // namespace ndconv

namespace ndconv {
namespace kernels {

// Channels-last GEMMs whose whole reduction is a few floats per row (a speech
// stem: 10 taps over one channel). kernels/gemm_small_k.hpp: fn[K] computes
// C rows with K == args.kc, or is nullptr (K = 0, or the ISA has no such
// kernel). GemmRowsArgs as for gemm_rows, except: args.a holds args.mr row
// pointers (any mr), taps == 1, every C column block is finished in one call
// (out.accumulate and out.row_max unsupported), and the panel width of the
// packed weights is the ISA's gemm_rowptr_main.nr.
constexpr size_t kMaxSmallK = 11;

// A whole channels-last pointwise convolution over contiguous pixels, few
// channels (a 3 -> 5 colour head), as a stream of blocks of W pixels (W the
// vector width): a block's input is K whole vectors (W pixels x K channels,
// contiguous), its output N whole vectors. Output vector j, lane l is pixel
// (jW + l) / N, channel (jW + l) % N: its K input floats are lanes of the two
// input vectors source[2j], source[2j + 1], picked by index (dispatch::
// PointwiseStreamTables, which says when two vectors suffice). No masked or
// per-pixel stores, no row pointers.
struct PointwiseStreamArgs {
  const float* in = nullptr;    // blocks * k vectors
  float* out = nullptr;         // blocks * n vectors
  size_t blocks = 0;            // of W pixels
  size_t k = 0, n = 0;          // input and output channels
  const int32_t* index = nullptr;   // [n][k][W]: lane of (source[2j], source[2j + 1]), 0 .. 2W - 1
  const float* weights = nullptr;   // [n][k][W]: weight of channel k to the lane's output channel
  const float* bias = nullptr;      // [n][W]
  const uint32_t* source = nullptr; // [n][2]: the input vectors of output vector j in its block
  bool clamp = false;               // min(max(y, lo), hi)
  float lo = 0.0f, hi = 0.0f;
};
using PointwiseStreamFn = void (*)(const PointwiseStreamArgs& args);

struct GemmRowsSmallK {
  const char* name = nullptr;
  GemmRowsFn fn[kMaxSmallK + 1] = {};
  // Faster than gemm_rows where the ISA has the registers for it (measured
  // on AVX-512; on AVX2, one row per B load, 0.94x -> 0.65x oneDNN): the
  // planner uses fn only then, tests use it everywhere.
  bool preferred = false;
  // The stream form (PointwiseStreamArgs), where the ISA has a two-source
  // permute (AVX-512's vpermt2ps); nullptr elsewhere. AVX2's emulation (two
  // vpermps and a blend per permute) lost to the narrow kernel on Zen 5
  // (--isa=avx2, pw_tiny_3to5 NXC: 1.03x -> 0.74-0.78x oneDNN).
  PointwiseStreamFn stream = nullptr;
};

}  // namespace kernels
}  // namespace ndconv

namespace ndconv {
namespace kernels {

// Channels-last with evenly spaced rows: C[i][j] (+)= bias[j] +
// sum_t sum_k a[t][i * lda + k] * b[(t*kc + k)*NR + j]. The indirect
// convolution's M blocks inside one output line, away from its ends: a tap's
// rows are its first row moved lda floats per output pixel (stride x C_in), so
// one pointer per tap replaces MR (no per-row pointer arrays to build, none to
// reload inside the kernel: with 14 row pointers the x86 registers spill).
struct GemmRowsStridedArgs {
  // [taps] pointers to row 0 of each tap. Every one of the kernel's MR rows,
  // a[t] + i * lda for i < MR (also i >= mr), must be readable for kc floats;
  // only rows < mr are stored.
  const float* const* a = nullptr;
  ptrdiff_t lda = 0;
  // Optional: a tap t with a[t] == nullptr reads its rows through MR row
  // pointers at row_lists[t * MR] instead (the GemmRowsArgs contract: rows
  // >= mr repeat a readable row). The blocks at the ends of an output line
  // whose taps are evenly spaced but for a few that reach into padding (the
  // 3-D video conv: one row in 14 for a third of the taps) stay on this
  // kernel, one call over all taps.
  const float* const* row_lists = nullptr;
  // Optional, per tap, read for a listed tap (a[t] == nullptr) only: its
  // rows are evenly spaced (lda) but for the first edge_pad[t] (> 0) or the
  // last -edge_pad[t] (< 0) rows, which read padding (zero); 0: no such
  // spacing. The tap's real rows are then row_lists[t * MR + i], i outside
  // the padded end. A kernel may read them strided, skipping the padded
  // rows' FMAs (|edge_pad| <= kMaxStridedEdgePad: gemm_rows_strided and
  // gemm_rows_strided_kpair, whose 14 row pointers spill or take two
  // passes), or ignore this and read row_lists (the lean kernels: their 12
  // pointers fit the registers, and with the strided versions beside them
  // GCC 12 moved accumulators between registers). A line's first and last
  // block with padding 1: a third of conv3d_video's taps, a sixth of
  // conv3x3_res2's.
  const int8_t* edge_pad = nullptr;
  // Floats added to every tap's rows (a[t] and row_lists), as
  // GemmRowsArgs::a_k_offset: the grouped convolution's channel offset,
  // which lets one block plan serve every group.
  ptrdiff_t a_k_offset = 0;
  size_t taps = 1;
  size_t kc = 0;
  // As GemmRowsArgs: packed panel slice, bias, extent (nr > NR sweeps
  // panels panel_stride floats apart), output.
  const float* b = nullptr;
  const float* bias = nullptr;
  size_t mr = 0, nr = 0;
  size_t panel_stride = 0;
  GemmOutput out;
};
using GemmRowsStridedFn = void (*)(const GemmRowsStridedArgs& args);
// The padded rows at one end a strided kernel skips (GemmRowsStridedArgs::edge_pad).
constexpr int kMaxStridedEdgePad = 2;
// Same tile shape (and packed weights) as the ISA's gemm_rowptr_main.
struct GemmRowsStridedKernel {
  const char* name = nullptr;
  GemmRowsStridedFn fn = nullptr;
  size_t mr = 0, nr = 0;
};

// The k-pair kernels of one ISA (KernelTable::gemm_kpair, kernels/gemm_kpair.hpp):
// one vector of columns, the weights packed in interleaved k pairs
// (PackedWeights::interleave_k_pairs), kc even; a row-pointer and an
// evenly-spaced-rows kernel with the same MR. Null functions where the ISA
// has none (all but AVX-512).
struct GemmKPairKernels {
  GemmRowsKernel rows;
  GemmRowsStridedKernel strided;
};

}  // namespace kernels
}  // namespace ndconv
