// The names of kernel-table entries, built at compile time per ISA (the
// scheme: kernels/kernel_table.h). A name is a string constant with static
// storage, so the table only holds a pointer to it.
#pragma once

#include <cstddef>

#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

// A fixed-size string a constant expression can build. Writing past `text`
// is an out-of-bounds write, which fails the constant evaluation: a name
// too long does not compile.
struct KernelName {
  char text[64] = {};
  size_t size = 0;

  constexpr KernelName& append(const char* s) {
    while (*s) text[size++] = *s++;
    return *this;
  }
  constexpr KernelName& append(size_t n) {
    char digits[20] = {};
    size_t count = 0;
    do {
      digits[count++] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n);
    while (count) text[size++] = digits[--count];
    return *this;
  }
};

// The kernel families and addressings a name starts with (the Kind of
// kernel_name below).
struct GemmRowptrKind { static constexpr const char* text = "f32_gemm_rowptr"; };
struct GemmRowptrDotKind { static constexpr const char* text = "f32_gemm_rowptr_dot"; };
struct GemmRowptrSmallKKind { static constexpr const char* text = "f32_gemm_rowptr_small_k"; };
struct GemmRowstrideKind { static constexpr const char* text = "f32_gemm_rowstride"; };
struct GemmColsKind { static constexpr const char* text = "f32_gemm_cols"; };
struct GroupedNxcKind { static constexpr const char* text = "f32_grouped_nxc"; };
struct GroupedNcxKind { static constexpr const char* text = "f32_grouped_ncx"; };

// "<kind>_<rows>x<cols>__<isa>", e.g. f32_gemm_rowptr_14x32__avx512: the
// tile a call computes in registers, rows x columns (floats).
template <class Arch, class Kind, size_t Rows, size_t Cols>
inline constexpr KernelName kernel_name =
    KernelName().append(Kind::text).append("_").append(Rows).append("x").append(Cols).append("__").append(
        simd<Arch>::isa);

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
