// Reading numpy arrays and CPU torch tensors as dense float32 buffers, and
// making outputs of the caller's kind. The conversion rule (README, "Python"):
//   - a C-contiguous, native float32 array or tensor is used in place (no copy);
//   - any other real floating array (float64, float16, non-contiguous,
//     byte-swapped) is copied once into a C-contiguous float32 array;
//   - anything else (integers, bool, complex, objects) is a TypeError.
// `out=` is never converted: it must already be a writable C-contiguous
// float32 array or tensor of the exact output shape.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <vector>

namespace ndconv_py {

namespace py = pybind11;

// A dense float32 view of an input, and whether the caller passed a tensor.
struct InputTensor {
  py::array array;        // C-contiguous float32: the caller's own or a copy
  bool is_torch = false;
};

// `what` names the argument in error messages ("input", "weight", ...).
InputTensor read_input(py::handle object, const char* what);
// The array of a numpy array or CPU tensor as it is (any dtype, any strides):
// the int8 plans check dtype and contiguity themselves.
InputTensor read_array(py::handle object, const char* what);

// A new C-contiguous float32 output of `shape`, a numpy array or (when
// as_torch) a torch.Tensor sharing its memory. *data receives its buffer.
py::object make_output(const std::vector<int64_t>& shape, bool as_torch, float** data);
// array itself, or (when as_torch) a torch.Tensor sharing its memory.
py::object as_caller_kind(py::array array, bool as_torch);

// Checks a caller's `out` (kind, dtype, contiguity, writability, shape, no
// overlap with the input) and returns its buffer; raises before any C call.
float* check_out(py::handle out, const std::vector<int64_t>& shape, const py::array& input);

// "(2, 3, 4)"
std::string shape_string(const std::vector<int64_t>& shape);
std::vector<int64_t> shape_of(const py::array& array);

}  // namespace ndconv_py
