// The byte encoding the fuzz targets read their descriptors from, and the
// writer the seed-corpus generator (make_corpus.cpp) uses to produce it.
//
// Why not raw struct bytes: a mutated raw int64 is almost never a small valid
// size, so the fuzzer would spend its time on descriptors rejected at the
// first field. Here one tag byte encodes a small value directly, an extreme
// from a fixed table (INT64_MAX, 2^31, 2^62...), or announces 8 raw bytes, so
// both the valid region and the overflow edges are a single mutation away.
// Reading past the end yields zeros (a zero-filled desc is the API's default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace ndconv {
namespace fuzz {

// Integers. Tag t: t < kSmallCount -> t + kSmallMin (so -8 .. 215);
// kSmallCount <= t < kRawTag -> kExtremes[t - kSmallCount]; t >= kRawTag ->
// the next 8 bytes, little-endian.
constexpr int kSmallMin = -8;
constexpr unsigned kSmallCount = 0xE0;
constexpr unsigned kRawTag = 0xF0;
constexpr int64_t kExtremes[kRawTag - kSmallCount] = {
    std::numeric_limits<int64_t>::max(),
    std::numeric_limits<int64_t>::min(),
    std::numeric_limits<int64_t>::max() / 2,
    std::numeric_limits<int64_t>::max() / 4 + 1,
    int64_t{1} << 62,
    int64_t{1} << 32,
    (int64_t{1} << 31) - 1,
    int64_t{1} << 31,
    3037000500,            // just above sqrt(INT64_MAX): squares overflow
    3037000499,            // just below
    int64_t{1} << 21,      // cubes overflow (2^63)
    (int64_t{1} << 20) + 1,
    65537,
    -(int64_t{1} << 31),
    -1000000007,
    std::numeric_limits<int64_t>::max() - 1,
};

// Floats (act_min, act_max). Tag t: t < 0xF0 -> (t - 120) / 8 (so -15 .. 14.875);
// 0xF0 .. 0xF7 -> kFloatExtremes; t >= 0xF8 -> the next 4 bytes.
constexpr unsigned kFloatSpecialTag = 0xF0;
constexpr unsigned kFloatRawTag = 0xF8;
constexpr float kFloatExtremes[kFloatRawTag - kFloatSpecialTag] = {
    std::numeric_limits<float>::quiet_NaN(),
    std::numeric_limits<float>::infinity(),
    -std::numeric_limits<float>::infinity(),
    std::numeric_limits<float>::max(),
    -std::numeric_limits<float>::max(),
    std::numeric_limits<float>::denorm_min(),
    -0.0f,
    -std::numeric_limits<float>::quiet_NaN(),
};

// Quantization scales (int8 descriptors). Tag t < kScaleSpecialTag ->
// (1 + (t & 7) / 8) * 2^((t >> 3) - 20), so 2^-20 .. 2^7.75: the realistic
// range (input_scale * weight_scale / output_scale from 2^-20 to 2^20) is one
// byte away; kScaleSpecialTag .. kScaleRawTag - 1 -> kScaleExtremes (every
// kind of value the API must reject, and the valid extremes whose products
// overflow or underflow float32); t >= kScaleRawTag -> the next 4 bytes.
constexpr unsigned kScaleSpecialTag = 0xE0;
constexpr unsigned kScaleRawTag = 0xF0;
constexpr float kScaleExtremes[kScaleRawTag - kScaleSpecialTag] = {
    0.0f,
    -0.0f,
    -1.0f,
    std::numeric_limits<float>::quiet_NaN(),
    -std::numeric_limits<float>::quiet_NaN(),
    std::numeric_limits<float>::infinity(),
    -std::numeric_limits<float>::infinity(),
    std::numeric_limits<float>::max(),
    std::numeric_limits<float>::denorm_min(),
    std::numeric_limits<float>::min(),
    0x1p-140f,  // denormal
    0x1p-100f,
    0x1p100f,
    0x1p127f,
    -std::numeric_limits<float>::min(),
    0x1.fffffep-1f,
};

inline float scale_from_tag(unsigned t) {
  return (1.0f + static_cast<float>(t & 7u) / 8.0f) * std::ldexp(1.0f, static_cast<int>(t >> 3) - 20);
}

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  int64_t integer() {
    if (remaining() == 0) return 0;
    const unsigned t = byte();
    if (t < kSmallCount) return static_cast<int64_t>(t) + kSmallMin;
    if (t < kRawTag) return kExtremes[t - kSmallCount];
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(byte()) << (8 * i);
    int64_t r;
    std::memcpy(&r, &v, sizeof r);
    return r;
  }

  // The low 32 bits of integer(), as the two's-complement int32 they spell.
  int32_t integer32() {
    const uint64_t v = static_cast<uint64_t>(integer());
    const uint32_t low = static_cast<uint32_t>(v);
    int32_t r;
    std::memcpy(&r, &low, sizeof r);
    return r;
  }

  // Stores integer32() into an enum field with memcpy: forming an enum value
  // outside its enumerators is UB in C++, but the C API must reject exactly
  // those bytes, so they are written as the C caller would write them.
  template <class Enum>
  void enumeration(Enum* field) {
    static_assert(sizeof(Enum) == sizeof(int32_t), "C enums are int-sized here");
    const int32_t v = integer32();
    std::memcpy(field, &v, sizeof v);
  }

  float real() {
    if (remaining() == 0) return 0.0f;
    const unsigned t = byte();
    if (t < kFloatSpecialTag) return (static_cast<float>(t) - 120.0f) / 8.0f;
    if (t < kFloatRawTag) return kFloatExtremes[t - kFloatSpecialTag];
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(byte()) << (8 * i);
    float r;
    std::memcpy(&r, &v, sizeof r);
    return r;
  }

  float scale() {
    if (remaining() == 0) return 0.0f;
    const unsigned t = byte();
    if (t < kScaleSpecialTag) return scale_from_tag(t);
    if (t < kScaleRawTag) return kScaleExtremes[t - kScaleSpecialTag];
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(byte()) << (8 * i);
    float r;
    std::memcpy(&r, &v, sizeof r);
    return r;
  }

  size_t remaining() const { return pos_ < size_ ? size_ - pos_ : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// The inverse, for the corpus generator: the shortest encoding of each value.
class ByteWriter {
 public:
  void byte(uint8_t b) { bytes_.push_back(b); }

  void integer(int64_t v) {
    if (v >= kSmallMin && v < kSmallMin + static_cast<int64_t>(kSmallCount)) {
      byte(static_cast<uint8_t>(v - kSmallMin));
      return;
    }
    for (unsigned i = 0; i < kRawTag - kSmallCount; ++i)
      if (kExtremes[i] == v) {
        byte(static_cast<uint8_t>(kSmallCount + i));
        return;
      }
    byte(kRawTag);
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(u >> (8 * i)));
  }

  void real(float v) {
    const float scaled = v * 8.0f + 120.0f;
    if (scaled >= 0.0f && scaled < static_cast<float>(kFloatSpecialTag) &&
        scaled == static_cast<float>(static_cast<int>(scaled)) && !(v == 0.0f && std::signbit(v))) {
      byte(static_cast<uint8_t>(scaled));
      return;
    }
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    for (unsigned i = 0; i < kFloatRawTag - kFloatSpecialTag; ++i) {
      uint32_t e;
      std::memcpy(&e, &kFloatExtremes[i], sizeof e);
      if (e == u) {
        byte(static_cast<uint8_t>(kFloatSpecialTag + i));
        return;
      }
    }
    byte(kFloatRawTag);
    for (int i = 0; i < 4; ++i) byte(static_cast<uint8_t>(u >> (8 * i)));
  }

  void scale(float v) {
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    for (unsigned t = 0; t < kScaleRawTag; ++t) {
      const float candidate = t < kScaleSpecialTag ? scale_from_tag(t) : kScaleExtremes[t - kScaleSpecialTag];
      uint32_t c;
      std::memcpy(&c, &candidate, sizeof c);
      if (c == u) {
        byte(static_cast<uint8_t>(t));
        return;
      }
    }
    byte(kScaleRawTag);
    for (int i = 0; i < 4; ++i) byte(static_cast<uint8_t>(u >> (8 * i)));
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace fuzz
}  // namespace ndconv
