#include "algorithms/reference.h"

#include <algorithm>
#include <cstring>

#include "api/error.h"
#include "api/memory.h"
#include "api/threadpool.h"
#include "kernels/reference.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

class ReferenceAlgorithm final : public Algorithm {
 public:
  ReferenceAlgorithm(const ConvShape& shape, const Tuning& tune, AlignedArray<float> weights,
                     AlignedArray<float> bias)
      : Algorithm(PlanName("reference/scalar")),
        shape_(shape),
        weights_(std::move(weights)),
        bias_(std::move(bias)),
        min_macs_per_task_(static_cast<int64_t>(tune.reference_min_macs_per_task)),
        tasks_per_thread_(tune.tasks_per_thread) {}

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    const int64_t total = shape_.output_elements();
    const int64_t macs_per_element = shape_.in_channels_per_group() * shape_.kernel_taps();
    // Below min_macs_per_task_ multiply-adds a task is not worth a thread
    // hand-off; tasks_per_thread_ gives slack for uneven thread speeds.
    const int64_t min_elements = std::max<int64_t>(1, min_macs_per_task_ / std::max<int64_t>(1, macs_per_element));
    const int64_t by_size = (total + min_elements - 1) / min_elements;
    const int64_t by_threads = static_cast<int64_t>(threadpool_threads(pool) * tasks_per_thread_);
    const int64_t tasks = std::max<int64_t>(1, std::min(by_size, pool ? by_threads : 1));
    const float* bias = bias_.size() ? bias_.data() : nullptr;
    auto task = [&](size_t t) {
      const int64_t i = static_cast<int64_t>(t);
      // Even split of [0, total) into `tasks` contiguous ranges.
      const int64_t begin = total / tasks * i + std::min(i, total % tasks);
      const int64_t end = begin + total / tasks + (i < total % tasks ? 1 : 0);
      kernels::reference_conv(shape_, input, weights_.data(), bias, output, begin, end);
    };
    parallel_for(pool, static_cast<size_t>(tasks), task);
    return NDCONV_OK;
  }

 private:
  ConvShape shape_;
  AlignedArray<float> weights_;
  AlignedArray<float> bias_;  // empty when the plan has no bias
  const int64_t min_macs_per_task_;
  const size_t tasks_per_thread_;
};

}  // namespace

std::unique_ptr<Algorithm> make_reference_algorithm(const ConvShape& shape,
                                                    const kernels::KernelTable& table,
                                                    const Tuning& tune,
                                                    const float* weights, const float* bias,
                                                    ndconv_status* status) {
  AlignedArray<float> w, b;
  const size_t weight_count = static_cast<size_t>(shape.weight_elements());
  if (!w.resize(weight_count) || (bias && !b.resize(static_cast<size_t>(shape.out_channels)))) {
    *status = failf(NDCONV_OUT_OF_MEMORY, "out of memory copying %zu weights", weight_count);
    return nullptr;
  }
  std::memcpy(w.data(), weights, weight_count * sizeof(float));
  if (bias) std::memcpy(b.data(), bias, static_cast<size_t>(shape.out_channels) * sizeof(float));
  std::unique_ptr<Algorithm> algo(new (std::nothrow) ReferenceAlgorithm(shape, tune, std::move(w), std::move(b)));
  if (!algo) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating the reference algorithm");
    return nullptr;
  }
  *status = NDCONV_OK;
  return algo;
}

}  // namespace dispatch
}  // namespace ndconv
