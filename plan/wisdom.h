// The measure mode's cache: shape key -> candidate name, per process, and
// its text form ("wisdom", ndconv_wisdom_*; README "Measure mode and
// wisdom"). Thread-safe: one mutex around the map; lookups copy out.
#pragma once

#include <cstddef>
#include <string>

#include "api/conv_shape.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

constexpr int kWisdomVersion = 1;
// Longest key (rank 8, every size at its 19 digits: under 1100) and
// candidate name accepted.
constexpr size_t kMaxKeyChars = 1279;
constexpr size_t kMaxCandidateChars = 63;

// Every field of the validated descriptor that can change a plan, and the
// ISA, as one token, e.g. "avx512:nxc:xio:r2:n1:i64:o64:g1:x56,56:k3,3:s1,1:d1,1:pb1,1:pe1,1:relu".
// A fixed buffer: create allocates only through dispatch::allocate.
struct ShapeKey {
  char text[kMaxKeyChars + 1] = {};
  const char* c_str() const { return text; }
};
ShapeKey shape_key(const ConvShape& s, ndconv_isa isa);

// The cached candidate name of `key`, if any, copied into `candidate`
// (kMaxCandidateChars + 1 bytes). The cache's memory comes from
// dispatch::allocate: running out throws std::bad_alloc.
bool wisdom_lookup(const char* key, char* candidate);
void wisdom_store(const char* key, const char* candidate);
void wisdom_clear();

// The text: "ndconv-wisdom 1", then "<key> <candidate>" lines sorted by key.
// snprintf's contract.
size_t wisdom_export(char* buf, size_t size);
// Parses all of `text` first; merges only if it is valid (see ndconv.h).
ndconv_status wisdom_import(const char* text);
ndconv_status wisdom_import_file(const char* path);
ndconv_status wisdom_export_file(const char* path);

// Imports the file NDCONV_WISDOM names, once per process (the first create).
void wisdom_load_environment_once();

}  // namespace dispatch
}  // namespace ndconv
