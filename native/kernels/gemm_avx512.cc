// AVX-512 GEMM kernels (Skylake-X and later, Zen 4/5). Compiled with a target attribute, not a
// per-file -mavx512f, so the rest of the binary stays baseline x86-64; matmul.cc calls these
// only when the CPU reports AVX-512F (and the OS saves the zmm state).
//   float32: 12 x 32 tile (24 zmm accumulators), float64: 12 x 16 (the BLIS SKX shapes, row-major).
#include "gemm_kernels.h"

#if TG_GEMM_X86
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,fma")
#endif

namespace tg {
namespace gemm_impl {
namespace {

struct VecF32 {
  using T = float;
  using reg = __m512;
  static constexpr int W = 16;
  static reg zero() { return _mm512_setzero_ps(); }
  static reg loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, reg r) { _mm512_storeu_ps(p, r); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
};

struct VecF64 {
  using T = double;
  using reg = __m512d;
  static constexpr int W = 8;
  static reg zero() { return _mm512_setzero_pd(); }
  static reg loadu(const double* p) { return _mm512_loadu_pd(p); }
  static void storeu(double* p, reg r) { _mm512_storeu_pd(p, r); }
  static reg set1(double x) { return _mm512_set1_pd(x); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static reg add(reg a, reg b) { return _mm512_add_pd(a, b); }
};

}  // namespace
}  // namespace gemm_impl
}  // namespace tg

#include "gemm_template.h"

namespace tg {
namespace gemm_impl {

const GemmKernels<float>* kernels_avx512_f32() {
  // Blocks measured on a 16-core Sapphire Rapids class Xeon (2 MiB L2 per core, 2 threads,
  // bench/gemm_isa_check.cc swept with TG_GEMM_BLOCKS): 96 x 512 ran 218-224 GFLOP/s at
  // n = 512..2048, a@b and a@b.T alike; 144 x 192 ran 182-198, and larger MC (288-960) less.
  //                                 MR NV  MC   KC    NC
  static const auto t = make_table<VecF32, 12, 2, 96, 512, 4096>("avx512");
  return &t;
}
const GemmKernels<double>* kernels_avx512_f64() {
  static const auto t = make_table<VecF64, 12, 2, 96, 192, 4096>("avx512");
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
const GemmKernels<float>* kernels_avx512_f32() { return nullptr; }
const GemmKernels<double>* kernels_avx512_f64() { return nullptr; }
}  // namespace gemm_impl
}  // namespace tg

#endif
