#include "tune_ab.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "ab_timing.h"
#include "checker.h"
#include "tensors.h"

#if defined(NDCONV_HAVE_ONEDNN)
#include "onednn_conv.h"
#endif

namespace ndconv_bench {
namespace {

constexpr int kRounds = 5;
constexpr double kRoundSeconds = 0.01;

struct Plan : TunePlanTimes {
  ndconv_conv* conv = nullptr;
  ~Plan() { ndconv_conv_destroy(conv); }
};

std::vector<std::string> candidate_names() {
  std::string text(ndconv_tune_candidates(nullptr, 0), '\0');
  ndconv_tune_candidates(&text[0], text.size() + 1);
  std::vector<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line != "reference") names.push_back(line);
  return names;
}

#if defined(NDCONV_HAVE_ONEDNN)
// One shape and layout's data: inputs, weights, oneDNN's result and the
// per-element error scale (sum |x*w| + |bias|, from oneDNN on |x|, |w|, |b|).
struct Row {
  const BenchShape& s;
  int layout;
  std::vector<float> input_ncx, weights_oix, bias, weights;
  AlignedFloats input;  // timed: on cache lines, as in the main --ab (bench/tensors.h)
  std::vector<double> want, terms;
  Row(const BenchShape& shape, int l, size_t seed) : s(shape), layout(l) {
    input_ncx = random_tensor(s.input_elements(), uint32_t(1 + 3 * seed));
    weights_oix = random_tensor(s.weight_elements(), uint32_t(2 + 3 * seed));
    bias = random_tensor(s.out_channels, uint32_t(3 + 3 * seed));
    const std::vector<float> x = l == NDCONV_NCX ? input_ncx : ncx_to_nxc(input_ncx, s.batch, s.in_channels, s.in_pixels);
    input.assign(x.begin(), x.end());
    weights = l == NDCONV_NCX ? weights_oix : oix_to_xio(weights_oix, s.out_channels, s.in_channels / s.groups, s.taps);
    want = onednn_ncx(input_ncx, weights_oix, bias);
    terms = onednn_ncx(absolute(input_ncx), absolute(weights_oix), absolute(bias));
  }
  std::vector<double> onednn_ncx(const std::vector<float>& x, const std::vector<float>& w,
                                 const std::vector<float>& b) const {
    std::vector<float> out(size_t(s.output_elements()));
    OnednnConv conv(s, NDCONV_NCX, OnednnMode::plain, w.data(), b.data());
    conv.set_input(x.data());
    conv.execute();
    conv.get_output(out.data());
    return std::vector<double>(out.begin(), out.end());
  }
  // Runs the plan once and checks it (2e-5: both libraries' API bounds).
  std::string check(ndconv_conv* conv, ndconv_threadpool* pool) const {
    std::vector<float> out(size_t(s.output_elements()));
    if (ndconv_conv_run(conv, input.data(), out.data(), pool) != NDCONV_OK) return ndconv_last_error();
    if (layout == NDCONV_NXC) out = nxc_to_ncx(out, s.batch, s.out_channels, s.out_pixels);
    const CheckResult r = check_close(out, want, terms, 2e-5);
    return r.ok ? "" : describe_failure(s, layout == NDCONV_NCX ? "ncx" : "nxc", "oneDNN", r);
  }
};

// Makes the row's plans: default, measured, then every candidate that applies.
bool make_plans(const Row& row, double budget_ms, ndconv_threadpool* pool, std::vector<std::unique_ptr<Plan>>* plans) {
  const ndconv_conv_desc desc = row.s.desc(ndconv_layout(row.layout));
  auto add = [&](const std::string& label, const ndconv_create_options& o) {
    auto p = std::make_unique<Plan>();
    p->label = label;
    const ndconv_status st = ndconv_conv_create_ex(&desc, row.weights.data(), row.bias.data(), &o, &p->conv);
    if (st == NDCONV_UNSUPPORTED && o.candidate) return true;  // does not apply
    if (st != NDCONV_OK) return std::fprintf(stderr, "ndconv_bench: %s: %s\n", label.c_str(), ndconv_last_error()), false;
    ndconv_tune_info info;
    ndconv_conv_tune_info(p->conv, &info);
    p->candidate = info.candidate;
    if (o.tune == NDCONV_TUNE_MEASURE)
      p->label += " (" + std::to_string(info.candidates_timed) + " timed, " +
                  std::to_string(int(std::lround(info.timing_ms))) + " ms)";
    const std::string error = row.check(p->conv, pool);
    if (!error.empty()) return std::fprintf(stderr, "ndconv_bench: FAIL: %s: %s\n", p->candidate.c_str(), error.c_str()), false;
    plans->push_back(std::move(p));
    return true;
  };
  ndconv_create_options o = {};
  if (!add("default", o)) return false;
  o.tune = NDCONV_TUNE_MEASURE;
  o.budget_ms = budget_ms;
  if (!add("measure", o)) return false;
  for (const std::string& name : candidate_names()) {
    ndconv_create_options forced = {};
    forced.candidate = name.c_str();
    if (!add(name, forced)) return false;
  }
  return true;
}
#endif

// --tune-candidates: the listing's state (one table per process run).
struct Listing {
  bool on = false;
  std::string reference, unit;
  std::vector<std::string> lines;
};
Listing& listing() {
  static Listing l;
  return l;
}

// The row's plans fastest first, each against the fastest and the reference.
void keep_listing(const std::string& shape, const char* layout, double flops, double t_reference,
                  const std::vector<const TunePlanTimes*>& plans) {
  std::vector<size_t> order(plans.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return median(plans[a]->seconds) < median(plans[b]->seconds); });
  const double t_fastest = median(plans[order[0]]->seconds);
  for (size_t k : order) {
    const double t = median(plans[k]->seconds);
    // default and measured plans: their label and pick; candidates: the name
    const std::string name = k < 2 ? plans[k]->label + ": " + plans[k]->candidate : plans[k]->candidate;
    char line[512];
    std::snprintf(line, sizeof line, "| %s | %s | %s | %.1f | %.3f | %.3f |", shape.c_str(), layout, name.c_str(),
                  flops / 1e9 / t, t_fastest / t, t_reference / t);
    listing().lines.push_back(line);
  }
}

}  // namespace

void list_tune_candidates(bool on) { listing().on = on; }

void print_tune_header(const char* reference, const char* unit) {
  listing().reference = reference;
  listing().unit = unit;
  std::printf("| shape | layout | %s %s | default %s | measure %s | exhaustive best %s | default/oneDNN | "
              "measure/oneDNN | measure/best | default/measure | candidates | default | measure pick | best |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n",
              reference, unit, unit, unit, unit);
}

void print_tune_row(const std::string& shape, const char* layout, double flops, double t_reference,
                    const std::vector<const TunePlanTimes*>& plans, std::vector<double>* default_ratios,
                    std::vector<double>* measure_ratios) {
  const double t_def = median(plans[0]->seconds), t_meas = median(plans[1]->seconds);
  size_t best = plans.size() > 2 ? 2 : 1;  // no candidate applied: the measured plan
  for (size_t k = best; k < plans.size(); ++k)
    if (median(plans[k]->seconds) < median(plans[best]->seconds)) best = k;
  const double t_best = median(plans[best]->seconds), g = flops / 1e9;
  if (listing().on) keep_listing(shape, layout, flops, t_reference, plans);
  default_ratios->push_back(t_reference / t_def);
  measure_ratios->push_back(t_reference / t_meas);
  std::printf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %zu | %s | %s: %s | %s |\n",
              shape.c_str(), layout, g / t_reference, g / t_def, g / t_meas, g / t_best, t_reference / t_def,
              t_reference / t_meas, t_best / t_meas, t_meas / t_def, plans.size() - 2, plans[0]->candidate.c_str(),
              plans[1]->label.c_str(), plans[1]->candidate.c_str(), plans[best]->candidate.c_str());
}

void print_tune_geomean(const std::vector<double>& default_ratios, const std::vector<double>& measure_ratios) {
  auto geomean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += std::log(x);
    return v.empty() ? 0.0 : std::exp(sum / double(v.size()));
  };
  std::printf("| **geometric mean** | | | | | | %.3f | %.3f | | | | | | |\n", geomean(default_ratios),
              geomean(measure_ratios));
  const Listing& l = listing();
  if (!l.on) return;
  std::printf("\nEvery plan, fastest first per row (--tune-candidates):\n\n"
              "| shape | layout | plan | %s | /fastest | /%s |\n|---|---|---|---:|---:|---:|\n",
              l.unit.c_str(), l.reference.c_str());
  for (const std::string& line : l.lines) std::printf("%s\n", line.c_str());
}

int run_tune_ab(const std::vector<BenchShape>& shapes, int threads, double budget_ms,
                ndconv_threadpool* pool, const std::function<bool(const std::string&)>& selected) {
#if !defined(NDCONV_HAVE_ONEDNN)
  (void)shapes, (void)threads, (void)budget_ms, (void)pool, (void)selected;
  std::fprintf(stderr, "ndconv_bench --ab --tune=measure needs oneDNN (not found at configure time)\n");
  return 2;
#else
  std::printf("measure budget %g ms per plan (single-threaded at create); %d interleaved rounds of %g ms per plan; "
              "GF/s are medians over rounds; exhaustive = every candidate but the reference\n\n",
              budget_ms > 0 ? budget_ms : NDCONV_TUNE_DEFAULT_BUDGET_MS, kRounds, kRoundSeconds * 1e3);
  print_tune_header("oneDNN", "GF/s");
  int status = 0;
  std::vector<double> def_ratio, meas_ratio;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const BenchShape& s = shapes[i];
    if (!OnednnConv::supports(s)) continue;
    for (int layout : {int(NDCONV_NCX), int(NDCONV_NXC)}) {
      const char* lname = layout == NDCONV_NCX ? "ncx" : "nxc";
      if (!selected(s.name + "/" + lname)) continue;
      const Row row(s, layout, i);
      std::vector<std::unique_ptr<Plan>> plans;
      if (!make_plans(row, budget_ms, pool, &plans)) {
        status = 1;
        continue;
      }
      OnednnConv onednn(s, ndconv_layout(layout), OnednnMode::plain, row.weights_oix.data(), row.bias.data());
      onednn.set_input(row.input.data());
      AlignedFloats out(size_t(s.output_elements()));
      std::vector<double> theirs;
      for (int r = 0; r < kRounds; ++r) {
        theirs.push_back(ab_time([&] { onednn.execute(); }, kRoundSeconds, threads));
        // Each round starts at another plan: no plan always follows oneDNN.
        for (size_t k = 0; k < plans.size(); ++k) {
          Plan& p = *plans[(k + size_t(r)) % plans.size()];
          p.seconds.push_back(ab_time([&] { ndconv_conv_run(p.conv, row.input.data(), out.data(), pool); },
                                      kRoundSeconds, threads));
        }
      }
      std::vector<const TunePlanTimes*> times;
      for (const auto& p : plans) times.push_back(p.get());
      print_tune_row(s.name, lname, s.flops(), median(theirs), times, &def_ratio, &meas_ratio);
      std::fflush(stdout);
    }
  }
  print_tune_geomean(def_ratio, meas_ratio);
  return status;
#endif
}

}  // namespace ndconv_bench
