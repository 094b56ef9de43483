// Shape ops. Wherever PyTorch returns a view, so do we: the result shares storage and
// remembers its base (view_base, always the root tensor that owns the memory layout) so
// that in-place writes through it can be tracked (see inplace.cc: CopySlices).
#include <limits>
#include <algorithm>
#include "ops.h"
#include "ops_extra.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"

namespace tg {
namespace ops {

namespace {

// A view of `a` with new geometry. It inherits a's base and a non-default creation kind
// (a view of a no-grad view is a no-grad view, as PyTorch propagates CreationMeta).
Tensor make_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset) {
  Tensor v = a.alias(shape, strides, offset);
  TensorImpl* vi = v.impl();
  TensorImpl* ai = a.impl();
  vi->view_base = ai->view_base ? ai->view_base : a.ref();
  vi->view_version = a.storage()->version;
  auto creation = GradMode::enabled() ? ViewCreation::Default : ViewCreation::NoGradMode;
  if (ai->view_base && ai->view_creation != static_cast<uint8_t>(ViewCreation::Default))
    creation = static_cast<ViewCreation>(ai->view_creation);
  vi->view_creation = static_cast<uint8_t>(creation);
  return v;
}

// Records `kind` under `name` as out's grad_fn with the input's shape saved.
Ref<OpNode> record_view(OpKind kind, const char* name, const Tensor& a, Tensor& out) {
  Ref<OpNode> n = record(kind, name, {&a});
  if (n) {
    n->shape = a.shape();
    set_history(out, n);
  }
  return n;
}

// Resolves one -1 in a requested shape against numel (PyTorch's infer_size).
Dims infer_size(const Dims& shape, int64_t numel) {
  Dims out = shape;
  int64_t known = 1, infer = -1;
  bool overflow = false;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == -1) {
      TG_CHECK(infer < 0, "only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      TG_CHECK_RANGE(shape[i] >= 0, "invalid shape dimension ", shape[i]);
      // The running product, as PyTorch's safe_multiplies_u64: once any partial product leaves
      // int64 the shape is refused, even when a later 0 would bring it back ([2^40, 2^40, 0]).
      if (shape[i] != 0 && known > std::numeric_limits<int64_t>::max() / shape[i]) overflow = true;
      else known *= shape[i];
    }
  }
  // PyTorch's text (c10 safe_compute_numel); without this check the product would wrap.
  TG_CHECK(!overflow, "numel: integer multiplication overflow");
  if (numel == known || (infer >= 0 && known > 0 && numel % known == 0)) {
    if (infer >= 0) {
      TG_CHECK(known != 0, "cannot reshape tensor of 0 elements into shape ", shape_str(shape),
               " because the unspecified dimension size -1 can be any value and is ambiguous");
      out[infer] = numel / known;
    }
    return out;
  }
  fail(ErrorKind::Error, str("shape '", shape_str(shape), "' is invalid for input of size ", numel));
}

// Strides for viewing (shape, strides) as new_shape without copying, if possible
// (PyTorch's computeStride). Returns false when the memory layout does not allow it.
bool compute_view_strides(const Dims& shape, const Dims& strides, const Dims& new_shape, Dims* out) {
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  out->assign(new_shape.size(), 0);
  if (shape.empty()) {  // a 0-d tensor: any shape of one element
    out->assign(new_shape.size(), 1);
    return true;
  }
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
  return view_d == -1;
}

// A view whose dims are a's dims reordered by perm (transpose, permute, t). `how` tells the
// derivative which of the three to apply to the gradient (PyTorch's backward of t() is t()).
enum class PermuteHow : int64_t { Permute = 0, Transpose = 1, T = 2 };
Tensor permuted_view(const Tensor& a, const Dims& perm, const char* name, PermuteHow how) {
  int64_t nd = a.dim();
  Dims shape(nd), strides(nd);
  for (int64_t i = 0; i < nd; i++) {
    shape[i] = a.shape()[perm[i]];
    strides[i] = a.strides()[perm[i]];
  }
  Tensor out = make_view(a, shape, strides, a.offset());
  if (auto n = record_view(OpKind::Permute, name, a, out)) {
    n->dims = perm;
    n->i2 = static_cast<int64_t>(how);
  }
  return out;
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
  // Not viewable: copy (CloneBackward0), then reinterpret the copy (UnsafeViewBackward0,
  // which is not a view: the copy is private to this result).
  Tensor c = clone(a);
  Tensor out = c.alias(target, contiguous_strides(target), 0);
  record_view(OpKind::View, "UnsafeViewBackward0", c, out);
  return out;
}

Tensor flatten(const Tensor& a, int64_t start, int64_t end) {
  int64_t nd = a.dim();
  start = wrap_dim(start, nd);
  end = wrap_dim(end, nd);
  TG_CHECK(start <= end, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (nd == 0) return reshape(a, {1});
  if (start == end) return a;  // PyTorch returns the input itself
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
  int64_t d = dim ? wrap_dim(*dim, a.dim()) : -1;
  for (int64_t i = 0; i < a.dim(); i++) {
    bool drop = a.shape()[i] == 1 && (!dim || i == d);
    if (drop) continue;
    shape.push_back(a.shape()[i]);
    strides.push_back(a.strides()[i]);
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
  return permuted_view(a, perm, "TransposeBackward0", PermuteHow::Transpose);
}

Tensor t(const Tensor& a) {
  TG_CHECK(a.dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", a.dim(), "D");
  Dims perm = a.dim() == 2 ? Dims{1, 0} : (a.dim() == 1 ? Dims{0} : Dims{});
  return permuted_view(a, perm, "TBackward0", PermuteHow::T);
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
  return permuted_view(a, perm, "PermuteBackward0", PermuteHow::Permute);
}

Tensor expand(const Tensor& a, const Dims& shape_in) {
  int64_t nd = static_cast<int64_t>(shape_in.size());
  TG_CHECK(nd >= a.dim(), "expand(torch.", dtype_legacy_name(a.dtype()), "{", shape_str(a.shape()),
           "}, size=", shape_str(shape_in), "): the number of sizes provided (", nd,
           ") must be greater or equal to the number of dimensions in the tensor (", a.dim(), ")");
  Dims shape(nd), strides(nd);
  int64_t off = nd - a.dim();
  for (int64_t i = nd - 1; i >= 0; i--) {
    int64_t want = shape_in[i];
    if (i < off) {
      TG_CHECK_RANGE(want >= 0, "The expanded size of the tensor (", want,
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
      TG_CHECK(have == 1 && want >= 0, "The expanded size of the tensor (", want,
               ") must match the existing size (", have, ") at non-singleton dimension ", i,
               ".  Target sizes: ", shape_str(shape_in), ".  Tensor sizes: ", shape_str(a.shape()));
      shape[i] = want;
      strides[i] = 0;
    }
  }
  checked_numel(shape);  // a view, but every later op counts its elements
  Tensor out = make_view(a, shape, strides, a.offset());
  record_view(OpKind::Expand, "ExpandBackward0", a, out);
  return out;
}

Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  TG_CHECK_RANGE(a.dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  TG_CHECK_RANGE(step > 0, "slice step must be positive");
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
    n->i2 = end;
    n->s0 = static_cast<double>(step);
  }
  return out;
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  TG_CHECK(a.dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t size = a.shape()[d];
  if (start != size) start = wrap_dim(start, size);  // PyTorch's own wording for a bad start
  TG_CHECK_RANGE(length >= 0 && start <= size - length, "start (", start, ") + length (", length,
                 ") exceeds dimension size (", size, ").");
  return slice(a, d, start, start + length, 1);
}

Tensor select(const Tensor& a, int64_t dim, int64_t index) {
  TG_CHECK_RANGE(a.dim() > 0, "select() cannot be applied to a 0-dim tensor.");
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

Tensor alias(const Tensor& a) {
  Tensor out = make_view(a, a.shape(), a.strides(), a.offset());
  record_view(OpKind::View, "AliasBackward0", a, out);
  return out;
}

// ---------------------------------------------------------------- split and chunk

// Views of consecutive pieces along `dim`: one multi-output node (PyTorch's Split*Backward0);
// in-place writes through them are errors when recorded (ViewCreation::MultiOutput).
static std::vector<Tensor> split_views(const Tensor& a, const Dims& sizes, int64_t d, const char* name) {
  std::vector<Tensor> outs;
  outs.reserve(sizes.size());
  int64_t start = 0;
  for (int64_t len : sizes) {
    Dims shape = a.shape();
    shape[d] = len;
    outs.push_back(make_view(a, shape, a.strides(), a.offset() + start * a.strides()[d]));
    start += len;
  }
  set_multi_output_history(outs, record(OpKind::Split, name, {&a}), d, a.shape());
  return outs;
}

std::vector<Tensor> split(const Tensor& a, const Dims& sizes, int64_t dim) {
  TG_CHECK(a.dim() > 0, "split expects at least a 1-dimensional tensor");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t size = a.shape()[d], total = 0;
  bool ok = true;
  for (int64_t s : sizes) {
    ok = ok && s >= 0;
    if (ok) total = total > size ? total : total + s;  // stops growing once past size: no overflow
  }
  TG_CHECK_RANGE(ok, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=",
                 shape_str(sizes));
  TG_CHECK(total == size, "split_with_sizes expects split_sizes to sum exactly to ", size,
           " (input tensor's size at dimension ", d, "), but got split_sizes=", shape_str(sizes));
  return split_views(a, sizes, d, "SplitWithSizesBackward0");
}

std::vector<Tensor> split_size(const Tensor& a, int64_t size, int64_t dim) {
  TG_CHECK(a.dim() > 0, "split expects at least a 1-dimensional tensor");
  TG_CHECK_RANGE(size >= 0, "split expects split_size be non-negative, but got split_size=", size);
  int64_t d = wrap_dim(dim, a.dim());
  int64_t dim_size = a.shape()[d];
  TG_CHECK(size > 0 || dim_size == 0, "split_size can only be 0 if dimension size is 0, but got dimension size of ",
           dim_size);
  // PyTorch: at least one piece; the last holds the remainder.
  int64_t pieces = size == 0 ? 1 : std::max<int64_t>((dim_size + size - 1) / size, 1);
  Dims sizes(pieces, size);
  sizes.back() = size - (size * pieces - dim_size);
  return split_views(a, sizes, d, "SplitBackward0");
}

std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  TG_CHECK(a.dim() > 0, "chunk expects at least a 1-dimensional tensor");
  TG_CHECK_RANGE(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  int64_t d = wrap_dim(dim, a.dim());
  int64_t dim_size = a.shape()[d];
  int64_t size = dim_size / chunks + (dim_size % chunks != 0);
  if (size == 0 && dim_size == 0) {
    // Every piece is empty: keep the number of chunks asked for (PyTorch's split_with_sizes path).
    TG_CHECK_RANGE(chunks <= (int64_t(1) << 24), "chunk: too many chunks (", chunks, ")");
    return split_views(a, Dims(chunks, 0), d, "SplitWithSizesBackward0");
  }
  return split_size(a, size, dim);
}

// ---------------------------------------------------------------- raw geometry

Geometry geometry_of(const Tensor& t) { return Geometry{t.shape(), t.strides(), t.offset()}; }

Tensor as_strided_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset) {
  TG_CHECK(shape.size() == strides.size(), "mismatch in length of strides and shape");
  Tensor out = make_view(a, shape, strides, offset);
  if (auto n = record_view(OpKind::AsStrided, "AsStridedBackward0", a, out)) {
    n->strides = a.strides();
    n->i2 = a.offset();
    n->dims = shape;
    n->shapes = {strides};
    n->i1 = offset;
  }
  return out;
}

Tensor as_strided_scatter_zeros(const Tensor& g, const Geometry& base, const Geometry& view) {
  // Storage laid out like the base (relative to its first element), zero-filled. The base
  // of a view is the root tensor that owns its layout, so its strides are non-negative and
  // its elements do not overlap.
  int64_t extent = 1;
  for (size_t i = 0; i < base.shape.size(); i++) {
    if (base.shape[i] == 0) extent = 0;
    if (extent && base.shape[i] > 1) extent += (base.shape[i] - 1) * base.strides[i];
  }
  Tensor flat = Tensor::zeros({extent}, g.dtype());
  Tensor region = flat.alias(view.shape, view.strides, view.offset - base.offset);
  copy_kernel(region, g);
  return flat.alias(base.shape, base.strides, 0);
}

// ---------------------------------------------------------------- slice/select gradients

Tensor slice_backward(const Tensor& g, const Dims& input_shape, int64_t dim, int64_t start, int64_t end,
                      int64_t step) {
  Tensor out = Tensor::zeros(input_shape, g.dtype());
  Dims shape = input_shape, strides = out.strides();
  shape[dim] = g.shape()[dim];
  strides[dim] *= step;
  copy_kernel(out.alias(shape, strides, start * out.strides()[dim]), g);
  if (auto n = record(OpKind::SliceScatter, "SliceBackwardBackward0", {&g})) {
    n->i0 = dim;
    n->i1 = start;
    n->i2 = end;
    n->s0 = static_cast<double>(step);
    set_history(out, n);
  }
  return out;
}

Tensor select_backward(const Tensor& g, const Dims& input_shape, int64_t dim, int64_t index) {
  Tensor out = Tensor::zeros(input_shape, g.dtype());
  Dims shape = input_shape, strides = out.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  copy_kernel(out.alias(shape, strides, index * out.strides()[dim]), g);
  if (auto n = record(OpKind::SelectScatter, "SelectBackwardBackward0", {&g})) {
    n->i0 = dim;
    n->i1 = index;
    set_history(out, n);
  }
  return out;
}

// The views of a multi-output op (split, chunk, unbind) share one node `n` (null when not
// recording), output i of it; PyTorch forbids writing into them in place. The node keeps
// the dim and the input's shape for its derivative.
void set_multi_output_history(std::vector<Tensor>& outs, const Ref<OpNode>& n, int64_t dim, const Dims& input_shape) {
  for (size_t i = 0; i < outs.size(); i++) {
    TensorImpl* vi = outs[i].impl();
    if (vi->view_creation == static_cast<uint8_t>(ViewCreation::Default))
      vi->view_creation = static_cast<uint8_t>(ViewCreation::MultiOutput);
    if (n) set_history(outs[i], n, static_cast<uint32_t>(i));
  }
  if (n) {
    n->i0 = dim;
    n->shape = input_shape;
  }
}

// For ops in other files that return views (ops_extra.h: diagonal, unbind).
Tensor view_of(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset) {
  return make_view(a, shape, strides, offset);
}

}  // namespace ops
}  // namespace tg
