// Joining and indexing: cat, stack, gather, index_select (and their gradients), and
// Python-style t[...] reads and writes. (split and chunk make views: see shape.cc.)
#include <algorithm>
#include <cmath>
#include "ops.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/index.h"

namespace tg {
namespace ops {

namespace {

// PyTorch still skips 1-D empty tensors (shape [0]) in cat's shape checks ("legacy" cat).
bool legacy_empty(const Tensor& t) { return t.dim() == 1 && t.shape()[0] == 0; }

// A raw contiguous copy in the tensor's own dtype (kernels want dense operands).
Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : clone_detached(t); }

// Sizes before and after `dim` (a 0-d tensor counts as shape [1]).
void outer_inner(const Dims& shape, int64_t dim, int64_t* outer, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); i++) {
    if (i < dim) *outer *= shape[i];
    if (i > dim) *inner *= shape[i];
  }
}

// The index tensor of index_select/index_add as int64 values, each checked against size.
std::vector<int64_t> index_values(const Tensor& index, int64_t size) {
  Tensor idx = index.dtype() == DType::Int64 ? dense(index) : Tensor::empty(index.shape(), DType::Int64);
  if (index.dtype() != DType::Int64) copy_kernel(idx, index);
  const int64_t* p = idx.data<int64_t>();
  std::vector<int64_t> out(p, p + idx.numel());
  for (int64_t v : out) TG_CHECK_RANGE(v >= 0 && v < size, "index out of range in self");
  return out;
}

}  // namespace

// ---------------------------------------------------------------- cat and stack

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) {
  TG_CHECK(!ts.empty(), "torch.cat(): expected a non-empty list of Tensors");
  DType dt = ts[0].dtype();
  const Tensor* ref = nullptr;
  for (size_t i = 0; i < ts.size(); i++) {
    TG_CHECK(ts[i].dim() > 0, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    dt = promote_types(dt, ts[i].dtype());
    if (!ref && !legacy_empty(ts[i])) ref = &ts[i];
  }
  if (!ref) ref = &ts[0];  // only [0]-shaped inputs: an ordinary 1-D cat
  auto skipped = [&](const Tensor& t) { return ref->dim() != 1 && legacy_empty(t); };
  int64_t d = wrap_dim(dim, ref->dim());
  Dims shape = ref->shape();
  int64_t total = 0;
  for (size_t i = 0; i < ts.size(); i++) {
    const Tensor& t = ts[i];
    if (skipped(t)) continue;
    TG_CHECK(t.dim() == ref->dim(), "Tensors must have same number of dimensions: got ", ref->dim(), " and ", t.dim());
    for (int64_t k = 0; k < t.dim(); k++)
      TG_CHECK(k == d || t.shape()[k] == shape[k], "Sizes of tensors must match except in dimension ", d,
               ". Expected size ", shape[k], " but got size ", t.shape()[k], " for tensor number ", i, " in the list.");
    total += t.shape()[d];
  }
  shape[d] = total;
  Tensor out = Tensor::empty(shape, dt);
  int64_t offset = 0;
  for (const Tensor& t : ts) {
    if (skipped(t)) continue;
    Dims part = shape;
    part[d] = t.shape()[d];
    copy_kernel(out.alias(part, out.strides(), offset * out.strides()[d]), t);
    offset += t.shape()[d];
  }
  if (auto n = record(OpKind::Cat, "CatBackward0", ts)) {
    n->i0 = d;
    for (const Tensor& t : ts) n->shapes.push_back(t.shape());
    set_history(out, n);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  TG_CHECK(!ts.empty(), "stack expects a non-empty TensorList");
  const Dims& shape0 = ts[0].shape();
  int64_t d = wrap_dim(dim, ts[0].dim() + 1);
  DType dt = ts[0].dtype();
  for (size_t i = 1; i < ts.size(); i++) {
    TG_CHECK(ts[i].shape() == shape0, "stack expects each tensor to be equal size, but got ", shape_str(shape0),
             " at entry 0 and ", shape_str(ts[i].shape()), " at entry ", i);
    dt = promote_types(dt, ts[i].dtype());
  }
  Dims shape = shape0;
  shape.insert(shape.begin() + d, static_cast<int64_t>(ts.size()));
  checked_numel(shape);
  Tensor out = Tensor::empty(shape, dt);
  Dims part_strides = out.strides();
  part_strides.erase(part_strides.begin() + d);
  for (size_t i = 0; i < ts.size(); i++)
    copy_kernel(out.alias(shape0, part_strides, static_cast<int64_t>(i) * out.strides()[d]), ts[i]);
  if (auto n = record(OpKind::Stack, "StackBackward0", ts)) {
    n->i0 = d;
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- gather

Tensor gather(const Tensor& a, int64_t dim, const Tensor& index) {
  int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(index.dtype() == DType::Int64, "gather(): Expected dtype int64 for index");
  // A 0-d tensor counts as one element in one dim on both sides.
  Dims self_shape = a.dim() == 0 ? Dims{1} : a.shape();
  Dims index_shape = index.dim() == 0 ? Dims{1} : index.shape();
  TG_CHECK(self_shape.size() == index_shape.size(),
           "Index tensor must have the same number of dimensions as input tensor");
  for (size_t i = 0; i < self_shape.size(); i++)
    TG_CHECK(static_cast<int64_t>(i) == d || index_shape[i] <= self_shape[i], "Size does not match at dimension ", i,
             " expected index ", shape_str(index.shape()), " to be smaller than self ", shape_str(a.shape()),
             " apart from dimension ", d);
  Tensor idx = dense(index);
  const int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0, n = idx.numel(); i < n; i++)
    TG_CHECK_RANGE(p[i] >= 0 && p[i] < self_shape[d], "index ", p[i], " is out of bounds for dimension ", d,
                   " with size ", self_shape[d]);
  Tensor out = Tensor::empty(index.shape(), a.dtype());
  Tensor src = dense(a);
  gather_kernel(out.alias(index_shape, contiguous_strides(index_shape), 0),
                src.alias(self_shape, contiguous_strides(self_shape), src.offset()),
                idx.alias(index_shape, contiguous_strides(index_shape), idx.offset()), d);
  if (auto n = record(OpKind::Gather, "GatherBackward0", {&a})) {
    n->i0 = d;
    n->shape = a.shape();
    n->save(index);
    set_history(out, n);
  }
  return out;
}

Tensor scatter_add_zeros(const Dims& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = Tensor::zeros(shape, src.dtype());
  Dims out_shape = shape.empty() ? Dims{1} : shape;
  Dims index_shape = index.dim() == 0 ? Dims{1} : index.shape();
  Tensor idx = dense(index), s = dense(src);
  scatter_add_kernel(out.alias(out_shape, contiguous_strides(out_shape), 0),
                     s.alias(index_shape, contiguous_strides(index_shape), s.offset()),
                     idx.alias(index_shape, contiguous_strides(index_shape), idx.offset()), dim);
  if (auto n = record(OpKind::ScatterAdd, "ScatterAddBackward0", {&src})) {
    n->i0 = dim;
    n->save(index);
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- index_select

Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) {
  int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32,
           "index_select(): Expected dtype int32 or int64 for index");
  TG_CHECK_RANGE(index.dim() <= 1, "index_select(): Index is supposed to be a vector");
  int64_t size = a.dim() == 0 ? 1 : a.shape()[d];
  TG_CHECK_RANGE(size > 0 || index.numel() == 0, "index_select(): self indexing axis dim should be positive");
  std::vector<int64_t> ix = index_values(index, size);
  int64_t k = static_cast<int64_t>(ix.size());
  Dims shape = a.shape();
  if (a.dim() > 0) shape[d] = k;
  Tensor out = Tensor::empty(shape, a.dtype());
  int64_t outer, inner;
  outer_inner(a.shape(), d, &outer, &inner);
  index_select_kernel(out, dense(a), ix.data(), k, outer, inner);
  if (auto n = record(OpKind::IndexSelect, "IndexSelectBackward0", {&a})) {
    n->i0 = d;
    n->shape = a.shape();
    n->save(index);
    set_history(out, n);
  }
  return out;
}

Tensor index_add_zeros(const Dims& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = Tensor::zeros(shape, src.dtype());
  int64_t size = shape.empty() ? 1 : shape[dim];
  std::vector<int64_t> ix = index_values(index, size);
  int64_t outer, inner;
  outer_inner(shape, dim, &outer, &inner);
  index_add_kernel(out, dense(src), ix.data(), static_cast<int64_t>(ix.size()), outer, inner);
  if (auto n = record(OpKind::IndexAdd, "IndexAddBackward0", {&src})) {
    n->i0 = dim;
    n->save(index);
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- t[...]
//
// PyTorch's applySlicing (torch/csrc/autograd/python_variable_indexing.cpp, 1.13): a tuple
// of items walks the dims left to right; a slice covering a whole dim with explicit bounds
// (0:n) is skipped, except when it is the only item (x[0:n] still records SliceBackward0);
// an integer's error names its position in the tuple; a tuple that changed nothing gives
// alias(x). Writes (set) use the same walk and then copy the value in (copy_to).

namespace {

Tensor apply_select(const Tensor& t, int64_t dim, int64_t index, int64_t real_dim) {
  // A dim past the end (several ellipses) reads as size 0, as PyTorch's message shows.
  int64_t size = dim < t.dim() ? t.shape()[dim] : 0;
  TG_CHECK_RANGE(index >= -size && index < size, "index ", index, " is out of bounds for dimension ", real_dim,
                 " with size ", size);
  return select(t, dim, index);
}

Tensor apply_slice(const Tensor& t, int64_t dim, const TensorIndex& it, bool keep_full) {
  int64_t step = it.step.value_or(1);
  TG_CHECK_RANGE(step != 0, "slice step cannot be zero");
  TG_CHECK_RANGE(step > 0, "step must be greater than zero");
  int64_t start = it.start.value_or(0);
  int64_t stop = it.stop.value_or(INT64_MAX);
  if (!keep_full && dim < t.dim() && start == 0 && stop == t.shape()[dim] && step == 1) return t;
  return slice(t, dim, start, stop, step);
}

Tensor index_impl(const Tensor& self, const std::vector<TensorIndex>& items, bool single, bool for_set) {
  if (single && items.size() == 1) {
    const TensorIndex& it = items[0];
    switch (it.kind) {
      case TensorIndex::Int:
        TG_CHECK_RANGE(self.dim() > 0,
                       "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                       "to convert a 0-dim tensor to a number");
        return apply_select(self, 0, it.i, 0);
      case TensorIndex::Slice:
        return apply_slice(self, 0, it, /*keep_full=*/!for_set);
      case TensorIndex::None:
        return unsqueeze(self, 0);
      case TensorIndex::Ellipsis:
        return for_set ? self : alias(self);
    }
  }
  int64_t specified = 0;
  for (const TensorIndex& it : items) specified += it.kind == TensorIndex::Int || it.kind == TensorIndex::Slice;
  TG_CHECK_RANGE(specified <= self.dim(), "too many indices for tensor of dimension ", self.dim());
  Tensor r = self;
  int64_t dim = 0;
  for (size_t i = 0; i < items.size(); i++) {
    const TensorIndex& it = items[i];
    switch (it.kind) {
      case TensorIndex::Int:
        r = apply_select(r, dim, it.i, static_cast<int64_t>(i));
        break;
      case TensorIndex::Slice:
        r = apply_slice(r, dim, it, false);
        dim++;
        break;
      case TensorIndex::None:
        r = unsqueeze(r, dim);
        dim++;
        break;
      case TensorIndex::Ellipsis:
        dim += self.dim() - specified;
        break;
    }
  }
  if (!for_set && r.same(self)) r = alias(self);
  return r;
}

// A JS number written into a tensor becomes a 0-d tensor of the tensor's dtype (PyTorch's
// valueToTensor); an integer dtype cannot hold NaN, infinities or out-of-range values.
Tensor value_as(const Tensor& value, DType dt) {
  if (!value.impl()->wrapped_number || value.dtype() == dt) return value;
  double v = 0;
  TG_DISPATCH_ALL(value.dtype(), [&] { v = static_cast<double>(*value.data<scalar_t>()); });
  check_fill_value(dt, v);
  return full({}, v, dt);
}

// PyTorch's copy_to: same shape copies; a 0-d value fills; otherwise leading 1s of the
// value are dropped and it is expanded to the destination's shape.
void copy_to(Tensor& dst, const Tensor& value) {
  if (dst.shape() == value.shape()) return copy_(dst, value);
  if (value.dim() == 0) return fill_tensor_(dst, value);
  Dims stripped = value.shape();
  size_t lead = 0;
  while (lead < stripped.size() && stripped[lead] == 1) lead++;
  stripped.erase(stripped.begin(), stripped.begin() + static_cast<long>(lead));
  Tensor src = stripped.size() == value.shape().size() ? value : view(value, stripped);
  copy_(dst, src.shape() == dst.shape() ? src : expand(src, dst.shape()));
}

}  // namespace

Tensor index(const Tensor& a, const std::vector<TensorIndex>& items, bool single) {
  return index_impl(a, items, single, false);
}

void index_put_(Tensor& self, const std::vector<TensorIndex>& items, bool single, const Tensor& value) {
  Tensor v = value_as(value, self.dtype());
  Tensor dst = index_impl(self, items, single, true);
  copy_to(dst, v);
}

}  // namespace ops
}  // namespace tg
