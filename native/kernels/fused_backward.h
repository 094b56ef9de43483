// Fused backward kernels for the common training pattern (linear -> relu -> ... ->
// log_softmax): one pass and one result each, instead of the chain of temporaries the
// composite formulas in derivatives.cc make. Used only when no graph of the backward is being
// recorded (create_graph keeps the differentiable composite form) and the operands are
// dense float tensors of one shape; the caller falls back otherwise.
#pragma once
#include "../core/tensor.h"

namespace tg {

// True when g and y are contiguous float tensors of the same shape and dtype.
bool fused_backward_applies(const Tensor& g, const Tensor& y);

// PyTorch's threshold_backward(g, y, 0): y <= 0 ? 0 : g (a NaN in y passes g through).
Tensor relu_backward_fused(const Tensor& g, const Tensor& y);

// _log_softmax_backward_data: g - exp(y) * sum(g, dim), y the log_softmax result.
Tensor log_softmax_backward_fused(const Tensor& g, const Tensor& y, int64_t dim);

}  // namespace tg
