// Chooses a plan's algorithm: the first factory in priority order that
// accepts the shape wins.
#include "plan/algorithm.h"
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
constexpr AlgorithmFactory kAlgorithms[] = {
    make_depthwise_algorithm,         // groups == C_in > 1 (before pointwise: a 1x1 depthwise is a per-channel scale)
    make_pointwise_algorithm,         // every kernel dim 1, no padding: one GEMM
    make_ngram_algorithm,             // kernel spans every trailing dim: windows as GEMM rows
    make_grouped_direct_algorithm,    // channels-first grouped, few output channels per group, line copies fit
    make_im2col_gemm_algorithm,       // channels-first, everything else
    make_grouped_indirect_algorithm,  // channels-last grouped, 2 or 4 channels per group
    make_indirect_gemm_algorithm,     // channels-last, everything else
    make_reference_algorithm,         // every valid shape (the layouts above leave none): must stay last
};

}  // namespace

std::unique_ptr<Algorithm> plan_algorithm(const ConvShape& shape, const kernels::KernelTable& table,
                                          const float* weights, const float* bias,
                                          ndconv_status* status) {
  for (AlgorithmFactory factory : kAlgorithms) {
    *status = NDCONV_OK;
    std::unique_ptr<Algorithm> algo = factory(shape, table, weights, bias, status);
    if (algo) return algo;
    if (*status != NDCONV_OK) return nullptr;  // the factory recorded why
  }
  *status = fail(NDCONV_INTERNAL_ERROR, "no algorithm accepted the shape (the reference must)");
  return nullptr;
}

}  // namespace dispatch
}  // namespace ndconv
