// ndconv.TextCNN's C++ side: the fused text-CNN block (ndconv_textcnn_*),
// branches and embedding size read from the per-branch kernels, one C plan
// per (batch, seq_len), run with the GIL released.
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <vector>

#include "common.h"
#include "tensors.h"

namespace ndconv_py {
namespace {

using WeightArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

struct TextCnnPlan {
  ~TextCnnPlan() { ndconv_textcnn_destroy(textcnn); }
  ndconv_textcnn* textcnn = nullptr;
  std::string kernel_name;
};

class TextCnn {
 public:
  TextCnn(const std::vector<WeightArray>& weights,
          const std::vector<std::optional<WeightArray>>& biases, bool channels_last,
          const Activation& activation);
  py::object call(py::handle input, py::handle out, py::handle pool);
  std::string kernel_name() const { return last_ ? last_->kernel_name : std::string(); }
  int64_t output_features() const { return features_; }
  void close() {
    plans_.clear();
    last_.reset();
    weights_.clear();
    biases_.clear();
    closed_ = true;
  }

 private:
  std::shared_ptr<TextCnnPlan> plan_for(const std::vector<int64_t>& shape);

  ndconv_textcnn_desc base_{};
  std::vector<std::vector<float>> weights_;
  std::vector<std::optional<std::vector<float>>> biases_;
  int64_t features_ = 0;
  std::map<std::pair<int64_t, int64_t>, std::shared_ptr<TextCnnPlan>> plans_;
  std::shared_ptr<TextCnnPlan> last_;
  bool closed_ = false;
};

TextCnn::TextCnn(const std::vector<WeightArray>& weights,
                 const std::vector<std::optional<WeightArray>>& biases, bool channels_last,
                 const Activation& activation) {
  if (weights.empty() || weights.size() > NDCONV_TEXTCNN_MAX_BRANCHES) {
    throw py::value_error("ndconv: TextCNN takes 1.." +
                          std::to_string(NDCONV_TEXTCNN_MAX_BRANCHES) + " branch kernels, got " +
                          std::to_string(weights.size()));
  }
  if (biases.size() != weights.size()) {
    throw py::value_error("ndconv: TextCNN got " + std::to_string(biases.size()) +
                          " biases for " + std::to_string(weights.size()) + " branches");
  }
  base_.layout = channels_last ? NDCONV_NXC : NDCONV_NCX;
  base_.weight_layout = channels_last ? NDCONV_XIO : NDCONV_OIX;
  base_.activation = static_cast<ndconv_activation>(activation.kind);
  base_.act_min = activation.lo;
  base_.act_max = activation.hi;
  base_.branch_count = static_cast<int32_t>(weights.size());
  for (size_t b = 0; b < weights.size(); ++b) {
    const WeightArray& w = weights[b];
    const std::string name = "weights[" + std::to_string(b) + "]";
    if (w.ndim() != 3) {
      throw py::value_error("ndconv: " + name + " has shape " + shape_string(shape_of(w)) +
                            ", expected 3 dims " + (channels_last ? "[k, E, F]" : "[F, E, k]"));
    }
    const int64_t embed = w.shape(1);
    if (b > 0 && embed != base_.embed_dim) {
      throw py::value_error("ndconv: " + name + " has embedding size E = " +
                            std::to_string(embed) + ", weights[0] has " +
                            std::to_string(base_.embed_dim));
    }
    base_.embed_dim = embed;
    base_.branches[b].ngram = w.shape(channels_last ? 0 : 2);
    base_.branches[b].filters = w.shape(channels_last ? 2 : 0);
    features_ += base_.branches[b].filters;
    weights_.emplace_back(w.data(), w.data() + w.size());
    if (biases[b]) {
      const WeightArray& bias = *biases[b];
      if (bias.ndim() != 1 || bias.shape(0) != base_.branches[b].filters) {
        throw py::value_error("ndconv: biases[" + std::to_string(b) + "] has shape " +
                              shape_string(shape_of(bias)) + ", expected (" +
                              std::to_string(base_.branches[b].filters) + ",) (filters)");
      }
      biases_.emplace_back(std::vector<float>(bias.data(), bias.data() + bias.size()));
    } else {
      biases_.emplace_back(std::nullopt);
    }
  }
}

std::shared_ptr<TextCnnPlan> TextCnn::plan_for(const std::vector<int64_t>& shape) {
  const bool nxc = base_.layout == NDCONV_NXC;
  if (shape.size() != 3) {
    throw py::value_error("ndconv: TextCNN input has shape " + shape_string(shape) +
                          ", expected 3 dims " + (nxc ? "[N, L, E]" : "[N, E, L]"));
  }
  const int64_t embed = shape[nxc ? 2 : 1];
  if (embed != base_.embed_dim) {
    throw py::value_error("ndconv: TextCNN input has embedding size " + std::to_string(embed) +
                          " (shape " + shape_string(shape) + "), the kernels have E = " +
                          std::to_string(base_.embed_dim));
  }
  const std::pair<int64_t, int64_t> key{shape[0], shape[nxc ? 1 : 2]};
  auto found = plans_.find(key);
  if (found != plans_.end()) return found->second;
  ndconv_textcnn_desc d = base_;
  d.batch = key.first;
  d.seq_len = key.second;
  std::vector<const float*> weights, biases;
  for (size_t b = 0; b < weights_.size(); ++b) {
    weights.push_back(weights_[b].data());
    biases.push_back(biases_[b] ? biases_[b]->data() : nullptr);
  }
  auto plan = std::make_shared<TextCnnPlan>();
  check(ndconv_textcnn_create(&d, weights.data(), biases.data(), &plan->textcnn), "TextCNN");
  plan->kernel_name = ndconv_textcnn_kernel_name(plan->textcnn);
  plans_.emplace(key, plan);
  return plan;
}

py::object TextCnn::call(py::handle input, py::handle out, py::handle pool) {
  if (closed_) throw py::value_error("ndconv: this TextCNN was released (close()); make a new one");
  const InputTensor in = read_input(input, "input");
  const std::vector<int64_t> shape = shape_of(in.array);
  const std::shared_ptr<TextCnnPlan> plan = plan_for(shape);
  const std::vector<int64_t> out_shape{shape[0], features_};
  py::object result;
  float* output = nullptr;
  if (out.is_none()) {
    result = make_output(out_shape, in.is_torch, &output);
  } else {
    output = check_out(out, out_shape, in.array);
    result = py::reinterpret_borrow<py::object>(out);
  }
  const std::shared_ptr<PoolHandle> threads = pool_from(pool);
  const float* x = static_cast<const float*>(in.array.data());
  ndconv_status status;
  {
    py::gil_scoped_release released;
    status = ndconv_textcnn_run(plan->textcnn, x, output, threads ? threads->pool : nullptr);
  }
  check(status, "run");
  last_ = plan;
  return result;
}

}  // namespace

void bind_textcnn(py::module_& m) {
  py::class_<TextCnn>(m, "_TextCNN")
      .def(py::init([](const std::vector<WeightArray>& weights,
                       const std::vector<std::optional<WeightArray>>& biases, bool channels_last,
                       int act_kind, float act_lo, float act_hi) {
        return new TextCnn(weights, biases, channels_last, Activation{act_kind, act_lo, act_hi});
      }))
      .def("__call__", &TextCnn::call, py::arg("input"), py::kw_only(),
           py::arg("out") = py::none(), py::arg("pool") = py::none())
      .def_property_readonly("kernel_name", &TextCnn::kernel_name)
      .def_property_readonly("output_features", &TextCnn::output_features)
      .def("close", &TextCnn::close);
}

}  // namespace ndconv_py
