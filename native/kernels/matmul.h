// Matrix multiply kernels. Operands are described by element strides, so transposed views
// are read in place (by the packing routines), never copied first.
#pragma once
#include <cstdint>
#include "../core/dtype.h"

namespace tg {

// C[m,n] = A[m,k] @ B[k,n] (+ C if accumulate). Strides in elements: (rs*, cs*) = row, column.
// float32/float64 run the packed, cache-blocked, multi-threaded SIMD GEMM; integer types a
// reference loop (wrapping on overflow, like PyTorch). k == 0 writes zeros (or leaves C).
void gemm(DType dt, int64_t m, int64_t n, int64_t k, const void* A, int64_t rsa, int64_t csa, const void* B,
          int64_t rsb, int64_t csb, void* C, int64_t rsc, int64_t csc, bool accumulate);

// The instruction set the float GEMM of `dt` uses on this CPU: "avx512", "avx2" or
// "portable" ("reference" for integer types). TG_SIMD=baseline|avx2|avx512 caps the choice.
const char* gemm_isa(DType dt);

}  // namespace tg
