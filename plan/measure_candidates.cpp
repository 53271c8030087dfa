// The measure mode's candidates: names, parsing, and the Tuning of each
// (plan/measure.h).
#include <cstdio>
#include <cstring>

#include "plan/measure.h"
#include "plan/tuned_table.h"

namespace ndconv {
namespace dispatch {
namespace {

const char* scale_text(int scale) { return scale < 0 ? "0.5x" : scale > 0 ? "2x" : "1x"; }

// The algorithm whose candidates include a merged-taps loop (Candidate::lines).
bool has_lines_variant(const AlgorithmEntry& a) { return std::strcmp(a.name, "indirect-gemm") == 0; }

// The algorithm whose candidates include a prefetch setting (Candidate::prefetch).
bool has_prefetch_variant(const AlgorithmEntry& a) { return std::strcmp(a.name, "depthwise") == 0; }

// The algorithm that runs channels-first plans channels-last: its candidate
// applies wherever it can (Tuning::ncx_channels_last = 2), not only where the
// tuning's rules send a plan.
bool is_channels_last_transposed(size_t algorithm) {
  size_t count = 0;
  const AlgorithmEntry* list = algorithm_list(&count);
  return algorithm < count && std::strcmp(list[algorithm].name, "channels-last-transposed") == 0;
}

// The budget scaled by 2^scale, at least one cache line.
size_t scaled(size_t bytes, int scale) {
  const size_t s = scale < 0 ? bytes / 2 : scale > 0 ? bytes * 2 : bytes;
  return s < 64 ? 64 : s;
}

// True if the lean and GemmTile tables of `base`'s ISA differ in a main tile.
bool formulations_differ(const kernels::KernelTable& base) {
  Tuning lean;
  lean.gemm_lean_kernels = 1;
  const kernels::KernelTable* l = tuned_kernel_table(&base, lean);
  return l->gemm_rowptr_main.fn != base.gemm_rowptr_main.fn ||
         l->gemm_rowstride_main.fn != base.gemm_rowstride_main.fn ||
         l->gemm_cols_main.fn != base.gemm_cols_main.fn ||
         l->gemm_rowptr_one_vector.fn != base.gemm_rowptr_one_vector.fn;
}

// True if `base`'s ISA has the wide tiles (the tables with and without them differ).
bool has_wide_tiles(const kernels::KernelTable& base) {
  Tuning wide;
  wide.gemm_cols_wide = 1;
  wide.gemm_rows_wide = 1;
  const kernels::KernelTable* w = tuned_kernel_table(&base, wide);
  return w->gemm_cols_wide.fn != base.gemm_cols_wide.fn || w->gemm_rowptr_wide.fn != base.gemm_rowptr_wide.fn;
}

// Appends `text` to `name`, cut at its capacity (the longest name,
// 61 characters, fits: tests/test_measure.cpp lists every one).
void append(CandidateName* name, const char* text) {
  size_t length = std::strlen(name->text);
  for (; *text && length + 1 < sizeof name->text; ++text) name->text[length++] = *text;
  name->text[length] = '\0';
}

}  // namespace

CandidateName candidate_name(const Candidate& c) {
  size_t count = 0;
  const AlgorithmEntry* list = algorithm_list(&count);
  CandidateName name;
  if (c.algorithm >= count) return name;
  append(&name, list[c.algorithm].name);
  if (c.prefetch >= 0) append(&name, c.prefetch ? ":prefetch=on" : ":prefetch=off");
  if (c.lean < 0) return name;
  append(&name, c.lean ? ":tiles=lean" : ":tiles=gemmtile");
  append(&name, ":kblock=");
  append(&name, scale_text(c.k_scale));
  append(&name, ":mblock=");
  append(&name, scale_text(c.m_scale));
  if (c.lines >= 0) append(&name, c.lines ? ":lines=padded" : ":lines=indexed");
  if (c.kpair >= 0) append(&name, c.kpair ? ":kpair=on" : ":kpair=off");
  if (c.wide >= 0) append(&name, c.wide ? ":wide=on" : ":wide=off");
  return name;
}

bool parse_candidate(const char* name, Candidate* c) {
  if (name == nullptr) return false;
  size_t count = 0;
  const AlgorithmEntry* list = algorithm_list(&count);
  // The names are few (at most 18 per algorithm): compare with each.
  for (size_t a = 0; a < count; ++a) {
    Candidate k;
    k.algorithm = a;
    if (!list[a].gemm) {
      for (k.prefetch = -1; k.prefetch <= (has_prefetch_variant(list[a]) ? 1 : -1); ++k.prefetch)
        if (std::strcmp(name, candidate_name(k).c_str()) == 0) return *c = k, true;
      continue;
    }
    const int max_lines = has_lines_variant(list[a]) ? 1 : -1;
    for (k.lean = 0; k.lean <= 1; ++k.lean)
      for (k.k_scale = -1; k.k_scale <= 1; ++k.k_scale)
        for (k.m_scale = -1; k.m_scale <= 1; ++k.m_scale)
          // (the lines variants are listed with the tuned budgets only)
          for (k.lines = -1; k.lines <= (k.k_scale == 0 && k.m_scale == 0 ? max_lines : -1); ++k.lines)
            // (the kpair variants likewise, without a lines variant)
            for (k.kpair = -1; k.kpair <= (k.k_scale == 0 && k.m_scale == 0 && k.lines < 0 ? max_lines : -1);
                 ++k.kpair)
              // (the wide variants likewise, alone)
              for (k.wide = -1; k.wide <= (k.k_scale == 0 && k.m_scale == 0 && k.lines < 0 && k.kpair < 0 ? 1 : -1);
                   ++k.wide)
                if (std::strcmp(name, candidate_name(k).c_str()) == 0) return *c = k, true;
  }
  return false;
}

// The K budgets: the L1 slice of the shared driver and im2col, and the
// channels-last pointwise slice (which supersedes the L1 one there). The M
// budgets: the A blocks (L2 for the shared driver, L3-sized for the
// channels-first pointwise and im2col paths).
Tuning candidate_tuning(const Candidate& c, const Tuning& base) {
  Tuning t = base;
  if (is_channels_last_transposed(c.algorithm)) t.ncx_channels_last = 2;
  if (c.prefetch >= 0)
    t.depthwise_nxc_prefetch_pixels =
        c.prefetch == 0 ? 0 : base.depthwise_nxc_prefetch_pixels ? base.depthwise_nxc_prefetch_pixels
                                                                  : kCandidatePrefetchPixels;
  if (c.lean < 0) return t;
  t.gemm_lean_kernels = static_cast<size_t>(c.lean);
  t.gemm_l1_budget_bytes = scaled(base.gemm_l1_budget_bytes, c.k_scale);
  t.pointwise_rows_slice_bytes = scaled(base.pointwise_rows_slice_bytes, c.k_scale);
  t.gemm_l2_budget_bytes = scaled(base.gemm_l2_budget_bytes, c.m_scale);
  t.pointwise_cols_a_block_bytes = scaled(base.pointwise_cols_a_block_bytes, c.m_scale);
  t.im2col_a_block_bytes = scaled(base.im2col_a_block_bytes, c.m_scale);
  if (c.lines >= 0) t.indirect_padded_lines = static_cast<size_t>(c.lines);
  if (c.kpair >= 0) t.indirect_kpair = static_cast<size_t>(c.kpair);
  if (c.wide >= 0) t.gemm_cols_wide = t.gemm_rows_wide = static_cast<size_t>(c.wide);
  return t;
}

size_t list_candidates(const kernels::KernelTable& base, Candidate* out, size_t capacity) {
  size_t count = 0, n = 0;
  const AlgorithmEntry* list = algorithm_list(&count);
  const int tuned_lean = tuning().gemm_lean_kernels ? 1 : 0;
  const bool both = formulations_differ(base);
  const bool wide_tiles = has_wide_tiles(base);
  const Tuning& tuned = tuning();
  auto add = [&](size_t a, int lean, int k_scale, int m_scale, int lines = -1, int kpair = -1, int wide = -1,
                 int prefetch = -1) {
    if (n < capacity) out[n] = Candidate{a, lean, k_scale, m_scale, lines, kpair, wide, prefetch};
    ++n;
  };
  for (size_t a = 0; a < count; ++a) {
    if (!list[a].gemm) {
      add(a, -1, 0, 0);
      // The prefetch setting the tuning does not pick.
      if (has_prefetch_variant(list[a])) add(a, -1, 0, 0, -1, -1, -1, tuned.depthwise_nxc_prefetch_pixels ? 0 : 1);
      continue;
    }
    // One knob away from the tuning at a time: the other formulation, then
    // the K and M budgets halved and doubled.
    add(a, tuned_lean, 0, 0);
    if (both) add(a, 1 - tuned_lean, 0, 0);
    for (int scale : {-1, 1}) add(a, tuned_lean, scale, 0);
    for (int scale : {-1, 1}) add(a, tuned_lean, 0, scale);
    // The merged-taps loop the tuning does not pick.
    if (has_lines_variant(list[a])) add(a, tuned_lean, 0, 0, tuning().indirect_padded_lines ? 0 : 1);
    // The one-vector formulation the tuning does not pick, where the ISA has both.
    if (has_lines_variant(list[a]) && base.gemm_kpair.rows.fn)
      add(a, tuned_lean, 0, 0, -1, tuning().indirect_kpair ? 0 : 1);
    // The wide tiles where the ISA has them: the setting the tuning does not
    // pick (both, when it has the channels-first and channels-last ones apart).
    if (wide_tiles) {
      if (!tuned.gemm_cols_wide || !tuned.gemm_rows_wide) add(a, tuned_lean, 0, 0, -1, -1, 1);
      if (tuned.gemm_cols_wide || tuned.gemm_rows_wide) add(a, tuned_lean, 0, 0, -1, -1, 0);
    }
  }
  return n;
}

bool knob_applies(const Candidate& c, const ConvShape& s, const kernels::KernelTable& base) {
  const int inner = s.rank - 1;
  if (c.lines >= 0 && (s.rank != 2 || s.groups != 1 || s.dilation[inner] != 1 || s.kernel[inner] < 2 ||
                       s.in_channels > static_cast<int64_t>(tuning().indirect_merge_max_channels)))
    return false;
  if (c.kpair >= 0 && (s.groups < 2 || s.out_channels_per_group() >
                                           static_cast<int64_t>(base.gemm_rowptr_one_vector.nr)))
    return false;
  if (c.prefetch >= 0 && s.layout != NDCONV_NXC) return false;
  return true;
}

size_t format_candidates(const kernels::KernelTable& base, char* buf, size_t size) {
  Candidate list[kMaxCandidates];
  const size_t count = list_candidates(base, list, kMaxCandidates);
  size_t length = 0;
  for (size_t i = 0; i < count && i < kMaxCandidates; ++i) {
    const size_t left = length < size ? size - length : 0;
    const int n = std::snprintf(left ? buf + length : nullptr, left, "%s\n", candidate_name(list[i]).c_str());
    if (n > 0) length += static_cast<size_t>(n);
  }
  return length;
}

}  // namespace dispatch
}  // namespace ndconv
