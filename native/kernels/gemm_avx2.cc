// AVX2 + FMA GEMM kernels (Haswell and later, Zen). Compiled with a target attribute, not a
// per-file -mavx2, so the rest of the binary stays baseline x86-64; matmul.cc calls these
// only when the CPU reports AVX2 and FMA.
//   float32: 6 x 16 tile (12 ymm accumulators), float64: 6 x 8 (the BLIS Haswell shapes).
#include "gemm_kernels.h"

#if TG_GEMM_X86
#include <immintrin.h>
#include <type_traits>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace tg {
namespace gemm_impl {
namespace {

struct VecF32 {
  using T = float;
  using reg = __m256;
  static constexpr int W = 8;
  static reg zero() { return _mm256_setzero_ps(); }
  static reg loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, reg r) { _mm256_storeu_ps(p, r); }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  // r[i] <- column i of the 8 x 8 matrix whose rows are r[0..7].
  static void transpose(reg* r) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
  }
};

struct VecF64 {
  using T = double;
  using reg = __m256d;
  static constexpr int W = 4;
  static reg zero() { return _mm256_setzero_pd(); }
  static reg loadu(const double* p) { return _mm256_loadu_pd(p); }
  static void storeu(double* p, reg r) { _mm256_storeu_pd(p, r); }
  static reg set1(double x) { return _mm256_set1_pd(x); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static reg add(reg a, reg b) { return _mm256_add_pd(a, b); }
};

}  // namespace
}  // namespace gemm_impl
}  // namespace tg

#include "gemm_template.h"

namespace tg {
namespace gemm_impl {

const GemmKernels<float>* kernels_avx2_f32() {
  //                                 MR NV   MC   KC    NC
  static const auto t = make_table<VecF32, 6, 2, 144, 256, 4096>("avx2");
  return &t;
}
const GemmKernels<double>* kernels_avx2_f64() {
  static const auto t = make_table<VecF64, 6, 2, 72, 256, 4096>("avx2");
  return &t;
}

}  // namespace gemm_impl
}  // namespace tg

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else  // !TG_GEMM_X86

namespace tg {
namespace gemm_impl {
const GemmKernels<float>* kernels_avx2_f32() { return nullptr; }
const GemmKernels<double>* kernels_avx2_f64() { return nullptr; }
}  // namespace gemm_impl
}  // namespace tg

#endif
