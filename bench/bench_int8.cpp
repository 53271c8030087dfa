#include "bench_int8.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "ab_timing.h"
#include "onednn_qconv.h"
#include "tensors.h"

namespace ndconv_bench {
namespace {

constexpr int kRounds = 11;
constexpr double kRoundSeconds = 0.02;
const char* const kLayoutNames[] = {"ncx", "nxc"};

struct Plans {
  ndconv_qconv* q = nullptr;
  ndconv_conv* f = nullptr;
  ~Plans() {
    ndconv_qconv_destroy(q);
    ndconv_conv_destroy(f);
  }
};

// ndconv's int8 and float32 plans of the shape; false with a message.
bool make_plans(const BenchShape& s, ndconv_layout layout, const QCase& c, Plans* p) {
  const ndconv_qconv_desc qd = int8_desc(s, layout, c);
  const bool xio = qd.conv.weight_layout == NDCONV_XIO;
  if (ndconv_qconv_create(&qd, c.weights(layout), c.q.weight_scales.data(), c.bias.data(), &p->q) != NDCONV_OK ||
      ndconv_conv_create(&qd.conv, xio ? c.wf_xio.data() : c.wf_oix.data(), c.bias_f.data(), &p->f) != NDCONV_OK) {
    std::fprintf(stderr, "ndconv_bench --int8: %s: %s\n", s.name.c_str(), ndconv_last_error());
    return false;
  }
  return true;
}

struct Row {
  double ours, theirs, vs_onednn, vs_f32;
};

Row time_case(const BenchShape& s, const QCase& c, const Plans& p, OnednnQConv& onednn,
              AlignedBytes* out, int threads, ndconv_threadpool* pool) {
  AlignedFloats out_f(size_t(s.output_elements()));
  auto run_q = [&] { ndconv_qconv_run(p.q, c.input.data(), out->data(), pool); };
  auto run_f = [&] { ndconv_conv_run(p.f, c.input_f.data(), out_f.data(), pool); };
  auto run_d = [&] { onednn.execute(); };
  std::vector<double> ours, theirs, ratio, vs_f32;
  // A library's slow fallback (oneDNN's ref_int8 for channels-first int8
  // takes seconds) gets one round, not eleven.
  const auto t0 = std::chrono::steady_clock::now();
  run_d();
  run_q();
  const int rounds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > 0.1 ? 1 : kRounds;
  for (int r = 0; r < rounds; ++r) {
    double a, b, f;
    if (r % 2) {
      b = ab_time(run_d, kRoundSeconds, threads);
      f = ab_time(run_f, kRoundSeconds, threads);
      a = ab_time(run_q, kRoundSeconds, threads);
    } else {
      a = ab_time(run_q, kRoundSeconds, threads);
      f = ab_time(run_f, kRoundSeconds, threads);
      b = ab_time(run_d, kRoundSeconds, threads);
    }
    ours.push_back(s.flops() / a / 1e9);
    theirs.push_back(s.flops() / b / 1e9);
    ratio.push_back(b / a);
    vs_f32.push_back(f / a);
  }
  return {median(ours), median(theirs), median(ratio), median(vs_f32)};
}

}  // namespace

static uint64_t next_random(uint64_t* s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

QCase make_int8_case(const BenchShape& s) {
  QCase c;
  uint64_t rng = 0x1234567 + uint64_t(s.in_channels) * 31 + uint64_t(s.out_channels);
  const size_t nw = size_t(s.weight_elements()), icg = size_t(s.in_channels / s.groups);
  const size_t oc = size_t(s.out_channels), taps = size_t(s.taps);
  // |w| <= 63: oneDNN's kernels without VNNI use vpmaddubsw, whose pairs
  // saturate beyond that; ndconv is exact over the whole int8 range.
  c.w_oix.resize(nw);
  for (int8_t& w : c.w_oix) w = int8_t(int(next_random(&rng) % 127) - 63);
  c.w_xio.resize(nw);
  for (size_t o = 0; o < oc; ++o)
    for (size_t i = 0; i < icg; ++i)
      for (size_t t = 0; t < taps; ++t) c.w_xio[(t * icg + i) * oc + o] = c.w_oix[(o * icg + i) * taps + t];
  c.wf_oix.assign(c.w_oix.begin(), c.w_oix.end());
  c.wf_xio.assign(c.w_xio.begin(), c.w_xio.end());
  c.input.resize(size_t(s.input_elements()));
  for (uint8_t& x : c.input) x = uint8_t(next_random(&rng) >> 56);
  c.input_f.assign(c.input.begin(), c.input.end());
  c.q.input_scale = 0.02f;
  c.q.input_zero_point = 128;
  c.q.output_zero_point = 5;
  for (size_t o = 0; o < oc; ++o) c.q.weight_scales.push_back(0.004f * float(4 + o % 4) / 4.0f);
  c.q.output_scale = float(0.02 * 0.005 * 128 * 36 * std::sqrt(double(icg * taps)) / 40.0);
  for (size_t o = 0; o < oc; ++o) c.bias.push_back(int32_t(next_random(&rng) % 2001) - 1000);
  c.bias_f.assign(c.bias.begin(), c.bias.end());
  return c;
}


ndconv_qconv_desc int8_desc(const BenchShape& s, ndconv_layout layout, const QCase& c) {
  ndconv_qconv_desc qd{};
  qd.conv = s.desc(layout);
  qd.input_type = NDCONV_U8;
  qd.output_type = NDCONV_U8;
  qd.input_scale = c.q.input_scale;
  qd.input_zero_point = c.q.input_zero_point;
  qd.weight_scale_count = s.out_channels;
  qd.output_scale = c.q.output_scale;
  qd.output_zero_point = c.q.output_zero_point;
  return qd;
}

// Output check: every element within 1 of oneDNN's. "" or the first miss.
std::string check_outputs(const AlignedBytes& ours, const std::vector<uint8_t>& theirs) {
  for (size_t i = 0; i < ours.size(); ++i)
    if (std::abs(int(ours[i]) - int(theirs[i])) > 1)
      return "element " + std::to_string(i) + ": ndconv " + std::to_string(ours[i]) + ", oneDNN " +
             std::to_string(theirs[i]);
  return "";
}

int run_int8(const std::vector<BenchShape>& shapes, bool (*selects)(const std::string&, const std::string&),
             const std::string& filter, int threads, ndconv_threadpool* pool) {
  std::printf("| shape | layout | ndconv int8 GOP/s | oneDNN int8 GOP/s | ndconv/oneDNN int8 | "
              "ndconv int8/f32 | ndconv kernel | oneDNN impl |\n|---|---|---:|---:|---:|---:|---|---|\n");
  int status = 0;
  std::vector<double> ratios;
  for (const BenchShape& s : shapes) {
    if (s.rank > 3) continue;
    const QCase c = make_int8_case(s);
    for (int layout : {int(NDCONV_NCX), int(NDCONV_NXC)}) {
      if (!selects(filter, s.name + "/" + kLayoutNames[layout])) continue;
      Plans p;
      if (!make_plans(s, ndconv_layout(layout), c, &p)) { status = 1; continue; }
      std::unique_ptr<OnednnQConv> onednn;
      try {
        onednn.reset(new OnednnQConv(s, ndconv_layout(layout), c.w_oix.data(), c.bias.data(), c.q));
      } catch (const std::exception& e) {
        std::printf("| %s | %s | | | oneDNN failed: %s | | | |\n", s.name.c_str(), kLayoutNames[layout], e.what());
        continue;
      }
      onednn->set_input(c.input.data());
      AlignedBytes ours(size_t(s.output_elements()));
      std::vector<uint8_t> theirs(ours.size());
      ndconv_qconv_run(p.q, c.input.data(), ours.data(), pool);
      onednn->execute();
      onednn->get_output(theirs.data());
      const std::string miss = check_outputs(ours, theirs);
      if (!miss.empty()) {
        std::printf("| %s | %s | | | MISMATCH %s | | %s | |\n", s.name.c_str(), kLayoutNames[layout],
                    miss.c_str(), ndconv_qconv_kernel_name(p.q));
        status = 1;
        continue;
      }
      const Row r = time_case(s, c, p, *onednn, &ours, threads, pool);
      ratios.push_back(r.vs_onednn);
      std::printf("| %s | %s | %.1f | %.1f | %.3f | %.2f | %s | %s |\n", s.name.c_str(), kLayoutNames[layout],
                  r.ours, r.theirs, r.vs_onednn, r.vs_f32, ndconv_qconv_kernel_name(p.q),
                  onednn->impl_info().c_str());
      std::fflush(stdout);
    }
  }
  double log_sum = 0;
  for (double r : ratios) log_sum += std::log(r);
  if (!ratios.empty())
    std::printf("| **geometric mean** | | | | %.3f | | | |\n", std::exp(log_sum / double(ratios.size())));
  return status;
}

}  // namespace ndconv_bench
