// Checked arithmetic and enum reading shared by the descriptor validations
// (api/validate.cpp for ndconv_conv_desc, api/textcnn_api.cpp for
// ndconv_textcnn_desc).
#pragma once

#include <cstdint>
#include <cstring>

#include "api/error.h"

namespace ndconv {
namespace dispatch {

inline bool checked_mul(int64_t a, int64_t b, int64_t* r) { return !__builtin_mul_overflow(a, b, r); }
inline bool checked_add(int64_t a, int64_t b, int64_t* r) { return !__builtin_add_overflow(a, b, r); }

inline ndconv_status invalid_enum(const char* field, int value, int last) {
  return failf(NDCONV_INVALID_ARGUMENT, "%s = %d is not a valid value (0 .. %d)", field, value, last);
}

// The integer a C caller stored in an enum field. Read through memcpy: in C++,
// loading an enum object that holds a value outside the enum's range is
// undefined behaviour (and UBSan says so), and C callers may store anything.
template <class Enum>
int raw_enum_value(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &field, sizeof v);
  return v;
}

}  // namespace dispatch
}  // namespace ndconv
