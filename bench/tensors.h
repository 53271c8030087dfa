// Test data and layout conversions for the benchmark's correctness check. The
// bench keeps every tensor's logical copy in NCX activations / OIX weights and
// converts to what each implementation is handed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "shapes.h"

namespace ndconv_bench {

// Allocates on 64-byte (cache-line) boundaries, as inference runtimes
// allocate their tensors (PyTorch's CPU allocator, ONNX Runtime, oneDNN's
// own memory objects): the tensors ndconv is timed on. A plain std::vector
// of a few MiB sits 16 bytes past a page boundary, so every 64-byte vector
// access straddles two cache lines; oneDNN, handed copies in its own
// 64-byte aligned memory, would be timed on different terms.
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlignment); }
  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const CacheLineAllocator<U>&) const { return false; }
};
using AlignedFloats = std::vector<float, CacheLineAllocator<float>>;
using AlignedBytes = std::vector<uint8_t, CacheLineAllocator<uint8_t>>;

// Deterministic uniform values in [-1, 1).
std::vector<float> random_tensor(int64_t count, uint32_t seed);

// [N, C, X...] <-> [N, X..., C].
std::vector<float> ncx_to_nxc(const std::vector<float>& ncx, int64_t batch, int64_t channels,
                              int64_t pixels);
std::vector<float> nxc_to_ncx(const std::vector<float>& nxc, int64_t batch, int64_t channels,
                              int64_t pixels);
// [C_out, C_in/g, K...] -> [K..., C_in/g, C_out].
std::vector<float> oix_to_xio(const std::vector<float>& oix, int64_t out_channels,
                              int64_t in_per_group, int64_t taps);

std::vector<float> absolute(const std::vector<float>& values);

// Float64 direct convolution on NCX / OIX data, independent of ndconv's own
// reference (the bench must not check ndconv against itself). Fills `out` and
// `terms` (per output element: sum |x*w| + |bias|, the API.md error scale).
void reference_conv(const BenchShape& shape, const std::vector<float>& input,
                    const std::vector<float>& weights, const std::vector<float>& bias,
                    std::vector<double>* out, std::vector<double>* terms);

}  // namespace ndconv_bench
