// Reductions: sum, mean, prod, max/min, norms, variance, logsumexp and the softmax family.
// Each checks dtypes and empty reductions with PyTorch's messages, runs its kernel into a
// contiguous keepdim-shaped output, drops the reduced dims unless keepdim, and records the
// node its derivative (autograd/derivatives.cc) needs.
#include <cmath>
#include "ops.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/reduce.h"

namespace tg {
namespace ops {

namespace {

// The dims a reduction folds, its keepdim shape and its result shape.
struct Reduction {
  std::vector<bool> mask;
  Dims keep, shape;
  int64_t count = 1;  // elements folded into each output
};

Reduction reduction_of(const Tensor& a, const Dims& dims, bool keepdim) {
  Reduction r;
  r.mask = dim_mask(dims, a.dim());
  for (int64_t i = 0; i < a.dim(); i++) {
    int64_t n = a.shape()[i];
    r.keep.push_back(r.mask[i] ? 1 : n);
    if (r.mask[i]) r.count *= n;
    if (!r.mask[i] || keepdim) r.shape.push_back(r.mask[i] ? 1 : n);
  }
  return r;
}

// The result seen in its final shape (the keepdim output without its reduced dims).
Tensor drop_dims(const Tensor& t, const Dims& shape) {
  return t.shape() == shape ? t : t.alias(shape, contiguous_strides(shape), t.offset());
}

// Kernels along one dim read contiguous memory; copy (outside the graph) when needed.
Tensor dense(const Tensor& a) { return a.is_contiguous() ? a : clone_detached(a); }

// PyTorch refuses to fold an empty dim for ops without an identity (max, argmax, ...).
void check_nonempty_dims(const char* op, const Tensor& a, const Dims& dims) {
  if (a.dim() == 0) return;
  if (dims.empty()) {
    TG_CHECK(a.numel() != 0, op, "(): Expected reduction dim to be specified for input.numel() == 0. ",
             "Specify the reduction dim with the 'dim' argument.");
    return;
  }
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, a.dim());
    TG_CHECK_RANGE(a.shape()[w] != 0, op, "(): Expected reduction dim ", w, " to have non-zero size.");
  }
}

// nan_aware: max()/min() (MaxBackward1) send the gradient to NaN inputs when the result is
// NaN; amax/amin compare with == only, so a NaN result gives NaN gradients (as PyTorch).
Tensor minmax_reduce(const Tensor& a, const Dims& dims, bool keepdim, bool is_max, const char* name, bool nan_aware) {
  Reduction r = reduction_of(a, dims, keepdim);
  Tensor acc = Tensor::empty(r.keep, a.dtype());
  minmax_kernel(acc, a, r.mask, is_max);
  Tensor out = drop_dims(acc, r.shape);
  if (auto n = record(OpKind::MaxAll, name, {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = keepdim;
    n->b1 = nan_aware;
    n->save(a);
    set_history(out, n);  // before saving the output: the saved copy must know it requires grad
    n->save(out, true);
  }
  return out;
}

std::pair<Tensor, Tensor> minmax_dim(const Tensor& a, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  int64_t d = wrap_dim(dim, a.dim());
  if (a.dim() > 0) TG_CHECK_RANGE(a.shape()[d] != 0, op, "(): Expected reduction dim ", d, " to have non-zero size.");
  Reduction r = reduction_of(a, {d}, keepdim);
  Tensor values = Tensor::empty(r.keep, a.dtype());
  Tensor indices = Tensor::empty(r.keep, DType::Int64);
  arg_kernel(&values, indices, dense(a), a.dim() == 0 ? -1 : d, is_max);
  values = drop_dims(values, r.shape);
  indices = drop_dims(indices, r.shape);
  if (auto n = record(OpKind::MaxDim, is_max ? "MaxBackward0" : "MinBackward0", {&a})) {
    n->shape = a.shape();
    n->i0 = d;
    n->b0 = keepdim;
    n->save(indices);
    set_history(values, n);
  }
  return {values, indices};
}

Tensor arg_reduce(const Tensor& a, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "argmax" : "argmin";
  TG_CHECK(a.dtype() != DType::Bool, "\"", op, "_cpu\" not implemented for 'Bool'");
  Dims keep, shape;
  int64_t d = -1;
  if (dim) {
    d = wrap_dim(*dim, a.dim());
    if (a.dim() > 0) TG_CHECK_RANGE(a.shape()[d] != 0, op, "(): Expected reduction dim ", d, " to have non-zero size.");
    Reduction r = reduction_of(a, {d}, keepdim);
    keep = r.keep;
    shape = r.shape;
    if (a.dim() == 0) d = -1;
  } else {
    TG_CHECK_RANGE(a.numel() != 0, op, "(): Expected reduction dim to be specified for input.numel() == 0.");
    keep = Dims(static_cast<size_t>(a.dim()), 1);
    if (keepdim) shape = keep;
  }
  Tensor idx = Tensor::empty(keep, DType::Int64);
  arg_kernel(nullptr, idx, dense(a), d, is_max);
  return drop_dims(idx, shape);
}

Tensor var_std(const Tensor& a, const Dims& dims, int64_t correction, bool keepdim, bool is_std) {
  TG_CHECK(is_floating(a.dtype()), "std and var only support floating point and complex dtypes");
  Reduction r = reduction_of(a, dims, keepdim);
  Tensor acc = Tensor::empty(r.keep, a.dtype());
  var_kernel(acc, a, r.mask, correction, is_std);
  Tensor out = drop_dims(acc, r.shape);
  if (auto n = record(OpKind::Var, is_std ? "StdBackward0" : "VarBackward0", {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = keepdim;
    n->b1 = is_std;
    n->i0 = correction;
    n->s0 = static_cast<double>(r.count);
    n->save(a);
    set_history(out, n);  // before saving the output: the saved copy must know it requires grad
    if (is_std) n->save(out, true);
  }
  return out;
}

Tensor softmax_like(const Tensor& a, int64_t dim, bool log) {
  int64_t d = wrap_dim(dim, a.dim());
  if (!is_floating(a.dtype())) {
    bool last = d == std::max<int64_t>(a.dim(), 1) - 1;
    fail(ErrorKind::Error, str("\"", last ? (log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl")
                                          : "softmax_kernel_impl",
                               "\" not implemented for '", dtype_short_name(a.dtype()), "'"));
  }
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  softmax_kernel(out, dense(a), a.dim() == 0 ? -1 : d, log);
  if (auto n = record(log ? OpKind::LogSoftmax : OpKind::Softmax, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0",
                      {&a})) {
    n->i0 = d;
    set_history(out, n);  // before saving the output: the saved copy must know it requires grad
    n->save(out, true);
  }
  return out;
}

}  // namespace

Tensor sum(const Tensor& a, const Dims& dims, bool keepdim, std::optional<DType> dt) {
  Reduction r = reduction_of(a, dims, keepdim);
  DType out_dt = dt ? *dt : (is_floating(a.dtype()) ? a.dtype() : DType::Int64);
  Tensor acc = Tensor::empty(r.keep, out_dt);
  sum_kernel(acc, a, r.mask);
  Tensor out = drop_dims(acc, r.shape);
  if (!is_floating(out_dt)) return out;  // sum(dtype=int) of a float: an integer result has no gradient
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
  Reduction r = reduction_of(a, dims, keepdim);
  Tensor acc = Tensor::empty(r.keep, a.dtype());
  sum_kernel(acc, a, r.mask, static_cast<double>(r.count));  // count 0: 0/0 = nan, as PyTorch
  Tensor out = drop_dims(acc, r.shape);
  if (auto n = record(OpKind::Mean, dims.empty() ? "MeanBackward0" : "MeanBackward1", {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = keepdim;
    n->s0 = static_cast<double>(r.count);
    set_history(out, n);
  }
  return out;
}

Tensor prod(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  Dims dims;
  if (dim) dims.push_back(wrap_dim(*dim, a.dim()));
  Reduction r = reduction_of(a, dims, dim ? keepdim : false);
  DType out_dt = is_floating(a.dtype()) ? a.dtype() : DType::Int64;
  Tensor acc = Tensor::empty(r.keep, out_dt);
  prod_kernel(acc, a, r.mask);
  Tensor out = drop_dims(acc, r.shape);
  if (auto n = record(OpKind::Prod, dim ? "ProdBackward1" : "ProdBackward0", {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = dim ? keepdim : false;
    n->save(a);
    set_history(out, n);  // before saving the output: the saved copy must know it requires grad
    n->save(out, true);
  }
  return out;
}

Tensor amax(const Tensor& a, const Dims& dims, bool keepdim) {
  check_nonempty_dims("amax", a, dims);
  return minmax_reduce(a, dims, keepdim, true, "AmaxBackward0", false);
}
Tensor amin(const Tensor& a, const Dims& dims, bool keepdim) {
  check_nonempty_dims("amin", a, dims);
  return minmax_reduce(a, dims, keepdim, false, "AminBackward0", false);
}
Tensor max_all(const Tensor& a) {
  check_nonempty_dims("max", a, {});
  return minmax_reduce(a, {}, false, true, "MaxBackward1", true);
}
Tensor min_all(const Tensor& a) {
  check_nonempty_dims("min", a, {});
  return minmax_reduce(a, {}, false, false, "MinBackward1", true);
}

std::pair<Tensor, Tensor> max_dim(const Tensor& a, int64_t dim, bool keepdim) { return minmax_dim(a, dim, keepdim, true); }
std::pair<Tensor, Tensor> min_dim(const Tensor& a, int64_t dim, bool keepdim) { return minmax_dim(a, dim, keepdim, false); }

Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim) { return arg_reduce(a, dim, keepdim, true); }
Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim) { return arg_reduce(a, dim, keepdim, false); }

Tensor norm(const Tensor& a, double p, const Dims& dims, bool keepdim) {
  TG_CHECK(is_floating(a.dtype()), "norm(): input dtype should be either floating point or complex. Got ",
           dtype_short_name(a.dtype()), " instead.");
  Reduction r = reduction_of(a, dims, keepdim);
  Tensor acc = Tensor::empty(r.keep, a.dtype());
  norm_kernel(acc, a, r.mask, p);
  Tensor out = drop_dims(acc, r.shape);
  if (auto n = record(OpKind::Norm, "NormBackward1", {&a})) {
    n->shape = a.shape();
    n->dims = dims;
    n->b0 = keepdim;
    n->s0 = p;
    n->save(a);
    set_history(out, n);  // before saving the output: the saved copy must know it requires grad
    n->save(out, true);
  }
  return out;
}

Tensor var(const Tensor& a, const Dims& dims, int64_t correction, bool keepdim) {
  return var_std(a, dims, correction, keepdim, false);
}
Tensor std(const Tensor& a, const Dims& dims, int64_t correction, bool keepdim) {
  return var_std(a, dims, correction, keepdim, true);
}

Tensor logsumexp(const Tensor& a, const Dims& dims, bool keepdim) {
  // Integer input is computed in the default float dtype, as PyTorch does.
  Tensor x = is_floating(a.dtype()) ? a : to_dtype(a, kDefaultFloat);
  Reduction r = reduction_of(x, dims, keepdim);
  Tensor acc = Tensor::empty(r.keep, x.dtype());
  logsumexp_kernel(acc, x, r.mask);
  Tensor out = drop_dims(acc, r.shape);
  if (auto n = record(OpKind::LogSumExp, "LogsumexpBackward0", {&x})) {
    n->shape = x.shape();
    n->dims = dims;
    n->b0 = keepdim;
    n->save(x);
    set_history(out, n);  // before saving the output: the saved copy must know it requires grad
    n->save(out, true);
  }
  return out;
}

Tensor softmax(const Tensor& a, int64_t dim) { return softmax_like(a, dim, false); }
Tensor log_softmax(const Tensor& a, int64_t dim) { return softmax_like(a, dim, true); }

}  // namespace ops
}  // namespace tg
