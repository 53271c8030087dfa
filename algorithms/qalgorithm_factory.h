// The common end of the int8 algorithms' factories: construct the algorithm
// from `args`, let it pack its weights (init returns NDCONV_OK or a status it
// has recorded), and turn running out of memory at construction into
// NDCONV_OUT_OF_MEMORY. nullptr with *status set when either failed. The
// float32 factories' counterpart is packed_factory.h.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <utility>

#include "api/error.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

template <class Algo, class... Args>
std::unique_ptr<QAlgorithm> build_qalgorithm(const int8_t* weights, ndconv_status* status, Args&&... args) {
  std::unique_ptr<Algo> algo(new (std::nothrow) Algo(std::forward<Args>(args)...));
  if (!algo) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating an int8 plan");
    return nullptr;
  }
  *status = algo->init(weights);
  if (*status != NDCONV_OK) return nullptr;
  return algo;
}

}  // namespace dispatch
}  // namespace ndconv
