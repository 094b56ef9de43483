// Scans (cumsum, cumprod), sorting (sort, argsort, topk, median) and the logical
// reductions (any, all, count_nonzero).
//
// The kernels work on rows: the op moves `dim` last with a contiguous copy, runs the
// kernel over [rows, n], and moves it back.
#include <cmath>
#include "ops_extra.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/math_extra.h"

namespace tg {
namespace ops {

namespace {

// `a` with dim d moved last, as a contiguous [rows, n] block (a 0-d tensor is one row of 1).
struct Rows {
  Tensor data;      // contiguous, dim d last
  Dims moved;       // its shape
  int64_t rows = 1, n = 1;
};

Rows rows_of(const Tensor& a, int64_t d, DType dt) {
  Rows r;
  Tensor t = a.dim() == 0 ? a.alias({1}, {1}, a.offset()) : a;
  if (a.dim() > 0) {
    Dims shape = t.shape(), strides = t.strides();
    std::swap(shape[d], shape.back());
    std::swap(strides[d], strides.back());
    t = t.alias(shape, strides, t.offset());
  }
  r.moved = t.shape();
  r.data = Tensor::empty(r.moved, dt);
  copy_kernel(r.data, t);
  r.n = r.moved.back();
  r.rows = r.n == 0 ? 0 : r.data.numel() / r.n;
  return r;
}

// The inverse of rows_of: a contiguous tensor of `shape` from a result laid out [.., n] with
// dim d last.
Tensor unrows(const Tensor& t, const Dims& shape, int64_t d) {
  if (shape.empty()) return t.alias({}, {}, t.offset());
  Dims moved_shape = t.shape(), strides = t.strides();
  std::swap(moved_shape[d], moved_shape.back());
  std::swap(strides[d], strides.back());
  Tensor out = Tensor::empty(moved_shape, t.dtype());
  copy_kernel(out, t.alias(moved_shape, strides, t.offset()));
  return out;
}

int64_t wrap(int64_t dim, const Tensor& a) { return wrap_dim(dim, a.dim()); }

// a as a contiguous tensor of dtype dt, and its sizes before, along and after dim d.
struct Block {
  Tensor data;
  int64_t outer = 1, n = 1, inner = 1;
};

Block block_of(const Tensor& a, int64_t d, DType dt) {
  Block b;
  if (a.is_contiguous() && a.dtype() == dt) {
    b.data = a;
  } else {
    b.data = Tensor::empty(a.shape(), dt);
    copy_kernel(b.data, a);
  }
  for (int64_t i = 0; i < a.dim(); i++) {
    if (i < d) b.outer *= a.shape()[i];
    else if (i == d) b.n = a.shape()[i];
    else b.inner *= a.shape()[i];
  }
  return b;
}

DType scan_dtype(const Tensor& a, std::optional<DType> dt) {
  if (dt) return *dt;
  return is_integral(a.dtype(), true) ? DType::Int64 : a.dtype();
}

}  // namespace

// ---------------------------------------------------------------- scans

Tensor cumsum(const Tensor& a, int64_t dim, std::optional<DType> dt) {
  int64_t d = wrap(dim, a);
  DType out_dt = scan_dtype(a, dt);
  Block b = block_of(a, d, out_dt);
  Tensor out = Tensor::empty(a.shape(), out_dt);
  if (out.numel() > 0) cumsum_kernel(out, b.data, b.outer, b.n, b.inner);
  if (auto n = record(OpKind::Cumsum, "CumsumBackward0", {&a})) {
    n->i0 = d;
    n->dtype = a.dtype();
    set_history(out, n);
  }
  return out;
}

Tensor cumprod(const Tensor& a, int64_t dim, std::optional<DType> dt) {
  int64_t d = wrap(dim, a);
  DType out_dt = scan_dtype(a, dt);
  Block b = block_of(a, d, out_dt);
  Tensor out = Tensor::empty(a.shape(), out_dt);
  if (out.numel() > 0) cumprod_kernel(out, b.data, b.outer, b.n, b.inner);
  if (auto n = record(OpKind::Cumprod, "CumprodBackward0", {&a})) {
    n->i0 = d;
    n->dtype = a.dtype();
    set_history(out, n);
    n->save(a);
    n->save(out, true);
  }
  return out;
}

std::pair<Tensor, Tensor> cum_extreme(const Tensor& a, int64_t dim, bool is_max) {
  int64_t d = wrap(dim, a);
  Block b = block_of(a, d, a.dtype());
  Tensor values = Tensor::empty(a.shape(), a.dtype()), indices = Tensor::empty(a.shape(), DType::Int64);
  if (a.numel() > 0) cum_extreme_kernel(values, indices, b.data, b.outer, b.n, b.inner, is_max);
  // The gradient goes back through the indices, as sort's does.
  if (auto n = record(OpKind::SortValues, is_max ? "CummaxBackward0" : "CumminBackward0", {&a})) {
    n->i0 = d;
    n->shape = a.shape();
    n->save(indices);
    set_history(values, n);
  }
  return {values, indices};
}

Tensor cumprod_backward_zeros(const Tensor& g, const Tensor& x, int64_t dim) {
  Rows gr = rows_of(g, dim, g.dtype()), xr = rows_of(x, dim, g.dtype());
  Tensor out = Tensor::empty(gr.moved, g.dtype());
  cumprod_grad_kernel(out, xr.data, gr.data, gr.rows, gr.n);
  return unrows(out, x.shape(), dim);
}

// ---------------------------------------------------------------- sorting

namespace {

// values and indices of the first k of each sorted row along d; values record `name`.
std::pair<Tensor, Tensor> sorted_rows(const Tensor& a, int64_t d, bool descending, int64_t k, const char* name) {
  Rows r = rows_of(a, d, a.dtype());
  Dims kshape = r.moved;
  kshape.back() = k;
  Tensor values = Tensor::empty(kshape, a.dtype()), indices = Tensor::empty(kshape, DType::Int64);
  if (r.rows > 0 && k > 0) sort_kernel(values, indices, r.data, r.rows, r.n, descending, k);
  Dims out_shape = a.shape();
  if (a.dim() > 0) out_shape[d] = k;
  values = unrows(values, out_shape, d);
  indices = unrows(indices, out_shape, d);
  if (auto n = record(OpKind::SortValues, name, {&a})) {
    n->i0 = d;
    n->shape = a.shape();
    n->save(indices);
    set_history(values, n);
  }
  return {values, indices};
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& a, int64_t dim, bool descending, bool stable) {
  int64_t d = wrap(dim, a);
  int64_t n = a.dim() == 0 ? 1 : a.shape()[d];
  return sorted_rows(a, d, descending, n, stable ? "SortBackward1" : "SortBackward0");
}

Tensor argsort(const Tensor& a, int64_t dim, bool descending) {
  GradModeGuard off(false);
  return sort(a, dim, descending).second;
}

std::pair<Tensor, Tensor> topk(const Tensor& a, int64_t k, int64_t dim, bool largest, bool sorted) {
  (void)sorted;  // always sorted, which PyTorch's sorted=False allows
  int64_t d = wrap(dim, a);
  int64_t n = a.dim() == 0 ? 1 : a.shape()[d];
  TG_CHECK_RANGE(k >= 0 && k <= n, "selected index k out of range");
  return sorted_rows(a, d, largest, k, "TopkBackward0");
}

std::pair<Tensor, Tensor> kthvalue(const Tensor& a, int64_t k, int64_t dim, bool keepdim) {
  int64_t d = wrap(dim, a);
  TG_CHECK(a.dtype() != DType::Bool, "\"kthvalue_cpu\" not implemented for 'Bool'");
  int64_t n = a.dim() == 0 ? 1 : a.shape()[d];
  TG_CHECK_RANGE(k >= 1 && k <= n, "kthvalue(): selected number k out of range for dimension ", d);
  Rows r = rows_of(a, d, a.dtype());
  Dims kshape = r.moved;
  kshape.back() = k;
  Tensor sv = Tensor::empty(kshape, a.dtype()), si = Tensor::empty(kshape, DType::Int64);
  if (r.rows > 0) sort_kernel(sv, si, r.data, r.rows, r.n, false, k);
  Dims keep = a.shape();
  if (a.dim() > 0) keep[d] = 1;
  kshape.back() = 1;
  // Column k - 1 of the partially sorted rows.
  Dims sstrides = contiguous_strides(sv.shape());
  Tensor vals = unrows(sv.alias(kshape, sstrides, k - 1), keep, d), idx = unrows(si.alias(kshape, sstrides, k - 1), keep, d);
  if (!keepdim && a.dim() > 0) {
    Dims dropped = a.shape();
    dropped.erase(dropped.begin() + d);
    vals = vals.alias(dropped, contiguous_strides(dropped), 0);
    idx = idx.alias(dropped, contiguous_strides(dropped), 0);
  }
  if (auto node = record(OpKind::MaxDim, "KthvalueBackward0", {&a})) {
    node->shape = a.shape();
    node->i0 = d;
    node->b0 = keepdim;
    node->save(idx);
    set_history(vals, node);
  }
  return {vals, idx};
}

Tensor median_all(const Tensor& a) {
  TG_CHECK(a.dtype() != DType::Bool, "\"median_cpu\" not implemented for 'Bool'");
  if (a.numel() == 0) {  // PyTorch: the median of nothing is NaN
    TG_CHECK(is_floating(a.dtype()), "median() input tensor cannot be empty");
    Tensor out = full({}, NAN, a.dtype());
    if (auto n = record(OpKind::MaxAll, "MedianBackward0", {&a})) {
      n->shape = a.shape();
      n->b1 = true;
      n->save(a);
      set_history(out, n);
      n->save(out, true);
    }
    return out;
  }
  // The lower median; a NaN anywhere makes the median NaN.
  Tensor flat = Tensor::empty({a.numel()}, a.dtype());
  copy_kernel(flat.alias(a.shape(), contiguous_strides(a.shape()), 0), a);
  Tensor out = Tensor::empty({}, a.dtype()), index = Tensor::empty({}, DType::Int64);
  median_kernel(out, index, flat, 1, a.numel());
  // evenly_distribute_backward: the gradient is shared among the elements equal to it.
  if (auto n = record(OpKind::MaxAll, "MedianBackward0", {&a})) {
    n->shape = a.shape();
    n->b0 = false;
    n->b1 = true;
    n->save(a);
    set_history(out, n);
    n->save(out, true);
  }
  return out;
}

std::pair<Tensor, Tensor> median_dim(const Tensor& a, int64_t dim, bool keepdim) {
  int64_t d = wrap(dim, a);
  TG_CHECK(a.dtype() != DType::Bool, "\"median_out\" not implemented for 'Bool'");
  if (a.dim() > 0)
    TG_CHECK_RANGE(a.shape()[d] != 0, "median(): Expected reduction dim ", d, " to have non-zero size.");
  Rows r = rows_of(a, d, a.dtype());
  Dims kshape = r.moved;
  kshape.back() = 1;
  Tensor mv = Tensor::empty(kshape, a.dtype()), mi = Tensor::empty(kshape, DType::Int64);
  if (r.rows > 0) median_kernel(mv, mi, r.data, r.rows, r.n);
  Dims keep = a.shape();
  if (a.dim() > 0) keep[d] = 1;
  Tensor vals = unrows(mv, keep, d), idx = unrows(mi, keep, d);
  if (!keepdim && a.dim() > 0) {
    Dims dropped = a.shape();
    dropped.erase(dropped.begin() + d);
    vals = vals.alias(dropped, contiguous_strides(dropped), 0);
    idx = idx.alias(dropped, contiguous_strides(dropped), 0);
  }
  // The gradient goes to the index chosen, as for max(dim).
  if (auto n = record(OpKind::MaxDim, "MedianBackward1", {&a})) {
    n->shape = a.shape();
    n->i0 = d;
    n->b0 = keepdim;
    n->save(idx);
    set_history(vals, n);
  }
  return {vals, idx};
}

// ---------------------------------------------------------------- any, all, count_nonzero

namespace {

Tensor count_where(const Tensor& a, CmpOp op, std::optional<int64_t> dim, bool keepdim) {
  Dims dims;
  if (dim) dims.push_back(wrap(*dim, a));
  Tensor hit = compare(op, a, scalar_tensor(Scalar{0, true, false}));
  return sum(hit, dims, keepdim);
}

}  // namespace

Tensor any(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  GradModeGuard off(false);
  return compare(CmpOp::Gt, count_where(a, CmpOp::Ne, dim, keepdim), scalar_tensor(Scalar{0, true, false}));
}

Tensor all(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  GradModeGuard off(false);
  return compare(CmpOp::Eq, count_where(a, CmpOp::Eq, dim, keepdim), scalar_tensor(Scalar{0, true, false}));
}

Tensor count_nonzero(const Tensor& a, const Dims& dims) {
  GradModeGuard off(false);
  Dims wrapped;
  for (int64_t d : dims) wrapped.push_back(wrap(d, a));
  for (size_t i = 0; i < wrapped.size(); i++)
    for (size_t j = i + 1; j < wrapped.size(); j++)
      TG_CHECK(wrapped[i] != wrapped[j], "dim ", wrapped[i], " appears multiple times in the list of dims");
  Tensor hit = compare(CmpOp::Ne, a, scalar_tensor(Scalar{0, true, false}));
  return sum(hit, wrapped, false);
}

}  // namespace ops
}  // namespace tg
