#include "plan/wisdom.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include "api/error.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {
namespace {

// The cache's strings and nodes live in dispatch::allocate's memory, like
// everything else a create allocates (counted by the tests' fault injector).
template <class T>
struct DispatchAllocator {
  using value_type = T;
  DispatchAllocator() = default;
  template <class U>
  DispatchAllocator(const DispatchAllocator<U>&) {}
  T* allocate(size_t n) {
    void* p = dispatch::allocate(n * sizeof(T));
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { dispatch::deallocate(p); }
  template <class U>
  bool operator==(const DispatchAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const DispatchAllocator<U>&) const { return false; }
};
using CacheString = std::basic_string<char, std::char_traits<char>, DispatchAllocator<char>>;
using CacheMap = std::map<CacheString, CacheString, std::less<CacheString>,
                          DispatchAllocator<std::pair<const CacheString, CacheString>>>;

struct Cache {
  std::mutex mutex;
  CacheMap entries;  // sorted: export is deterministic
};

Cache& cache() {
  static Cache c;
  return c;
}

// Largest wisdom file read (a line per shape: far more than any model has).
constexpr long kMaxFileBytes = 16 << 20;

// Appends like snprintf into the key's fixed buffer (never overflows it).
void append(ShapeKey* key, size_t* length, const char* format, long long value) {
  const size_t left = *length < sizeof key->text ? sizeof key->text - *length : 0;
  const int n = std::snprintf(key->text + *length, left, format, value);
  if (n > 0) *length = std::min(*length + static_cast<size_t>(n), sizeof key->text - 1);
}

void append_dims(ShapeKey* key, size_t* length, const char* tag, const int64_t* v, int rank) {
  for (int d = 0; d < rank; ++d) append(key, length, d ? ",%lld" : tag, static_cast<long long>(v[d]));
}

bool known_isa_prefix(const std::string& key) {
  for (ndconv_isa isa : {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512, NDCONV_ISA_NEON}) {
    const std::string prefix = std::string(ndconv_isa_name(isa)) + ":";
    if (key.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

// One line of wisdom split into its two fields; false with the error
// recorded when it is not "<key> <candidate>".
ndconv_status parse_entry(const std::string& line, size_t number,
                          std::pair<std::string, std::string>* entry) {
  std::istringstream fields(line);
  std::string key, candidate, extra;
  fields >> key >> candidate >> extra;
  if (candidate.empty() || !extra.empty())
    return failf(NDCONV_INVALID_ARGUMENT, "wisdom line %zu: expected '<key> <candidate>', got '%.80s'",
                 number, line.c_str());
  if (key.size() > kMaxKeyChars || !known_isa_prefix(key))
    return failf(NDCONV_INVALID_ARGUMENT, "wisdom line %zu: key '%.80s' does not start with an ISA name",
                 number, key.c_str());
  if (candidate.size() > kMaxCandidateChars)
    return failf(NDCONV_INVALID_ARGUMENT, "wisdom line %zu: candidate '%.80s' is longer than %zu characters",
                 number, candidate.c_str(), kMaxCandidateChars);
  *entry = {key, candidate};
  return NDCONV_OK;
}

// The header "ndconv-wisdom <version>".
ndconv_status parse_header(const std::string& line) {
  int version = 0;
  char rest = 0;
  if (std::sscanf(line.c_str(), "ndconv-wisdom %d %c", &version, &rest) != 1)
    return failf(NDCONV_INVALID_ARGUMENT, "wisdom line 1 is '%.80s', expected 'ndconv-wisdom %d'",
                 line.c_str(), kWisdomVersion);
  if (version != kWisdomVersion)
    return failf(NDCONV_UNSUPPORTED, "wisdom version %d is not supported (this library reads version %d)",
                 version, kWisdomVersion);
  return NDCONV_OK;
}

const char* activation_name(ndconv_activation a) {
  return a == NDCONV_ACT_RELU ? "relu" : a == NDCONV_ACT_CLAMP ? "clamp" : "none";
}

}  // namespace

ShapeKey shape_key(const ConvShape& s, ndconv_isa isa) {
  ShapeKey key;
  size_t length = 0;
  const int n = std::snprintf(key.text, sizeof key.text, "%s:%s:%s", ndconv_isa_name(isa),
                              s.layout == NDCONV_NXC ? "nxc" : "ncx", s.weight_layout == NDCONV_XIO ? "xio" : "oix");
  length = n > 0 ? static_cast<size_t>(n) : 0;
  append(&key, &length, ":r%lld", s.rank);
  append(&key, &length, ":n%lld", static_cast<long long>(s.batch));
  append(&key, &length, ":i%lld", static_cast<long long>(s.in_channels));
  append(&key, &length, ":o%lld", static_cast<long long>(s.out_channels));
  append(&key, &length, ":g%lld", static_cast<long long>(s.groups));
  append_dims(&key, &length, ":x%lld", s.in_size, s.rank);
  append_dims(&key, &length, ":k%lld", s.kernel, s.rank);
  append_dims(&key, &length, ":s%lld", s.stride, s.rank);
  append_dims(&key, &length, ":d%lld", s.dilation, s.rank);
  append_dims(&key, &length, ":pb%lld", s.pad_begin, s.rank);
  append_dims(&key, &length, ":pe%lld", s.pad_end, s.rank);
  std::snprintf(key.text + length, sizeof key.text - length, ":%s", activation_name(s.activation));
  return key;
}

bool wisdom_lookup(const char* key, char* candidate) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.entries.find(CacheString(key));
  if (it == c.entries.end()) return false;
  std::snprintf(candidate, kMaxCandidateChars + 1, "%s", it->second.c_str());
  return true;
}

void wisdom_store(const char* key, const char* candidate) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.entries[CacheString(key)] = CacheString(candidate);
}

void wisdom_clear() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.entries.clear();
}

size_t wisdom_export(char* buf, size_t size) {
  std::string text = "ndconv-wisdom " + std::to_string(kWisdomVersion) + "\n";
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    for (const auto& e : c.entries) text += std::string(e.first.c_str()) + " " + e.second.c_str() + "\n";
  }
  if (buf && size) {
    const size_t n = text.size() < size - 1 ? text.size() : size - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
  }
  return text.size();
}

ndconv_status wisdom_import(const char* text) {
  if (text == nullptr) return fail(NDCONV_INVALID_ARGUMENT, "wisdom text is NULL");
  std::istringstream lines(text);
  std::string line;
  std::vector<std::pair<std::string, std::string>> entries;
  size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      const ndconv_status st = parse_header(line);
      if (st != NDCONV_OK) return st;
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#')
      continue;
    std::pair<std::string, std::string> entry;
    const ndconv_status st = parse_entry(line, number, &entry);
    if (st != NDCONV_OK) return st;
    entries.push_back(std::move(entry));
  }
  if (number == 0) return fail(NDCONV_INVALID_ARGUMENT, "wisdom text is empty (no 'ndconv-wisdom 1' line)");
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& e : entries) c.entries[CacheString(e.first.c_str())] = CacheString(e.second.c_str());
  return NDCONV_OK;
}

ndconv_status wisdom_import_file(const char* path) {
  if (path == nullptr) return fail(NDCONV_INVALID_ARGUMENT, "wisdom path is NULL");
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return failf(NDCONV_INVALID_ARGUMENT, "wisdom file '%s': %s", path, std::strerror(errno));
  std::string text;
  char chunk[4096];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0 && text.size() <= size_t(kMaxFileBytes))
    text.append(chunk, n);
  const bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  if (read_error) return failf(NDCONV_INVALID_ARGUMENT, "wisdom file '%s': read error", path);
  if (text.size() > size_t(kMaxFileBytes))
    return failf(NDCONV_INVALID_ARGUMENT, "wisdom file '%s' is larger than %ld bytes", path, kMaxFileBytes);
  if (text.find('\0') != std::string::npos)
    return failf(NDCONV_INVALID_ARGUMENT, "wisdom file '%s' is not text (a NUL byte)", path);
  return wisdom_import(text.c_str());
}

ndconv_status wisdom_export_file(const char* path) {
  if (path == nullptr) return fail(NDCONV_INVALID_ARGUMENT, "wisdom path is NULL");
  std::string text(wisdom_export(nullptr, 0), '\0');
  wisdom_export(&text[0], text.size() + 1);
  std::FILE* f = std::fopen(path, "wb");
  if (!f) return failf(NDCONV_INVALID_ARGUMENT, "wisdom file '%s': %s", path, std::strerror(errno));
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !written) return failf(NDCONV_INVALID_ARGUMENT, "wisdom file '%s': write error", path);
  return NDCONV_OK;
}

void wisdom_load_environment_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* path = std::getenv("NDCONV_WISDOM");
    if (path == nullptr || *path == '\0') return;
    std::FILE* probe = std::fopen(path, "rb");
    if (!probe && errno == ENOENT) return;  // not measured on this machine yet
    if (probe) std::fclose(probe);
    if (wisdom_import_file(path) != NDCONV_OK)
      std::fprintf(stderr, "ndconv: NDCONV_WISDOM: %s; ignored\n", ndconv_last_error());
  });
}

}  // namespace dispatch
}  // namespace ndconv
