// Linear algebra: matmul with PyTorch's rank rules, and the primitives it dispatches to.
#include "ops.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/matmul.h"

namespace tg {
namespace ops {

namespace {

void check_same_dtype(const Tensor& a, const Tensor& b, const char*) {
  TG_CHECK(a.dtype() == b.dtype(), "expected scalar type ", dtype_short_name(a.dtype()),
           " but found ", dtype_short_name(b.dtype()));
}

// out[m,n] = a[m,k] @ b[k,n] for 2-D views with any strides.
void mm_into(const Tensor& out, const Tensor& a, const Tensor& b) {
  gemm(a.dtype(), a.shape()[0], b.shape()[1], a.shape()[1], a.raw(), a.strides()[0], a.strides()[1], b.raw(),
       b.strides()[0], b.strides()[1], out.raw(), out.strides()[0], out.strides()[1], false);
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 2, "self must be a matrix");
  TG_CHECK(b.dim() == 2, "mat2 must be a matrix");
  TG_CHECK(a.shape()[1] == b.shape()[0], "mat1 and mat2 shapes cannot be multiplied (", a.shape()[0], "x",
           a.shape()[1], " and ", b.shape()[0], "x", b.shape()[1], ")");
  check_same_dtype(a, b, "mm");
  TG_CHECK(a.dtype() != DType::Bool, "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  Tensor out = Tensor::empty({a.shape()[0], b.shape()[1]}, a.dtype());
  mm_into(out, a, b);
  if (auto n = record(OpKind::Mm, "MmBackward0", {&a, &b})) {
    if (n->needs_input_grad(1)) n->save(a); else n->save(Tensor());
    if (n->needs_input_grad(0)) n->save(b); else n->save(Tensor());
    set_history(out, n);
  }
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  TG_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  TG_CHECK(a.shape()[0] == b.shape()[0], "batch1 and batch2 must have same number of batches, got ", a.shape()[0],
           " and ", b.shape()[0]);
  TG_CHECK(a.shape()[2] == b.shape()[1], "Expected size for first two dimensions of batch2 tensor to be: [",
           a.shape()[0], ", ", a.shape()[2], "] but got: [", b.shape()[0], ", ", b.shape()[1], "].");
  check_same_dtype(a, b, "bmm");
  int64_t B = a.shape()[0];
  Tensor out = Tensor::empty({B, a.shape()[1], b.shape()[2]}, a.dtype());
  for (int64_t i = 0; i < B; i++) {
    Tensor ai = a.alias({a.shape()[1], a.shape()[2]}, {a.strides()[1], a.strides()[2]}, a.offset() + i * a.strides()[0]);
    Tensor bi = b.alias({b.shape()[1], b.shape()[2]}, {b.strides()[1], b.strides()[2]}, b.offset() + i * b.strides()[0]);
    Tensor oi = out.alias({out.shape()[1], out.shape()[2]}, {out.strides()[1], out.strides()[2]}, i * out.strides()[0]);
    mm_into(oi, ai, bi);
  }
  if (auto n = record(OpKind::Bmm, "BmmBackward0", {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  TG_CHECK(a.dim() == 2 && v.dim() == 1, "vector + matrix @ vector expected, got ", 1, ", ", a.dim(), ", ", v.dim());
  TG_CHECK(a.shape()[1] == v.shape()[0], "size mismatch, got input (", a.shape()[0], "), mat (", a.shape()[0], "x",
           a.shape()[1], "), vec (", v.shape()[0], ")");
  check_same_dtype(a, v, "mv");
  Tensor out = Tensor::empty({a.shape()[0]}, a.dtype());
  gemm(a.dtype(), a.shape()[0], 1, a.shape()[1], a.raw(), a.strides()[0], a.strides()[1], v.raw(), v.strides()[0], 1,
       out.raw(), 1, 1, false);
  if (auto n = record(OpKind::Mv, "MvBackward0", {&a, &v})) {
    n->save(a);
    n->save(v);
    set_history(out, n);
  }
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 1 && b.dim() == 1, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(), "D tensors");
  TG_CHECK(a.shape()[0] == b.shape()[0], "inconsistent tensor size, expected tensor [", a.shape()[0],
           "] and src [", b.shape()[0], "] to have the same number of elements, but got ", a.shape()[0], " and ",
           b.shape()[0], " elements respectively");
  TG_CHECK(a.dtype() == b.dtype(), "dot : expected both vectors to have same dtype, but found ",
           dtype_short_name(a.dtype()), " and ", dtype_short_name(b.dtype()));
  Tensor out = Tensor::empty({}, a.dtype());
  gemm(a.dtype(), 1, 1, a.shape()[0], a.raw(), 0, a.strides()[0], b.raw(), b.strides()[0], 1, out.raw(), 1, 1, false);
  if (auto n = record(OpKind::Dot, "DotBackward0", {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1D tensors");
  return mul(unsqueeze(a, 1), b);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  int64_t da = a.dim(), db = b.dim();
  TG_CHECK(da > 0 && db > 0, "both arguments to matmul need to be at least 1D, but they are ", da, "D and ", db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return squeeze(mm(unsqueeze(a, 0), b), 0);
  if (da == 2 && db == 2) return mm(a, b);
  if (da >= 3 && (db == 1 || db == 2)) {
    // Fold the batch into rows: [..., n, k] @ [k, m] -> reshape to 2-D, one mm.
    Dims out_shape(a.shape().begin(), a.shape().end() - 1);
    Tensor a2 = reshape(a, {-1, a.shape().back()});
    Tensor r = db == 1 ? mv(a2, b) : mm(a2, b);
    if (db == 2) out_shape.push_back(b.shape()[1]);
    return view(r, out_shape);
  }
  // Batched with broadcasting over the leading dims.
  Tensor a3 = da == 1 ? unsqueeze(a, 0) : a;
  Tensor b3 = db == 1 ? unsqueeze(b, 1) : b;
  Dims ba(a3.shape().begin(), a3.shape().end() - 2), bb(b3.shape().begin(), b3.shape().end() - 2);
  Dims batch = broadcast_shapes(ba, bb);
  int64_t n = a3.shape()[a3.dim() - 2], k = a3.shape()[a3.dim() - 1];
  int64_t k2 = b3.shape()[b3.dim() - 2], m = b3.shape()[b3.dim() - 1];
  TG_CHECK(k == k2, "Expected size for first two dimensions of batch2 tensor to be: [", checked_numel(batch), ", ",
           k, "] but got: [", checked_numel(batch), ", ", k2, "].");
  int64_t nb = checked_numel(batch);
  Dims ea = batch, eb = batch;
  ea.push_back(n); ea.push_back(k);
  eb.push_back(k2); eb.push_back(m);
  Tensor r = bmm(reshape(expand(a3, ea), {nb, n, k}), reshape(expand(b3, eb), {nb, k2, m}));
  Dims out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return view(r, out_shape);
}

}  // namespace ops
}  // namespace tg
