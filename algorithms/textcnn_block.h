// The fused text-CNN block (ndconv_textcnn_*; the C API is api/textcnn_api.cpp):
// per branch the n-gram GEMM of algorithms/ngram.h (windows of the sentence
// read in place as A rows, packed filters as B), whose microkernel epilogue
// applies bias and activation and max-reduces each finished tile over its
// rows into a running maximum (GemmOutput::row_max), so the [L - k + 1, F]
// activations never reach memory.
#pragma once

#include <cstddef>
#include <new>

#include "api/memory.h"
#include "gemm/narrow_tail.h"
#include "gemm/weight_packing.h"
#include "kernels/kernel_table.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

class TextCnn {
 public:
  // `d` must have passed validation (api/textcnn_api.cpp).
  TextCnn(const ndconv_textcnn_desc& d, const kernels::KernelTable& table);

  // Packs every branch's filters. False on allocation failure.
  bool init(const float* const* weights, const float* const* biases);
  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const;
  const PlanName& name() const { return name_; }

  static void* operator new(size_t bytes, const std::nothrow_t&) noexcept { return allocate(bytes); }
  static void operator delete(void* p) noexcept { deallocate(p); }
  static void operator delete(void* p, const std::nothrow_t&) noexcept { deallocate(p); }

 private:
  struct Branch {
    size_t k = 0, filters = 0, offset = 0, panels = 0, first_task = 0;
    PackedWeights packed;
    // Filters [tail.first, filters) on the tail kernel (see narrow_tail_columns):
    // dot products along K for up to half a vector of them (nr = 1 per packed
    // panel, all in one call), else the one-vector kernel.
    NarrowTail tail;
  };

  void choose_sentences_per_task();
  void sentences_branch_panel(const float* input, float* output, size_t index) const;

  ndconv_textcnn_desc d_;
  const kernels::KernelTable& table_;
  PlanName name_;  // fixed buffer: no allocation outside dispatch::allocate
  kernels::Activation act_;
  Branch branches_[NDCONV_TEXTCNN_MAX_BRANCHES];
  size_t features_ = 0, tasks_per_sentence_ = 0;
  size_t sentences_per_task_ = 1;
};

}  // namespace dispatch
}  // namespace ndconv
