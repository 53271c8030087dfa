// What a plan runs. The planner (plan/planner.cpp) picks one Algorithm per
// plan at create; each algorithm packs what it needs in its factory and is
// immutable afterwards, so run() is safe from many threads at once.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

#include "api/conv_shape.h"
#include "api/memory.h"
#include "kernels/kernel_table.h"
#include "ndconv/ndconv.h"
#include "plan/plan_algorithm_base.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {

// The fused activation of a shape, as the kernels take it.
inline kernels::Activation activation_of(const ConvShape& s) { return {s.activation, s.act_min, s.act_max}; }

class Algorithm : public PlanAlgorithmBase {
 public:
  // out = act(conv(in) + bias) for the whole batch; pool may be NULL.
  virtual ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const = 0;

 protected:
  explicit Algorithm(const PlanName& name) : PlanAlgorithmBase(name) {}
};

// Factory signature every algorithm provides. Returns nullptr and sets
// *status = NDCONV_OK when the algorithm does not apply to `shape` (the
// planner then tries the next one); returns nullptr with another status (and
// the error recorded) on failure, e.g. NDCONV_OUT_OF_MEMORY while packing.
// `weights` are in shape.weight_layout; `bias` may be NULL. `tune` is the
// plan's Tuning, copied by the algorithm for its life: tuning(), or the
// variant a measure-mode candidate (plan/measure.h) tries; `table` is the
// kernel table made for it (tuned_kernel_table(base, tune)).
using AlgorithmFactory = std::unique_ptr<Algorithm> (*)(const ConvShape& shape,
                                                       const kernels::KernelTable& table,
                                                       const Tuning& tune,
                                                       const float* weights, const float* bias,
                                                       ndconv_status* status);

// One algorithm of the planner's list.
struct AlgorithmEntry {
  const char* name;       // its plans are named "<name>/<isa>" ("reference/scalar")
  AlgorithmFactory make;
  bool gemm;              // runs the GEMM driver: reads the main tiles and the cache blocks
};

// The planner's list, most specialized first (plan/planner.cpp).
const AlgorithmEntry* algorithm_list(size_t* count);

// Picks and builds the algorithm for a plan: the specialized factories in
// priority order, then the reference convolution, which applies to every
// shape. `table` must be tuned_kernel_table(base, tune); *chosen (when not
// null) receives the index of the algorithm in algorithm_list.
std::unique_ptr<Algorithm> plan_algorithm(const ConvShape& shape, const kernels::KernelTable& table,
                                          const Tuning& tune, const float* weights, const float* bias,
                                          ndconv_status* status, size_t* chosen);
// The same with the process's tuning().
std::unique_ptr<Algorithm> plan_algorithm(const ConvShape& shape, const kernels::KernelTable& table,
                                          const float* weights, const float* bias,
                                          ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
