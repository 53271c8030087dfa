// ndconv_bench's process state shared by its modes (Google Benchmark
// registration, --ab, --load): the shapes, the data and plans of the shape
// being run, and the once-per-process correctness check of ndconv's output.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "shapes.h"
#include "tensors.h"

#if defined(NDCONV_HAVE_ONEDNN)
#include "onednn_conv.h"
#endif

namespace ndconv_bench {

extern const char* const kLayoutNames[2];  // "ncx", "nxc", indexed by ndconv_layout

struct LayoutCase {
  AlignedFloats input;   // in this layout
  AlignedFloats output;  // ndconv's, in this layout
  ndconv_conv* plan = nullptr;
#if defined(NDCONV_HAVE_ONEDNN)
  std::unique_ptr<OnednnConv> onednn[2];  // plain, best
  std::string onednn_error[2];
#endif
  ~LayoutCase() { ndconv_conv_destroy(plan); }
};

// Data and plans of the shape being benchmarked. Benchmarks run in
// registration order (shape by shape), so only one shape is kept in memory.
struct ShapeCase {
  size_t index = 0;
  std::vector<float> input_ncx, weights_oix, bias;
  LayoutCase layouts[2];
};

struct Globals {
  std::vector<BenchShape> shapes;
  ndconv_threadpool* pool = nullptr;
  int threads = 1;
  double peak = 0;  // single-core peak x threads, GFLOP/s
  std::unique_ptr<ShapeCase> current;
  std::vector<std::string> failures;
  bool verbose_checks = false;  // report mode: one line per check on stderr
  // Outcome of the correctness check per shape and layout. Kept apart from
  // ShapeCase: report mode checks every shape first, then times them.
  struct Check {
    bool done = false;
    std::string error;     // non-empty: ndconv failed here, not timed
    double seconds = 0;    // duration of the checked run
  };
  std::vector<std::array<Check, 2>> checks;
  bool inject_mismatch = false;
};

// The one instance: a benchmark binary runs one suite per process.
extern Globals g;

// The data of shape `index` (created on first use; frees the previous shape's).
ShapeCase& shape_case(size_t index);

// The shape's ndconv plan for this layout, created on first use.
ndconv_status ensure_plan(size_t index, int layout);

// Checks one run of ndconv on (shape, layout) against oneDNN or a float64
// reference, once per process; a failure is recorded in g.checks and g.failures.
void check_ndconv(size_t index, int layout);

// Whether --benchmark_filter selects a benchmark name, the way Google Benchmark
// matches (POSIX extended regex, searched; a leading '-' negates).
bool filter_selects(std::string filter, const std::string& name);

}  // namespace ndconv_bench
