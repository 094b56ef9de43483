// In-place ops and how autograd follows them (PyTorch's rules, VariableTypeUtils.h).
//
// Each op checks its dtypes and memory overlap, writes through self's strides, and bumps the
// storage's version counter (so saved tensors notice). When the write is recorded:
//   * self not a view: the op's node becomes self's grad_fn, chained to the old one
//     ("rebasing history").
//   * self a view of `base`: base's grad_fn becomes a CopySlices node wrapping the op's node.
//     Its backward passes base's gradient through unchanged except in the region the view
//     covers, where the op's own derivative is applied. The view's grad_fn is then
//     regenerated as AsStridedBackward0 from the base — as is every other view of that base
//     the next time its grad_fn is read, because its storage version moved
//     (refresh_view_grad_fn, called from Tensor::grad_fn()).
// Errors come first: a leaf that requires grad, a view of one, a view made under no_grad,
// and one of several views returned by a single op (split, chunk) may not be written to.
#include <algorithm>
#include <cmath>
#include "ops.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "inplace_helpers.h"

namespace tg {
namespace ops {

namespace {

bool requires_grad_impl(const TensorImpl* t) { return t->requires_grad || bool(t->grad_fn); }

// Whether an in-place write to self with these other operands is recorded in the graph.
// Only floating tensors carry gradients: writes into an integer tensor never are.
bool recording(const Tensor& self, const Tensor* other = nullptr) {
  if (!GradMode::enabled() || !is_floating(self.dtype())) return false;
  return self.requires_grad() || (other && other->defined() && other->requires_grad());
}

// PyTorch's handle_view_on_rebase: a view made under no_grad or by a multi-output op may not
// take part in a recorded in-place write, neither directly nor through its base.
[[noreturn]] void view_rebase_error(const TensorImpl* v, bool indirect) {
  const char* modified = indirect ? "its base or another view of its base has been" : "is being";
  std::string msg = v->grad_fn
                        ? str("Output ", v->output_nr, " of ", v->grad_fn->name(), " is a view and ", modified,
                              " modified inplace.")
                        : str("A view was created in no_grad mode and ", modified,
                              " modified inplace with grad mode enabled.");
  if (v->view_creation == static_cast<uint8_t>(ViewCreation::MultiOutput))
    msg += " This view is the output of a function that returns multiple views. Such functions do not allow the "
           "output views to be modified inplace. You should replace the inplace operation by an out-of-place one.";
  else
    msg += " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
           "moving both the view and the inplace either both inside the no_grad block (if you don't want the "
           "inplace to be tracked) or both outside (if you want the inplace to be tracked).";
  fail(ErrorKind::Error, msg);
}

// PyTorch's check_inplace, for a write that will be recorded.
void check_inplace(const Tensor& self, bool rec) {
  if (!rec) return;
  TensorImpl* impl = self.impl();
  if (impl->view_base) {
    if (impl->view_creation != static_cast<uint8_t>(ViewCreation::Default)) view_rebase_error(impl, false);
    if (self.requires_grad() && !impl->view_base->grad_fn)
      fail(ErrorKind::Error, "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (self.requires_grad() && self.is_leaf())
    fail(ErrorKind::Error, "a leaf Variable that requires grad is being used in an in-place operation.");
}

// Every element at its own address, densely packed in some order of dims.
bool non_overlapping_and_dense(const Tensor& t) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size) of dims with size > 1
  for (int64_t i = 0; i < t.dim(); i++)
    if (t.shape()[i] != 1) dims.push_back({t.strides()[i], t.shape()[i]});
  std::sort(dims.begin(), dims.end());
  int64_t expected = 1;
  for (auto& [stride, size] : dims) {
    if (stride != expected) return false;
    expected *= size;
  }
  return true;
}

// PyTorch's assert_no_internal_overlap: a write through an expanded tensor is ambiguous.
void check_internal_overlap(const Tensor& self) {
  if (non_overlapping_and_dense(self)) return;
  for (int64_t i = 0; i < self.dim(); i++)
    TG_CHECK(!(self.shape()[i] > 1 && self.strides()[i] == 0),
             "unsupported operation: more than one element of the written-to tensor refers to a single memory "
             "location. Please clone() the tensor before performing the operation.");
}

// PyTorch's assert_no_partial_overlap between the written tensor and an input.
void check_partial_overlap(const Tensor& self, const Tensor& in) {
  if (self.same(in) || self.storage() != in.storage() || self.numel() == 0 || in.numel() == 0) return;
  if (!non_overlapping_and_dense(self) || !non_overlapping_and_dense(in)) return;
  int64_t a0 = self.offset(), a1 = a0 + self.numel(), b0 = in.offset(), b1 = b0 + in.numel();
  bool same_range = a0 == b0 && a1 == b1;
  bool partial = same_range ? self.strides() != in.strides() : (a0 < b1 && b0 < a1);
  TG_CHECK(!partial,
           "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
           "memory location. Please clone() the tensor before performing the operation.");
}

// Makes fn the history of self after an in-place write (see the top of this file).
void rebase_history(Tensor& self, const Ref<OpNode>& fn) {
  TensorImpl* impl = self.impl();
  if (!impl->view_base) {
    set_history(self, fn);
    return;
  }
  Tensor base(impl->view_base);
  Ref<OpNode> cs = make_ref<OpNode>(OpKind::CopySlices, "CopySlices");
  cs->next_edges.push_back(gradient_edge(base));
  for (size_t i = 1; i < fn->next_edges.size(); i++) cs->next_edges.push_back(fn->next_edges[i]);
  cs->shape = base.shape();
  cs->strides = base.strides();
  cs->i2 = base.offset();
  cs->dims = self.shape();
  cs->shapes = {self.strides()};
  cs->i1 = self.offset();
  fn->input_meta.assign(1, InputMeta{self.shape(), self.dtype()});
  cs->inner = fn;
  set_history(base, cs);
  self.grad_fn();  // regenerates the view's own grad_fn from the base's new one
}


Tensor cast_to(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;
  Tensor out = Tensor::empty(a.shape(), dt);
  copy_kernel(out, a);
  return out;
}

void bump(const Tensor& self) { self.storage()->version++; }

}  // namespace

void check_fill_value(DType dt, double v) {
  if (dt == DType::Int64)
    TG_CHECK(std::isfinite(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0,
             "value cannot be converted to type int64_t without overflow");
  if (dt == DType::Int32)
    TG_CHECK(std::isfinite(v) && v > -2147483649.0 && v < 2147483648.0,
             "value cannot be converted to type int without overflow");
}

// ---------------------------------------------------------------- arithmetic

void binary_(InplaceOp op, Tensor& self, const Tensor& other, double alpha) {
  Dims shape = broadcast_shapes(self.shape(), other.shape());
  TG_CHECK(shape == self.shape(), "output with shape ", shape_str(self.shape()),
           " doesn't match the broadcast shape ", shape_str(shape));
  if (op == InplaceOp::Sub) {
    TG_CHECK(!(self.dtype() == DType::Bool && other.dtype() == DType::Bool),
             "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
             "operator instead.");
    TG_CHECK(self.dtype() != DType::Bool && other.dtype() != DType::Bool,
             "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
             "mask, use the `~` or `logical_not()` operator instead.");
  }
  DType ct = result_type(self, other);
  if (op == InplaceOp::Div && !is_floating(ct)) ct = kDefaultFloat;  // true division
  if ((op == InplaceOp::Add || op == InplaceOp::Sub) && alpha != std::floor(alpha))
    TG_CHECK(!is_integral(ct, true), "For integral input tensors, argument alpha must not be a floating point number.");
  TG_CHECK(category(ct) <= category(self.dtype()), "result type ", dtype_short_name(ct),
           " can't be cast to the desired output type ", dtype_short_name(self.dtype()));
  check_internal_overlap(self);
  check_partial_overlap(self, other);

  bool rec = recording(self, &other);
  check_inplace(self, rec);
  static const char* names[] = {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0"};
  static const OpKind kinds[] = {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div};
  Ref<OpNode> n = rec ? record(kinds[static_cast<int>(op)], names[static_cast<int>(op)], {&self, &other}) : nullptr;
  if (n) {
    // Saved before the write, at the versions the derivative expects (as PyTorch does:
    // y.mul_(y) then fails in backward, because `other` changed).
    n->s0 = alpha;
    if (op == InplaceOp::Mul) {
      // mul()'s layout: self's old value if other needs grad, then other if self does.
      // self's old value is a (recorded) clone, so that a double backward reaches it.
      n->b0 = other.requires_grad();
      if (n->b0) n->save(clone(self));
      if (n->needs_input_grad(0)) n->save(other);
    } else if (op == InplaceOp::Div) {
      n->save(clone(self));
      n->save(other);
    }
  }

  Tensor a = cast_to(self, ct), b = cast_to(other, ct);
  static const BinaryKernel kk[] = {BinaryKernel::Add, BinaryKernel::Sub, BinaryKernel::Mul, BinaryKernel::Div};
  if (ct == self.dtype()) {
    binary_kernel(kk[static_cast<int>(op)], self, a, b, alpha);
  } else {
    Tensor tmp = Tensor::empty(self.shape(), ct);
    binary_kernel(kk[static_cast<int>(op)], tmp, a, b, alpha);
    copy_kernel(self, tmp);
  }
  bump(self);
  if (n) rebase_history(self, n);
}

// ---------------------------------------------------------------- fill, zero, copy

void fill_(Tensor& self, double v) {
  check_fill_value(self.dtype(), v);
  bool rec = recording(self);
  check_inplace(self, rec);
  Ref<OpNode> n = rec ? record(OpKind::Fill, "FillBackward2", {&self}) : nullptr;
  fill_kernel(self, v);
  bump(self);
  if (n) rebase_history(self, n);
}

void fill_tensor_(Tensor& self, const Tensor& value) {
  TG_CHECK(value.dim() == 0, "fill_ only supports 0-dimension value tensor but got tensor with ", value.dim(),
           " dimensions.");
  bool rec = recording(self, &value);
  check_inplace(self, rec);
  Ref<OpNode> n = rec ? record(OpKind::Fill, "FillBackward3", {&self, &value}) : nullptr;
  if (n) n->b0 = true;  // the value gets the summed gradient
  copy_kernel(self, value);
  bump(self);
  if (n) rebase_history(self, n);
}

void overwrite_(Tensor& self, const char* node_name, const std::function<void(Tensor&)>& write) {
  bool rec = recording(self);
  check_inplace(self, rec);
  Ref<OpNode> n = rec ? record(OpKind::Fill, node_name, {&self}) : nullptr;
  write(self);
  bump(self);
  if (n) rebase_history(self, n);
}

void zero_(Tensor& self) {
  bool rec = recording(self);
  check_inplace(self, rec);
  Ref<OpNode> n = rec ? record(OpKind::Fill, "ZeroBackward0", {&self}) : nullptr;
  fill_kernel(self, 0);
  bump(self);
  if (n) rebase_history(self, n);
}

void copy_(Tensor& self, const Tensor& src) {
  Dims shape = broadcast_shapes(self.shape(), src.shape());
  TG_CHECK(shape == self.shape(), "output with shape ", shape_str(self.shape()),
           " doesn't match the broadcast shape ", shape_str(shape));
  if (self.same(src)) return;  // PyTorch: copying a tensor onto itself is a no-op
  check_internal_overlap(self);
  check_partial_overlap(self, src);
  bool rec = recording(self, &src);
  check_inplace(self, rec);
  Ref<OpNode> n = rec ? record(OpKind::Copy, "CopyBackwards", {&self, &src}) : nullptr;
  if (n) n->dtype = src.dtype();
  copy_kernel(self, src);
  bump(self);
  if (n) rebase_history(self, n);
}

// ---------------------------------------------------------------- clamp

void clamp_(Tensor& self, std::optional<double> lo, std::optional<double> hi) {
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  // The bounds act as Python numbers: a fraction is a float, anything else an int.
  auto bound_type = [](double v) { return v == std::floor(v) ? DType::Int64 : kDefaultFloat; };
  DType bt = DType::Bool;
  if (lo) bt = promote_types(bt, bound_type(*lo));
  if (hi) bt = promote_types(bt, bound_type(*hi));
  DType rt = category(bt) > category(self.dtype()) ? bt : self.dtype();
  TG_CHECK(rt == self.dtype(), "result type ", dtype_short_name(rt), " can't be cast to the desired output type ",
           dtype_type_meta_name(self.dtype()));
  check_internal_overlap(self);
  bool rec = recording(self);
  check_inplace(self, rec);
  Ref<OpNode> n = rec ? record(OpKind::Clamp, "ClampBackward1", {&self}) : nullptr;
  if (n) {
    n->b0 = bool(lo);
    n->b1 = bool(hi);
    n->s0 = lo.value_or(0);
    n->s1 = hi.value_or(0);
    n->save(clone_detached(self));
  }
  clamp_kernel(self, self, bool(lo), lo.value_or(0), bool(hi), hi.value_or(0));
  bump(self);
  if (n) rebase_history(self, n);
}

void add_inplace_raw(Tensor& self, const Tensor& other) {
  Tensor b = other.dtype() == self.dtype() ? other : cast_to(other, self.dtype());
  binary_kernel(BinaryKernel::Add, self, self, b, 1);
  bump(self);
}

// ---------------------------------------------------------------- for other files' in-place ops
// (inplace_helpers.h: masked_fill_, exp_, addcmul_, ... in math_extra.cc and shape_extra.cc)

bool inplace_begin(const Tensor& self, std::initializer_list<const Tensor*> inputs) {
  check_internal_overlap(self);
  bool rec = GradMode::enabled() && is_floating(self.dtype()) && self.requires_grad();
  for (const Tensor* t : inputs) {
    if (!t || !t->defined()) continue;
    check_partial_overlap(self, *t);
    rec = rec || (GradMode::enabled() && is_floating(self.dtype()) && t->requires_grad());
  }
  check_inplace(self, rec);
  return rec;
}

void inplace_end(Tensor& self, const Ref<OpNode>& n) {
  bump(self);
  if (n) rebase_history(self, n);
}

void check_inplace_result_type(DType result, DType self) {
  TG_CHECK(category(result) <= category(self), "result type ", dtype_short_name(result),
           " can't be cast to the desired output type ", dtype_short_name(self));
}

}  // namespace ops

// Called by Tensor::grad_fn() when a view's storage version moved since its grad_fn was set.
void refresh_view_grad_fn(TensorImpl* v) {
  using namespace ops;
  TensorImpl* b = v->view_base.get();
  if (!v->grad_fn && !requires_grad_impl(b)) return;  // nothing to track
  if (v->view_creation != static_cast<uint8_t>(ViewCreation::Default)) view_rebase_error(v, true);
  Tensor base(v->view_base);
  Ref<OpNode> n = make_ref<OpNode>(OpKind::AsStrided, "AsStridedBackward0");
  n->next_edges.push_back(gradient_edge(base));
  n->shape = base.shape();
  n->strides = base.strides();
  n->i2 = base.offset();
  n->dims = v->shape;
  n->shapes = {v->strides};
  n->i1 = v->offset;
  n->input_meta.push_back(InputMeta{v->shape, v->dtype});
  v->grad_fn = n;
  v->output_nr = 0;
  v->view_version = v->storage->version;
}


}  // namespace tg
