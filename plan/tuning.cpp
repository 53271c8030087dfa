#include "plan/tuning.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace ndconv {
namespace dispatch {
namespace {

// Every field, by name, for format_tuning (the static_assert below keeps the
// list complete: every field is a size_t).
struct TuningField {
  const char* name;
  size_t Tuning::*value;
};

constexpr TuningField kTuningFields[] = {
    {"gemm_l1_budget_bytes", &Tuning::gemm_l1_budget_bytes},
    {"gemm_l2_budget_bytes", &Tuning::gemm_l2_budget_bytes},
    {"gemm_m_outer_max_weight_bytes", &Tuning::gemm_m_outer_max_weight_bytes},
    {"gemm_min_k_block_floats", &Tuning::gemm_min_k_block_floats},
    {"tasks_per_thread", &Tuning::tasks_per_thread},
    {"reference_min_macs_per_task", &Tuning::reference_min_macs_per_task},
    {"threadpool_worker_spins", &Tuning::threadpool_worker_spins},
    {"threadpool_caller_spins", &Tuning::threadpool_caller_spins},
    {"pointwise_copy_panel_min_m_blocks", &Tuning::pointwise_copy_panel_min_m_blocks},
    {"l1_way_bytes", &Tuning::l1_way_bytes},
    {"pointwise_max_panel_lines_per_set", &Tuning::pointwise_max_panel_lines_per_set},
    {"pointwise_cols_a_block_bytes", &Tuning::pointwise_cols_a_block_bytes},
    {"pointwise_rows_slice_bytes", &Tuning::pointwise_rows_slice_bytes},
    {"pointwise_small_k_stream", &Tuning::pointwise_small_k_stream},
    {"ngram_min_channels_first_window_floats", &Tuning::ngram_min_channels_first_window_floats},
    {"ngram_split_min_row_tiles", &Tuning::ngram_split_min_row_tiles},
    {"depthwise_nxc_prefetch_pixels", &Tuning::depthwise_nxc_prefetch_pixels},
    {"indirect_panel_group", &Tuning::indirect_panel_group},
    {"cols_prefetch_c_max_k", &Tuning::cols_prefetch_c_max_k},
    {"indirect_merge_max_channels", &Tuning::indirect_merge_max_channels},
    {"im2col_a_block_bytes", &Tuning::im2col_a_block_bytes},
    {"cache_line_floats", &Tuning::cache_line_floats},
    {"ncx_channels_last", &Tuning::ncx_channels_last},
    {"ncx_channels_last_min_flops", &Tuning::ncx_channels_last_min_flops},
    {"ncx_channels_last_pointwise_max_pixels", &Tuning::ncx_channels_last_pointwise_max_pixels},
    {"ncx_channels_last_depthwise_max_line", &Tuning::ncx_channels_last_depthwise_max_line},
    {"textcnn_min_tiles_per_task", &Tuning::textcnn_min_tiles_per_task},
    {"gemm_lean_kernels", &Tuning::gemm_lean_kernels},
    {"gemm_cols_wide", &Tuning::gemm_cols_wide},
    {"gemm_rows_wide", &Tuning::gemm_rows_wide},
    {"prefer_avx2_to_avx512", &Tuning::prefer_avx2_to_avx512},
    {"indirect_padded_lines", &Tuning::indirect_padded_lines},
    {"indirect_kpair", &Tuning::indirect_kpair},
    {"qgemm_m_outer_max_weight_bytes", &Tuning::qgemm_m_outer_max_weight_bytes},
    {"qgemm_rows_tile_mr", &Tuning::qgemm_rows_tile_mr},
    {"qgemm_amx_min_k_bytes", &Tuning::qgemm_amx_min_k_bytes},
};
static_assert(sizeof(Tuning) == std::size(kTuningFields) * sizeof(size_t),
              "a Tuning field is missing from kTuningFields");

// The cache budgets from the detected sizes: two thirds of the L1d, half the
// L2, whole cache lines; on Zen 5 (48 KiB L1d, 1 MiB L2), where they were
// measured, exactly Tuning{}'s 32 KiB and 512 KiB. Never above those: larger
// caches have not been measured to want larger blocks, and one did not (a
// Sapphire Rapids-class Xeon, 2 MiB L2, AVX-512, one thread: half its L2, 1 MiB
// A blocks and weights up to 1.5 MiB kept in L2, ran pw_res2_reduce and
// pw_res3_down_s2 NXC, text_seed_conv1d NXC and text_query_same NCX 2-3%
// slower than 512 KiB and 768 KiB, --ab, 3 alternations). Raising them for a
// core is an override's job, after measuring; smaller caches get smaller
// blocks.
void derive_cache_budgets(const CacheInfo& caches, Tuning* t) {
  const Tuning measured;
  const size_t line = caches.line_bytes;
  t->gemm_l1_budget_bytes = std::min(measured.gemm_l1_budget_bytes, caches.l1d_bytes / 3 * 2 / line * line);
  t->gemm_l2_budget_bytes = std::min(measured.gemm_l2_budget_bytes, caches.l2_bytes / 2 / line * line);
  t->gemm_m_outer_max_weight_bytes = t->gemm_l2_budget_bytes / 2 * 3;
  t->cache_line_floats = line / sizeof(float);
  t->qgemm_m_outer_max_weight_bytes = t->gemm_l2_budget_bytes;
}

// What differs per named core, and why. A value is there because it was
// measured on that core, or, where the comment says "copied", taken from the
// nearest measured core: nobody here had that machine, so it is a guess to
// be replaced by a measurement (ndconv_bench --ab), never a tuned number.
// The cores not listed (Neoverse: NEON has no lean candidates) keep the
// derived defaults. One row per core, one column per Tuning field that
// differs between cores:
//   lean: Tuning::gemm_lean_kernels (the fp32 lean k-loop kernels);
//   padded: Tuning::indirect_padded_lines (indirect-gemm's padded-lines loop
//     for rank-2 merged taps, the stem);
//   q_mr: Tuning::qgemm_rows_tile_mr (int8 GEMM tile rows; 0 = the int8
//     table's main tile);
//   kpair: Tuning::indirect_kpair (the k-pair kernels for groups of at most
//     16 output channels, AVX-512);
//   wide: Tuning::gemm_cols_wide (the 6 x 64 channels-first tile, AVX-512);
//   dw_pf: Tuning::depthwise_nxc_prefetch_pixels;
//   rwide: Tuning::gemm_rows_wide (the 6 x 64 channels-last pointwise tile);
//   pf_c: Tuning::cols_prefetch_c_max_k (the channels-first output-bound
//     GEMMs' C prefetch; 0 never).
struct MicroarchTuning {
  Microarch microarch;
  size_t gemm_lean_kernels;
  size_t indirect_padded_lines;
  size_t qgemm_rows_tile_mr;
  size_t indirect_kpair;
  size_t gemm_cols_wide;
  size_t depthwise_nxc_prefetch_pixels;
  size_t gemm_rows_wide;
  size_t cols_prefetch_c_max_k;
};

constexpr MicroarchTuning kMicroarchTuning[] = {
    // Intel, lean: Sapphire Rapids class measured (the KVM Xeon model 167
    // with AMX): GemmTile 14x32 at 86-90% of the FMA peak, lean at 93-96%
    // (docs/notes/intel-microkernels.md). Ice Lake-SP: the GemmTile kernels
    // measured at 55-67% of the peak (issue 13); lean copied from Sapphire
    // Rapids (same two FMA ports 0 and 5, same register-pressure argument),
    // not measured. Skylake-SP, Cascade Lake: copied from Ice Lake-SP.
    // Intel, padded and q_mr: not measured on any Intel core, so off / the
    // main tile until someone does.
    // Intel, kpair: modelled first (llvm-mca-16 -mcpu=icelake-server,
    // skylake-avx512, cascadelake, sapphirerapids alike, the inner k loops
    // as compiled): the lean one-vector tile these cores take (strided-lean
    // 12x16 u4, one vbroadcastss per FMA on two load ports) at 71% of the
    // two-FMA-per-cycle peak, the k-pair loop at 93% (the 14x32 tile's
    // load/FMA ratio). Then measured on Emerald Rapids (model 207; --ab,
    // NXC, 3 alternations): grouped_g4x16 0.79-0.81x oneDNN with the k-pair
    // kernels against 0.71-0.76x without. The older cores: modelled only.
    // Intel, wide: measured on Emerald Rapids (see Tuning::gemm_cols_wide),
    // the older cores copied from it.
    // Intel, dw_pf: measured on Emerald Rapids (model 207, Sapphire Rapids
    // class; see Tuning::depthwise_nxc_prefetch_pixels); the older cores
    // copied from it (their prefetchers likewise miss a C_in-float stride).
    // Intel, rwide: measured on Emerald Rapids (see Tuning::gemm_rows_wide);
    // the older cores copied from it (the same two 512-bit FMA ports; an
    // earlier Sapphire Rapids-class measurement found the 6 x 64 rows tile
    // best too, docs/notes/intel-microkernels.md).
    // Intel, pf_c: measured on Emerald Rapids (see
    // Tuning::cols_prefetch_c_max_k), the older cores copied from it.
    //                                lean padded q_mr kpair wide dw_pf rwide pf_c
    {Microarch::sapphire_rapids,       1,   0,     0,   1,    1,    8,    1,   32},
    {Microarch::ice_lake_sp,           1,   0,     0,   1,    1,    8,    1,   32},
    {Microarch::skylake_sp,            1,   0,     0,   1,    1,    8,    1,   32},
    {Microarch::cascade_lake,          1,   0,     0,   1,    1,    8,    1,   32},
    // AMD EPYC Zen 4 (family 25 model 17): lean, kpair, wide, rwide
    // measured on, padded measured off (1 thread, ndconv_bench --ab, the
    // whole suite, geometric mean over 48 rows 1.29x -> 1.31x oneDNN;
    // per-field figures beside each field in plan/tuning.h); the measure
    // mode's exhaustive search (--tune=measure) picked wide=on on 13 rows,
    // lean on 8, kpair=on on both grouped rows. q_mr 0, measured (--int8,
    // NXC, pw_*, conv3x3_*, conv1d_dilated, text_seed_conv1d, 2 alternations:
    // geometric mean 1.19x oneDNN int8 with the main 8x32 tile, 1.17-1.19x
    // with 14x32, 1.14-1.16x with 12x32; alone in L1 the 8x32 tile runs at
    // 95% of the vpdpbusd peak, 14x32 at 94%: Zen 4 splits a 512-bit
    // vpdpbusd in two, so fewer B loads per vpdpbusd buy nothing).
    // Zen 4, pf_c: 0, measured (1 thread, --ab, NCX, 12 alternations:
    // pw_tiny_3to5 0.99-1.07x oneDNN with the C prefetch, 1.10-1.22x
    // without, its run stalled at the prefetch instructions themselves;
    // conv1d_audio_stem alike, 1.14-1.24x and 1.06-1.30x, median 1.20x
    // both ways).
    // Zen 5, lean: the GemmTile kernels run at 95-97% of the peak there (the
    // lean kernels gained nothing consistent, docs/notes/zen5-pointwise.md;
    // measured again with rwide on: pw_res5_expand NXC 0.98x -> 0.89-0.93x).
    // Zen 5, rwide: 0, measured (1 thread, --ab, the whole suite, 2
    // alternations: geometric mean 1.42-1.43x oneDNN off, 1.41-1.42x on;
    // figures in plan/tuning.h).
    // Zen 5, padded: measured (AMD EPYC Zen 5, 1 thread, --ab:
    // conv7x7_stem NXC 0.90-0.92x -> 0.95-0.96x oneDNN).
    // Zen 5, q_mr: measured (AMD EPYC Zen 5, ndconv_bench --ab --int8, NXC):
    // the 14x32 vpdpbusd tile against 8x32 on the pw_* and conv3x3_* rows
    // (alone in L1, K = 256: 92% of the vpdpbusd peak against 89%, two zmm
    // vpdpbusd per cycle).
    // Zen 5, kpair: measured (AMD EPYC Zen 5, 1 thread, --ab, NXC:
    // grouped_g4x16 0.75-0.77x -> 0.97-1.00x oneDNN, grouped_g8x12 2.1x ->
    // 2.7-2.8x; one broadcast per FMA ran the one-vector tile at ~72-75% of
    // the peak).
    // Zen 5, wide: measured (AMD EPYC Zen 5, 1 thread, --ab, NCX; see
    // Tuning::gemm_cols_wide).
    // Zen 5, pf_c: the default (32), not measured on Zen 5.
    // Zen, Zen 2, Zen 3 (no AVX-512, where most of these fields act): all 0,
    // pf_c the default, not measured. AMD, dw_pf: 0, not measured.
    //                                lean padded q_mr kpair wide dw_pf rwide pf_c
    {Microarch::zen,                   0,   0,     0,   0,    0,    0,    0,   32},
    {Microarch::zen2,                  0,   0,     0,   0,    0,    0,    0,   32},
    {Microarch::zen3,                  0,   0,     0,   0,    0,    0,    0,   32},
    {Microarch::zen4,                  1,   0,     0,   1,    1,    0,    1,    0},
    {Microarch::zen5,                  0,   1,    14,   1,    1,    0,    0,   32},
};

// The values of `cpu`'s core over the derived defaults in `t`. An unknown
// core falls back on its vendor: the lean kernels on Intel (the choice of the
// measured Intel cores, copied), the GemmTile kernels elsewhere (today's
// defaults, measured on Zen).
void apply_microarchitecture(const CpuInfo& cpu, Tuning* t) {
  bool listed = false;
  for (const MicroarchTuning& m : kMicroarchTuning) {
    if (m.microarch != cpu.microarch) continue;
    t->gemm_lean_kernels = m.gemm_lean_kernels;
    t->indirect_padded_lines = m.indirect_padded_lines;
    t->qgemm_rows_tile_mr = m.qgemm_rows_tile_mr;
    t->indirect_kpair = m.indirect_kpair;
    t->gemm_cols_wide = m.gemm_cols_wide;
    t->depthwise_nxc_prefetch_pixels = m.depthwise_nxc_prefetch_pixels;
    t->gemm_rows_wide = m.gemm_rows_wide;
    t->cols_prefetch_c_max_k = m.cols_prefetch_c_max_k;
    listed = true;
  }
  if (!listed && cpu.identity.vendor == CpuVendor::intel) {
    t->gemm_lean_kernels = 1;
    t->depthwise_nxc_prefetch_pixels = 8;
    t->gemm_rows_wide = 1;
    t->gemm_cols_wide = 1;
  }
  // One 512-bit FMA unit: see Tuning::prefer_avx2_to_avx512.
  if (cpu.fma.count == 1 && cpu.fma.width_bits == 512) t->prefer_avx2_to_avx512 = 1;
}

// Keeps every value inside what the code around it can take: the capacity
// ceilings (tuning.h) and at least 1 where a value divides or counts.
void clamp_to_ceilings(Tuning* t) {
  t->indirect_panel_group = std::min(std::max<size_t>(1, t->indirect_panel_group), kMaxPanelGroup);
  t->gemm_min_k_block_floats = std::max<size_t>(1, t->gemm_min_k_block_floats);
  t->tasks_per_thread = std::max<size_t>(1, t->tasks_per_thread);
  t->cache_line_floats = std::max<size_t>(1, t->cache_line_floats);
  t->l1_way_bytes = std::max<size_t>(64, t->l1_way_bytes);
  t->gemm_lean_kernels = t->gemm_lean_kernels ? 1 : 0;
  t->gemm_cols_wide = t->gemm_cols_wide ? 1 : 0;
  t->gemm_rows_wide = t->gemm_rows_wide ? 1 : 0;
  t->depthwise_nxc_prefetch_pixels = std::min<size_t>(t->depthwise_nxc_prefetch_pixels, 64);
  t->prefer_avx2_to_avx512 = t->prefer_avx2_to_avx512 ? 1 : 0;
  t->pointwise_small_k_stream = t->pointwise_small_k_stream ? 1 : 0;
  t->indirect_padded_lines = t->indirect_padded_lines ? 1 : 0;
  t->indirect_kpair = t->indirect_kpair ? 1 : 0;
}

// Made when the library loads, like the ISA state, so that the first
// ndconv_conv_create does not pay for the detection (a few sysfs reads).
const bool load_time_tuning = (tuning(), true);

}  // namespace

Tuning tuning_for(const CacheInfo& caches, const CpuInfo& cpu) {
  Tuning t;
  derive_cache_budgets(caches, &t);
  apply_microarchitecture(cpu, &t);
  clamp_to_ceilings(&t);
  return t;
}

const Tuning& tuning() {
  static const Tuning t = tuning_for(cache_info(), cpu_info());
  return t;
}

size_t format_tuning(const CacheInfo& caches, const Tuning& t, char* buf, size_t size) {
  size_t length = 0;
  // Appends like snprintf, keeping the total length when buf is too small.
  auto append = [&](const char* format, auto... args) {
    const size_t left = length < size ? size - length : 0;
    const int n = std::snprintf(left ? buf + length : nullptr, left, format, args...);
    if (n > 0) length += static_cast<size_t>(n);
  };
  append("cache.source = %s\n", caches.source);
  append("cache.l1d_bytes = %zu\n", caches.l1d_bytes);
  append("cache.l2_bytes = %zu\n", caches.l2_bytes);
  append("cache.l3_bytes = %zu\n", caches.l3_bytes);
  append("cache.line_bytes = %zu\n", caches.line_bytes);
  append("cache.defaulted =%s%s%s%s%s\n", caches.defaulted ? "" : " none",
         caches.defaulted & kCacheL1d ? " l1d" : "", caches.defaulted & kCacheL2 ? " l2" : "",
         caches.defaulted & kCacheL3 ? " l3" : "", caches.defaulted & kCacheLine ? " line" : "");
  for (const TuningField& f : kTuningFields) append("%s = %zu\n", f.name, t.*f.value);
  return length;
}

}  // namespace dispatch
}  // namespace ndconv
