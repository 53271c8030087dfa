#include "api/error.h"

#include <cstdarg>
#include <cstdio>

#include "api/raw_enum.h"

namespace ndconv {
namespace dispatch {
namespace {
// A fixed buffer, not std::string: ndconv_last_error must work (return "" or
// the old message) even when the failure being reported is out of memory.
thread_local char last_error_text[512] = "";

void store(const char* text) {
  std::snprintf(last_error_text, sizeof last_error_text, "%s", text);
}
}  // namespace

ndconv_status fail(ndconv_status status, const char* message) {
  store(message);
  return status;
}

ndconv_status failf(ndconv_status status, const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(last_error_text, sizeof last_error_text, format, args);
  va_end(args);
  return status;
}

}  // namespace dispatch
}  // namespace ndconv

extern "C" const char* ndconv_last_error(void) { return ndconv::dispatch::last_error_text; }

extern "C" const char* ndconv_status_string(ndconv_status status) {
  switch (ndconv::dispatch::raw_enum_value(status)) {
    case NDCONV_OK: return "NDCONV_OK";
    case NDCONV_INVALID_ARGUMENT: return "NDCONV_INVALID_ARGUMENT";
    case NDCONV_UNSUPPORTED: return "NDCONV_UNSUPPORTED";
    case NDCONV_OUT_OF_MEMORY: return "NDCONV_OUT_OF_MEMORY";
    case NDCONV_INTERNAL_ERROR: return "NDCONV_INTERNAL_ERROR";
  }
  return "unknown ndconv_status";
}
