// The bench's correctness gate: before a shape is timed, ndconv's output must
// match an independent result within the API.md tolerance, or the run fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shapes.h"

namespace ndconv_bench {

struct CheckResult {
  bool ok = true;
  int64_t worst_index = -1;  // NCX flat index of the element furthest outside (or
                             // closest to) its bound; -1 for empty tensors
  double got = 0, want = 0, bound = 0;
  double worst_ratio = 0;    // |got - want| / bound of that element (inf for NaN)
  int64_t failures = 0;      // elements outside their bound
};

// Element i passes when |got[i] - want[i]| <= rel_tol * terms[i], where
// terms[i] = sum |x*w| + |bias| of that output (API.md: rel_tol = 1e-5 against
// a float64 reference). A NaN or infinity in `got` always fails. `terms` of 0
// (all products zero) demands an exact match.
CheckResult check_close(const std::vector<float>& got, const std::vector<double>& want,
                        const std::vector<double>& terms, double rel_tol);

// "(n=0, c=5, x=(3, 17))" for an NCX flat index of the shape's output.
std::string describe_output_index(const BenchShape& shape, int64_t index);

// One line naming the shape, layout and the worst element.
std::string describe_failure(const BenchShape& shape, const std::string& layout,
                             const std::string& against, const CheckResult& result);

}  // namespace ndconv_bench
