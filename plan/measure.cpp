// Measure mode: build the candidates that apply, time them single-threaded
// on scratch buffers within the budget, keep the fastest (plan/measure.h).
#include "plan/measure.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "api/error.h"
#include "api/memory.h"
#include "api/validation_helpers.h"
#include "plan/measure_timer.h"
#include "plan/tuned_table.h"
#include "plan/wisdom.h"

namespace ndconv {
namespace dispatch {
namespace {

// The environment's request, read once: NDCONV_TUNE, NDCONV_TUNE_BUDGET_MS.
struct EnvRequest {
  TuneRequest request;
  char error[160] = {};
};

const EnvRequest& environment_request() {
  static const EnvRequest env = [] {
    EnvRequest e;
    const char* mode = std::getenv("NDCONV_TUNE");
    if (mode && *mode && std::strcmp(mode, "default") != 0) {
      if (std::strcmp(mode, "measure") == 0)
        e.request.mode = NDCONV_TUNE_MEASURE;
      else if (std::strcmp(mode, "wisdom") == 0)
        e.request.mode = NDCONV_TUNE_WISDOM;
      else
        std::snprintf(e.error, sizeof e.error, "NDCONV_TUNE = '%.40s' is not one of default, measure, wisdom",
                      mode);
    }
    const char* budget = std::getenv("NDCONV_TUNE_BUDGET_MS");
    if (budget && *budget) {
      char* end = nullptr;
      const double ms = std::strtod(budget, &end);
      if (*end != '\0' || !(ms > 0) || ms > NDCONV_TUNE_MAX_BUDGET_MS)
        std::snprintf(e.error, sizeof e.error, "NDCONV_TUNE_BUDGET_MS = '%.40s' is not a number in (0, %g]",
                      budget, NDCONV_TUNE_MAX_BUDGET_MS);
      else
        e.request.budget_ms = ms;
    }
    return e;
  }();
  return env;
}

// Scratch input and output of a shape, filled once (the output's first touch
// falls in the first run, which the heuristic's next runs outdo).
struct Scratch {
  AlignedArray<float> input, output;
  bool init(const ConvShape& s) {
    if (!input.resize(static_cast<size_t>(s.input_elements())) ||
        !output.resize(static_cast<size_t>(s.output_elements())))
      return false;
    for (size_t i = 0; i < input.size(); ++i) input.data()[i] = 0.25f + 0.001f * float(i % 1000);
    std::fill(output.data(), output.data() + output.size(), 0.0f);
    return true;
  }
};

// The state of one measurement: the budget and what was spent (timer), the
// best so far.
struct Search {
  Search(const ConvShape& s, const kernels::KernelTable& b, const float* w, const float* bi, double budget_s)
      : shape(s), base(b), weights(w), bias(bi), timer(budget_s) {}
  const ConvShape& shape;
  const kernels::KernelTable& base;
  const float* weights;
  const float* bias;
  Scratch scratch;
  CandidateTimer timer;
  int timed = 0;
  std::unique_ptr<Algorithm> best;
  Candidate best_candidate;
  double best_s = 0;

  bool fits() const { return timer.fits(); }
  // Times `algo` and keeps it if it is the fastest so far. False when the
  // budget allowed no run.
  bool time(std::unique_ptr<Algorithm> algo, const Candidate& c) {
    const double t = timer.time([&] { algo->run(scratch.input.data(), scratch.output.data(), nullptr); },
                                best ? best_s : 0);
    if (t < 0) return false;
    ++timed;
    if (!best || t < best_s) best = std::move(algo), best_candidate = c, best_s = t;
    return true;
  }
};

// Builds candidate `c`: nullptr with NDCONV_OK when it does not apply.
std::unique_ptr<Algorithm> build(const Candidate& c, const ConvShape& shape, const kernels::KernelTable& base,
                                 const float* weights, const float* bias, ndconv_status* status) {
  size_t count = 0;
  const AlgorithmEntry* list = algorithm_list(&count);
  const Tuning t = candidate_tuning(c, tuning());
  *status = NDCONV_OK;
  return list[c.algorithm].make(shape, *tuned_kernel_table(&base, t), t, weights, bias, status);
}

// The planner's own choice, as a candidate.
std::unique_ptr<Algorithm> build_heuristic(const ConvShape& shape, const kernels::KernelTable& base,
                                           const float* weights, const float* bias, Candidate* c,
                                           ndconv_status* status) {
  size_t index = 0, count = 0;
  const AlgorithmEntry* list = algorithm_list(&count);
  std::unique_ptr<Algorithm> algo =
      plan_algorithm(shape, *tuned_kernel_table(&base, tuning()), tuning(), weights, bias, status, &index);
  *c = Candidate{index, list[index].gemm ? int(tuning().gemm_lean_kernels ? 1 : 0) : -1, 0, 0};
  return algo;
}

// The measurement: the heuristic's candidate first, then the other
// algorithms' tuned candidates, then every variant, those of the fastest
// algorithm first. The reference is timed only when nothing else applies.
ndconv_status measure(Search& s, TuneReport* report) {
  ndconv_status st = NDCONV_OK;
  Candidate first;
  std::unique_ptr<Algorithm> heuristic = build_heuristic(s.shape, s.base, s.weights, s.bias, &first, &st);
  if (!heuristic) return st;
  s.time(std::move(heuristic), first);
  if (!s.best) {  // the budget allowed no timed run: the heuristic's plan
    s.best = build(first, s.shape, s.base, s.weights, s.bias, &st);
    s.best_candidate = first;
    return s.best ? NDCONV_OK : st;
  }
  Candidate list[kMaxCandidates];
  const size_t count = std::min(list_candidates(s.base, list, kMaxCandidates), kMaxCandidates);
  bool tried[kMaxCandidates] = {};
  size_t algorithms = 0;
  algorithm_list(&algorithms);
  for (int pass = 0; pass < 3; ++pass) {
    for (size_t i = 0; i < count && s.fits(); ++i) {
      const Candidate& c = list[i];
      const bool tuned = c.k_scale == 0 && c.m_scale == 0 && (c.lean < 0 || c.lean == first.lean);
      const bool same_algorithm = c.algorithm == s.best_candidate.algorithm;
      const bool now = pass == 0 ? tuned : pass == 1 ? same_algorithm : true;
      if (tried[i] || !now) continue;
      tried[i] = true;
      if (std::strcmp(candidate_name(c).c_str(), candidate_name(first).c_str()) == 0) continue;
      if (c.algorithm + 1 == algorithms && first.algorithm + 1 != algorithms) continue;  // the reference
      if (!knob_applies(c, s.shape, s.base)) continue;
      std::unique_ptr<Algorithm> algo = build(c, s.shape, s.base, s.weights, s.bias, &st);
      if (st != NDCONV_OK) return st;
      if (algo) s.time(std::move(algo), c);
    }
  }
  report->candidates_timed = s.timed;
  return NDCONV_OK;
}

}  // namespace

ndconv_status resolve_tune_request(const ndconv_create_options* options, TuneRequest* request) {
  if (options == nullptr) {
    const EnvRequest& env = environment_request();
    if (env.error[0]) return fail(NDCONV_INVALID_ARGUMENT, env.error);
    *request = env.request;
    return NDCONV_OK;
  }
  const int mode = raw_enum_value(options->tune);  // a C caller may store anything
  if (mode < NDCONV_TUNE_DEFAULT || mode > NDCONV_TUNE_WISDOM)
    return failf(NDCONV_INVALID_ARGUMENT, "options->tune = %d is not an ndconv_tune_mode value (0 .. 2)", mode);
  if (!(options->budget_ms >= 0) || options->budget_ms > NDCONV_TUNE_MAX_BUDGET_MS)
    return failf(NDCONV_INVALID_ARGUMENT, "options->budget_ms = %g is not in [0, %g]", options->budget_ms,
                 NDCONV_TUNE_MAX_BUDGET_MS);
  request->mode = options->tune;
  request->budget_ms = options->budget_ms > 0 ? options->budget_ms : NDCONV_TUNE_DEFAULT_BUDGET_MS;
  request->candidate = options->candidate;
  return NDCONV_OK;
}

std::unique_ptr<Algorithm> plan_tuned(const ConvShape& shape, const kernels::KernelTable& base,
                                      const float* weights, const float* bias,
                                      const TuneRequest& request, TuneReport* report,
                                      ndconv_status* status) {
  wisdom_load_environment_once();
  Candidate c;
  if (request.candidate) {
    if (!parse_candidate(request.candidate, &c)) {
      *status = failf(NDCONV_INVALID_ARGUMENT, "options->candidate = '%.80s' is not a candidate name",
                      request.candidate);
      return nullptr;
    }
    std::unique_ptr<Algorithm> algo = build(c, shape, base, weights, bias, status);
    if (!algo && *status == NDCONV_OK)
      *status = failf(NDCONV_UNSUPPORTED, "options->candidate = '%.80s' does not apply to this shape",
                      request.candidate);
    report->candidate = candidate_name(c);
    report->source = NDCONV_TUNE_SOURCE_FORCED;
    return algo;
  }
  if (request.mode == NDCONV_TUNE_DEFAULT) {
    std::unique_ptr<Algorithm> algo = build_heuristic(shape, base, weights, bias, &c, status);
    report->candidate = candidate_name(c);
    return algo;
  }
  const ShapeKey key = shape_key(shape, base.isa);
  char cached[kMaxCandidateChars + 1];
  if (wisdom_lookup(key.c_str(), cached) && parse_candidate(cached, &c)) {
    std::unique_ptr<Algorithm> algo = build(c, shape, base, weights, bias, status);
    if (algo || *status != NDCONV_OK) {
      report->candidate = candidate_name(c);
      report->source = NDCONV_TUNE_SOURCE_CACHED;
      return algo;
    }
    // An entry that does not apply to its shape (wisdom of another version): ignored.
  }
  if (request.mode != NDCONV_TUNE_MEASURE) {
    std::unique_ptr<Algorithm> algo = build_heuristic(shape, base, weights, bias, &c, status);
    report->candidate = candidate_name(c);
    return algo;
  }
  Search s(shape, base, weights, bias, request.budget_ms * 1e-3);
  if (!s.scratch.init(shape)) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory allocating the measure mode's scratch tensors");
    return nullptr;
  }
  *status = measure(s, report);
  if (*status != NDCONV_OK) return nullptr;
  report->candidate = candidate_name(s.best_candidate);
  report->source = NDCONV_TUNE_SOURCE_MEASURED;
  report->timed_runs = s.timer.runs();
  report->timing_ms = s.timer.spent_s() * 1e3;
  report->budget_ms = request.budget_ms;
  // Cached when there was a comparison (or nothing to compare with), so that
  // a budget too small to time two candidates does not pin the heuristic.
  if (s.timed >= 2 || s.fits()) wisdom_store(key.c_str(), report->candidate.c_str());
  return std::move(s.best);
}

}  // namespace dispatch
}  // namespace ndconv
