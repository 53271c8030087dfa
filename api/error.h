// Thread-local error state behind ndconv_last_error(), and the helpers every
// C entry point uses to fail with a message that names the field and value.
#pragma once

#include <exception>
#include <new>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

// Records `message` as this thread's last error and returns `status`. Takes a
// C string, not std::string: failing must not allocate (the failure may be
// out of memory, and validation rejects overflowing sizes before any
// allocation).
ndconv_status fail(ndconv_status status, const char* message);

// printf-style convenience: fail(NDCONV_INVALID_ARGUMENT, "rank = %d ...", ...).
ndconv_status failf(ndconv_status status, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

// Runs `body` (returning ndconv_status) at a C API entry point, turning any
// exception into a status: bad_alloc into NDCONV_OUT_OF_MEMORY, anything else
// into NDCONV_INTERNAL_ERROR. The messages use failf with fixed text, so
// nothing is allocated while out of memory.
template <class Body>
ndconv_status guarded(const char* function, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return failf(NDCONV_OUT_OF_MEMORY, "%s: out of memory", function);
  } catch (const std::exception& e) {
    return failf(NDCONV_INTERNAL_ERROR, "%s: internal error: %s", function, e.what());
  } catch (...) {
    return failf(NDCONV_INTERNAL_ERROR, "%s: internal error (unknown exception)", function);
  }
}

}  // namespace dispatch
}  // namespace ndconv
