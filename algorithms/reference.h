// The fallback algorithm: the reference convolution (kernels/reference.h),
// split across the thread pool. Applies to every valid shape.
#pragma once

#include "plan/algorithm.h"

namespace ndconv {
namespace dispatch {

// An AlgorithmFactory. Copies weights and bias; named "reference/scalar"
// whatever the table's ISA, because the reference is plain C++.
std::unique_ptr<Algorithm> make_reference_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const Tuning& tune,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
