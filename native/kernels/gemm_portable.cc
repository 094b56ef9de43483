// Portable GEMM kernels: the baseline for any CPU (and what TG_SIMD=baseline forces).
// With GCC/Clang the "vector" is a 16-byte generic vector (SSE2 on x86-64, NEON on arm64);
// other compilers get plain scalars, which they are free to auto-vectorise.
//   float32: 4 x 16 tile, float64: 4 x 8.
#include "gemm_kernels.h"

namespace tg {
namespace gemm_impl {
namespace {

#if defined(__GNUC__) || defined(__clang__)
template <class T_>
struct Vec {
  using T = T_;
  static constexpr int W = 16 / sizeof(T);
  typedef T reg __attribute__((vector_size(16)));
  static reg zero() { return reg{}; }
  static reg loadu(const T* p) {
    reg r;
    __builtin_memcpy(&r, p, sizeof r);
    return r;
  }
  static void storeu(T* p, reg r) { __builtin_memcpy(p, &r, sizeof r); }
  static reg set1(T x) { return reg{} + x; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg add(reg a, reg b) { return a + b; }
};
#else
template <class T_>
struct Vec {
  using T = T_;
  using reg = T;
  static constexpr int W = 1;
  static reg zero() { return 0; }
  static reg loadu(const T* p) { return *p; }
  static void storeu(T* p, reg r) { *p = r; }
  static reg set1(T x) { return x; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg add(reg a, reg b) { return a + b; }
};
#endif

}  // namespace
}  // namespace gemm_impl
}  // namespace tg

#include "gemm_template.h"

namespace tg {
namespace gemm_impl {

// NV vectors per row: 16 columns of float32, 8 of float64, whatever the vector width.
const GemmKernels<float>* kernels_portable_f32() {
  static const auto t = make_table<Vec<float>, 4, 16 / Vec<float>::W, 128, 256, 4096>("portable");
  return &t;
}
const GemmKernels<double>* kernels_portable_f64() {
  static const auto t = make_table<Vec<double>, 4, 8 / Vec<double>::W, 64, 256, 4096>("portable");
  return &t;
}

}  // namespace gemm_impl
}  // namespace tg
