// The integer a C caller stored in an enum, read without an enum load.
#pragma once

#include <cstring>

namespace ndconv {
namespace dispatch {

// Read through memcpy: in C++, loading an enum object that holds a value
// outside the enum's range is undefined behaviour (clang's UBSan,
// -fsanitize=enum, says so), and C callers may store or pass anything.
// For descriptor fields and for enum parameters of the C API alike.
template <class Enum>
int raw_enum_value(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &field, sizeof v);
  return v;
}

}  // namespace dispatch
}  // namespace ndconv
