// Reduction kernels. Each writes `out`, a fresh contiguous tensor of the keepdim shape
// (reduced dims kept as 1), from an input `a` of any strides; `mask` marks the reduced
// dims (one entry per dim of a). Fold-style kernels run on reduce_engine.h; the kernels
// along one dim (arg_reduce.cc, softmax.cc) take a contiguous input.
#pragma once
#include <vector>
#include "../core/tensor.h"

namespace tg {

// out = sum / divisor. out's dtype may differ from a's (int -> int64, dtype= option):
// floats accumulate in double (float32 in vector lanes, flushed to double), ints in int64.
void sum_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, double divisor = 1);
void prod_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask);
// amax / amin; NaN propagates. The reduction must not be empty.
void minmax_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, bool is_max);
// Vector p-norm over the masked dims (p may be 0, +-inf, any real). Float input.
void norm_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, double p);
// Variance with divisor max(0, n - correction), two passes (mean, then squared deviations);
// take_sqrt gives the standard deviation. Float input.
void var_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, int64_t correction, bool take_sqrt);
// log(sum(exp(a))) computed as max + log(sum(exp(a - max))); an infinite max shifts by 0.
void logsumexp_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask);

// arg_reduce.cc. Index of the max/min along `dim` of a contiguous `a` (dim < 0: over all
// elements, flattened); the first index among ties, a NaN counts as the largest and the
// smallest. indices: int64 of the keepdim shape; values (optional): a's dtype, same shape.
void arg_kernel(const Tensor* values, const Tensor& indices, const Tensor& a, int64_t dim, bool is_max);

// softmax.cc. out = softmax(a) or log_softmax(a) along dim, a contiguous float tensor.
void softmax_kernel(const Tensor& out, const Tensor& a, int64_t dim, bool log);

}  // namespace tg
