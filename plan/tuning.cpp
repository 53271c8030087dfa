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
    {"ngram_min_channels_first_window_floats", &Tuning::ngram_min_channels_first_window_floats},
    {"ngram_split_min_row_tiles", &Tuning::ngram_split_min_row_tiles},
    {"indirect_panel_group", &Tuning::indirect_panel_group},
    {"indirect_merge_max_channels", &Tuning::indirect_merge_max_channels},
    {"im2col_a_block_bytes", &Tuning::im2col_a_block_bytes},
    {"cache_line_floats", &Tuning::cache_line_floats},
    {"textcnn_min_tiles_per_task", &Tuning::textcnn_min_tiles_per_task},
    {"gemm_lean_kernels", &Tuning::gemm_lean_kernels},
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
}

// The place for per-microarchitecture values (the next step: e.g. a core
// whose L2 streams badly may want a smaller gemm_l2_budget_bytes). Starts
// from the derived defaults in `t` and changes only what a measurement on
// that core justifies; `caches` and `features` identify the core for now.
// The vendor is the only key so far; named microarchitectures come next.
void apply_microarchitecture_overrides(const CacheInfo& caches, const CpuFeatures& features,
                                       Tuning* t) {
  // Intel cores: the lean k loops (see Tuning::gemm_lean_kernels).
  if (features.vendor_intel) t->gemm_lean_kernels = 1;
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
}

// Made when the library loads, like the ISA state, so that the first
// ndconv_conv_create does not pay for the detection (a few sysfs reads).
const bool load_time_tuning = (tuning(), true);

}  // namespace

Tuning tuning_for(const CacheInfo& caches, const CpuFeatures& features) {
  Tuning t;
  derive_cache_budgets(caches, &t);
  apply_microarchitecture_overrides(caches, features, &t);
  clamp_to_ceilings(&t);
  return t;
}

const Tuning& tuning() {
  static const Tuning t = tuning_for(cache_info(), cpu_features());
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
