// In-place ops. Each one checks PyTorch's rules for autograd, writes through self's strides,
// bumps the storage version counter (so saved tensors notice), and — when recording —
// makes the new node self's grad_fn, chained to the old one ("rebasing history").
#include <cmath>
#include "ops.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"

namespace tg {
namespace ops {

namespace {

// PyTorch's checks before an in-place write to self when the graph is being recorded.
void check_inplace(const Tensor& self) {
  if (!GradMode::enabled()) return;
  TensorImpl* base = self.impl()->view_base.get();
  if (base && !base->grad_fn && base->requires_grad)
    fail(ErrorKind::Error, "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  if (self.is_leaf() && self.impl()->requires_grad)
    fail(ErrorKind::Error, "a leaf Variable that requires grad is being used in an in-place operation.");
}

void bump(const Tensor& self) { self.storage()->version++; }

// The dtype an in-place result is computed in; it must be castable to self's dtype.
DType inplace_dtype(const Tensor& self, const Tensor& other) {
  DType rt = result_type(self, other);
  bool ok = category(rt) <= category(self.dtype());
  TG_CHECK(ok, "result type ", dtype_short_name(rt), " can't be cast to the desired output type ",
           dtype_short_name(self.dtype()));
  return rt;
}

Tensor cast_to(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;
  Tensor out = Tensor::empty(a.shape(), dt);
  copy_kernel(out, a);
  return out;
}

// Writes `value` (already of self's shape after broadcasting) into self.
void write_into(Tensor& self, const Tensor& value) { copy_kernel(self, value); }

}  // namespace

void binary_(InplaceOp op, Tensor& self, const Tensor& other, double alpha) {
  check_inplace(self);
  Dims shape = broadcast_shapes(self.shape(), other.shape());
  TG_CHECK(shape == self.shape(), "output with shape ", shape_str(self.shape()),
           " doesn't match the broadcast shape ", shape_str(shape));
  DType ct = inplace_dtype(self, other);
  if (op == InplaceOp::Div && !is_floating(ct))
    fail(ErrorKind::Error, str("result type Float can't be cast to the desired output type ",
                               dtype_short_name(self.dtype())));
  bool rec = any_requires_grad({&self, &other});
  Tensor original = rec && op == InplaceOp::Mul && other.requires_grad() ? clone_detached(self) : Tensor();
  Tensor original_div = rec && op == InplaceOp::Div ? clone_detached(self) : Tensor();
  Ref<OpNode> n;
  static const char* names[] = {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0"};
  static const OpKind kinds[] = {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div};
  if (rec) n = record(kinds[static_cast<int>(op)], names[static_cast<int>(op)], {&self, &other});

  Tensor a = cast_to(self, ct), b = cast_to(other, ct);
  static const BinaryKernel kk[] = {BinaryKernel::Add, BinaryKernel::Sub, BinaryKernel::Mul, BinaryKernel::Div};
  if (ct == self.dtype()) {
    binary_kernel(kk[static_cast<int>(op)], self, a, b, alpha);
  } else {
    Tensor tmp = Tensor::empty(self.shape(), ct);
    binary_kernel(kk[static_cast<int>(op)], tmp, a, b, alpha);
    write_into(self, tmp);
  }
  bump(self);
  if (n) {
    n->s0 = alpha;
    if (op == InplaceOp::Mul) {
      // Same layout as mul(): saved a if b needs grad, then b if a needs grad.
      if (other.requires_grad()) n->save(original);
      if (n->needs_input_grad(0)) n->save(other);
      n->b0 = other.requires_grad();
    } else if (op == InplaceOp::Div) {
      n->save(original_div);
      n->save(other);
    }
    set_history(self, n);
  }
}

void fill_(Tensor& self, double v) {
  check_inplace(self);
  fill_kernel(self, v);
  bump(self);
  if (self.requires_grad() && GradMode::enabled()) {
    if (auto n = record(OpKind::Fill, "FillBackward0", {&self})) set_history(self, n);
  }
}

void zero_(Tensor& self) {
  check_inplace(self);
  fill_kernel(self, 0);
  bump(self);
  if (self.requires_grad() && GradMode::enabled()) {
    if (auto n = record(OpKind::Fill, "ZeroBackward0", {&self})) set_history(self, n);
  }
}

void copy_(Tensor& self, const Tensor& src) {
  check_inplace(self);
  Dims shape = broadcast_shapes(self.shape(), src.shape());
  TG_CHECK(shape == self.shape(), "output with shape ", shape_str(self.shape()),
           " doesn't match the broadcast shape ", shape_str(shape));
  bool rec = any_requires_grad({&self, &src});
  Ref<OpNode> n;
  if (rec) n = record(OpKind::Copy, "CopyBackwards", {&self, &src});
  copy_kernel(self, src);
  bump(self);
  if (n) {
    n->shape = src.shape();
    n->dtype = src.dtype();
    set_history(self, n);
  }
}

void clamp_(Tensor& self, std::optional<double> lo, std::optional<double> hi) {
  check_inplace(self);
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  bool rec = any_requires_grad({&self});
  Tensor original = rec ? clone_detached(self) : Tensor();
  Ref<OpNode> n;
  if (rec) n = record(OpKind::Clamp, "ClampBackward1", {&self});
  clamp_kernel(self, self, bool(lo), lo.value_or(0), bool(hi), hi.value_or(0));
  bump(self);
  if (n) {
    n->b0 = bool(lo);
    n->b1 = bool(hi);
    n->s0 = lo.value_or(0);
    n->s1 = hi.value_or(0);
    n->save(original);
    set_history(self, n);
  }
}

void add_inplace_raw(Tensor& self, const Tensor& other) {
  Tensor b = other.dtype() == self.dtype() ? other : cast_to(other, self.dtype());
  binary_kernel(BinaryKernel::Add, self, self, b, 1);
  bump(self);
}

}  // namespace ops
}  // namespace tg
