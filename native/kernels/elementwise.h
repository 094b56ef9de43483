// Elementwise kernels. Operands are already broadcast-compatible and of the compute dtype
// (the op layer casts); `out` is written through its own strides.
//
// Semantics follow PyTorch's CPU kernels (their scalar paths): integer arithmetic wraps
// around on overflow; maximum/minimum/clamp propagate NaN; relu(-0) is -0; sign(NaN) is 0.
#pragma once
#include "../core/tensor.h"

namespace tg {

enum class BinaryKernel { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge };
enum class UnaryKernel {
  Neg, Abs, Sqrt, Rsqrt, Exp, Log, Log1p, Sin, Cos, Tan, Tanh, Sigmoid, Relu, Square, Reciprocal, Sign,
  Gelu, GeluTanh
};

// out = a (op) b, alpha scales b for Add/Sub. a and b share a dtype; out is that dtype, or
// bool for comparisons.
void binary_kernel(BinaryKernel k, const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1);
// out = f(a); a and out share a dtype. Float-only kernels reject integer dtypes.
void unary_kernel(UnaryKernel k, const Tensor& out, const Tensor& a);
// dst = src, broadcasting src to dst's shape and converting dtype.
void copy_kernel(const Tensor& dst, const Tensor& src);
// dst[...] = v (converted to dst's dtype; integers wrap like a C++20 conversion from int64).
void fill_kernel(const Tensor& dst, double v);
// out = cond ? a : b (a, b, out share a dtype; cond is bool).
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
// out = min(max(a, lo), hi) with optional bounds; a NaN in a or in a bound gives NaN.
void clamp_kernel(const Tensor& out, const Tensor& a, bool has_lo, double lo, bool has_hi, double hi);

}  // namespace tg
