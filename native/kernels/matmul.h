// Matrix multiply kernels. Operands are described by element strides, so transposed views
// are read in place, never copied first.
#pragma once
#include <cstdint>
#include "../core/dtype.h"

namespace tg {

// C[m,n] = A[m,k] @ B[k,n] (+ C if accumulate). Strides in elements: (rs*, cs*) = row, column.
void gemm(DType dt, int64_t m, int64_t n, int64_t k, const void* A, int64_t rsa, int64_t csa, const void* B,
          int64_t rsb, int64_t csb, void* C, int64_t rsc, int64_t csc, bool accumulate);

}  // namespace tg
