// Reductions: sum, mean, prod, max/min, norms, variance, logsumexp and the softmax family.
#include <cmath>
#include "ops.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/reduce.h"

namespace tg {
namespace ops {

namespace {

// The keepdim shape (reduced dims set to 1) and the final shape.
void reduced_shapes(const Tensor& a, const std::vector<bool>& mask, Dims* keep, Dims* out, bool keepdim) {
  for (int64_t i = 0; i < a.dim(); i++) {
    keep->push_back(mask[i] ? 1 : a.shape()[i]);
    if (!mask[i] || keepdim) out->push_back(mask[i] ? 1 : a.shape()[i]);
  }
}

Tensor drop_dims(const Tensor& t, const Dims& shape) { return t.alias(shape, contiguous_strides(shape), 0); }

}  // namespace

Tensor sum(const Tensor& a, const Dims& dims, bool keepdim, std::optional<DType> dt) {
  std::vector<bool> mask = dim_mask(dims, a.dim());
  DType out_dt = dt ? *dt : (is_floating(a.dtype()) ? a.dtype() : DType::Int64);
  Dims keep, shape;
  reduced_shapes(a, mask, &keep, &shape, keepdim);
  Tensor acc = Tensor::zeros(keep, out_dt);
  sum_kernel(acc, a);
  Tensor out = drop_dims(acc, shape);
  if (auto n = record(OpKind::Sum, dims.empty() ? "SumBackward0" : "SumBackward1", {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = keepdim;
    set_history(out, n);
  }
  return out;
}

Tensor sum_to(const Tensor& a, const Dims& shape) {
  if (a.shape() == shape) return a;
  int64_t lead = a.dim() - static_cast<int64_t>(shape.size());
  Dims dims;
  for (int64_t i = 0; i < a.dim(); i++)
    if (i < lead || (shape[i - lead] == 1 && a.shape()[i] != 1)) dims.push_back(i);
  if (dims.empty()) return view(a, shape);
  Tensor r = sum(a, dims, true);
  if (lead > 0 || r.shape() != shape) r = view(r, shape);
  return r;
}

Tensor mean(const Tensor& a, const Dims& dims, bool keepdim) {
  TG_CHECK(is_floating(a.dtype()),
           "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ",
           dtype_short_name(a.dtype()));
  std::vector<bool> mask = dim_mask(dims, a.dim());
  int64_t count = 1;
  for (int64_t i = 0; i < a.dim(); i++)
    if (mask[i]) count *= a.shape()[i];
  Dims keep, shape;
  reduced_shapes(a, mask, &keep, &shape, keepdim);
  Tensor acc = Tensor::zeros(keep, a.dtype());
  sum_kernel(acc, a);
  Tensor out = drop_dims(acc, shape);
  Tensor scale = full({}, count == 0 ? NAN : 1.0 / static_cast<double>(count), a.dtype());
  binary_kernel(BinaryKernel::Mul, out, out, scale);
  if (auto n = record(OpKind::Mean, dims.empty() ? "MeanBackward0" : "MeanBackward1", {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = keepdim;
    n->s0 = static_cast<double>(count);
    set_history(out, n);
  }
  return out;
}

// ---- to be filled in by the reductions work ----
#define TG_TODO(what) fail(ErrorKind::Error, "not implemented yet: " what)
Tensor prod(const Tensor&, std::optional<int64_t>, bool) { TG_TODO("prod"); }
Tensor amax(const Tensor&, const Dims&, bool) { TG_TODO("amax"); }
Tensor amin(const Tensor&, const Dims&, bool) { TG_TODO("amin"); }
Tensor max_all(const Tensor&) { TG_TODO("max"); }
Tensor min_all(const Tensor&) { TG_TODO("min"); }
std::pair<Tensor, Tensor> max_dim(const Tensor&, int64_t, bool) { TG_TODO("max(dim)"); }
std::pair<Tensor, Tensor> min_dim(const Tensor&, int64_t, bool) { TG_TODO("min(dim)"); }
Tensor argmax(const Tensor&, std::optional<int64_t>, bool) { TG_TODO("argmax"); }
Tensor argmin(const Tensor&, std::optional<int64_t>, bool) { TG_TODO("argmin"); }
Tensor norm(const Tensor&, double, const Dims&, bool) { TG_TODO("norm"); }
Tensor var(const Tensor&, const Dims&, int64_t, bool) { TG_TODO("var"); }
Tensor std(const Tensor&, const Dims&, int64_t, bool) { TG_TODO("std"); }
Tensor logsumexp(const Tensor&, const Dims&, bool) { TG_TODO("logsumexp"); }
Tensor softmax(const Tensor&, int64_t) { TG_TODO("softmax"); }
Tensor log_softmax(const Tensor&, int64_t) { TG_TODO("log_softmax"); }

}  // namespace ops
}  // namespace tg
