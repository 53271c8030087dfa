// ndconv_bench --int8 --ab --tune=measure (bench_int8.h): the int8 measure
// mode's table. The int8 plans' one measured choice is the GEMM tile's rows
// (plan/qmeasure.h); the candidates are forced by name, "int8:mr=<rows>"
// for rows 1..kMaxTileRows, those the library accepts for the shape (the
// others return NDCONV_UNSUPPORTED), as the float32 table forces the names
// of ndconv_tune_candidates.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "ab_timing.h"
#include "bench_int8.h"
#include "tune_ab.h"

namespace ndconv_bench {
namespace {

constexpr int kRounds = 5;
constexpr double kRoundSeconds = 0.01;
constexpr int kMaxTileRows = 16;  // the int8 tables' tallest tile: 16 x 16 (AVX-512)

struct QPlan : TunePlanTimes {
  ndconv_qconv* q = nullptr;
  ~QPlan() { ndconv_qconv_destroy(q); }
};

// Creates one plan with `o`; false on failure (with a message), true with
// *made false when a forced candidate does not apply.
bool add_plan(const BenchShape& s, ndconv_layout layout, const QCase& c, const std::string& label,
              const ndconv_create_options& o, std::vector<std::unique_ptr<QPlan>>* plans, bool* made) {
  *made = false;
  auto p = std::make_unique<QPlan>();
  p->label = label;
  const ndconv_qconv_desc qd = int8_desc(s, layout, c);
  const ndconv_status st =
      ndconv_qconv_create_ex(&qd, c.weights(layout), c.q.weight_scales.data(), c.bias.data(), &o, &p->q);
  if (st == NDCONV_UNSUPPORTED && o.candidate) return true;
  if (st != NDCONV_OK) {
    std::fprintf(stderr, "ndconv_bench --int8 --tune=measure: %s: %s: %s\n", s.name.c_str(), label.c_str(),
                 ndconv_last_error());
    return false;
  }
  ndconv_tune_info info;
  ndconv_qconv_tune_info(p->q, &info);
  p->candidate = info.candidate;
  if (o.tune == NDCONV_TUNE_MEASURE)
    p->label += " (" + std::to_string(info.candidates_timed) + " timed, " +
                std::to_string(int(std::lround(info.timing_ms))) + " ms)";
  plans->push_back(std::move(p));
  *made = true;
  return true;
}

// The default plan, the measured one, then every candidate that applies.
bool make_qplans(const BenchShape& s, ndconv_layout layout, const QCase& c, double budget_ms,
                 std::vector<std::unique_ptr<QPlan>>* plans) {
  bool made = false;
  ndconv_create_options o = {};
  if (!add_plan(s, layout, c, "default", o, plans, &made)) return false;
  o.tune = NDCONV_TUNE_MEASURE;
  o.budget_ms = budget_ms;
  if (!add_plan(s, layout, c, "measure", o, plans, &made)) return false;
  for (int rows = 0; rows <= kMaxTileRows; ++rows) {
    const std::string name = rows == 0 ? "int8" : "int8:mr=" + std::to_string(rows);
    ndconv_create_options forced = {};
    forced.candidate = name.c_str();
    if (!add_plan(s, layout, c, name, forced, plans, &made)) return false;
  }
  return true;
}

// "" or what failed: the default within 1 of oneDNN, every plan's bytes the default's.
std::string check_plans(const std::vector<std::unique_ptr<QPlan>>& plans, const QCase& c,
                        const std::vector<uint8_t>& theirs, ndconv_threadpool* pool) {
  AlignedBytes first(theirs.size()), out(theirs.size());
  for (size_t k = 0; k < plans.size(); ++k) {
    AlignedBytes& o = k == 0 ? first : out;
    if (ndconv_qconv_run(plans[k]->q, c.input.data(), o.data(), pool) != NDCONV_OK)
      return plans[k]->label + ": " + ndconv_last_error();
    if (k == 0) {
      const std::string miss = check_outputs(first, theirs);
      if (!miss.empty()) return "default against oneDNN: " + miss;
    } else if (out != first) {
      return plans[k]->label + " (" + plans[k]->candidate + ") differs from the default plan's bytes";
    }
  }
  return "";
}

}  // namespace

int run_tune_ab_int8(const std::vector<BenchShape>& shapes,
                     bool (*selects)(const std::string& filter, const std::string& name), const std::string& filter,
                     int threads, double budget_ms, ndconv_threadpool* pool) {
  std::printf("int8 (u8 in, s8 weights, u8 out); measure budget %g ms per plan (single-threaded at create); "
              "%d interleaved rounds of %g ms per plan; GOP/s are medians over rounds; exhaustive = every "
              "int8 candidate that applies\n\n",
              budget_ms > 0 ? budget_ms : NDCONV_TUNE_DEFAULT_BUDGET_MS, kRounds, kRoundSeconds * 1e3);
  print_tune_header("oneDNN int8", "GOP/s");
  int status = 0;
  std::vector<double> def_ratio, meas_ratio;
  for (const BenchShape& s : shapes) {
    if (s.rank > 3) continue;  // oneDNN's ranks
    const QCase c = make_int8_case(s);
    for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
      const char* lname = layout == NDCONV_NCX ? "ncx" : "nxc";
      if (!selects(filter, s.name + "/" + lname)) continue;
      std::vector<std::unique_ptr<QPlan>> plans;
      if (!make_qplans(s, layout, c, budget_ms, &plans)) {
        status = 1;
        continue;
      }
      std::unique_ptr<OnednnQConv> onednn;
      try {
        onednn.reset(new OnednnQConv(s, layout, c.w_oix.data(), c.bias.data(), c.q));
      } catch (const std::exception& e) {
        std::printf("| %s | %s | oneDNN failed: %s | | | | | | | | | | | |\n", s.name.c_str(), lname, e.what());
        continue;
      }
      onednn->set_input(c.input.data());
      std::vector<uint8_t> theirs(size_t(s.output_elements()));
      onednn->execute();
      onednn->get_output(theirs.data());
      const std::string error = check_plans(plans, c, theirs, pool);
      if (!error.empty()) {
        std::fprintf(stderr, "ndconv_bench: FAIL: %s/%s: %s\n", s.name.c_str(), lname, error.c_str());
        status = 1;
        continue;
      }
      AlignedBytes out(theirs.size());
      std::vector<double> onednn_s;
      for (int r = 0; r < kRounds; ++r) {
        onednn_s.push_back(ab_time([&] { onednn->execute(); }, kRoundSeconds, threads));
        for (size_t k = 0; k < plans.size(); ++k) {  // each round starts at another plan
          QPlan& p = *plans[(k + size_t(r)) % plans.size()];
          p.seconds.push_back(
              ab_time([&] { ndconv_qconv_run(p.q, c.input.data(), out.data(), pool); }, kRoundSeconds, threads));
        }
      }
      std::vector<const TunePlanTimes*> times;
      for (const auto& p : plans) times.push_back(p.get());
      print_tune_row(s.name, lname, s.flops(), median(onednn_s), times, &def_ratio, &meas_ratio);
      std::fflush(stdout);
    }
  }
  print_tune_geomean(def_ratio, meas_ratio);
  return status;
}

}  // namespace ndconv_bench
