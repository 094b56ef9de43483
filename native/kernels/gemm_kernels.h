// The per-ISA pieces of the packed GEMM (matmul.cc drives them). Each instruction set
// (portable C++, AVX2+FMA, AVX-512) fills one GemmKernels table per float type from the same
// template (gemm_template.h), compiled for that ISA in its own gemm_<isa>.cc.
//
// Layouts, as in BLIS (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating
// BLAS Functionality"):
//   packed A: ceil(mc/MR) micro-panels, each kc columns of MR values  (Ap[p*MR + r])
//   packed B: ceil(nc/NR) micro-panels, each kc rows    of NR values  (Bp[p*NR + j])
// Partial panels are zero-padded, so the micro-kernel always computes a full MR x NR tile.
// The micro-kernel keeps the tile in registers: vectors run along a row of C (NR), values of
// A are broadcast (MR rows), so C must have unit column stride (matmul.cc arranges that).
#pragma once
#include <cstdint>
#include <type_traits>

// The x86-64 SIMD kernels need GCC/Clang target attributes; elsewhere (or when built with
// -DTG_GEMM_PORTABLE_ONLY, which also tests that path on x86) only the portable ones exist.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(TG_GEMM_PORTABLE_ONLY)
#define TG_GEMM_X86 1
#else
#define TG_GEMM_X86 0
#endif

namespace tg {
namespace gemm_impl {

// The largest MR x NR of any table (edge tiles go through a buffer of this size).
constexpr int kMaxTile = 12 * 32;

template <class T>
struct GemmKernels {
  const char* isa;        // "avx512", "avx2", "portable"
  int mr, nr;             // register tile
  int mc, kc, nc;         // cache blocks: A block mc x kc (L2), B panel kc x nc (L3)
  // Packs A[0:mc, 0:kc] (element strides rs, cs) into MR-row micro-panels.
  void (*pack_a)(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* out);
  // Packs B[0:kc, 0:nc] (element strides rs, cs) into NR-column micro-panels.
  void (*pack_b)(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* out);
  // C[0:MR, 0:NR] (row stride rsc, unit column stride) = (accumulate ? C : 0) + A @ B, where
  // B row p is NR contiguous values at b + p * ldb (a packed panel has ldb = NR) and
  // A(i, p) = a[p * lda + i] (a packed panel has lda = MR; or a column-major matrix).
  void (*ukernel)(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t rsc, bool accumulate);
  // The same with A(i, p) = a[i * lda + p]: a row-major matrix read in place.
  void (*ukernel_rows)(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t rsc,
                       bool accumulate);
  // sum(a[i] * b[i]) over contiguous a, b.
  T (*dot)(int64_t n, const T* a, const T* b);
  // y[i] += alpha * x[i] over contiguous x, y.
  void (*axpy)(int64_t n, T alpha, const T* x, T* y);
};

// Each returns null when its ISA was not compiled in (non-x86 builds, other compilers).
const GemmKernels<float>* kernels_portable_f32();
const GemmKernels<double>* kernels_portable_f64();
const GemmKernels<float>* kernels_avx2_f32();
const GemmKernels<double>* kernels_avx2_f64();
const GemmKernels<float>* kernels_avx512_f32();
const GemmKernels<double>* kernels_avx512_f64();

}  // namespace gemm_impl
}  // namespace tg
