// Chooses a plan's algorithm: the first factory in priority order that
// accepts the shape wins.
#include "plan/algorithm.h"
#include "algorithms/channels_last_transposed.h"
#include "algorithms/depthwise.h"
#include "api/error.h"
#include "algorithms/ngram.h"
#include "algorithms/general_conv.h"
#include "algorithms/pointwise.h"
#include "algorithms/reference.h"

namespace ndconv {
namespace dispatch {
namespace {

// THE LIST OF ALGORITHMS: every algorithm a plan can run, most specialized
// first. A factory returns nullptr with NDCONV_OK when its algorithm does not
// apply, and the next one is tried.
// (The names are those of the plans, "<name>/<isa>"; `gemm` marks the
// algorithms that run the GEMM driver's main tiles and cache blocks, whose
// Tuning variants the measure mode tries: plan/measure.cpp.)
constexpr AlgorithmEntry kAlgorithms[] = {
    {"channels-last-transposed", make_channels_last_transposed_algorithm, false},
    {"depthwise", make_depthwise_algorithm, false},                // groups == C_in > 1 (before pointwise: a 1x1 depthwise is a per-channel scale)
    {"pointwise-gemm", make_pointwise_algorithm, true},            // every kernel dim 1, no padding: one GEMM
    {"ngram-gemm", make_ngram_algorithm, true},                    // kernel spans every trailing dim: windows as GEMM rows
    {"grouped-direct", make_grouped_direct_algorithm, false},      // channels-first grouped, few output channels per group, line copies fit
    {"im2col-panel-gemm", make_im2col_gemm_algorithm, true},       // channels-first, everything else
    {"grouped-indirect", make_grouped_indirect_algorithm, false},  // channels-last grouped, 2 or 4 channels per group
    {"indirect-gemm", make_indirect_gemm_algorithm, true},         // channels-last, everything else
    {"reference", make_reference_algorithm, false},                // every valid shape (the layouts above leave none): must stay last
};

}  // namespace

const AlgorithmEntry* algorithm_list(size_t* count) {
  *count = sizeof kAlgorithms / sizeof kAlgorithms[0];
  return kAlgorithms;
}

std::unique_ptr<Algorithm> plan_algorithm(const ConvShape& shape, const kernels::KernelTable& table,
                                          const Tuning& tune, const float* weights, const float* bias,
                                          ndconv_status* status, size_t* chosen) {
  size_t index = 0;
  for (const AlgorithmEntry& entry : kAlgorithms) {
    *status = NDCONV_OK;
    std::unique_ptr<Algorithm> algo = entry.make(shape, table, tune, weights, bias, status);
    if (algo) {
      if (chosen) *chosen = index;
      return algo;
    }
    if (*status != NDCONV_OK) return nullptr;  // the factory recorded why
    ++index;
  }
  *status = fail(NDCONV_INTERNAL_ERROR, "no algorithm accepted the shape (the reference must)");
  return nullptr;
}

std::unique_ptr<Algorithm> plan_algorithm(const ConvShape& shape, const kernels::KernelTable& table,
                                          const float* weights, const float* bias,
                                          ndconv_status* status) {
  return plan_algorithm(shape, table, tuning(), weights, bias, status, nullptr);
}

}  // namespace dispatch
}  // namespace ndconv
