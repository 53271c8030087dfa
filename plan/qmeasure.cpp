// The int8 measure mode (plan/qmeasure.h): the heuristic's plan first, then
// the table's other tiles of the main tile's width, each plan built once and
// timed while the budget lasts; the fastest kept and remembered as wisdom.
#include "plan/qmeasure.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "algorithms/qconv_params.h"
#include "api/error.h"
#include "api/memory.h"
#include "kernels/qkernel_instances.h"
#include "plan/measure_timer.h"
#include "plan/wisdom.h"

namespace ndconv {
namespace dispatch {
namespace {

const char* dtype_token(ndconv_dtype t) {
  switch (t) {
    case NDCONV_U8: return "u8";
    case NDCONV_S8: return "s8";
    case NDCONV_S32: return "s32";
    case NDCONV_F32: return "f32";
    default: return "?";
  }
}

// "<isa>:int8-<variant>:<input>:<output>:" and the float32 shape key's
// fields after its ISA (under 1100 chars: plan/wisdom.h): the ISA first, as
// wisdom's import wants of a key; the second field tells it from a float32
// key (nxc or ncx there). The variant names the dot-product instructions (a
// process that turns them off measures separately); the types change the
// epilogue.
ShapeKey qshape_key(const QPlanInputs& in) {
  const QConvShape& q = in.params->shape;
  const ShapeKey conv = shape_key(q.conv, in.isa);
  const char* isa = ndconv_isa_name(in.isa);
  // With AMX allowed, the candidates include its tile: a key of its own.
  const kernels::QKernelTable* amx = in.amx ? kernels::qkernel_amx_table(in.table) : nullptr;
  const char* variant = amx ? amx->variant : in.table ? in.table->variant : "scalar";
  ShapeKey key;
  std::snprintf(key.text, sizeof key.text, "%s:int8-%s:%s:%s%.1200s", isa, variant,
                dtype_token(q.input_type), dtype_token(q.output_type), conv.c_str() + std::strlen(isa));
  return key;
}

// "int8:mr=<rows>" -> rows; "int8" -> -1 (the heuristic). False otherwise.
bool parse_qcandidate(const char* name, int* rows_tile_mr) {
  if (std::strcmp(name, "int8") == 0) {
    *rows_tile_mr = -1;
    return true;
  }
  if (std::strncmp(name, "int8:mr=", 8) != 0) return false;
  char* end = nullptr;
  const long mr = std::strtol(name + 8, &end, 10);
  if (end == name + 8 || *end != '\0' || mr < 1 || mr > 64) return false;
  *rows_tile_mr = static_cast<int>(mr);
  return true;
}

std::unique_ptr<QAlgorithm> build(const QPlanInputs& in, int rows_tile_mr, ndconv_status* status) {
  QPlanInputs with = in;
  with.rows_tile_mr = rows_tile_mr;
  return plan_qalgorithm(with, status);
}

// The rows counts worth a candidate: every tile of the main tile's width in
// the plan's table and in its vpmaddubsw sibling (the plan takes one of the
// two by its weights), and its AMX sibling's tile where allowed.
size_t candidate_rows(const QPlanInputs& in, int* out, size_t capacity) {
  size_t n = 0;
  const kernels::QKernelTable* table = in.table;
  const kernels::QKernelTable* tables[] = {table, table ? kernels::qkernel_pairs_table(table) : nullptr,
                                           in.amx ? kernels::qkernel_amx_table(table) : nullptr};
  for (const kernels::QKernelTable* t : tables) {
    if (t == nullptr) continue;
    for (const kernels::QGemmRowsKernel& k : kernels::qkernel_tiles(t)) {
      if (k.nr != t->gemm_rows.nr || k.kr != t->gemm_rows.kr) continue;
      bool seen = false;
      for (size_t i = 0; i < n; ++i) seen = seen || out[i] == static_cast<int>(k.mr);
      if (!seen && n < capacity) out[n++] = static_cast<int>(k.mr);
    }
  }
  return n;
}

// Scratch tensors of the shape's types, filled once.
struct QScratch {
  AlignedArray<uint8_t> input, output;
  bool init(const QConvParams& p) {
    const ConvShape& s = p.shape.conv;
    if (!input.resize(static_cast<size_t>(s.input_elements())) ||
        !output.resize(static_cast<size_t>(s.output_elements()) * p.output_bytes()))
      return false;
    for (size_t i = 0; i < input.size(); ++i) input.data()[i] = static_cast<uint8_t>(i * 37 + 11);
    std::memset(output.data(), 0, output.size());
    return true;
  }
};

// Times the heuristic's plan, then each other rows tile's; the fastest in *best.
ndconv_status measure(const QPlanInputs& in, CandidateTimer& timer, QScratch& scratch,
                      std::unique_ptr<QAlgorithm>* best, int* timed) {
  ndconv_status st = NDCONV_OK;
  std::unique_ptr<QAlgorithm> first = build(in, -1, &st);
  if (!first) return st;
  const kernels::QGemmRowsKernel* tile = first->rows_tile();
  double best_s = timer.time([&] { first->run(scratch.input.data(), scratch.output.data(), nullptr); }, 0);
  *timed = best_s < 0 ? 0 : 1;
  const char* tried[8] = {tile ? tile->name : nullptr};
  size_t tried_count = 1;
  *best = std::move(first);
  if (tile == nullptr || best_s < 0) return NDCONV_OK;  // nothing to vary, or no budget
  int rows[8];
  const size_t count = candidate_rows(in, rows, 8);
  for (size_t i = 0; i < count && timer.fits(); ++i) {
    std::unique_ptr<QAlgorithm> algo = build(in, rows[i], &st);
    if (!algo) return st;
    if (algo->rows_tile() == nullptr) continue;  // too many rows for the row pointers: not a GEMM plan
    const char* name = algo->rows_tile()->name;
    bool seen = false;
    for (size_t j = 0; j < tried_count; ++j) seen = seen || std::strcmp(tried[j], name) == 0;
    if (seen || tried_count == 8) continue;  // the same tile (the shape's rules chose it)
    tried[tried_count++] = name;
    const double t = timer.time([&] { algo->run(scratch.input.data(), scratch.output.data(), nullptr); }, best_s);
    if (t < 0) break;
    ++*timed;
    if (t < best_s) best_s = t, *best = std::move(algo);
  }
  return NDCONV_OK;
}

std::unique_ptr<QAlgorithm> forced(const QPlanInputs& in, const char* name, TuneReport* report,
                                   ndconv_status* status) {
  int rows = -1;
  if (!parse_qcandidate(name, &rows)) {
    *status = failf(NDCONV_INVALID_ARGUMENT,
                    "options->candidate = '%.80s' is not an int8 candidate name ('int8' or 'int8:mr=<rows>')", name);
    return nullptr;
  }
  std::unique_ptr<QAlgorithm> algo = build(in, rows, status);
  if (!algo) return nullptr;
  const kernels::QGemmRowsKernel* tile = algo->rows_tile();
  if (rows >= 0 && (tile == nullptr || tile->mr != static_cast<size_t>(rows))) {
    *status = failf(NDCONV_UNSUPPORTED, "options->candidate = '%.80s' does not apply to this shape (its plan: %s)",
                    name, qcandidate_name(*algo).c_str());
    return nullptr;
  }
  report->candidate = qcandidate_name(*algo);
  report->source = NDCONV_TUNE_SOURCE_FORCED;
  return algo;
}

}  // namespace

CandidateName qcandidate_name(const QAlgorithm& algo) {
  CandidateName n;
  const kernels::QGemmRowsKernel* tile = algo.rows_tile();
  if (tile)
    std::snprintf(n.text, sizeof n.text, "int8:mr=%zu", tile->mr);
  else
    std::snprintf(n.text, sizeof n.text, "int8");
  return n;
}

std::unique_ptr<QAlgorithm> plan_qtuned(const QPlanInputs& in, const TuneRequest& request, TuneReport* report,
                                        ndconv_status* status) {
  if (request.candidate) return forced(in, request.candidate, report, status);
  if (request.mode == NDCONV_TUNE_DEFAULT) {
    std::unique_ptr<QAlgorithm> algo = build(in, -1, status);
    if (algo) report->candidate = qcandidate_name(*algo);
    return algo;
  }
  wisdom_load_environment_once();
  const ShapeKey key = qshape_key(in);
  char cached[kMaxCandidateChars + 1];
  int rows = -1;
  if (wisdom_lookup(key.c_str(), cached) && parse_qcandidate(cached, &rows)) {
    std::unique_ptr<QAlgorithm> algo = build(in, rows, status);
    if (algo) {
      report->candidate = qcandidate_name(*algo);
      report->source = NDCONV_TUNE_SOURCE_CACHED;
    }
    return algo;
  }
  if (request.mode != NDCONV_TUNE_MEASURE) {
    std::unique_ptr<QAlgorithm> algo = build(in, -1, status);
    if (algo) report->candidate = qcandidate_name(*algo);
    return algo;
  }
  QScratch scratch;
  if (!scratch.init(*in.params)) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory allocating the measure mode's int8 scratch tensors");
    return nullptr;
  }
  CandidateTimer timer(request.budget_ms * 1e-3);
  std::unique_ptr<QAlgorithm> best;
  int timed = 0;
  *status = measure(in, timer, scratch, &best, &timed);
  if (*status != NDCONV_OK) return nullptr;
  report->candidate = qcandidate_name(*best);
  report->source = NDCONV_TUNE_SOURCE_MEASURED;
  report->candidates_timed = timed;
  report->timed_runs = timer.runs();
  report->timing_ms = timer.spent_s() * 1e3;
  report->budget_ms = request.budget_ms;
  // Cached when there was a comparison (or nothing to compare with), as the
  // float32 mode does.
  if (timed >= 2 || timer.fits()) wisdom_store(key.c_str(), report->candidate.c_str());
  return best;
}

}  // namespace dispatch
}  // namespace ndconv
