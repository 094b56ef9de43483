// Kernels for the extra elementwise ops (ops/math_extra.cc) and for scans and sorting
// (ops/sort.cc). Inputs arrive contiguous (the op layer copies when needed); outputs are
// fresh contiguous tensors. Semantics follow PyTorch's CPU kernels.
#pragma once
#include "../core/tensor.h"

namespace tg {

enum class UnaryExtra {
  Floor, Ceil, Round, Trunc, Frac, Expm1, Exp2, Log2, Log10, Asin, Acos, Atan, Sinh, Cosh, Erf, Erfc, Erfinv,
};
// out = f(a); same dtype and numel, both contiguous. Integer dtypes only for the rounding
// family (which copies them).
void unary_extra_kernel(UnaryExtra k, const Tensor& out, const Tensor& a);

enum class Predicate { IsNan, IsInf, IsFinite, LogicalNot };
// out (bool) = p(a); a of any dtype, both contiguous.
void predicate_kernel(Predicate p, const Tensor& out, const Tensor& a);

enum class BinaryExtra { Atan2, Fmod, Remainder, FloorDivide, LogicalAnd, LogicalOr, LogicalXor };
// out = a (op) b; a and b are contiguous with out's numel, or a single element that is
// broadcast. They share out's dtype, except for the logical ops (bool out, any operands).
// Integer fmod/remainder/floor_divide by zero throw PyTorch's "ZeroDivisionError".
void binary_extra_kernel(BinaryExtra k, const Tensor& out, const Tensor& a, const Tensor& b);

// Inclusive scans along the middle axis of a contiguous [outer, n, inner] block: out and a
// share a dtype.
void cumsum_kernel(const Tensor& out, const Tensor& a, int64_t outer, int64_t n, int64_t inner);
void cumprod_kernel(const Tensor& out, const Tensor& a, int64_t outer, int64_t n, int64_t inner);
// cummax/cummin along n of a contiguous [outer, n, inner] block: running extreme and its index.
void cum_extreme_kernel(const Tensor& values, const Tensor& indices, const Tensor& a, int64_t outer, int64_t n,
                        int64_t inner, bool is_max);
// cumprod's gradient for inputs with zeros (one row [n] at a time, no graph):
// grad_i = sum_{j >= i} g_j * prod_{k <= j, k != i} x_k.
void cumprod_grad_kernel(const Tensor& out, const Tensor& x, const Tensor& g, int64_t rows, int64_t n);

// Sorts each row of a contiguous [rows, n] tensor: values and int64 indices, stable; NaN
// counts as larger than everything (first when descending), as PyTorch sorts.
// k < n keeps only the first k of each row (topk), written as [rows, k].
void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& a, int64_t rows, int64_t n, bool descending,
                 int64_t k);
// The lower median of each row of a contiguous [rows, n] tensor (n > 0) and its index; a row
// with NaN gives its first NaN. values and indices are [rows].
void median_kernel(const Tensor& values, const Tensor& indices, const Tensor& a, int64_t rows, int64_t n);

}  // namespace tg
