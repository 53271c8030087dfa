#include "checker.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace ndconv_bench {

CheckResult check_close(const std::vector<float>& got, const std::vector<double>& want,
                        const std::vector<double>& terms, double rel_tol) {
  CheckResult r;
  if (got.size() != want.size() || got.size() != terms.size()) {
    r.ok = false;
    r.failures = 1;
    r.worst_ratio = std::numeric_limits<double>::infinity();
    return r;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double bound = rel_tol * terms[i];
    const double error = std::fabs(double(got[i]) - want[i]);
    double ratio;
    if (!std::isfinite(got[i]) || !std::isfinite(error))
      ratio = std::numeric_limits<double>::infinity();
    else if (error <= bound)
      ratio = bound > 0 ? error / bound : 0.0;
    else
      ratio = bound > 0 ? error / bound : std::numeric_limits<double>::infinity();
    const bool fails = !(error <= bound) || !std::isfinite(got[i]);
    if (fails) ++r.failures;
    if (r.worst_index < 0 || ratio > r.worst_ratio) {
      r.worst_index = int64_t(i);
      r.worst_ratio = ratio;
      r.got = got[i];
      r.want = want[i];
      r.bound = bound;
    }
  }
  r.ok = r.failures == 0;
  return r;
}

std::string describe_output_index(const BenchShape& s, int64_t index) {
  if (index < 0) return "(none)";
  int64_t pixel = index % s.out_pixels;
  int64_t c = (index / s.out_pixels) % s.out_channels;
  int64_t n = index / (s.out_pixels * s.out_channels);
  std::vector<int64_t> pos(s.rank);
  for (int d = s.rank - 1; d >= 0; --d) {
    pos[d] = pixel % s.out_size[d];
    pixel /= s.out_size[d];
  }
  std::string text = "(n=" + std::to_string(n) + ", c=" + std::to_string(c) + ", x=(";
  for (int d = 0; d < s.rank; ++d) text += (d ? ", " : "") + std::to_string(pos[d]);
  return text + "))";
}

std::string describe_failure(const BenchShape& s, const std::string& layout,
                             const std::string& against, const CheckResult& r) {
  char numbers[160];
  std::snprintf(numbers, sizeof numbers, "got %.9g, want %.9g, |diff| %.3g > bound %.3g",
                r.got, r.want, std::fabs(r.got - r.want), r.bound);
  return "ndconv output mismatch: shape " + s.name + ", layout " + layout + " (against " +
         against + "): " + std::to_string(r.failures) + " of " +
         std::to_string(s.output_elements()) + " elements outside the tolerance; worst at " +
         describe_output_index(s, r.worst_index) + ": " + numbers;
}

}  // namespace ndconv_bench
