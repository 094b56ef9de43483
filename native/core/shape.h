// Shape arithmetic shared by every op: broadcasting, strides, dim wrapping, sum_to.
#pragma once
#include <string>
#include "tensor.h"

namespace tg {

Dims contiguous_strides(const Dims& shape);
// Product of sizes; RangeError on negative sizes or overflow.
int64_t checked_numel(const Dims& shape);
// PyTorch's broadcasting; message: "The size of tensor a (3) must match the size of
// tensor b (4) at non-singleton dimension 1".
Dims broadcast_shapes(const Dims& a, const Dims& b);
// Wraps a possibly negative dim into [0, ndim); PyTorch's IndexError text as a RangeError.
int64_t wrap_dim(int64_t dim, int64_t ndim);
// A sorted, de-duplicated dim mask from a dim list (empty list = all dims).
std::vector<bool> dim_mask(const Dims& dims, int64_t ndim);
// Strides of `t` seen through broadcasting to `shape` (0 where t is broadcast).
Dims broadcast_strides(const Tensor& t, const Dims& shape);
std::string shape_str(const Dims& shape);  // "[2, 3]"

}  // namespace tg
