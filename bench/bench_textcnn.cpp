// The text-CNN rows of the benchmark suite (issue 6), single-threaded unless
// the name says otherwise: the n-gram convolutions in every form a user writes
// them, and the fused text-CNN block against the same work unfused (ndconv
// convolutions with ReLU, then max pooling over time).
//
//   ./bench_textcnn --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// GFLOP/s counts every kernel tap: 2 * N * F * L_out * k * E * C_in.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"

namespace {

std::vector<float> random_floats(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

void check(ndconv_status st, const char* what) {
  if (st != NDCONV_OK) {
    std::fprintf(stderr, "%s: %s: %s\n", what, ndconv_status_string(st), ndconv_last_error());
    std::abort();
  }
}

int64_t product(const int64_t* v, int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= v[i];
  return p;
}

// A descriptor, its plan, its buffers; flops as the suite counts them.
struct ConvCase {
  ndconv_conv_desc desc{};
  ndconv_conv* conv = nullptr;
  std::vector<float> input, weights, bias, output;
  double flops = 0;

  explicit ConvCase(const ndconv_conv_desc& d) : desc(d) {
    int64_t out_size[NDCONV_MAX_RANK] = {};
    check(ndconv_conv_output_size(&d, out_size), "output size");
    const int64_t in_px = product(d.in_size, d.rank), out_px = product(out_size, d.rank);
    const int64_t taps = product(d.kernel, d.rank);
    input = random_floats(static_cast<size_t>(d.batch * d.in_channels * in_px), 1);
    weights = random_floats(static_cast<size_t>(d.out_channels * d.in_channels * taps), 2);
    bias = random_floats(static_cast<size_t>(d.out_channels), 3);
    output.resize(static_cast<size_t>(d.batch * d.out_channels * out_px));
    flops = 2.0 * d.batch * d.out_channels * out_px * d.in_channels * taps;
    check(ndconv_conv_create(&d, weights.data(), bias.data(), &conv), "create");
  }
  ~ConvCase() { ndconv_conv_destroy(conv); }
};

ndconv_conv_desc ngram_desc(int rank, ndconv_layout layout, int64_t n, int64_t L, int64_t E,
                            int64_t k, int64_t F, int64_t pad) {
  ndconv_conv_desc d{};
  d.rank = rank;
  d.layout = layout;
  d.batch = n;
  d.out_channels = F;
  d.in_size[0] = L;
  d.kernel[0] = k;
  d.pad_begin[0] = d.pad_end[0] = pad;
  if (rank == 2) {
    d.in_channels = 1;
    d.in_size[1] = d.kernel[1] = E;
  } else {
    d.in_channels = E;
  }
  return d;
}

void run_conv(benchmark::State& state, const ndconv_conv_desc& d, size_t threads) {
  ConvCase c(d);
  ndconv_threadpool* pool = threads > 1 ? ndconv_threadpool_create(threads) : nullptr;
  state.SetLabel(ndconv_conv_kernel_name(c.conv));
  for (auto _ : state) {
    check(ndconv_conv_run(c.conv, c.input.data(), c.output.data(), pool), "run");
    benchmark::DoNotOptimize(c.output.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(c.flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  ndconv_threadpool_destroy(pool);
}

void register_conv(const std::string& name, const ndconv_conv_desc& d, size_t threads = 1) {
  benchmark::RegisterBenchmark(name.c_str(), [d, threads](benchmark::State& s) { run_conv(s, d, threads); })
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime()
      ->UseRealTime();
}

// The text-CNN block: branches 3, 4, 5 x 100 filters over N=32 sentences of
// 64 words x 300, ReLU, max over time. Fused: one ndconv_textcnn_run.
// Unfused: one ndconv convolution per branch (ReLU fused) into [N, L_b, F],
// then max over time into the same [N, 300] features.
struct BlockSetup {
  static constexpr int64_t N = 32, L = 64, E = 300, F = 100;
  static constexpr int64_t kNgrams[3] = {3, 4, 5};
  std::vector<float> input = random_floats(N * L * E, 5), output = std::vector<float>(N * 3 * F);
  std::vector<std::vector<float>> weights, biases;
  double flops = 0;
  BlockSetup() {
    for (int64_t k : kNgrams) {
      weights.push_back(random_floats(static_cast<size_t>(k * E * F), static_cast<unsigned>(k)));
      biases.push_back(random_floats(F, static_cast<unsigned>(k + 10)));
      flops += 2.0 * N * F * (L - k + 1) * k * E;
    }
  }
};

void textcnn_fused(benchmark::State& state) {
  BlockSetup s;
  ndconv_textcnn_desc d{};
  d.batch = s.N;
  d.seq_len = s.L;
  d.embed_dim = s.E;
  d.branch_count = 3;
  for (int b = 0; b < 3; ++b) d.branches[b] = {BlockSetup::kNgrams[b], s.F};
  d.layout = NDCONV_NXC;
  d.weight_layout = NDCONV_XIO;
  d.activation = NDCONV_ACT_RELU;
  const float* w[3] = {s.weights[0].data(), s.weights[1].data(), s.weights[2].data()};
  const float* b[3] = {s.biases[0].data(), s.biases[1].data(), s.biases[2].data()};
  ndconv_textcnn* block = nullptr;
  check(ndconv_textcnn_create(&d, w, b, &block), "textcnn create");
  state.SetLabel(ndconv_textcnn_kernel_name(block));
  for (auto _ : state) {
    check(ndconv_textcnn_run(block, s.input.data(), s.output.data(), nullptr), "textcnn run");
    benchmark::DoNotOptimize(s.output.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(s.flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  ndconv_textcnn_destroy(block);
}

void textcnn_unfused(benchmark::State& state) {
  BlockSetup s;
  std::vector<ndconv_conv*> convs;
  std::vector<std::vector<float>> act;
  for (int b = 0; b < 3; ++b) {
    ndconv_conv_desc d = ngram_desc(1, NDCONV_NXC, s.N, s.L, s.E, BlockSetup::kNgrams[b], s.F, 0);
    d.weight_layout = NDCONV_XIO;
    d.activation = NDCONV_ACT_RELU;
    ndconv_conv* c = nullptr;
    check(ndconv_conv_create(&d, s.weights[b].data(), s.biases[b].data(), &c), "conv create");
    convs.push_back(c);
    act.emplace_back(static_cast<size_t>(s.N * (s.L - BlockSetup::kNgrams[b] + 1) * s.F));
  }
  state.SetLabel(ndconv_conv_kernel_name(convs[0]));
  for (auto _ : state) {
    for (int b = 0; b < 3; ++b) {
      check(ndconv_conv_run(convs[b], s.input.data(), act[b].data(), nullptr), "conv run");
      const int64_t Lo = s.L - BlockSetup::kNgrams[b] + 1;
      for (int64_t n = 0; n < s.N; ++n) {
        float* out = s.output.data() + n * 3 * s.F + b * s.F;
        const float* a = act[b].data() + n * Lo * s.F;
        for (int64_t f = 0; f < s.F; ++f) out[f] = a[f];
        for (int64_t l = 1; l < Lo; ++l)
          for (int64_t f = 0; f < s.F; ++f) out[f] = std::max(out[f], a[l * s.F + f]);
      }
    }
    benchmark::DoNotOptimize(s.output.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(s.flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  for (ndconv_conv* c : convs) ndconv_conv_destroy(c);
}

void register_suite() {
  benchmark::RegisterBenchmark("textcnn_block/fused", textcnn_fused)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("textcnn_block/unfused", textcnn_unfused)->Unit(benchmark::kMicrosecond)->UseRealTime();
  for (ndconv_layout layout : {NDCONV_NCX, NDCONV_NXC}) {
    const std::string l = layout == NDCONV_NCX ? "/NCX" : "/NXC";
    register_conv("text_seed_conv2d" + l, ngram_desc(2, layout, 1, 600, 300, 3, 64, 0));
    register_conv("text_seed_conv1d" + l, ngram_desc(1, layout, 1, 600, 300, 3, 64, 0));
    register_conv("text_kim_batch" + l, ngram_desc(2, layout, 32, 64, 300, 4, 100, 0));
    register_conv("text_query_same" + l, ngram_desc(1, layout, 1, 50, 128, 3, 128, 1));
    register_conv("text_char_cnn" + l, ngram_desc(1, layout, 4, 1014, 70, 7, 256, 0));
    register_conv("text_kim_batch" + l + "/threads:2", ngram_desc(2, layout, 32, 64, 300, 4, 100, 0), 2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_suite();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
