// Shared by the binding's translation units: C statuses as Python exceptions,
// the thread pool handle, activation arguments.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "ndconv/ndconv.h"

namespace ndconv_py {

namespace py = pybind11;

// Raises the Python exception for a failed C call, with ndconv_last_error()
// (read on this thread, right after the call): NDCONV_INVALID_ARGUMENT ->
// ValueError, NDCONV_OUT_OF_MEMORY -> MemoryError, NDCONV_UNSUPPORTED ->
// ndconv.UnsupportedError (a RuntimeError), anything else -> RuntimeError.
[[noreturn]] void raise_status(ndconv_status status, const std::string& context);
inline void check(ndconv_status status, const char* context) {
  if (status != NDCONV_OK) raise_status(status, context);
}

// The ndconv.UnsupportedError type, created by the module.
void set_unsupported_error_type(PyObject* type);

// ndconv.ThreadPool: shared so that a pool closed by one Python thread stays
// alive until the runs other threads started on it (GIL released) return.
struct PoolHandle {
  explicit PoolHandle(ndconv_threadpool* p) : pool(p) {}
  ~PoolHandle() { ndconv_threadpool_destroy(pool); }
  PoolHandle(const PoolHandle&) = delete;
  PoolHandle& operator=(const PoolHandle&) = delete;
  ndconv_threadpool* pool;
};
class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  std::shared_ptr<PoolHandle> handle() const;   // raises ValueError once closed
  void close() { handle_.reset(); }
  size_t threads() const { return threads_; }

 private:
  std::shared_ptr<PoolHandle> handle_;
  size_t threads_;
};
// pool=None -> null (the calling thread); otherwise an ndconv.ThreadPool.
std::shared_ptr<PoolHandle> pool_from(py::handle pool);

// The activation fields of a descriptor, from the normalized Python form
// (kind 0 none, 1 relu, 2 clamp, with bounds).
struct Activation {
  int kind = 0;
  float lo = 0.f, hi = 0.f;
};

void bind_conv(py::module_& m);
void bind_textcnn(py::module_& m);
void bind_qconv(py::module_& m);

}  // namespace ndconv_py
