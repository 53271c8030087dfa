// The one place where ISA-specific instructions live: a small traits layer over
// xsimd's batch<float, Arch> (plus the few intrinsics xsimd 8.1 lacks or gets
// wrong). Kernel families are written once against `simd<Tag>` and
// instantiated per ISA in kernels/isa_<name>.cpp, each compiled with that
// ISA's flags only.
//
// Rules for code included by an ISA translation unit (why: the linker merges
// identical inline functions across TUs, and a copy compiled with AVX-512
// flags could then be what the scalar path calls on a CPU without AVX-512):
//  - everything lives in namespace ndconv::kernels::NDCONV_KERNEL_NS, a
//    different namespace per ISA TU;
//  - no std:: algorithms or containers in kernels (they are instantiated
//    with the TU's flags and merged); use the helpers below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#ifndef NDCONV_KERNEL_NS
#error "kernels/simd.hpp is included only from kernels/isa_<name>.cpp, which define NDCONV_KERNEL_NS"
#endif

#if defined(NDCONV_SIMD_X86)
#  include <immintrin.h>
#  include <xsimd/xsimd.hpp>
#elif defined(NDCONV_SIMD_NEON)
#  include <arm_neon.h>
#  include <xsimd/xsimd.hpp>
#endif

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

struct scalar_arch {};  // plain C++: a "vector" of one float

// The activation a fused epilogue applies: y = min(max(y, lo), hi).
// `max(lo, y)` is written with y second: x86 max/min return their second
// operand when either is NaN, so a NaN result propagates instead of being
// replaced by the bound.
template <class Arch>
struct simd;

template <>
struct simd<scalar_arch> {
  using vec = float;
  static constexpr size_t width = 1;
  static constexpr const char* isa = "scalar";  // kernel names' suffix (kernel_name.hpp)
  static vec zero() { return 0.0f; }
  static vec set1(float x) { return x; }
  static vec load(const float* p) { return *p; }
  static void store(float* p, vec v) { *p = v; }
  static vec load_partial(const float* p, size_t n) { return n ? *p : 0.0f; }
  static void store_partial(float* p, vec v, size_t n) { if (n) *p = v; }
  static vec fmadd(vec a, vec b, vec c) { return a * b + c; }
  // Lane l = v[l >> shift] (each of the first width >> shift lanes repeated
  // 1 << shift times): the input of a depthwise channel multiplier.
  static vec repeat_lanes(vec v, unsigned) { return v; }
  static vec add(vec a, vec b) { return a + b; }
  static vec max(vec lo, vec y) { return (y != y) ? y : (y < lo ? lo : y); }
  static vec min(vec hi, vec y) { return (y != y) ? y : (y > hi ? hi : y); }
  // max(a, b) that is NaN when either is (a running max keeps a NaN it met).
  static vec max_nan(vec a, vec b) { return (a != a) ? a : max(a, b); }
  static float reduce_max(vec v) { return v; }
  static float reduce_add(vec v) { return v; }
};

#if defined(NDCONV_SIMD_X86) && defined(__AVX2__) && defined(__FMA__)
using avx2_arch = xsimd::fma3<xsimd::avx2>;
template <>
struct simd<avx2_arch> {
  using vec = xsimd::batch<float, avx2_arch>;
  static constexpr size_t width = 8;
  static constexpr const char* isa = "avx2";  // kernel names' suffix (kernel_name.hpp)
  static __m256i tail_mask(size_t n) {
    // lanes [0, n) set: compare the lane index against n.
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane);
  }
  static vec zero() { return _mm256_setzero_ps(); }
  static vec set1(float x) { return _mm256_set1_ps(x); }
  static vec load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, vec v) { _mm256_storeu_ps(p, v); }
  // Masked: lanes at or past n are neither read nor written (no fault even if
  // they would cross into an unmapped page).
  static vec load_partial(const float* p, size_t n) { return _mm256_maskload_ps(p, tail_mask(n)); }
  static void store_partial(float* p, vec v, size_t n) { _mm256_maskstore_ps(p, tail_mask(n), v); }
  static vec fmadd(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
  static vec repeat_lanes(vec v, unsigned shift) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_permutevar8x32_ps(v, _mm256_srl_epi32(lane, _mm_cvtsi32_si128(static_cast<int>(shift))));
  }
  static vec add(vec a, vec b) { return _mm256_add_ps(a, b); }
  static vec max(vec lo, vec y) { return _mm256_max_ps(lo, y); }
  static vec min(vec hi, vec y) { return _mm256_min_ps(hi, y); }
  static vec max_nan(vec a, vec b) {
    return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
  }
  static float reduce_max(vec v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
  }
  static float reduce_add(vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
};
#endif

#if defined(NDCONV_SIMD_X86) && defined(__AVX512F__)
using avx512_arch = xsimd::avx512bw;
template <>
struct simd<avx512_arch> {
  using vec = xsimd::batch<float, avx512_arch>;
  static constexpr size_t width = 16;
  static constexpr const char* isa = "avx512";  // kernel names' suffix (kernel_name.hpp)
  static __mmask16 tail_mask(size_t n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static vec zero() { return _mm512_setzero_ps(); }
  static vec set1(float x) { return _mm512_set1_ps(x); }
  static vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
  static vec load_partial(const float* p, size_t n) { return _mm512_maskz_loadu_ps(tail_mask(n), p); }
  static void store_partial(float* p, vec v, size_t n) { _mm512_mask_storeu_ps(p, tail_mask(n), v); }
  // xsimd 8.1's fma on avx512f compiles to a multiply and an add: use the
  // intrinsic so every microkernel issues real vfmadd instructions.
  static vec fmadd(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
  static vec repeat_lanes(vec v, unsigned shift) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm512_permutexvar_ps(_mm512_srl_epi32(lane, _mm_cvtsi32_si128(static_cast<int>(shift))), v);
  }
  // Lanes of the 32 floats (lo, hi) by index (16 .. 31 from hi).
  static vec permute2(vec lo, const int32_t* index, vec hi) {
    return _mm512_permutex2var_ps(lo, _mm512_loadu_si512(index), hi);
  }
  static vec add(vec a, vec b) { return _mm512_add_ps(a, b); }
  // GCC 12 reports a false -Wmaybe-uninitialized from avx512fintrin.h here:
  // _mm512_max_ps/_mm512_min_ps (also used by _mm512_reduce_max_ps) pass
  // _mm512_undefined_ps() as the pass-through of an all-ones mask, which is
  // never read. Silenced only around these three functions.
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  static vec max(vec lo, vec y) { return _mm512_max_ps(lo, y); }
  static vec min(vec hi, vec y) { return _mm512_min_ps(hi, y); }
  static vec max_nan(vec a, vec b) {
    return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
  }
  static float reduce_max(vec v) { return _mm512_reduce_max_ps(v); }
  static float reduce_add(vec v) { return _mm512_reduce_add_ps(v); }
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic pop
#endif
};
#endif

#if defined(NDCONV_SIMD_NEON)
using neon_arch = xsimd::neon64;
template <>
struct simd<neon_arch> {
  using vec = xsimd::batch<float, neon_arch>;
  static constexpr size_t width = 4;
  static constexpr const char* isa = "neon";  // kernel names' suffix (kernel_name.hpp)
  static vec zero() { return vdupq_n_f32(0.0f); }
  static vec set1(float x) { return vdupq_n_f32(x); }
  static vec load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, vec v) { vst1q_f32(p, v); }
  // NEON has no masked memory access: go through a small stack buffer so no
  // byte past p[n-1] is touched.
  static vec load_partial(const float* p, size_t n) {
    float tmp[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::memcpy(tmp, p, n * sizeof(float));
    return vld1q_f32(tmp);
  }
  static void store_partial(float* p, vec v, size_t n) {
    float tmp[4];
    vst1q_f32(tmp, v);
    std::memcpy(p, tmp, n * sizeof(float));
  }
  static vec fmadd(vec a, vec b, vec c) { return vfmaq_f32(c, a, b); }
  // shift is 1 here (width 4: multipliers 2); 0 leaves v as it is.
  static vec repeat_lanes(vec v, unsigned shift) {
    if (shift == 0) return v;
    return vzip1q_f32(v, v);
  }
  static vec add(vec a, vec b) { return vaddq_f32(a, b); }
  // fmax/fmin NaN rules differ from x86: vmaxq returns NaN if either is NaN,
  // which also propagates a NaN result.
  static vec max(vec lo, vec y) { return vmaxq_f32(lo, y); }
  static vec min(vec hi, vec y) { return vminq_f32(hi, y); }
  static vec max_nan(vec a, vec b) { return vmaxq_f32(a, b); }  // NaN if either is
  static float reduce_max(vec v) { return vmaxvq_f32(v); }
  static float reduce_add(vec v) { return vaddvq_f32(v); }
};
#endif

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
