// ndconv.Conv's C++ side: the descriptor without batch and input extent (set
// once from the normalized arguments), the float32 weights converted once, and
// one C plan per distinct input shape, created on first use. Calls hold the
// GIL only to look up the plan and make the output; ndconv_conv_run runs with
// the GIL released, so Python threads run plans in parallel.
#include <pybind11/stl.h>

#include <chrono>
#include <map>
#include <vector>

#include "common.h"
#include "desc.h"
#include "tensors.h"

namespace ndconv_py {
namespace {

using WeightArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// One C plan, shared so that close() in one thread cannot free a plan another
// thread is running with the GIL released.
struct ConvPlan {
  ~ConvPlan() { ndconv_conv_destroy(conv); }
  ndconv_conv* conv = nullptr;
  std::vector<int64_t> output_shape;
  std::string kernel_name;
};

class Conv {
 public:
  Conv(const WeightArray& weight, const std::optional<WeightArray>& bias, const WindowArgs& args);

  py::object call(py::handle input, py::handle out, py::handle pool);
  std::vector<int64_t> output_shape(const std::vector<int64_t>& input_shape) const;
  std::string kernel_name() const;
  size_t cached_plans() const { return plans_.size(); }
  void close();
  double seconds_per_c_run(py::handle input, int iterations, py::handle pool);

 private:
  ndconv_conv_desc desc_for(const std::vector<int64_t>& input_shape) const;
  std::shared_ptr<ConvPlan> plan_for(const std::vector<int64_t>& input_shape);
  void check_open() const {
    if (closed_) throw py::value_error("ndconv: this Conv was released (close()); make a new one");
  }

  ndconv_conv_desc base_{};
  std::vector<float> weight_, bias_;
  bool has_bias_ = false;
  std::map<std::vector<int64_t>, std::shared_ptr<ConvPlan>> plans_;
  std::shared_ptr<ConvPlan> last_;
  bool closed_ = false;
};

Conv::Conv(const WeightArray& weight, const std::optional<WeightArray>& bias,
           const WindowArgs& args)
    : base_(base_desc(shape_of(weight), args)) {
  const ndconv_conv_desc& d = base_;
  weight_.assign(weight.data(), weight.data() + weight.size());
  if (bias) {
    if (bias->ndim() != 1 || bias->shape(0) != d.out_channels) {
      throw py::value_error("ndconv: bias has shape " + shape_string(shape_of(*bias)) +
                            ", expected (" + std::to_string(d.out_channels) + ",) (out_channels)");
    }
    bias_.assign(bias->data(), bias->data() + bias->size());
    has_bias_ = true;
  }
}

ndconv_conv_desc Conv::desc_for(const std::vector<int64_t>& shape) const {
  return desc_for_input(base_, shape);
}

std::vector<int64_t> Conv::output_shape(const std::vector<int64_t>& input_shape) const {
  const ndconv_conv_desc d = desc_for(input_shape);
  int64_t out_size[NDCONV_MAX_RANK] = {};
  check(ndconv_conv_output_size(&d, out_size), "output_shape");
  return output_shape_of(d, out_size);
}

std::shared_ptr<ConvPlan> Conv::plan_for(const std::vector<int64_t>& shape) {
  auto found = plans_.find(shape);
  if (found != plans_.end()) return found->second;
  auto plan = std::make_shared<ConvPlan>();
  const ndconv_conv_desc d = desc_for(shape);
  check(ndconv_conv_create(&d, weight_.data(), has_bias_ ? bias_.data() : nullptr, &plan->conv),
        "Conv");
  plan->output_shape = output_shape(shape);
  plan->kernel_name = ndconv_conv_kernel_name(plan->conv);
  plans_.emplace(shape, plan);
  return plan;
}

py::object Conv::call(py::handle input, py::handle out, py::handle pool) {
  check_open();
  const InputTensor in = read_input(input, "input");
  const std::shared_ptr<ConvPlan> plan = plan_for(shape_of(in.array));
  py::object result;
  float* output = nullptr;
  if (out.is_none()) {
    result = make_output(plan->output_shape, in.is_torch, &output);
  } else {
    output = check_out(out, plan->output_shape, in.array);
    result = py::reinterpret_borrow<py::object>(out);
  }
  const std::shared_ptr<PoolHandle> threads = pool_from(pool);
  const float* x = static_cast<const float*>(in.array.data());
  ndconv_status status;
  {
    py::gil_scoped_release released;
    status = ndconv_conv_run(plan->conv, x, output, threads ? threads->pool : nullptr);
  }
  check(status, "run");
  last_ = plan;
  return result;
}

std::string Conv::kernel_name() const { return last_ ? last_->kernel_name : std::string(); }

void Conv::close() {
  plans_.clear();
  last_.reset();
  weight_ = {};
  bias_ = {};
  closed_ = true;
}

// For the benchmark: the same plan run back to back from C++ (no Python per
// call), as a C program would; seconds per run.
double Conv::seconds_per_c_run(py::handle input, int iterations, py::handle pool) {
  check_open();
  const InputTensor in = read_input(input, "input");
  const std::shared_ptr<ConvPlan> plan = plan_for(shape_of(in.array));
  float* output = nullptr;
  py::object keep = make_output(plan->output_shape, false, &output);
  const std::shared_ptr<PoolHandle> threads = pool_from(pool);
  const float* x = static_cast<const float*>(in.array.data());
  py::gil_scoped_release released;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    ndconv_conv_run(plan->conv, x, output, threads ? threads->pool : nullptr);
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / iterations;
}

}  // namespace

void bind_conv(py::module_& m) {
  py::class_<Conv>(m, "_Conv")
      .def(py::init([](const WeightArray& weight, const std::optional<WeightArray>& bias,
                       bool channels_last, int64_t groups, const std::vector<int64_t>& stride,
                       const std::vector<int64_t>& dilation, const std::vector<int64_t>& pad_begin,
                       const std::vector<int64_t>& pad_end, int padding_mode, int act_kind,
                       float act_lo, float act_hi) {
             return new Conv(weight, bias,
                             WindowArgs{channels_last, groups, stride, dilation, pad_begin,
                                        pad_end, padding_mode, Activation{act_kind, act_lo, act_hi}});
           }))
      .def("__call__", &Conv::call, py::arg("input"), py::kw_only(), py::arg("out") = py::none(),
           py::arg("pool") = py::none())
      .def("output_shape",
           [](const Conv& self, const std::vector<int64_t>& shape) {
             return py::tuple(py::cast(self.output_shape(shape)));
           },
           py::arg("input_shape"))
      .def_property_readonly("kernel_name", &Conv::kernel_name)
      .def_property_readonly("cached_plans", &Conv::cached_plans)
      .def("close", &Conv::close)
      .def("_seconds_per_c_run", &Conv::seconds_per_c_run, py::arg("input"),
           py::arg("iterations"), py::arg("pool") = py::none());
}

}  // namespace ndconv_py
