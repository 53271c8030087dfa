// The int8 algorithms that compute in channels-last and run channels-first
// plans through it (addressing/channel_transpose.h): run() written once.
#pragma once

#include <cstdint>

#include "addressing/channel_transpose.h"
#include "algorithms/qconv_params.h"
#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

class QChannelsLastAlgorithm : public QAlgorithm {
 public:
  ndconv_status run(const void* input, void* output, ndconv_threadpool* pool) const final {
    const ConvShape& s = p_->shape.conv;
    if (s.layout == NDCONV_NXC) return run_channels_last(static_cast<const uint8_t*>(input), output, pool);
    ndconv_status status = NDCONV_OK;
    const ndconv_status copied = run_through_channels_last(
        s, 1, p_->output_bytes(), input, output, pool,
        [&](const void* in, void* out) { status = run_channels_last(static_cast<const uint8_t*>(in), out, pool); },
        p_->transposers);
    return copied != NDCONV_OK ? copied : status;
  }

 protected:
  QChannelsLastAlgorithm(const PlanName& name, const QConvParams* p) : QAlgorithm(name), p_(p) {}

  // The whole batch, channels-last input and output.
  virtual ndconv_status run_channels_last(const uint8_t* input, void* output,
                                          ndconv_threadpool* pool) const = 0;

  const QConvParams* p_;  // outlives the algorithm (both live in the plan)
};

}  // namespace dispatch
}  // namespace ndconv
