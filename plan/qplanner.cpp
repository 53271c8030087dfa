// Chooses an int8 plan's algorithm: the first factory in priority order that
// accepts the shape wins, as plan/planner.cpp does for float32.
#include "algorithms/qconv_gemm.h"
#include "algorithms/qconv_reference.h"
#include "algorithms/qdepthwise.h"
#include "algorithms/qdepthwise_slabs.h"
#include "algorithms/qgrouped.h"
#include "algorithms/qpointwise_cols.h"
#include "algorithms/qpointwise_stream.h"
#include "api/error.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {
namespace {

// THE LIST OF INT8 ALGORITHMS, most specialized first.
constexpr QAlgorithmFactory kQAlgorithms[] = {
    make_qdepthwise_slabs_algorithm,  // channels-first depthwise: a slab of channels at a time channels-last
    make_qdepthwise_algorithm,  // groups == C_in > 1: per-channel taps, no GEMM
    make_qpointwise_cols_algorithm,  // channels-first pointwise, one group: output channels x pixels
    make_qpointwise_stream_algorithm,  // pointwise, K <= 4, N <= 16, stride 1: pixels as a stream
    make_qpointwise_algorithm,  // every kernel dim 1, no padding: one GEMM over the pixels
    make_qgrouped_algorithm,    // groups > 1, C_in per group % 4 == 0: vectors of channels across groups
    make_qngram_algorithm,      // kernel spans every trailing dim: a whole window per A row
    make_qindirect_algorithm,   // everything else: row pointers per (pixel, tap)
    make_qreference_algorithm,  // every valid shape: must stay last
};

}  // namespace

std::unique_ptr<QAlgorithm> plan_qalgorithm(const QPlanInputs& in, ndconv_status* status) {
  for (QAlgorithmFactory factory : kQAlgorithms) {
    *status = NDCONV_OK;
    std::unique_ptr<QAlgorithm> algo = factory(in, status);
    if (algo) return algo;
    if (*status != NDCONV_OK) return nullptr;
  }
  *status = fail(NDCONV_INTERNAL_ERROR, "no int8 algorithm accepted the shape (the reference must)");
  return nullptr;
}

}  // namespace dispatch
}  // namespace ndconv
