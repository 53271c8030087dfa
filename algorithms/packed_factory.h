// The common end of the GEMM algorithms' factories: construct the algorithm,
// let it pack its weights (init), and turn running out of memory in either
// into NDCONV_OUT_OF_MEMORY with `oom_message` recorded. `extra` follows
// shape and table into the constructor (what the factory's test found).
#pragma once

#include <memory>
#include <new>

#include "api/error.h"
#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

template <class Algo, class... Extra>
std::unique_ptr<Algorithm> build_packed_algorithm(const ConvShape& shape, const kernels::KernelTable& table,
                                                  const float* weights, const float* bias,
                                                  ndconv_status* status, const char* oom_message,
                                                  const Extra&... extra) {
  *status = NDCONV_OK;
  std::unique_ptr<Algo> algo(new (std::nothrow) Algo(shape, table, extra...));
  if (!algo || !algo->init(weights, bias)) {
    *status = fail(NDCONV_OUT_OF_MEMORY, oom_message);
    return nullptr;
  }
  return algo;
}

}  // namespace dispatch
}  // namespace ndconv
