// ndconv_bench's process state and the correctness check (bench_state.h).
#include "bench_state.h"

#include <chrono>
#include <cstdio>
#include <regex>

#include "checker.h"
#include "tensors.h"

namespace ndconv_bench {

Globals g;

const char* const kLayoutNames[2] = {"ncx", "nxc"};


ShapeCase& shape_case(size_t index) {
  if (!g.current || g.current->index != index) {
    g.current.reset();  // free the previous shape first
    const BenchShape& s = g.shapes[index];
    auto c = std::make_unique<ShapeCase>();
    c->index = index;
    c->input_ncx = random_tensor(s.input_elements(), 1 + 3 * uint32_t(index));
    c->weights_oix = random_tensor(s.weight_elements(), 2 + 3 * uint32_t(index));
    c->bias = random_tensor(s.out_channels, 3 + 3 * uint32_t(index));
    c->layouts[NDCONV_NCX].input.assign(c->input_ncx.begin(), c->input_ncx.end());
    const std::vector<float> nxc = ncx_to_nxc(c->input_ncx, s.batch, s.in_channels, s.in_pixels);
    c->layouts[NDCONV_NXC].input.assign(nxc.begin(), nxc.end());
    for (LayoutCase& l : c->layouts) l.output.assign(size_t(s.output_elements()), 0.0f);
    g.current = std::move(c);
  }
  return *g.current;
}

// What ndconv's output is compared with: oneDNN (plain NCX) when it can run
// the shape, else a float64 reference. Against oneDNN, which is itself float32
// and held to the same API.md bound, the tolerance is the sum of both bounds
// (2e-5): two results each within 1e-5*terms of the truth can differ by that.
struct Expected {
  std::vector<double> values, terms;
  double rel_tol = 1e-5;
  std::string source;
};

Expected expected_output(const BenchShape& s, const ShapeCase& c) {
  Expected e;
#if defined(NDCONV_HAVE_ONEDNN)
  if (OnednnConv::supports(s)) {
    std::vector<float> out(size_t(s.output_elements()));
    OnednnConv conv(s, NDCONV_NCX, OnednnMode::plain, c.weights_oix.data(), c.bias.data());
    conv.set_input(c.input_ncx.data());
    conv.execute();
    conv.get_output(out.data());
    e.values.assign(out.begin(), out.end());
    // sum |x*w| + |bias| = the same convolution of |x|, |w| and |bias|.
    std::vector<float> abs_w = absolute(c.weights_oix), abs_b = absolute(c.bias);
    OnednnConv abs_conv(s, NDCONV_NCX, OnednnMode::plain, abs_w.data(), abs_b.data());
    std::vector<float> abs_x = absolute(c.input_ncx);
    abs_conv.set_input(abs_x.data());
    abs_conv.execute();
    abs_conv.get_output(out.data());
    e.terms.assign(out.begin(), out.end());
    e.rel_tol = 2e-5;
    e.source = "oneDNN";
    return e;
  }
#endif
  reference_conv(s, c.input_ncx, c.weights_oix, c.bias, &e.values, &e.terms);
  e.rel_tol = 1e-5;
  e.source = "float64 reference";
  return e;
}

// The shape's ndconv plan for this layout, created on first use. Plans are
// deterministic (same descriptor, weights and ISA: same kernel), so a plan
// re-created after its shape's data was freed is the one that was checked.
ndconv_status ensure_plan(size_t index, int layout) {
  const BenchShape& s = g.shapes[index];
  ShapeCase& c = shape_case(index);
  LayoutCase& l = c.layouts[layout];
  if (l.plan) return NDCONV_OK;
  ndconv_conv_desc desc = s.desc(ndconv_layout(layout));
  std::vector<float> weights =
      layout == NDCONV_NCX ? c.weights_oix
                           : oix_to_xio(c.weights_oix, s.out_channels, s.in_channels / s.groups, s.taps);
  return ndconv_conv_create(&desc, weights.data(), c.bias.data(), &l.plan);
}

// Checks one run of ndconv on (shape, layout), once per process.
void check_ndconv(size_t index, int layout) {
  Globals::Check& check = g.checks[index][size_t(layout)];
  if (check.done) return;
  check.done = true;
  const BenchShape& s = g.shapes[index];
  const std::string where = "shape " + s.name + ", layout " + kLayoutNames[layout];
  ndconv_status status = ensure_plan(index, layout);
  LayoutCase& l = g.current->layouts[layout];
  if (status == NDCONV_OK) {
    auto t0 = std::chrono::steady_clock::now();
    status = ndconv_conv_run(l.plan, l.input.data(), l.output.data(), g.pool);
    check.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (status != NDCONV_OK) {
    check.error = "ndconv failed on " + where + ": " + ndconv_status_string(status) + ": " +
                  ndconv_last_error();
  } else {
    std::vector<float> got_ncx(l.output.begin(), l.output.end());
    if (layout == NDCONV_NXC) got_ncx = nxc_to_ncx(got_ncx, s.batch, s.out_channels, s.out_pixels);
    if (g.inject_mismatch) {
      g.inject_mismatch = false;  // once: the first checked output only
      got_ncx[got_ncx.size() / 2] += 1.0f;
    }
    Expected want = expected_output(s, *g.current);
    CheckResult r = check_close(got_ncx, want.values, want.terms, want.rel_tol);
    if (!r.ok)
      check.error = describe_failure(s, kLayoutNames[layout], want.source, r);
    else if (g.verbose_checks)
      std::fprintf(stderr, "check ndconv/%s/%s against %s: ok (worst error %.3f of its bound)\n",
                   s.name.c_str(), kLayoutNames[layout], want.source.c_str(), r.worst_ratio);
  }
  if (!check.error.empty()) {
    std::fprintf(stderr, "ndconv_bench: FAIL: %s\n", check.error.c_str());
    g.failures.push_back(check.error);
  }
}

// Whether --benchmark_filter selects a benchmark name, the way Google Benchmark
// matches (POSIX extended regex, searched; a leading '-' negates).
bool filter_selects(std::string filter, const std::string& name) {
  if (filter.empty() || filter == "all" || filter == ".") return true;
  bool negate = filter[0] == '-';
  if (negate) filter.erase(0, 1);
  try {
    return std::regex_search(name, std::regex(filter, std::regex::extended)) != negate;
  } catch (const std::regex_error&) {
    return true;  // Google Benchmark reports the bad regex itself
  }
}

}  // namespace ndconv_bench
