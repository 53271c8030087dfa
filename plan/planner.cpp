// Chooses a plan's algorithm: the first factory in priority order that
// accepts the shape wins.
#include "plan/algorithm.h"
#include "algorithms/depthwise.h"
#include "api/error.h"
#include "algorithms/ngram.h"
#include "algorithms/indirect.h"
#include "algorithms/pointwise.h"
#include "algorithms/reference.h"

namespace ndconv {
namespace dispatch {
namespace {

// THE LIST OF ALGORITHMS, most specialized first. A factory returns nullptr
// with NDCONV_OK when its algorithm does not apply, and the next one is tried.
// Later issues add their factories ABOVE the reference, in this order:
//   make_pointwise_algorithm   (1x1 convolutions as one GEMM)
//   make_ngram_algorithm       (kernel spanning every trailing dim: windows as GEMM rows)
//   make_depthwise_algorithm   (groups == in_channels, one input channel per group)
//   make_indirect_algorithm    (general N-D through an indirection buffer / im2col tiles)
// The reference accepts every valid shape and must stay last.
constexpr AlgorithmFactory kAlgorithms[] = {
    make_depthwise_algorithm,  // before pointwise: a 1x1 depthwise is a per-channel scale
    make_pointwise_algorithm,
    make_ngram_algorithm,
    make_indirect_algorithm,
    make_reference_algorithm,
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
