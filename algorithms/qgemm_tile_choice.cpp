#include "algorithms/qgemm_tile_choice.h"

#include "kernels/qkernel_instances.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {

// The rows tile: the table's main one, or the table's tile of
// Tuning::qgemm_rows_tile_mr rows (or the measure mode's rows_tile_mr) and
// the main tile's width when the core asks for one and the table has it. A
// pointwise GEMM (`narrow_ok`) of at most one vector of outputs takes the
// table's one-vector tile of the most rows instead (pw_tiny_3to5: 5 outputs, half the vpdpbusd and epilogue of
// 32 columns: 0.30-0.40x -> 0.44-0.57x oneDNN on AMD EPYC Zen 5; not for
// taps of a few K groups, where its 16 row pointers per tap cost more:
// grouped_g8x12 lost).
kernels::QGemmRowsKernel rows_kernel(const kernels::QKernelTable& table, int64_t ocg, bool narrow_ok,
                                     int rows_tile_mr) {
  const kernels::QGemmRowsKernel& main = table.gemm_rows;
  const kernels::QGemmRowsKernel* narrow = nullptr;
  for (const kernels::QGemmRowsKernel& k : kernels::qkernel_tiles(&table))
    if (narrow_ok && k.kr == main.kr && k.nr < main.nr && static_cast<int64_t>(k.nr) >= ocg &&
        (narrow == nullptr || k.nr < narrow->nr || (k.nr == narrow->nr && k.mr > narrow->mr)))
      narrow = &k;
  if (narrow != nullptr) return *narrow;
  // Outputs that the main width leaves a partial last panel of and another
  // tile's width divides (pw_mbv2_project's 24 on a 16-column AVX2 tile:
  // a full 16 and a half-empty 16 per row block) take that tile.
  if (narrow_ok && ocg % static_cast<int64_t>(main.nr) != 0)
    for (const kernels::QGemmRowsKernel& k : kernels::qkernel_tiles(&table))
      if (k.kr == main.kr && k.nr > main.nr && ocg % static_cast<int64_t>(k.nr) == 0) return k;
  const size_t mr = rows_tile_mr < 0 ? tuning().qgemm_rows_tile_mr : static_cast<size_t>(rows_tile_mr);
  if (mr != 0 && mr != main.mr)
    for (const kernels::QGemmRowsKernel& k : kernels::qkernel_tiles(&table))
      if (k.mr == mr && k.nr == main.nr && k.kr == main.kr) return k;
  return main;
}

// The plan's GEMM inputs: the table's vpmaddubsw sibling (levels without
// dot products) when every weight lies within its limit, else the table.
// One pass over the weights at create.
QPlanInputs with_gemm_table(const QPlanInputs& in) {
  QPlanInputs out = in;
  const kernels::QKernelTable* pairs = kernels::qkernel_pairs_table(in.table);
  if (pairs == nullptr) return out;
  const int64_t count = in.params->shape.conv.weight_elements();
  for (int64_t i = 0; i < count; ++i)
    if (in.weights[i] < -pairs->weight_limit || in.weights[i] > pairs->weight_limit) return out;
  out.table = pairs;
  return out;
}

}  // namespace dispatch
}  // namespace ndconv
