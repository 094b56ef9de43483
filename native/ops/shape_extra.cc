// More shape and index ops: flip, roll, repeat/tile, tril/triu, masked_fill/masked_select,
// nonzero, diag/diagonal/trace, unbind, movedim, scatter/scatter_add.
//
// diagonal and unbind return views (as PyTorch does); the others copy. Composite forwards
// run existing ops with grad mode off and record one node under PyTorch's name.
#include <algorithm>
#include "ops_extra.h"
#include "inplace_helpers.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/index.h"

namespace tg {
namespace ops {

namespace {

Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : clone_detached(t); }

Dims wrap_dims(const Dims& dims, int64_t nd) {
  Dims out;
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, nd);
    for (int64_t seen : out) TG_CHECK(seen != w, "dim ", w, " appears multiple times in the list of dims");
    out.push_back(w);
  }
  return out;
}

Ref<OpNode> record_one(OpKind kind, const char* name, const Tensor& a, Tensor& out) {
  Ref<OpNode> n = record(kind, name, {&a});
  if (n) {
    n->shape = a.shape();
    set_history(out, n);
  }
  return n;
}

}  // namespace

// ---------------------------------------------------------------- flip, roll

Tensor flip(const Tensor& a, const Dims& dims) {
  Dims ds = wrap_dims(dims, a.dim());
  // A view walking the flipped dims backwards, then a copy.
  Dims strides = a.strides();
  int64_t offset = a.offset();
  if (a.dim() == 0) ds.clear();  // a 0-d tensor takes dim 0 or -1 and stays as it is
  for (int64_t d : ds) {
    if (a.shape()[d] > 0) offset += (a.shape()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  if (a.numel() > 0) copy_kernel(out, a.alias(a.shape(), strides, offset));
  if (auto n = record_one(OpKind::Flip, "FlipBackward0", a, out)) n->dims = ds;
  return out;
}

namespace {
Tensor roll_value(const Tensor& a, const Dims& shifts, const Dims& dims) {
  GradModeGuard off(false);
  if (dims.empty()) {
    TG_CHECK(shifts.size() == 1, "shifts and dimensions must align. shifts: ", shifts.size(), ", dims:0");
    Tensor flat = reshape(a, {a.numel()});
    return reshape(roll_value(flat, shifts, {0}), a.shape());
  }
  TG_CHECK(shifts.size() == dims.size(), "shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims:", dims.size());
  TG_CHECK_RANGE(a.dim() > 0, "Dimension specified as ", dims[0], " but tensor has no dimensions");
  Tensor out = a;
  for (size_t i = 0; i < dims.size(); i++) {
    int64_t d = wrap_dim(dims[i], a.dim());
    int64_t size = a.shape()[d];
    if (size == 0) continue;
    int64_t s = ((shifts[i] % size) + size) % size;
    if (s == 0) continue;
    out = cat({narrow(out, d, size - s, s), narrow(out, d, 0, size - s)}, d);
  }
  return out.same(a) ? clone_detached(a) : out;
}
}  // namespace

Tensor roll(const Tensor& a, const Dims& shifts, const Dims& dims) {
  Tensor out = roll_value(a, shifts, dims);
  if (auto n = record_one(OpKind::Roll, "RollBackward0", a, out)) {
    n->dims = dims;
    n->strides = shifts;  // the shifts, undone by rolling back
  }
  return out;
}

// ---------------------------------------------------------------- repeat, tile

Tensor repeat(const Tensor& a, const Dims& sizes) {
  TG_CHECK(static_cast<int64_t>(sizes.size()) >= a.dim(),
           "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  for (int64_t s : sizes) TG_CHECK_RANGE(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", shape_str(sizes));
  // x as [1, s0, 1, s1, ...] expanded to [r0, s0, r1, s1, ...], then merged pairwise.
  size_t k = sizes.size();
  Dims padded(k - a.dim(), 1);
  padded.insert(padded.end(), a.shape().begin(), a.shape().end());
  Dims pairs, expanded, result;
  for (size_t i = 0; i < k; i++) {
    pairs.push_back(1);
    pairs.push_back(padded[i]);
    expanded.push_back(sizes[i]);
    expanded.push_back(padded[i]);
    result.push_back(sizes[i] * padded[i]);
  }
  Tensor out = Tensor::empty(result, a.dtype());
  if (out.numel() > 0) {
    GradModeGuard off(false);
    Tensor src = expand(reshape(a, pairs), expanded);
    copy_kernel(out.alias(expanded, contiguous_strides(expanded), 0), src);
  }
  if (auto n = record_one(OpKind::Repeat, "RepeatBackward0", a, out)) n->dims = sizes;
  return out;
}

Tensor tile(const Tensor& a, const Dims& sizes) {
  Dims s = sizes;
  if (static_cast<int64_t>(s.size()) < a.dim()) s.insert(s.begin(), a.dim() - s.size(), 1);
  return repeat(a, s);
}

// ---------------------------------------------------------------- tril, triu

namespace {
// Where column - row is within the kept band (an [n, m] bool mask).
Tensor band_mask(int64_t n, int64_t m, int64_t k, bool upper) {
  Tensor mask = Tensor::empty({n, m}, DType::Bool);
  bool* p = mask.data<bool>();
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) p[i * m + j] = upper ? (j - i >= k) : (j - i <= k);
  return mask;
}

Tensor tri(const Tensor& a, int64_t k, bool upper) {
  wrap_dim(-2, a.dim());  // PyTorch's error for fewer than 2 dims: "Dimension out of range ..."
  TG_CHECK(a.dim() >= 2, upper ? "triu" : "tril", ": input tensor must have at least 2 dimensions");
  Tensor out;
  {
    GradModeGuard off(false);
    Tensor mask = band_mask(a.shape()[a.dim() - 2], a.shape()[a.dim() - 1], k, upper);
    out = where(mask, a, Tensor::zeros({}, a.dtype()));
    if (out.shape() != a.shape()) out = clone_detached(expand(out, a.shape()));
  }
  if (auto n = record_one(OpKind::Tril, upper ? "TriuBackward0" : "TrilBackward0", a, out)) {
    n->b0 = upper;
    n->i0 = k;
  }
  return out;
}
}  // namespace

Tensor tril(const Tensor& a, int64_t diagonal) { return tri(a, diagonal, false); }
Tensor triu(const Tensor& a, int64_t diagonal) { return tri(a, diagonal, true); }

// ---------------------------------------------------------------- masked_fill, masked_select

namespace {

Tensor cast_value(const Tensor& value, DType dt) {
  Tensor v = Tensor::empty({}, dt);
  copy_kernel(v, value);
  return v;
}

Tensor masked_fill_value(const Tensor& a, const Tensor& mask, const Tensor& value) {
  TG_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
           value.dim(), " dimension(s).");
  GradModeGuard off(false);
  // PyTorch 1.13 still takes a non-bool mask (nonzero is true), with a deprecation warning.
  if (mask.dtype() != DType::Bool)
    return where(compare(CmpOp::Ne, mask, scalar_tensor(Scalar{0, true, false})), cast_value(value, a.dtype()), a);
  return where(mask, cast_value(value, a.dtype()), a);
}

Ref<OpNode> record_masked_fill(Tensor& self_or_in, const Tensor& mask, const Tensor& value) {
  bool scalar = value.impl()->wrapped_number;
  Ref<OpNode> n = scalar ? record(OpKind::MaskedFill, "MaskedFillBackward0", {&self_or_in})
                         : record(OpKind::MaskedFill, "MaskedFillBackward1", {&self_or_in, &value});
  if (n) {
    n->b0 = !scalar;
    n->save(mask);
  }
  return n;
}

}  // namespace

Tensor masked_fill(const Tensor& a, const Tensor& mask, const Tensor& value) {
  Tensor out = masked_fill_value(a, mask, value);
  Tensor in = a;
  if (auto n = record_masked_fill(in, mask, value)) set_history(out, n);
  return out;
}

void masked_fill_(Tensor& self, const Tensor& mask, const Tensor& value) {
  Tensor out = masked_fill_value(self, mask, value);
  TG_CHECK(out.shape() == self.shape(), "output with shape ", shape_str(self.shape()),
           " doesn't match the broadcast shape ", shape_str(out.shape()));
  bool rec = inplace_begin(self, {&value});
  Ref<OpNode> n = rec ? record_masked_fill(self, mask, value) : nullptr;
  copy_kernel(self, out);
  inplace_end(self, n);
}

Tensor nonzero(const Tensor& a) {
  Tensor x = dense(a);
  const int64_t nd = a.dim(), total = a.numel();
  std::vector<int64_t> hits;
  TG_DISPATCH_ALL(a.dtype(), [&] {
    const scalar_t* p = x.data<scalar_t>();
    for (int64_t i = 0; i < total; i++)
      if (p[i] != scalar_t(0)) hits.push_back(i);
  });
  int64_t count = static_cast<int64_t>(hits.size());
  Tensor out = Tensor::empty({count, nd}, DType::Int64);
  int64_t* o = out.data<int64_t>();
  Dims strides = contiguous_strides(a.shape());
  for (int64_t h = 0; h < count; h++)
    for (int64_t d = 0; d < nd; d++) o[h * nd + d] = (hits[h] / strides[d]) % a.shape()[d];
  return out;
}

Tensor masked_select(const Tensor& a, const Tensor& mask) {
  TG_CHECK(mask.dtype() == DType::Bool, "masked_select: expected BoolTensor or ByteTensor for mask");
  Dims shape = broadcast_shapes(a.shape(), mask.shape());
  Tensor out, flat_idx;
  {
    GradModeGuard off(false);
    int64_t total = 1;
    for (int64_t s : shape) total *= s;
    Tensor m = Tensor::empty(shape, DType::Bool);
    copy_kernel(m, mask);
    flat_idx = reshape(nonzero(reshape(m, {total})), {-1});
    Tensor x = Tensor::empty(shape, a.dtype());
    copy_kernel(x, a);
    out = index_select(reshape(x, {total}), 0, flat_idx);
  }
  if (auto n = record(OpKind::MaskedSelect, "MaskedSelectBackward0", {&a})) {
    n->shape = shape;
    n->save(flat_idx);
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- diagonal, diag, trace

namespace {

struct DiagGeom {
  Dims shape, strides;
  int64_t offset;
};

DiagGeom diagonal_geometry(const Dims& shape, const Dims& strides, int64_t base_offset, int64_t off, int64_t d1,
                           int64_t d2) {
  int64_t len = off >= 0 ? std::min(shape[d1], shape[d2] - off) : std::min(shape[d1] + off, shape[d2]);
  len = std::max<int64_t>(len, 0);
  DiagGeom g{{}, {}, base_offset};
  if (len > 0) g.offset += off >= 0 ? off * strides[d2] : -off * strides[d1];
  for (size_t i = 0; i < shape.size(); i++) {
    if (static_cast<int64_t>(i) == d1 || static_cast<int64_t>(i) == d2) continue;
    g.shape.push_back(shape[i]);
    g.strides.push_back(strides[i]);
  }
  g.shape.push_back(len);
  g.strides.push_back(strides[d1] + strides[d2]);
  return g;
}

void check_diag_dims(int64_t d1, int64_t d2) {
  TG_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", d1, ", ", d2);
}

}  // namespace

Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t d1 = wrap_dim(dim1, a.dim()), d2 = wrap_dim(dim2, a.dim());
  check_diag_dims(d1, d2);
  DiagGeom g = diagonal_geometry(a.shape(), a.strides(), a.offset(), offset, d1, d2);
  Tensor out = view_of(a, g.shape, g.strides, g.offset);
  if (auto n = record_one(OpKind::Diagonal, "DiagonalBackward0", a, out)) {
    n->i0 = offset;
    n->i1 = d1;
    n->i2 = d2;
  }
  return out;
}

Tensor diagonal_backward(const Tensor& g, const Dims& shape, int64_t offset, int64_t dim1, int64_t dim2) {
  Tensor out = Tensor::zeros(shape, g.dtype());
  DiagGeom geo = diagonal_geometry(shape, contiguous_strides(shape), 0, offset, dim1, dim2);
  Tensor region = out.alias(geo.shape, geo.strides, geo.offset);
  if (region.numel() > 0) copy_kernel(region, g);
  if (auto n = record(OpKind::DiagonalBackward, "DiagonalBackwardBackward0", {&g})) {
    n->i0 = offset;
    n->i1 = dim1;
    n->i2 = dim2;
    set_history(out, n);
  }
  return out;
}

Tensor diag(const Tensor& a, int64_t k) {
  TG_CHECK(a.dim() == 1 || a.dim() == 2, "matrix or a vector expected");
  Tensor out;
  if (a.dim() == 1) {
    int64_t n = a.shape()[0] + (k >= 0 ? k : -k);
    out = Tensor::zeros({n, n}, a.dtype());
    DiagGeom geo = diagonal_geometry({n, n}, {n, 1}, 0, k, 0, 1);
    if (a.numel() > 0) copy_kernel(out.alias(geo.shape, geo.strides, geo.offset), a);
  } else {
    DiagGeom geo = diagonal_geometry(a.shape(), a.strides(), a.offset(), k, 0, 1);
    out = Tensor::empty(geo.shape, a.dtype());
    if (out.numel() > 0) copy_kernel(out, a.alias(geo.shape, geo.strides, geo.offset));
  }
  if (auto n = record_one(OpKind::Diag, "DiagBackward0", a, out)) n->i0 = k;
  return out;
}

Tensor trace(const Tensor& a) {
  TG_CHECK(a.dim() == 2, "trace: expected a matrix, but got tensor with dim ", a.dim());
  Tensor out;
  {
    GradModeGuard off(false);
    out = sum(diagonal(a, 0, 0, 1), {}, false);
  }
  record_one(OpKind::Trace, "TraceBackward0", a, out);
  return out;
}

// ---------------------------------------------------------------- unbind, movedim

std::vector<Tensor> unbind(const Tensor& a, int64_t dim) {
  TG_CHECK_RANGE(a.dim() > 0, "Dimension specified as 0 but tensor has no dimensions");
  int64_t d = wrap_dim(dim, a.dim());
  Dims shape = a.shape(), strides = a.strides();
  int64_t size = shape[d], step = strides[d];
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  std::vector<Tensor> outs;
  for (int64_t i = 0; i < size; i++) outs.push_back(view_of(a, shape, strides, a.offset() + i * step));
  // One node for all pieces, which are views of a multi-output op (no in-place writes).
  set_multi_output_history(outs, record(OpKind::Unbind, "UnbindBackward0", {&a}), d, a.shape());
  return outs;
}

Tensor movedim(const Tensor& a, const Dims& source, const Dims& destination) {
  TG_CHECK(source.size() == destination.size(), "movedim: Invalid source or destination dims: source (",
           shape_str(source), " dims) should contain the same number of dims as destination (", shape_str(destination),
           " dims)");
  int64_t nd = a.dim();
  if (nd == 0) {  // dims 0 and -1 name the tensor itself
    for (int64_t s : source) wrap_dim(s, nd);
    for (int64_t s : destination) wrap_dim(s, nd);
    return alias(a);
  }
  Dims src, dst;
  for (int64_t s : source) src.push_back(wrap_dim(s, nd));
  for (int64_t s : destination) dst.push_back(wrap_dim(s, nd));
  for (size_t i = 0; i < src.size(); i++)
    for (size_t j = i + 1; j < src.size(); j++) {
      TG_CHECK(src[i] != src[j], "movedim: repeated dim in `source` (", shape_str(source), ")");
      TG_CHECK(dst[i] != dst[j], "movedim: repeated dim in `destination` (", shape_str(destination), ")");
    }
  // The named dims go to their places; the others fill the rest in order.
  Dims perm(nd, -1);
  std::vector<bool> used(nd, false);
  for (size_t i = 0; i < src.size(); i++) {
    perm[dst[i]] = src[i];
    used[src[i]] = true;
  }
  int64_t next = 0;
  for (int64_t i = 0; i < nd; i++) {
    if (perm[i] >= 0) continue;
    while (used[next]) next++;
    perm[i] = next++;
  }
  return permute(a, perm);
}

// ---------------------------------------------------------------- scatter, scatter_add

namespace {

void check_scatter(const char* op, const Tensor& a, int64_t d, const Tensor& index, const Tensor* src) {
  TG_CHECK(index.dtype() == DType::Int64, op, "(): Expected dtype int64 for index");
  if (src) TG_CHECK(src->dtype() == a.dtype(), op, "(): Expected self.dtype to be equal to src.dtype");
  int64_t nd = std::max<int64_t>(a.dim(), 1);
  TG_CHECK(std::max<int64_t>(index.dim(), 1) == nd, "Index tensor must have the same number of dimensions as self tensor");
  Dims self_shape = a.dim() == 0 ? Dims{1} : a.shape();
  Dims index_shape = index.dim() == 0 ? Dims{1} : index.shape();
  for (int64_t i = 0; i < nd; i++) {
    TG_CHECK(i == d || index_shape[i] <= self_shape[i], "Expected index ", shape_str(index.shape()),
             " to be smaller than self ", shape_str(a.shape()), " apart from dimension ", d,
             src ? str(" and to be smaller size than src ", shape_str(src->shape())) : std::string());
    if (src && src->dim() > 0)
      TG_CHECK(index_shape[i] <= src->shape()[i], "Expected index ", shape_str(index.shape()),
               " to be smaller than self ", shape_str(a.shape()), " apart from dimension ", d,
               " and to be smaller size than src ", shape_str(src->shape()));
  }
  Tensor idx = dense(index);
  const int64_t* p = idx.data<int64_t>();
  for (int64_t i = 0, n = idx.numel(); i < n; i++)
    TG_CHECK_RANGE(p[i] >= 0 && p[i] < self_shape[d], "index ", p[i], " is out of bounds for dimension ", d,
                   " with size ", self_shape[d]);
}

// out[p with p[d] = index[p]] = src[p] over index's shape; out contiguous, src a tensor
// whose leading index-shaped block is read (or one element, broadcast).
void scatter_kernel(const Tensor& out, const Tensor& src, const Tensor& index, int64_t d) {
  Dims ishape = index.dim() == 0 ? Dims{1} : index.shape();
  Dims oshape = out.dim() == 0 ? Dims{1} : out.shape();
  Tensor idx = dense(index);
  const int64_t* ix = idx.data<int64_t>();
  int64_t nd = static_cast<int64_t>(ishape.size());
  Dims ostr = contiguous_strides(oshape);
  Dims sstr = src.dim() == 0 ? Dims(nd, 0) : src.strides();
  int64_t total = idx.numel();
  TG_DISPATCH_ALL(out.dtype(), [&] {
    scalar_t* o = out.data<scalar_t>();
    const scalar_t* s = src.data<scalar_t>();
    Dims pos(nd, 0);
    for (int64_t i = 0; i < total; i++) {
      int64_t oo = 0, so = 0;
      for (int64_t k = 0; k < nd; k++) {
        oo += (k == d ? ix[i] : pos[k]) * ostr[k];
        so += pos[k] * sstr[k];
      }
      o[oo] = s[so];
      for (int64_t k = nd - 1; k >= 0; k--) {
        if (++pos[k] < ishape[k]) break;
        pos[k] = 0;
      }
    }
  });
}

}  // namespace

namespace {

Tensor scatter_value(const Tensor& a, int64_t d, const Tensor& index, const Tensor& src) {
  bool scalar = src.impl()->wrapped_number;
  check_scatter("scatter", a, d, index, scalar ? nullptr : &src);
  Tensor out = clone_detached(a);
  Tensor s = src;
  if (scalar) {
    s = Tensor::empty({}, a.dtype());
    copy_kernel(s, src);
  }
  if (index.numel() > 0) scatter_kernel(out, s, index, d);
  return out;
}

Ref<OpNode> scatter_node(const Tensor& a, int64_t d, const Tensor& index, const Tensor& src) {
  bool scalar = src.impl()->wrapped_number;
  Ref<OpNode> n = scalar ? record(OpKind::Scatter, "ScatterBackward1", {&a})
                         : record(OpKind::Scatter, "ScatterBackward0", {&a, &src});
  if (n) {
    n->i0 = d;
    n->b0 = !scalar;
    n->save(index);
  }
  return n;
}

Tensor scatter_add_value(const Tensor& a, int64_t d, const Tensor& index, const Tensor& src) {
  check_scatter("scatter", a, d, index, &src);  // PyTorch names scatter() here too
  Tensor out = clone_detached(a);
  if (index.numel() > 0) {
    Dims out_shape = a.dim() == 0 ? Dims{1} : a.shape();
    Dims index_shape = index.dim() == 0 ? Dims{1} : index.shape();
    // scatter_add_kernel reads src over index's shape: take that block of src.
    Tensor s = src.dim() == 0 ? src.alias({1}, {1}, src.offset()) : src;
    Tensor block = Tensor::empty(index_shape, a.dtype());
    copy_kernel(block, s.alias(index_shape, s.strides(), s.offset()));
    Tensor idx = dense(index);
    scatter_add_kernel(out.alias(out_shape, contiguous_strides(out_shape), 0), block,
                       idx.alias(index_shape, contiguous_strides(index_shape), idx.offset()), d);
  }
  return out;
}

Ref<OpNode> scatter_add_node(const Tensor& a, int64_t d, const Tensor& index, const Tensor& src) {
  Ref<OpNode> n = record(OpKind::ScatterAddSelf, "ScatterAddBackward0", {&a, &src});
  if (n) {
    n->i0 = d;
    n->save(index);
  }
  return n;
}

// Writes `out` (computed from self) into self with PyTorch's in-place rules; make_node
// records the op's node against self's history before the write.
template <class MakeNode>
void write_inplace(Tensor& self, const Tensor& out, const Tensor& other, MakeNode make_node) {
  bool rec = inplace_begin(self, {&other});
  Ref<OpNode> n = rec ? make_node() : nullptr;
  copy_kernel(self, out);
  inplace_end(self, n);
}

}  // namespace

Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  int64_t d = wrap_dim(dim, a.dim());
  Tensor out = scatter_value(a, d, index, src);
  if (auto n = scatter_node(a, d, index, src)) set_history(out, n);
  return out;
}

Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  int64_t d = wrap_dim(dim, a.dim());
  Tensor out = scatter_add_value(a, d, index, src);
  if (auto n = scatter_add_node(a, d, index, src)) set_history(out, n);
  return out;
}

void scatter_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  int64_t d = wrap_dim(dim, self.dim());
  Tensor out = scatter_value(self, d, index, src);
  write_inplace(self, out, src, [&] { return scatter_node(self, d, index, src); });
}

void scatter_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  int64_t d = wrap_dim(dim, self.dim());
  Tensor out = scatter_add_value(self, d, index, src);
  write_inplace(self, out, src, [&] { return scatter_add_node(self, d, index, src); });
}

// ---------------------------------------------------------------- index_add

namespace {

// index_add's value; idx receives the index as a 1-D int64 tensor.
Tensor index_add_value(const Tensor& a, int64_t d, const Tensor& index, const Tensor& src, double alpha, Tensor& idx) {
  TG_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32,
           "index_add_(): Expected dtype int32/int64 for index but got: ", dtype_short_name(index.dtype()));
  TG_CHECK(index.dim() <= 1, "index_add_(): Index is supposed to be a vector, but got dim: ", index.dim(),
           " with type: ", dtype_short_name(index.dtype()), " and size: ", shape_str(index.shape()));
  TG_CHECK(src.dtype() == a.dtype(), "index_add_(): self (", dtype_short_name(a.dtype()), ") and source (",
           dtype_short_name(src.dtype()), ") must have the same scalar type");
  int64_t k = index.numel();
  int64_t src_size = src.dim() == 0 ? 1 : src.shape()[d];
  TG_CHECK(k == src_size, "index_add_(): Number of indices (", k, ") should be equal to source.size(dim): (",
           src_size, "), for dim: ", d);
  // The slices (all dims but d) must agree.
  if (a.dim() > 0 && src.dim() > 0) {
    int64_t j = 0;
    for (int64_t i = 0; i < a.dim(); i++) {
      if (i == d) continue;
      TG_CHECK(i < src.dim() && a.shape()[i] == src.shape()[i], "The size of tensor a (", a.shape()[i],
               ") must match the size of tensor b (", i < src.dim() ? src.shape()[i] : 1,
               ") at non-singleton dimension ", j);
      j++;
    }
  }
  int64_t size = a.dim() == 0 ? 1 : a.shape()[d];
  idx = Tensor::empty({k}, DType::Int64);
  copy_kernel(idx.alias(index.shape(), contiguous_strides(index.shape()), 0), index);
  const int64_t* ix = idx.data<int64_t>();
  for (int64_t i = 0; i < k; i++) TG_CHECK_RANGE(ix[i] >= 0 && ix[i] < size, "index out of range in self");
  Tensor out = clone_detached(a);
  if (k > 0) {
    Tensor s = dense(src);
    if (alpha != 1) {
      GradModeGuard off(false);
      Tensor scaled = mul(src, scalar_tensor(Scalar{alpha, alpha == static_cast<double>(static_cast<int64_t>(alpha)), false}));
      s = Tensor::empty(src.shape(), a.dtype());  // back to self's dtype (an integer self with a fractional alpha)
      copy_kernel(s, scaled);
    }
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < a.dim(); i++) {
      if (i < d) outer *= a.shape()[i];
      if (i > d) inner *= a.shape()[i];
    }
    index_add_kernel(out, s, ix, k, outer, inner);
  }
  return out;
}

Ref<OpNode> index_add_node(const Tensor& a, int64_t d, const Tensor& idx, const Tensor& src, double alpha) {
  Ref<OpNode> n = record(OpKind::IndexAddSelf, "IndexAddBackward0", {&a, &src});
  if (n) {
    n->i0 = d;
    n->s0 = alpha;
    n->save(idx);
    n->shape = src.shape();
  }
  return n;
}

}  // namespace

Tensor index_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src, double alpha) {
  int64_t d = wrap_dim(dim, a.dim());
  Tensor idx;
  Tensor out = index_add_value(a, d, index, src, alpha, idx);
  if (auto n = index_add_node(a, d, idx, src, alpha)) set_history(out, n);
  return out;
}

void index_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, double alpha) {
  int64_t d = wrap_dim(dim, self.dim());
  Tensor idx;
  Tensor out = index_add_value(self, d, index, src, alpha, idx);
  write_inplace(self, out, src, [&] { return index_add_node(self, d, idx, src, alpha); });
}

}  // namespace ops
}  // namespace tg
