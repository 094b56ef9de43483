// Shape ops. Wherever PyTorch returns a view, so do we: the result shares storage and
// remembers its base (view_base) so in-place writes through it can be tracked.
#include <algorithm>
#include "ops.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"

namespace tg {
namespace ops {

namespace {

// A view of `a` with new geometry; records `kind` under `name` with a's shape saved.
Tensor make_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset) {
  Tensor v = a.alias(shape, strides, offset);
  v.impl()->view_base = a.impl()->view_base ? a.impl()->view_base : a.ref();
  return v;
}

Ref<OpNode> record_view(OpKind kind, const char* name, const Tensor& a, Tensor& out) {
  Ref<OpNode> n = record(kind, name, {&a});
  if (n) {
    n->shape = a.shape();
    n->strides = a.strides();
    n->i2 = a.offset();
    set_history(out, n);
  }
  return n;
}

// Resolves one -1 in a requested shape against numel (PyTorch's infer_size).
Dims infer_size(const Dims& shape, int64_t numel) {
  Dims out = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == -1) {
      TG_CHECK(infer < 0, "only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      TG_CHECK_RANGE(shape[i] >= 0, "invalid shape dimension ", shape[i]);
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    TG_CHECK(known != 0 && numel % known == 0, "shape '", shape_str(shape), "' is invalid for input of size ", numel);
    out[infer] = numel / known;
  } else {
    TG_CHECK(known == numel, "shape '", shape_str(shape), "' is invalid for input of size ", numel);
  }
  return out;
}

// Strides for viewing (shape, strides) as new_shape without copying, if possible
// (PyTorch's computeStride). Returns false when the memory layout does not allow it.
bool compute_view_strides(const Dims& shape, const Dims& strides, const Dims& new_shape, Dims* out) {
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  out->assign(new_shape.size(), 0);
  if (numel == 0) {
    *out = contiguous_strides(new_shape);
    return true;
  }
  int64_t view_d = static_cast<int64_t>(new_shape.size()) - 1;
  int64_t chunk_base_stride = strides.empty() ? 1 : strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; d--) {
    tensor_numel *= shape[d];
    if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        (*out)[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return false;
  return true;
}

}  // namespace

Tensor view(const Tensor& a, const Dims& shape) {
  Dims target = infer_size(shape, a.numel());
  Dims st;
  TG_CHECK(compute_view_strides(a.shape(), a.strides(), target, &st),
           "view size is not compatible with input tensor's size and stride (at least one dimension spans across "
           "two contiguous subspaces). Use .reshape(...) instead.");
  Tensor out = make_view(a, target, st, a.offset());
  record_view(OpKind::View, "ViewBackward0", a, out);
  return out;
}

Tensor reshape(const Tensor& a, const Dims& shape) {
  Dims target = infer_size(shape, a.numel());
  Dims st;
  if (compute_view_strides(a.shape(), a.strides(), target, &st)) {
    Tensor out = make_view(a, target, st, a.offset());
    record_view(OpKind::View, "ReshapeAliasBackward0", a, out);
    return out;
  }
  // Not viewable: copy (CloneBackward0), then view the copy (UnsafeViewBackward0).
  Tensor c = clone(a);
  Tensor out = c.alias(target, contiguous_strides(target), 0);
  record_view(OpKind::View, "UnsafeViewBackward0", c, out);
  return out;
}

Tensor flatten(const Tensor& a, int64_t start, int64_t end) {
  int64_t nd = a.dim();
  if (nd == 0) return reshape(a, {1});
  start = wrap_dim(start, nd);
  end = wrap_dim(end, nd);
  TG_CHECK(start <= end, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (start == end) return a;
  Dims shape;
  for (int64_t i = 0; i < start; i++) shape.push_back(a.shape()[i]);
  int64_t m = 1;
  for (int64_t i = start; i <= end; i++) m *= a.shape()[i];
  shape.push_back(m);
  for (int64_t i = end + 1; i < nd; i++) shape.push_back(a.shape()[i]);
  return reshape(a, shape);
}

Tensor squeeze(const Tensor& a, std::optional<int64_t> dim) {
  Dims shape, strides;
  if (dim) {
    int64_t d = wrap_dim(*dim, a.dim());
    for (int64_t i = 0; i < a.dim(); i++) {
      if (i == d && a.shape()[i] == 1) continue;
      shape.push_back(a.shape()[i]);
      strides.push_back(a.strides()[i]);
    }
  } else {
    for (int64_t i = 0; i < a.dim(); i++) {
      if (a.shape()[i] == 1) continue;
      shape.push_back(a.shape()[i]);
      strides.push_back(a.strides()[i]);
    }
  }
  Tensor out = make_view(a, shape, strides, a.offset());
  record_view(OpKind::View, dim ? "SqueezeBackward1" : "SqueezeBackward0", a, out);
  return out;
}

Tensor unsqueeze(const Tensor& a, int64_t dim) {
  int64_t d = wrap_dim(dim, a.dim() + 1);
  Dims shape = a.shape(), strides = a.strides();
  int64_t st = d < a.dim() ? shape[d] * strides[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, st);
  Tensor out = make_view(a, shape, strides, a.offset());
  record_view(OpKind::View, "UnsqueezeBackward0", a, out);
  return out;
}

Tensor transpose(const Tensor& a, int64_t d0, int64_t d1) {
  int64_t nd = a.dim();
  d0 = wrap_dim(d0, nd);
  d1 = wrap_dim(d1, nd);
  Dims perm(nd);
  for (int64_t i = 0; i < nd; i++) perm[i] = i;
  if (nd > 0) std::swap(perm[d0], perm[d1]);
  Dims shape(nd), strides(nd);
  for (int64_t i = 0; i < nd; i++) {
    shape[i] = a.shape()[perm[i]];
    strides[i] = a.strides()[perm[i]];
  }
  Tensor out = make_view(a, shape, strides, a.offset());
  if (auto n = record_view(OpKind::Permute, "TransposeBackward0", a, out)) n->dims = perm;
  return out;
}

Tensor permute(const Tensor& a, const Dims& perm_in) {
  int64_t nd = a.dim();
  TG_CHECK(static_cast<int64_t>(perm_in.size()) == nd,
           "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired "
           "ordering of dimensions i.e. input.dim() = ", nd, " is not equal to len(dims) = ", perm_in.size());
  Dims perm(nd);
  std::vector<bool> seen(nd, false);
  for (int64_t i = 0; i < nd; i++) {
    perm[i] = wrap_dim(perm_in[i], nd);
    TG_CHECK(!seen[perm[i]], "permute(): duplicate dims are not allowed.");
    seen[perm[i]] = true;
  }
  Dims shape(nd), strides(nd);
  for (int64_t i = 0; i < nd; i++) {
    shape[i] = a.shape()[perm[i]];
    strides[i] = a.strides()[perm[i]];
  }
  Tensor out = make_view(a, shape, strides, a.offset());
  if (auto n = record_view(OpKind::Permute, "PermuteBackward0", a, out)) n->dims = perm;
  return out;
}

Tensor expand(const Tensor& a, const Dims& shape_in) {
  int64_t nd = static_cast<int64_t>(shape_in.size());
  TG_CHECK(nd >= a.dim(), "expand(torch.FloatTensor{", shape_str(a.shape()), "}, size=", shape_str(shape_in),
           "): the number of sizes provided (", nd, ") must be greater or equal to the number of dimensions in the "
           "tensor (", a.dim(), ")");
  Dims shape(nd), strides(nd);
  int64_t off = nd - a.dim();
  for (int64_t i = nd - 1; i >= 0; i--) {
    int64_t want = shape_in[i];
    if (i < off) {
      TG_CHECK(want >= 0, "The expanded size of the tensor (", want,
               ") isn't allowed in a leading, non-existing dimension ", i);
      shape[i] = want;
      strides[i] = 0;
      continue;
    }
    int64_t have = a.shape()[i - off];
    if (want == -1) want = have;
    if (have == want) {
      shape[i] = have;
      strides[i] = a.strides()[i - off];
    } else {
      TG_CHECK(have == 1, "The expanded size of the tensor (", want, ") must match the existing size (", have,
               ") at non-singleton dimension ", i, ".  Target sizes: ", shape_str(shape_in),
               ".  Tensor sizes: ", shape_str(a.shape()));
      shape[i] = want;
      strides[i] = 0;
    }
  }
  Tensor out = make_view(a, shape, strides, a.offset());
  record_view(OpKind::Expand, "ExpandBackward0", a, out);
  return out;
}

Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  TG_CHECK(a.dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  TG_CHECK(step > 0, "slice step must be positive");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t size = a.shape()[d];
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  int64_t len = (end - start + step - 1) / step;
  Dims shape = a.shape(), strides = a.strides();
  shape[d] = len;
  strides[d] *= step;
  Tensor out = make_view(a, shape, strides, a.offset() + start * a.strides()[d]);
  if (auto n = record_view(OpKind::Slice, "SliceBackward0", a, out)) {
    n->i0 = d;
    n->i1 = start;
    n->s0 = static_cast<double>(step);
  }
  return out;
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  TG_CHECK(a.dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t size = a.shape()[d];
  TG_CHECK_RANGE(start >= -size && start <= size, "start out of range (expected to be in range of [", -size, ", ",
                 size, "], but got ", start, ")");
  if (start < 0) start += size;
  TG_CHECK_RANGE(length >= 0 && start <= size - length, "start (", start, ") + length (", length,
                 ") exceeds dimension size (", size, ").");
  return slice(a, d, start, start + length, 1);
}

Tensor select(const Tensor& a, int64_t dim, int64_t index) {
  TG_CHECK(a.dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t size = a.shape()[d];
  TG_CHECK_RANGE(index >= -size && index < size, "select(): index ", index, " out of range for tensor of size ",
                 shape_str(a.shape()), " at dimension ", d);
  if (index < 0) index += size;
  Dims shape = a.shape(), strides = a.strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  Tensor out = make_view(a, shape, strides, a.offset() + index * a.strides()[d]);
  if (auto n = record_view(OpKind::Select, "SelectBackward0", a, out)) {
    n->i0 = d;
    n->i1 = index;
  }
  return out;
}

Tensor as_strided_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset) {
  Tensor out = make_view(a, shape, strides, offset);
  if (auto n = record_view(OpKind::AsStrided, "AsStridedBackward0", a, out)) {
    n->dims = shape;       // output geometry
    n->i1 = offset;
    n->shapes = {strides};
  }
  return out;
}

}  // namespace ops
}  // namespace tg
