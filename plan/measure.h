// Measure mode (ndconv_create_options, NDCONV_TUNE=measure; README "Measure
// mode and wisdom"): on the real shape, time the candidates that apply and
// keep the fastest, as FFTW_MEASURE and cuDNN's find do.
//
// A candidate is an algorithm of the planner's list (plan/algorithm.h) built
// with a variant of the process's Tuning: for the GEMM algorithms, the main
// tile formulation (Tuning::gemm_lean_kernels: lean k loops or GemmTile) and
// the K and M cache block budgets halved or doubled; the other algorithms
// have one candidate each. Every candidate is an existing algorithm and
// kernel, so every pick gives a result within the API tolerance.
#pragma once

#include <cstddef>
#include <memory>

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

struct Candidate {
  size_t algorithm = 0;  // index in algorithm_list()
  int lean = -1;         // GEMM algorithms: 1 lean main tiles, 0 GemmTile; -1 otherwise
  int k_scale = 0;       // K block budgets: 0 as tuned, -1 halved, 1 doubled
  int m_scale = 0;       // M block budgets: the same
  // indirect-gemm's merged taps (Tuning::indirect_padded_lines): 1 the
  // padded-lines loop, 0 the indirection buffer's runs; -1 as tuned.
  int lines = -1;
  // indirect-gemm's groups of at most one vector of output channels
  // (Tuning::indirect_kpair): 1 the k-pair kernels, 0 the one-vector tile;
  // -1 as tuned.
  int kpair = -1;
  // The wide 6 x 64 AVX-512 tiles (Tuning::gemm_cols_wide and
  // gemm_rows_wide together): 1 offered to the planner's pad rules, 0 not;
  // -1 as tuned.
  int wide = -1;
  // depthwise (not a GEMM algorithm): the channels-last 3-tap rows'
  // prefetch (Tuning::depthwise_nxc_prefetch_pixels): 1 kCandidatePrefetchPixels
  // ahead (or the tuned distance if it has one), 0 none; -1 as tuned.
  int prefetch = -1;
};
// The distance the prefetch=on candidate uses where the tuning has none
// (the Intel cores' measured value, plan/tuning.cpp).
constexpr size_t kCandidatePrefetchPixels = 8;

// A candidate's name, e.g. "depthwise", "depthwise:prefetch=off",
// "indirect-gemm:tiles=lean:kblock=1x:mblock=0.5x", "pointwise-gemm:tiles=lean:kblock=1x:mblock=1x:wide=off".
struct CandidateName {
  char text[64] = {};
  const char* c_str() const { return text; }
};
CandidateName candidate_name(const Candidate& c);
// False when `name` is no candidate's name (wisdom from another version).
bool parse_candidate(const char* name, Candidate* c);
// `base` with the candidate's formulation and block budgets.
Tuning candidate_tuning(const Candidate& c, const Tuning& base);

// The candidates the measure mode tries for plans of this ISA table (`base`:
// the ISA's own), in the order it tries them per algorithm: the tuned one,
// the other formulation (left out when it would not change the table), the
// K and then the M budgets halved and doubled; for indirect-gemm, the other
// merged-taps loop (padded lines or indirection runs) and, where the ISA has
// the k-pair kernels, the other one-vector formulation; where the ISA has the
// wide tiles, the other wide setting (both when the tuning has one of the
// two on); for depthwise, the other prefetch setting. Writes at most `capacity`,
// returns how many there are (at most kMaxCandidates).
constexpr size_t kMaxCandidates = 48;
size_t list_candidates(const kernels::KernelTable& base, Candidate* out, size_t capacity);
// False for a candidate whose variant knob cannot change this shape's plan,
// which the measure mode then does not time: the padded-lines loop
// (Candidate::lines) needs rank-2 merged taps (one group, dilation 1 along
// the inner dim, C_in within Tuning::indirect_merge_max_channels), the k-pair
// kernels (Candidate::kpair) groups of at most one vector of outputs, the
// depthwise prefetch (Candidate::prefetch) channels-last. Looser
// than the plans' own rules: a candidate kept may still build the same plan.
bool knob_applies(const Candidate& c, const ConvShape& shape, const kernels::KernelTable& base);
// Their names, one per line (snprintf's contract).
size_t format_candidates(const kernels::KernelTable& base, char* buf, size_t size);

// How a plan was chosen, and what measuring it cost (ndconv_tune_info).
struct TuneReport {
  CandidateName candidate;
  ndconv_tune_source source = NDCONV_TUNE_SOURCE_HEURISTIC;
  int candidates_timed = 0;
  int timed_runs = 0;
  double timing_ms = 0;
  double budget_ms = 0;
};

// The report as ndconv_tune_info (its candidate points into `r`).
inline void fill_tune_info(const TuneReport& r, ndconv_tune_info* info) {
  info->candidate = r.candidate.c_str();
  info->source = r.source;
  info->candidates_timed = r.candidates_timed;
  info->timed_runs = r.timed_runs;
  info->timing_ms = r.timing_ms;
  info->budget_ms = r.budget_ms;
}

// What the caller asked for: the create options, or the environment's
// (NDCONV_TUNE, NDCONV_TUNE_BUDGET_MS) when `options` is NULL.
struct TuneRequest {
  ndconv_tune_mode mode = NDCONV_TUNE_DEFAULT;
  double budget_ms = NDCONV_TUNE_DEFAULT_BUDGET_MS;
  const char* candidate = nullptr;
};
ndconv_status resolve_tune_request(const ndconv_create_options* options, TuneRequest* request);

// Builds the plan's algorithm as `request` says. `base` is the ISA's own
// kernel table (kernels::kernel_table_for). Measuring runs candidates on
// scratch buffers on the calling thread (single-threaded, whatever pool the
// plan will later run with), within request.budget_ms of timing.
std::unique_ptr<Algorithm> plan_tuned(const ConvShape& shape, const kernels::KernelTable& base,
                                      const float* weights, const float* bias,
                                      const TuneRequest& request, TuneReport* report,
                                      ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
