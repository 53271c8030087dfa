// The measure mode for int8 plans (ndconv_qconv_create_with_options,
// NDCONV_TUNE=measure; README "Measure mode and wisdom"): the float32 mode's
// requests, budget, stopwatch and wisdom (plan/measure.h, plan/wisdom.h),
// over the int8 planner's one per-core choice, the GEMM rows tile
// (Tuning::qgemm_rows_tile_mr; the table's tiles of the main tile's width,
// kernels/qisa_*.cpp). Every candidate is an existing, tested tile and
// gives the same bytes: the int32 accumulators are exact and the epilogue
// is per element.
//
// Candidate names: "int8:mr=<rows>" for a GEMM plan (the rows of the tile it
// runs), "int8" for the other algorithms (one candidate each). Wisdom keys:
// "<isa>:int8-<variant>:<input>:<output>:" and the rest of the float32 key,
// so the int8 entries share the float32 file without meeting its keys.
#pragma once

#include <memory>

#include "api/qconv_shape.h"
#include "plan/measure.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

// Builds the int8 plan's algorithm as `request` says (`in.rows_tile_mr` is
// ignored: the request decides it). Measuring runs candidates on scratch
// buffers on the calling thread, within request.budget_ms of timing.
std::unique_ptr<QAlgorithm> plan_qtuned(const QPlanInputs& in, const TuneRequest& request, TuneReport* report,
                                        ndconv_status* status);

// The candidate name of a built plan (see above).
CandidateName qcandidate_name(const QAlgorithm& algo);

}  // namespace dispatch
}  // namespace ndconv
