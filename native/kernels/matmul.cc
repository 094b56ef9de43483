// Reference GEMM: a straightforward loop order that vectorises when B's rows are contiguous.
// (The packed, blocked, SIMD version replaces this for float32/float64.)
#include "matmul.h"
#include <cstring>
#include <vector>
#include "../core/error.h"
#include "parallel.h"

namespace tg {

namespace {

template <class T>
void gemm_ref(int64_t m, int64_t n, int64_t k, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb,
              int64_t csb, T* C, int64_t rsc, int64_t csc, bool accumulate) {
  parallel_for(m, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, n * k)), [&](int64_t i0, int64_t i1) {
    std::vector<T> row(static_cast<size_t>(n));
    for (int64_t i = i0; i < i1; i++) {
      std::fill(row.begin(), row.end(), T(0));
      for (int64_t p = 0; p < k; p++) {
        T a = A[i * rsa + p * csa];
        const T* b = B + p * rsb;
        if (csb == 1)
          for (int64_t j = 0; j < n; j++) row[j] += a * b[j];
        else
          for (int64_t j = 0; j < n; j++) row[j] += a * b[j * csb];
      }
      T* c = C + i * rsc;
      for (int64_t j = 0; j < n; j++) c[j * csc] = accumulate ? T(c[j * csc] + row[j]) : row[j];
    }
  });
}

}  // namespace

void gemm(DType dt, int64_t m, int64_t n, int64_t k, const void* A, int64_t rsa, int64_t csa, const void* B,
          int64_t rsb, int64_t csb, void* C, int64_t rsc, int64_t csc, bool accumulate) {
  TG_DISPATCH_NUMERIC(dt, [&] {
    gemm_ref<scalar_t>(m, n, k, static_cast<const scalar_t*>(A), rsa, csa, static_cast<const scalar_t*>(B), rsb, csb,
                       static_cast<scalar_t*>(C), rsc, csc, accumulate);
  });
}

}  // namespace tg
