// Every tuning constant of ndconv in one struct: the values a different CPU
// may want different (cache blocks, copy-or-in-place thresholds, task sizes,
// spin counts). Made once, from the caches detected at run time
// (plan/cache_info.h) and the CPU's features, and read through tuning().
//
// Hot paths never read it per iteration: an algorithm copies what it needs
// when its plan is created, or reads it once per run (the GEMM driver's
// tiling), and the thread pool once when it is created.
//
// Tuning{} holds today's values, the ones the project was measured with on
// its machine (AMD Zen 5: 48 KiB L1d, 1 MiB L2 per core); tuning_for() derives
// the cache budgets from the detected sizes by rules that give exactly those
// values on Zen 5 and never more (smaller caches get smaller blocks), and then
// applies the per-microarchitecture values (tuning.cpp, kMicroarchTuning,
// keyed by the named core of plan/microarch.h).
//
// Not here: CAPACITY limits, which size stack arrays and so stay compile-time
// (a tuning value may not exceed them): gemm/gemm_driver.h kMaxMR, kMaxNR,
// kMaxTapBlock, kMaxColsScratchFloats (8192 floats: the channels-first B
// panel slice, whatever gemm_l1_budget_bytes asks); plan/tuning.h
// kMaxPanelGroup; algorithms/im2col_gemm.cpp kPanelGroupFloats (the packed
// panels of one K block), kMaxGuidedTasks; algorithms/indirect_gemm.cpp
// kBorderScratchFloats, kMaxCalls; addressing/indirection.h kMaxRowPointers;
// addressing/im2col_panels.h kMaxPanelWidth; addressing/line_copies.h
// kLineCacheFloats, kMaxLineTaps; algorithms/depthwise.cpp kRowsPerCall;
// algorithms/ngram.cpp kSmallKRows; kernels/gemm_args.h kMaxSmallK.
#pragma once

#include <cstddef>

#include "plan/cache_info.h"
#include "plan/microarch.h"

namespace ndconv {
namespace dispatch {

// The most panels indirect_panel_group may ask for (the channels-first
// indirect path's per-task array of panels).
constexpr size_t kMaxPanelGroup = 4;

struct Tuning {
  // ---- The GEMM driver's cache blocking (gemm/gemm_driver.cpp) ----------

  // Bytes of packed weights (the kc x NR slice of a B panel) that stay in L1
  // while a task's M blocks sweep them: kc = this / (4 * NR) floats. Two
  // thirds of the L1d, the rest being for the A rows and C tile streaming
  // through: 32 KiB on Zen 5's 48 KiB, and at most that.
  size_t gemm_l1_budget_bytes = 32 * 1024;
  // Bytes of a task's A block (m_tile x K floats, all of K: the N panels are
  // the outer loop and each reuses it), which stays in L2; also the default
  // bound of choose_gemm_tiling's a_block_bytes. Half the L2: 512 KiB on
  // Zen 5's 1 MiB, and at most that (1 MiB blocks on a 2 MiB L2 measured
  // 2-3% slower: tuning.cpp).
  size_t gemm_l2_budget_bytes = 512 * 1024;
  // Channels-last GEMMs whose packed weights (N x K floats) take at most
  // this many bytes run M blocks outermost with no K blocks, the weights
  // staying in L2 (rows_reduction's m_outer). 3/2 of the L2 budget: 768 KiB
  // on Zen 5 (measured on pw_res3_down_s2, 512 KiB of weights: 0.90x ->
  // 1.06x oneDNN against the N-outer order).
  size_t gemm_m_outer_max_weight_bytes = 768 * 1024;
  // Smallest K block (floats), whatever the L1 budget and NR: below it each
  // block's C round trip and call overhead outweigh the FMAs.
  size_t gemm_min_k_block_floats = 64;

  // ---- Microkernel formulation (plan/tuned_table.cpp) --------------------

  // 1: the main GEMM tiles are the lean-k-loop kernels of
  // kernels/gemm_unrolled.hpp (AVX-512: rows-lean 12x32 u2 through row
  // pointers, strided-lean 12x32 u4 over evenly spaced rows, cols-lean 14x32
  // u1 channels-first; AVX2: cols-lean 6x16 u2), whose k loops hold nothing
  // but broadcasts, B loads and FMAs. 0: the GemmTile kernels of
  // kernels/gemm.hpp, measured at 95-97% of the FMA peak on AMD Zen 5. On
  // Intel cores the GemmTile kernels lose 5-35% to register spills and
  // pointer reloads in the k loop (docs/notes/intel-microkernels.md:
  // Sapphire Rapids class, 14x32 at 86-90% of peak against 93-96% lean;
  // Ice Lake-SP measured 55-67%), so 1 is the default on Intel. AMD EPYC
  // Zen 4 (one 512-bit FMA per cycle): 1, measured (bench_microkernel, K =
  // 256: rows-lean 12x32 97% of the peak against the GemmTile 14x32's 94%;
  // --ab, NXC: pw_mbv2_project 0.94x -> 0.97x oneDNN, the rest alike).
  size_t gemm_lean_kernels = 0;
  // 1: channels-first GEMMs (pointwise and im2col, NCX) may also take the
  // lean 6 x 64 tile (AVX-512, cols-lean 6x64 u4; KernelTable::gemm_cols_wide)
  // where pick_cols_kernel finds it pads the problem clearly least, or where
  // the weights outgrow the L2 budget: they stream again for every N panel,
  // half as often as with 32 columns. Measured on AMD EPYC Zen 5 (--ab, NCX):
  // pw_seq_ffn 0.93-0.99x -> 1.03-1.06x oneDNN, pw_res5_expand 1.09x ->
  // 1.12x, grouped_g8x12 1.07x -> 1.36x, pw_tiny_3to5 1.13x -> 1.35x; on
  // Intel Xeon (Emerald Rapids, model 207; 3 alternations): pw_seq_ffn
  // 0.94-0.95x -> 1.02-1.11x, pw_res5_expand 0.94-1.03x -> 1.11-1.17x,
  // grouped_g8x12 1.18-1.25x -> 1.41-1.47x, conv1d_dilated 1.04-1.07x ->
  // 1.13-1.17x; on AMD EPYC Zen 4 (with gemm_rows_wide, --ab, NCX):
  // grouped_g8x12 1.10x -> 1.30x, pw_tiny_3to5 0.82x -> 0.92-0.95x. 0 on
  // the AMD cores before Zen 4: not measured.
  size_t gemm_cols_wide = 0;
  // 1: channels-last pointwise and indirect GEMMs may take the lean 6 x 64
  // rows tiles (AVX-512, rows-lean 6x64 u4 and strided-lean 6x64 u2;
  // KernelTable::gemm_rowptr_wide / gemm_rowstride_wide) where they pad the
  // problem at most 5% more than the main and alternative tiles: 4 B
  // vectors per 6 broadcasts, oneDNN's brgemm shape. For indirect-gemm
  // (conv3x3_res2 NXC 0.85-0.97x -> 0.97-0.99x, conv3d_s2 0.80-0.89x ->
  // 0.95-0.96x): algorithms/indirect_gemm_plan.h, use_wide_pair. Pointwise: Measured on Intel Xeon
  // (Emerald Rapids, model 207; --ab, 3 alternations): pw_res2_reduce NXC
  // 0.82-0.85x -> 0.92-0.95x oneDNN, pw_seq_ffn 0.89-0.93x -> 0.94-1.01x,
  // pw_res3_down_s2 0.92-1.03x -> 1.02-1.03x, pw_res2_expand 0.82-0.85x ->
  // 0.87-0.90x. N-gram, channels-last (algorithms/ngram.cpp,
  // pick_rows_kernel): text_seed_conv1d 0.91-0.95x -> 0.95-0.98x,
  // text_query_same 0.87-0.90x -> 0.94-0.95x. AMD EPYC Zen 4 (--ab, NXC):
  // pw_res2_expand 0.93x -> 0.99x, pw_res2_reduce 0.95x -> 0.98x,
  // pw_res3_down_s2 0.96x -> 1.00x, text_seed_conv1d 0.96x -> 0.99x,
  // text_char_cnn 0.95x -> 0.99x; text_query_same lost (0.96x -> 0.93x)
  // until the wide tile had short rows: its 50 rows were 9 blocks of 6, the
  // last computing 4 rows of waste (0.99-1.00x with them). AMD
  // EPYC Zen 5 (two 512-bit FMAs; --ab, NXC, 2 alternations): 0, measured:
  // pw_res2_reduce 0.97x -> 1.00x oneDNN, but text_query_same 1.03-1.04x
  // -> 0.97x, conv7x7_stem 0.95-0.96x -> 0.90-0.91x, conv1d_audio_stem
  // 1.14-1.18x -> 0.99-1.03x, pw_seq_ffn 0.98x -> 0.95-0.96x. 0 elsewhere:
  // not measured.
  size_t gemm_rows_wide = 0;

  // ---- ISA level (plan/isa_select.cpp) -------------------------------------

  // 1: the automatic choice takes AVX2 where AVX-512 is available too. Set
  // where the core has a single 512-bit FMA unit (Skylake-SP / Cascade Lake
  // Gold 5xxx, Silver, Bronze; Intel client cores): there AVX-512's FMA peak
  // is AVX2's (one 16-wide FMA per cycle against two 8-wide ones) at a lower
  // clock, so AVX-512 only adds the frequency cost. Zen 4 also splits 512-bit
  // FMAs in two, but was measured fastest with AVX-512 (its 32 registers hold
  // the larger tiles at no clock cost): 0 there.
  size_t prefer_avx2_to_avx512 = 0;

  // ---- Threads -------------------------------------------------------------

  // Tasks per thread when work is split for a pool: slack for dynamic
  // balance between threads of uneven speed (the GEMM driver's split, the
  // depthwise and reference algorithms, the grouped paths' pixel and line
  // tiles).
  size_t tasks_per_thread = 4;
  // Multiply-adds below which a reference task is not worth a thread hand-off.
  size_t reference_min_macs_per_task = 16384;
  // Spins (pause / yield) before a thread sleeps: a pool worker waiting for
  // a job, and the caller of parallel_for waiting for the workers to finish.
  // About tens of microseconds: a run's next parallel_for usually comes
  // sooner than a futex wake-up would.
  size_t threadpool_worker_spins = 4000;
  size_t threadpool_caller_spins = 4000;

  // ---- Pointwise (algorithms/pointwise.cpp, addressing/pointwise_panels.cpp)

  // M blocks from which copying an aliasing
  // channels-first panel pays for itself (pw_mbv2_project, 3 blocks: slower).
  size_t pointwise_copy_panel_min_m_blocks = 4;
  // One way of the L1D (64 sets of 64-byte lines: 48 KiB 12-way,
  // 32 KiB 8-way, 64 KiB 16-way), for the in-place panel aliasing test.
  size_t l1_way_bytes = 4096;
  // Lines of an in-place panel one L1 set may hold before the panel is
  // copied instead, beside the A block and the C tile (pw_res2_reduce: 0.86x
  // oneDNN copied, 0.96x in place).
  size_t pointwise_max_panel_lines_per_set = 8;
  // Channels-first A block (packed weights) bound, sized for L3 so that each
  // copied B panel is copied as few times as possible.
  size_t pointwise_cols_a_block_bytes = 4 << 20;
  // Channels-last K blocks: a weight slice of up to this many bytes (K x NR
  // floats), swept from L2 by every M block of the task, rather than an
  // L1-sized slice. The microkernel's B loads stream well from L2, while each
  // extra K block costs a C round trip and a call per tile (measured with
  // oneDNN's brgconv as the reference, full K instead of L1 blocks:
  // pw_res5_expand, K = 512, 0.91x -> 0.98x; pw_seq_ffn, K = 768, 0.93x ->
  // 0.97x; pw_res2_reduce 0.91x -> 0.95x).
  size_t pointwise_rows_slice_bytes = 256 * 1024;
  // 1: a channels-last pointwise convolution of one group with at most
  // kMaxSmallK input and one vector of output channels, stride 1, runs as a
  // stream of whole vectors (kernels/pointwise_stream.hpp) rather than per-
  // pixel rows (gemm_rows_small_k_narrow). Measured on AMD Zen 5 (AVX-512,
  // pw_tiny_3to5 NXC, --ab); other cores copy it, not measured.
  size_t pointwise_small_k_stream = 1;

  // ---- N-gram (algorithms/ngram.cpp) ---------------------------------------

  // Channels-first windows (k * span * C_in
  // floats) shorter than this take the general path's im2col panels (speech
  // stem: 0.25x oneDNN through the n-gram path, 1.34x through im2col).
  size_t ngram_min_channels_first_window_floats = 64;
  // Padded sequences shorter than this many row tiles run
  // entirely in the taps form.
  size_t ngram_split_min_row_tiles = 16;

  // ---- Depthwise (algorithms/depthwise.cpp) --------------------------------

  // Channels-last 3-tap rows (kernels/depthwise_nxc.hpp, Slide3): prefetch
  // the new input row's and the output's lines this many pixels ahead (0:
  // none). Measured on Intel Xeon (Emerald Rapids, model 207; --ab, 64-byte
  // aligned tensors): dw3x3_mbv2 NXC 0.84-0.89x -> 1.00-1.09x oneDNN with
  // 4, 8 or 16 alike. Set in the tuning table; 0 where not measured.
  size_t depthwise_nxc_prefetch_pixels = 0;

  // ---- Indirect and im2col (algorithms/im2col_gemm.cpp, indirect_gemm.cpp)

  // Channels-first packed B panels per A block (im2col-panel-gemm; at most
  // kMaxPanelGroup); 2 measured best among 1..4.
  size_t indirect_panel_group = 2;
  // Channels-first GEMMs with at most this many K (C_in/groups x taps) are
  // bound by their output, not their FMAs: a few FMAs per output element,
  // every C line written once, from L3 or memory. There the output lines of
  // the next M block (im2col-panel-gemm) are prefetched for writing while
  // this block computes, so that the block's stores do not wait for their
  // lines one by one (0: never). Measured on Intel Xeon (Emerald Rapids,
  // model 207; --ab, 3 alternations): conv1d_audio_stem NCX (K = 10,
  // 6.5 MB of output) 0.59-0.70x -> 1.35-1.64x oneDNN. Per core in the
  // tuning table: AMD EPYC Zen 4 measured 0 (the prefetches themselves
  // stalled: pw_tiny_3to5 NCX 0.99-1.07x -> 1.10-1.22x oneDNN without
  // them, conv1d_audio_stem NCX alike); the other cores keep 32, Zen 5 and
  // the Zen before 4 unmeasured.
  size_t cols_prefetch_c_max_k = 32;
  // Channels-last taps along the innermost kernel dim are
  // merged when C_in is at most this (stem: 3 channels, audio: 1).
  size_t indirect_merge_max_channels = 32;
  // 1: rank-2 channels-last convolutions with merged taps (small C_in,
  // the stem) copy each input row once into a ring of zero-padded rows and
  // run every full M block of a line on the strided kernel, with no
  // indirection entries or border gathers (algorithms/indirect_padded_lines.h).
  // 0: the indirection buffer's merged runs. Measured on AMD Zen 5 (set in
  // the tuning table there); on AMD EPYC Zen 4 measured 0 (conv7x7_stem NXC
  // 0.88-0.89x oneDNN with it, 0.90-0.91x without); elsewhere 0 until
  // measured.
  size_t indirect_padded_lines = 0;
  // 1: indirect-gemm's groups of at most one vector of output channels
  // (swept, even C_in/groups) run the k-pair kernels (kernels/gemm_kpair.hpp:
  // one 64-bit broadcast of two k steps per two FMAs, weights packed in k
  // pairs) instead of the one-vector tile (one broadcast per FMA). AVX-512
  // only. Set in the tuning table: AMD Zen 5 and Zen 4 (measured) and the
  // named Intel server cores (llvm-mca modelled); 0 elsewhere until measured.
  size_t indirect_kpair = 0;
  // Channels-first im2col A block bound (conv3x3_s2 NCX:
  // 0.96x -> 1.16x oneDNN against an L2-sized block).
  size_t im2col_a_block_bytes = 4 << 20;
  // Floats per cache line, the step of loops that prefetch one line at a
  // time (indirect-gemm's C prefetch; the detected line size / 4: 16 for
  // 64-byte lines).
  size_t cache_line_floats = 16;

  // ---- Channels-first plans computed channels-last
  //      (algorithms/channels_last_transposed.cpp) ------------------------

  // 0: channels-first plans run their own algorithms; 1: the channels-last
  // algorithm between two transposes where the rules below say; 2: wherever
  // a channels-last algorithm applies (the measure mode's candidate).
  size_t ncx_channels_last = 1;
  // The general and n-gram forms (and pointwise, below) go channels-last
  // when their FLOPs per transposed element (the input and output elements
  // whose two layouts differ) are at least this: the transposes then cost a
  // few percent of the FMAs, which run at the channels-last kernels' 90-97%
  // of the peak, against the channels-first im2col panels' 65-75%. Measured
  // on AMD EPYC Zen 4 (--ab, NCX): conv3x3_res2 (576) 1.12x -> 1.36x
  // oneDNN, conv7x7_stem (248) 1.21x -> 1.46x, conv3d_video (1728) 1.16x ->
  // 1.97x, grouped_g8x12 (216) 1.29x -> 2.44x; conv1d_audio_stem (20, every
  // element of its 6.5 MB output moved twice) 1.22x -> 0.55x.
  size_t ncx_channels_last_min_flops = 64;
  // Pointwise goes channels-last only for at most this many output pixels
  // per image (and the FLOPs above): the channels-first tiles' columns are
  // the pixels, which a 7 x 7 image (49) pads to 64. Measured on AMD EPYC
  // Zen 4 (--ab, NCX): pw_res5_expand (49 pixels) 1.10x -> 1.35x oneDNN;
  // pw_res2_expand (3136 pixels) 1.07x -> 0.66x, pw_seq_ffn (128) 1.00x ->
  // 0.95x.
  size_t ncx_channels_last_pointwise_max_pixels = 64;
  // Depthwise goes channels-last when it has a vector of channels or more
  // (the channels-last rows vectorize across channels) and output lines
  // shorter than this (the channels-first rows vectorize along a line, and
  // pay per line). Measured on AMD EPYC Zen 4 (--ab, NCX, AVX-512): 16 and
  // 32 channels at 112 x 112, 1.8x and 1.5x faster channels-last; 144
  // channels at 56 x 56 (dw3x3_mbv2) 1.9x; 8 channels alike; a rank-1 line
  // of 1000 (64 channels, kernel 7) 0.70x.
  size_t ncx_channels_last_depthwise_max_line = 256;

  // ---- Text-CNN block (algorithms/textcnn_block.cpp) ------------------------

  // Row tiles (of the main rows kernel's MR windows) per task at least:
  // enough that the one tile straddling the end of a task's run of
  // sentences costs little.
  size_t textcnn_min_tiles_per_task = 16;

  // ---- Int8 GEMM (algorithms/qconv_gemm.cpp) --------------------------------

  // The int8 GEMM sweeps a task's packed weights (its N panels x K bytes)
  // in chunks of at most this many bytes (at least one panel), each chunk
  // from L2 by every MR-row tile (M tiles outer within the chunk: the row
  // pointers built once per tile and chunk, the tile's rows kept in L1);
  // pw_seq_ffn: 2.3 MiB of weights, 5 chunks of 21 panels of 24 KiB.
  // The L2 budget, derived like it (512 KiB on Zen 5).
  size_t qgemm_m_outer_max_weight_bytes = 512 * 1024;
  // Rows of the int8 GEMM tile (algorithms/qconv_gemm.cpp): 0 = the int8
  // table's main tile; else its tile of this many rows and the main tile's
  // width, where the table has one (kernels/qisa_*.cpp). Zen 5: 14 (the
  // 14x32 vpdpbusd tile, against 8x32: fewer B loads and pointer reloads
  // per vpdpbusd; measured in the table's comment). Zen 4: 0, measured (its
  // 512-bit vpdpbusd is split in two; 14 ran alike, 12 slower).
  size_t qgemm_rows_tile_mr = 0;
  // The AMX int8 tile (Sapphire Rapids and later) only for GEMMs whose row
  // of K (taps x kc, each tap padded to 4 bytes) holds at least this many
  // bytes: tdpbusd multiplies 64 per row, so a shorter row is mostly
  // padding, and the VNNI register tiles ran faster there (Intel Xeon
  // Emerald Rapids, conv1d_audio_stem NXC, K = 12: 1.49x oneDNN int8
  // against AMX's 1.19x).
  size_t qgemm_amx_min_k_bytes = 64;
};

// The tuning every plan uses, made on first use (thread-safe; done when the
// library loads) from cache_info() and cpu_info().
const Tuning& tuning();

// The tuning for a CPU with these caches: Tuning{} with the cache budgets
// derived from `caches`, then the values of `cpu`'s microarchitecture (or of
// its vendor, when unknown) and FMA units, then clamped to the capacity
// ceilings. (tuning() is this for the detected CPU; the tests call it with
// fake caches and CPUs.)
Tuning tuning_for(const CacheInfo& caches, const CpuInfo& cpu);

// "name = value" lines: the caches (cache.*), then every Tuning field by its
// name above. snprintf's contract: writes at most size bytes, NUL included
// (nothing when size is 0), returns the length of the whole text.
size_t format_tuning(const CacheInfo& caches, const Tuning& t, char* buf, size_t size);

}  // namespace dispatch
}  // namespace ndconv
