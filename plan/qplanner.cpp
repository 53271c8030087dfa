// Chooses an int8 plan's algorithm: the first factory in priority order that
// accepts the shape wins, as plan/planner.cpp does for float32.
#include "algorithms/qconv_reference.h"
#include "api/error.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {
namespace {

// THE LIST OF INT8 ALGORITHMS, most specialized first.
constexpr QAlgorithmFactory kQAlgorithms[] = {
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
