// Thread-local error state behind ndconv_last_error(), and the helpers every
// C entry point uses to fail with a message that names the field and value.
#pragma once

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

}  // namespace dispatch
}  // namespace ndconv
