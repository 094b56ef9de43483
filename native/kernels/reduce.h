// Reduction kernels over arbitrary dims.
#pragma once
#include "../core/tensor.h"

namespace tg {

// out (shape of `a` with reduced dims kept as 1) = sum of a over the dims where mask is true.
// out's dtype may differ from a's (e.g. int -> int64); out must be zero-initialised.
void sum_kernel(const Tensor& out_keepdim, const Tensor& a);

}  // namespace tg
