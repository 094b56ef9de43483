// Linear algebra: dot, mv, mm, bmm, outer, and matmul with PyTorch's rank rules.
//
// matmul follows PyTorch 1.13's at::native::_matmul_impl step by step, so results carry the
// same autograd graph (grad_fn names and chains) and the same error texts:
//   1-D @ 1-D  dot                    2-D @ 1-D  mv
//   1-D @ 2-D  unsqueeze, mm, squeeze_ 2-D @ 2-D  mm
//   >=3-D with 1-D/2-D (either side): fold the batch into the rows of one mm/mv
//   otherwise: broadcast the batch dims, expand, reshape to 3-D, one bmm
// Every kernel reads strided operands in place (transposes are never copied).
#include "ops.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/matmul.h"
#include "../kernels/parallel.h"

namespace tg {
namespace ops {

namespace {

// PyTorch's "expected scalar type Float but found Double" (first operand's type expected).
void check_same_dtype(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dtype() == b.dtype(), "expected scalar type ", dtype_short_name(a.dtype()), " but found ",
           dtype_short_name(b.dtype()));
}

// PyTorch names the kernel that has no bool version: "addmm_impl_cpu_", "bmm", ...
void check_not_bool(const Tensor& a, const char* kernel) {
  TG_CHECK(a.dtype() != DType::Bool, "\"", kernel, "\" not implemented for 'Bool'");
}

int64_t numel_of(const Dims& d) {
  int64_t n = 1;
  for (int64_t s : d) n *= s;
  return n;
}

// Saves what the derivative of a two-input product needs: a only if b wants a gradient,
// b only if a does (an unneeded slot holds an undefined tensor).
// PyTorch's test in mm_mat{1,2}_backward: strides (1, rows).
bool is_column_major(const Tensor& t) { return t.strides()[0] == 1 && t.strides()[1] == t.shape()[0]; }

void save_operands(OpNode& n, const Tensor& a, const Tensor& b) {
  n.save(n.needs_input_grad(1) ? a : Tensor());
  n.save(n.needs_input_grad(0) ? b : Tensor());
}

// Records a node for a geometry change of `a` that becomes `out` (same fields as the views
// of shape.cc), under PyTorch's name for the op that made it.
void record_geometry(OpKind kind, const char* name, const Tensor& a, Tensor& out, const Dims& perm = {}) {
  if (auto n = record(kind, name, {&a})) {
    n->shape = a.shape();
    n->strides = a.strides();
    n->i2 = a.offset();
    n->dims = perm;
    set_history(out, n);
  }
}

// at::_unsafe_view: `a` (contiguous) seen with a new shape. Not tracked as a view: the
// result is a fresh tensor as far as in-place checks go. UnsafeViewBackward0.
Tensor unsafe_view(const Tensor& a, const Dims& shape) {
  Tensor out = a.alias(shape, contiguous_strides(shape), a.offset());
  record_geometry(OpKind::View, "UnsafeViewBackward0", a, out);
  return out;
}

// a.t() of a matrix: a view, TBackward0.
Tensor t_view(const Tensor& a) {
  Tensor out = a.alias({a.shape()[1], a.shape()[0]}, {a.strides()[1], a.strides()[0]}, a.offset());
  out.impl()->view_base = a.impl()->view_base ? a.impl()->view_base : a.ref();
  record_geometry(OpKind::Permute, "TBackward0", a, out, {1, 0});
  return out;
}

// r.squeeze_(0) on the fresh result of mm (1-D @ 2-D): SqueezeBackward3, not a view.
Tensor squeeze0_inplace(const Tensor& r) {
  Tensor out = r.alias({r.shape()[1]}, {r.strides()[1]}, r.offset());
  record_geometry(OpKind::View, "SqueezeBackward3", r, out);
  return out;
}

// Element offset -> pointer for raw kernel calls.
const char* at(const Tensor& t, int64_t elems) { return t.raw() + elems * static_cast<int64_t>(t.itemsize()); }

// out[b] = a[b] @ bm[b] for 3-D operands with any strides. Many small products run one per
// thread; large ones run one after another, each using the whole pool.
void bmm_kernel(const Tensor& out, const Tensor& a, const Tensor& bm) {
  const int64_t batch = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = bm.shape()[2];
  const Dims &sa = a.strides(), &sb = bm.strides(), &so = out.strides();
  auto one = [&](int64_t i) {
    gemm(a.dtype(), m, n, k, at(a, i * sa[0]), sa[1], sa[2], at(bm, i * sb[0]), sb[1], sb[2],
         const_cast<char*>(at(out, i * so[0])), so[1], so[2], false);
  };
  const double macs = double(m) * double(n) * double(k);
  if (macs < 128.0 * 128 * 128 && batch > 1) {
    parallel_for(batch, std::max<int64_t>(1, static_cast<int64_t>(65536 / std::max(1.0, macs))),
                 [&](int64_t b0, int64_t b1) {
                   for (int64_t i = b0; i < b1; i++) one(i);
                 });
  } else {
    for (int64_t i = 0; i < batch; i++) one(i);
  }
}

// PyTorch's should_fold (1.13): a >=3-D tensor times a 1-D/2-D one becomes a single mm/mv
// over the folded batch, unless it is a 3-D tensor whose last two dims are transposed (then
// folding would need a copy, and bmm reads the transposed matrices directly).
bool should_fold(const Tensor& t1, int64_t dim2) {
  const int64_t dim1 = t1.dim();
  if (dim1 < 3 || (dim2 != 1 && dim2 != 2)) return false;
  const Dims& st = t1.strides();
  if (dim1 == 3 && dim2 == 2 && st.back() != 1 && st.front() == t1.shape()[1] * t1.shape()[2]) return false;
  return true;
}

}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 1 && b.dim() == 1, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(), "D tensors");
  TG_CHECK(a.dtype() == b.dtype(), "dot : expected both vectors to have same dtype, but found ",
           dtype_short_name(a.dtype()), " and ", dtype_short_name(b.dtype()));
  TG_CHECK(a.shape()[0] == b.shape()[0], "inconsistent tensor size, expected tensor [", a.shape()[0],
           "] and src [", b.shape()[0], "] to have the same number of elements, but got ", a.shape()[0], " and ",
           b.shape()[0], " elements respectively");
  check_not_bool(a, "dot");
  Tensor out = Tensor::empty({}, a.dtype());
  gemm(a.dtype(), 1, 1, a.shape()[0], a.raw(), 0, a.strides()[0], b.raw(), b.strides()[0], 1, out.raw(), 1, 1,
       false);
  if (auto n = record(OpKind::Dot, "DotBackward0", {&a, &b})) {
    save_operands(*n, a, b);
    set_history(out, n);
  }
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  TG_CHECK(a.dim() == 2 && v.dim() == 1, "vector + matrix @ vector expected, got 1, ", a.dim(), ", ", v.dim());
  TG_CHECK(a.shape()[1] == v.shape()[0], "size mismatch, got ", a.shape()[0], ", ", a.shape()[0], "x", a.shape()[1],
           ",", v.shape()[0]);
  check_same_dtype(a, v);
  check_not_bool(a, "addmv_impl_cpu");
  Tensor out = Tensor::empty({a.shape()[0]}, a.dtype());
  gemm(a.dtype(), a.shape()[0], 1, a.shape()[1], a.raw(), a.strides()[0], a.strides()[1], v.raw(), v.strides()[0],
       1, out.raw(), 1, 1, false);
  if (auto n = record(OpKind::Mv, "MvBackward0", {&a, &v})) {
    save_operands(*n, a, v);
    set_history(out, n);
  }
  return out;
}

Tensor mm(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 2, "self must be a matrix");
  TG_CHECK(b.dim() == 2, "mat2 must be a matrix");
  TG_CHECK(a.shape()[1] == b.shape()[0], "mat1 and mat2 shapes cannot be multiplied (", a.shape()[0], "x",
           a.shape()[1], " and ", b.shape()[0], "x", b.shape()[1], ")");
  check_same_dtype(a, b);
  check_not_bool(a, "addmm_impl_cpu_");
  Tensor out = Tensor::empty({a.shape()[0], b.shape()[1]}, a.dtype());
  gemm(a.dtype(), a.shape()[0], b.shape()[1], a.shape()[1], a.raw(), a.strides()[0], a.strides()[1], b.raw(),
       b.strides()[0], b.strides()[1], out.raw(), out.strides()[0], out.strides()[1], false);
  if (auto n = record(OpKind::Mm, "MmBackward0", {&a, &b})) {
    save_operands(*n, a, b);
    // Which operands are column-major (a transposed view, e.g. W.T in x @ W.T): their
    // gradients are then made column-major too, as PyTorch's mm_mat{1,2}_backward do, so
    // that after TBackward they arrive contiguous (no copy into .grad).
    n->b0 = is_column_major(a);
    n->b1 = is_column_major(b);
    set_history(out, n);
  }
  return out;
}

// bias + a @ b in one GEMM pass (the output starts as the broadcast bias and the GEMM adds
// into it), recorded as AddmmBackward0: nn.Linear's node in PyTorch for 2-D input.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 2, "mat1 must be a matrix, got ", a.dim(), "-D tensor");
  TG_CHECK(b.dim() == 2, "mat2 must be a matrix, got ", b.dim(), "-D tensor");
  TG_CHECK(a.shape()[1] == b.shape()[0], "mat1 and mat2 shapes cannot be multiplied (", a.shape()[0], "x",
           a.shape()[1], " and ", b.shape()[0], "x", b.shape()[1], ")");
  check_same_dtype(a, b);
  check_same_dtype(a, bias);
  check_not_bool(a, "addmm_impl_cpu_");
  Tensor out = Tensor::empty({a.shape()[0], b.shape()[1]}, a.dtype());
  {
    GradModeGuard no_grad(false);  // the broadcast view of the bias is not part of the graph
    copy_kernel(out, expand(bias, out.shape()));
  }
  gemm(a.dtype(), a.shape()[0], b.shape()[1], a.shape()[1], a.raw(), a.strides()[0], a.strides()[1], b.raw(),
       b.strides()[0], b.strides()[1], out.raw(), out.strides()[0], out.strides()[1], true);
  if (auto n = record(OpKind::Addmm, "AddmmBackward0", {&bias, &a, &b})) {
    // As Mm's, one input over: a is kept if b needs a gradient, b if a does.
    n->save(n->needs_input_grad(2) ? a : Tensor());
    n->save(n->needs_input_grad(1) ? b : Tensor());
    n->b0 = is_column_major(a);
    n->b1 = is_column_major(b);
    set_history(out, n);
  }
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  TG_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  TG_CHECK(b.shape()[0] == a.shape()[0] && b.shape()[1] == a.shape()[2],
           "Expected size for first two dimensions of batch2 tensor to be: [", a.shape()[0], ", ", a.shape()[2],
           "] but got: [", b.shape()[0], ", ", b.shape()[1], "].");
  check_same_dtype(a, b);
  check_not_bool(a, "bmm");
  Tensor out = Tensor::empty({a.shape()[0], a.shape()[1], b.shape()[2]}, a.dtype());
  bmm_kernel(out, a, b);
  if (auto n = record(OpKind::Bmm, "BmmBackward0", {&a, &b})) {
    save_operands(*n, a, b);
    set_history(out, n);
  }
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 1, "outer: Expected 1-D argument self, but got ", a.dim(), "-D");
  TG_CHECK(b.dim() == 1, "outer: Expected 1-D argument vec2, but got ", b.dim(), "-D");
  // PyTorch: self.reshape({n, 1}) * vec2 (so types promote and the node is MulBackward0).
  return mul(reshape(a, {a.shape()[0], 1}), b);
}

Tensor matmul(const Tensor& t1, const Tensor& t2) {
  const int64_t dim1 = t1.dim(), dim2 = t2.dim();
  TG_CHECK(dim1 > 0 && dim2 > 0, "both arguments to matmul need to be at least 1D, but they are ", dim1, "D and ",
           dim2, "D");
  if (dim1 == 1 && dim2 == 1) return dot(t1, t2);
  if (dim1 == 2 && dim2 == 1) return mv(t1, t2);
  if (dim1 == 1 && dim2 == 2) return squeeze0_inplace(mm(unsqueeze(t1, 0), t2));
  if (dim1 == 2 && dim2 == 2) return mm(t1, t2);

  if (should_fold(t1, dim2) || should_fold(t2, dim1)) {
    // One mm/mv over the folded batch of the larger operand; for (1-D or 2-D) @ (>=3-D),
    // the transposed problem (t2.mT @ t1.t()).mT.
    const bool transpose_ = dim2 > dim1;
    const Tensor a = transpose_ ? transpose(t2, -2, -1) : t1;
    const Tensor b = !transpose_ ? t2 : (dim1 == 2 ? t_view(t1) : t1);
    Dims out_shape(a.shape().begin(), a.shape().end() - 1);
    const int64_t folded = numel_of(out_shape);
    const bool b_is_matrix = b.dim() == 2;
    if (b_is_matrix) out_shape.push_back(b.shape()[1]);
    const Tensor a_folded = reshape(a, {folded, a.shape().back()});
    if (b_is_matrix) {
      Tensor out = unsafe_view(mm(a_folded, b), out_shape);
      return transpose_ ? contiguous(transpose(out, -2, -1)) : out;
    }
    return unsafe_view(mv(a_folded, b), out_shape);
  }

  // Batched: broadcast the batch dims, flatten them, one bmm.
  const int64_t n = dim1 > 1 ? t1.shape()[dim1 - 2] : 1;
  const int64_t m1 = t1.shape()[dim1 - 1];
  const Dims batch_a(t1.shape().begin(), t1.shape().begin() + std::max<int64_t>(dim1 - 2, 0));
  const int64_t m2 = dim2 > 1 ? t2.shape()[dim2 - 2] : t2.shape()[0];
  const int64_t p = dim2 > 1 ? t2.shape()[dim2 - 1] : 1;
  const Dims batch_b(t2.shape().begin(), t2.shape().begin() + std::max<int64_t>(dim2 - 2, 0));
  Dims out_shape = broadcast_shapes(batch_a, batch_b);
  const int64_t batch = checked_numel(out_shape);

  Dims t1_size = out_shape;
  t1_size.push_back(n);
  t1_size.push_back(m1);
  const Tensor t1_expanded = reshape(expand(t1, t1_size), {batch, n, m1});

  const bool vector_rhs = dim2 == 1;
  Dims t2_size = out_shape;
  t2_size.push_back(m2);
  if (!vector_rhs) t2_size.push_back(p);
  Tensor t2_expanded = expand(t2, t2_size);
  t2_expanded = vector_rhs ? unsqueeze(reshape(t2_expanded, {batch, m2}), 2) : reshape(t2_expanded, {batch, m2, p});

  if (dim1 > 1) out_shape.push_back(n);
  if (dim2 > 1) out_shape.push_back(p);
  Tensor r = bmm(t1_expanded, t2_expanded);
  if (vector_rhs) r = squeeze(r, -1);
  return unsafe_view(r, out_shape);
}

}  // namespace ops
}  // namespace tg
