// What an int8 plan runs (ndconv_qconv). The int8 planner (plan/qplanner.cpp)
// picks one QAlgorithm per plan at create, as plan/algorithm.h does for
// float32; each packs what it needs in its factory and is immutable after.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

#include "algorithms/qconv_params.h"
#include "api/memory.h"
#include "kernels/qkernel_table.h"
#include "ndconv/ndconv.h"
#include "plan/plan_algorithm_base.h"

namespace ndconv {
namespace dispatch {

class QAlgorithm : public PlanAlgorithmBase {
 public:
  // The whole batch; input of the shape's input_type, output of its output_type.
  virtual ndconv_status run(const void* input, void* output, ndconv_threadpool* pool) const = 0;
  // The GEMM algorithms' rows tile (what the measure mode varies); nullptr
  // for the others.
  virtual const kernels::QGemmRowsKernel* rows_tile() const { return nullptr; }

 protected:
  explicit QAlgorithm(const PlanName& name) : PlanAlgorithmBase(name) {}
};

// `params` outlives the algorithm (both live in the plan); `table` is the int8
// kernel table of the plan's ISA level and dot-product variant, or nullptr
// when this build has none for it (then only the reference applies).
struct QPlanInputs {
  const QConvParams* params;
  const kernels::QKernelTable* table;
  ndconv_isa isa;
  const int8_t* weights;   // in shape.conv.weight_layout
  // Rows of the GEMM tile: -1 the core's (Tuning::qgemm_rows_tile_mr), 0 the
  // table's main tile, else the table's tile of that many rows and the main
  // tile's width where it has one (the measure mode's candidates).
  int rows_tile_mr = -1;
  // The GEMM algorithms may take the table's AMX sibling
  // (kernels::qkernel_amx_table; ndconv_int8_amx()) where its tile applies:
  // rows_tile_mr -1, 0 or that tile's rows.
  bool amx = false;
};

// nullptr with *status = NDCONV_OK: does not apply; nullptr with another
// status: failed (recorded).
using QAlgorithmFactory = std::unique_ptr<QAlgorithm> (*)(const QPlanInputs& in,
                                                         ndconv_status* status);

std::unique_ptr<QAlgorithm> plan_qalgorithm(const QPlanInputs& in, ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
