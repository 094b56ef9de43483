// Elementwise ops: type promotion, broadcasting, kernel choice and graph recording.
#include <cmath>
#include "ops.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"

namespace tg {
namespace ops {

// ---------------------------------------------------------------- type promotion
//
// PyTorch's three tiers: tensors with dims, 0-d tensors, wrapped JS numbers. A lower tier
// only changes the result when it is of a higher category (bool < int < float); a wrapped
// number then contributes the default dtype of its category (float32 / int64).
namespace {
struct PromoState {
  int dim = -1, zero = -1, wrapped = -1;  // -1: none seen
};

void update(PromoState& s, const Tensor& t) {
  int d = static_cast<int>(t.dtype());
  if (t.impl()->wrapped_number) {
    DType w = is_floating(t.dtype()) ? kDefaultFloat : t.dtype();
    s.wrapped = std::max(s.wrapped, static_cast<int>(w));
  } else if (t.dim() == 0) {
    s.zero = std::max(s.zero, d);
  } else {
    s.dim = std::max(s.dim, d);
  }
}

int combine(int higher, int lower) {
  if (higher < 0) return lower;
  if (lower < 0) return higher;
  if (category(DType(lower)) > category(DType(higher))) return std::max(higher, lower);
  return higher;
}

DType result_of(const PromoState& s) {
  int r = combine(s.dim, combine(s.zero, s.wrapped));
  return r < 0 ? kDefaultFloat : DType(r);
}
}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  PromoState s;
  update(s, a);
  update(s, b);
  return result_of(s);
}

// ---------------------------------------------------------------- helpers

Tensor detach(const Tensor& a) { return a.alias(a.shape(), a.strides(), a.offset()); }

Tensor contiguous(const Tensor& a) {
  if (a.is_contiguous()) return a;
  return clone(a);
}

Tensor clone_detached(const Tensor& a) {
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  copy_kernel(out, a);
  return out;
}

Tensor clone(const Tensor& a) {
  Tensor out = clone_detached(a);
  if (auto n = record(OpKind::Clone, "CloneBackward0", {&a})) set_history(out, n);
  return out;
}

// Converts without recording (used to bring operands to the compute dtype).
static Tensor cast(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;
  Tensor out = Tensor::empty(a.shape(), dt);
  copy_kernel(out, a);
  return out;
}

Tensor to_dtype(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;
  Tensor out = cast(a, dt);
  if (is_floating(dt)) {
    if (auto n = record(OpKind::ToDtype, "ToCopyBackward0", {&a})) {
      n->dtype = a.dtype();
      set_history(out, n);
    }
  }
  return out;
}

// ---------------------------------------------------------------- binary arithmetic

namespace {

Tensor binary_forward(BinaryKernel k, const Tensor& a, const Tensor& b, DType compute, double alpha = 1) {
  Dims shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::empty(shape, compute);
  binary_kernel(k, out, cast(a, compute), cast(b, compute), alpha);
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, double alpha) {
  DType dt = result_type(a, b);
  TG_CHECK(dt != DType::Bool || alpha == 1 || alpha == 0,
           "Boolean alpha only supported for Boolean results.");
  TG_CHECK(is_floating(dt) || alpha == std::floor(alpha),
           "For integral input tensors, argument alpha must not be a floating point number.");
  Tensor out = binary_forward(BinaryKernel::Add, a, b, dt, alpha);
  if (auto n = record(OpKind::Add, "AddBackward0", {&a, &b})) {
    n->s0 = alpha;
    set_history(out, n);
  }
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b, double alpha) {
  TG_CHECK(a.dtype() != DType::Bool || b.dtype() != DType::Bool,
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
           "operator instead.");
  DType dt = result_type(a, b);
  Tensor out = binary_forward(BinaryKernel::Sub, a, b, dt, alpha);
  const char* name = a.impl()->wrapped_number ? "RsubBackward1" : "SubBackward0";
  if (auto n = record(OpKind::Sub, name, {&a, &b})) {
    n->s0 = alpha;
    set_history(out, n);
  }
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  Tensor out = binary_forward(BinaryKernel::Mul, a, b, dt);
  if (auto n = record(OpKind::Mul, "MulBackward0", {&a, &b})) {
    if (b.requires_grad()) n->save(a);
    if (a.requires_grad()) n->save(b);
    n->b0 = b.requires_grad();  // whether saved[0] is a
    set_history(out, n);
  }
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  if (!is_floating(dt)) dt = kDefaultFloat;  // true division
  Tensor out = binary_forward(BinaryKernel::Div, a, b, dt);
  if (auto n = record(OpKind::Div, "DivBackward0", {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  Tensor out = binary_forward(BinaryKernel::Maximum, a, b, dt);
  if (auto n = record(OpKind::Maximum, "MaximumBackward0", {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  Tensor out = binary_forward(BinaryKernel::Minimum, a, b, dt);
  if (auto n = record(OpKind::Minimum, "MinimumBackward0", {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}

Tensor compare(CmpOp op, const Tensor& a, const Tensor& b) {
  static const BinaryKernel kinds[] = {BinaryKernel::Eq, BinaryKernel::Ne, BinaryKernel::Lt,
                                       BinaryKernel::Le, BinaryKernel::Gt, BinaryKernel::Ge};
  DType dt = result_type(a, b);
  Dims shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::empty(shape, DType::Bool);
  binary_kernel(kinds[static_cast<int>(op)], out, cast(a, dt), cast(b, dt));
  return out;
}

// ---------------------------------------------------------------- unary

namespace {

// Float-only unary ops promote integer inputs to the default float dtype, as PyTorch does.
Tensor unary_forward(UnaryKernel k, const Tensor& a, bool float_only) {
  DType dt = a.dtype();
  if (float_only && !is_floating(dt)) dt = kDefaultFloat;
  Tensor in = cast(a, dt);
  Tensor out = Tensor::empty(a.shape(), dt);
  unary_kernel(k, out, in);
  return out;
}

// Records a unary op; save_in / save_out say what its derivative needs.
Tensor unary_op(UnaryKernel k, OpKind kind, const char* name, const Tensor& a, bool float_only, bool save_in,
                bool save_out) {
  Tensor out = unary_forward(k, a, float_only);
  if (auto n = record(kind, name, {&a})) {
    if (save_in) n->save(a);
    if (save_out) n->save(out, true);
    set_history(out, n);
  }
  return out;
}

}  // namespace

Tensor neg(const Tensor& a) {
  TG_CHECK(a.dtype() != DType::Bool,
           "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
           "the `~` or `logical_not()` operator instead.");
  return unary_op(UnaryKernel::Neg, OpKind::Neg, "NegBackward0", a, false, false, false);
}
Tensor abs(const Tensor& a) { return unary_op(UnaryKernel::Abs, OpKind::Abs, "AbsBackward0", a, false, true, false); }
Tensor sqrt(const Tensor& a) { return unary_op(UnaryKernel::Sqrt, OpKind::Sqrt, "SqrtBackward0", a, true, false, true); }
Tensor rsqrt(const Tensor& a) { return unary_op(UnaryKernel::Rsqrt, OpKind::Rsqrt, "RsqrtBackward0", a, true, false, true); }
Tensor exp(const Tensor& a) { return unary_op(UnaryKernel::Exp, OpKind::Exp, "ExpBackward0", a, true, false, true); }
Tensor log(const Tensor& a) { return unary_op(UnaryKernel::Log, OpKind::Log, "LogBackward0", a, true, true, false); }
Tensor log1p(const Tensor& a) { return unary_op(UnaryKernel::Log1p, OpKind::Log1p, "Log1PBackward0", a, true, true, false); }
Tensor sin(const Tensor& a) { return unary_op(UnaryKernel::Sin, OpKind::Sin, "SinBackward0", a, true, true, false); }
Tensor cos(const Tensor& a) { return unary_op(UnaryKernel::Cos, OpKind::Cos, "CosBackward0", a, true, true, false); }
Tensor tan(const Tensor& a) { return unary_op(UnaryKernel::Tan, OpKind::Tan, "TanBackward0", a, true, false, true); }
Tensor tanh(const Tensor& a) { return unary_op(UnaryKernel::Tanh, OpKind::Tanh, "TanhBackward0", a, true, false, true); }
Tensor sigmoid(const Tensor& a) {
  return unary_op(UnaryKernel::Sigmoid, OpKind::Sigmoid, "SigmoidBackward0", a, true, false, true);
}
Tensor relu(const Tensor& a) {
  TG_CHECK(a.dtype() != DType::Bool, "\"clamp_min_cpu\" not implemented for 'Bool'");
  return unary_op(UnaryKernel::Relu, OpKind::Relu, "ReluBackward0", a, false, false, true);
}
Tensor gelu(const Tensor& a, bool tanh_approx) {
  TG_CHECK(is_floating(a.dtype()), "\"GeluKernelImpl\" not implemented for '", dtype_short_name(a.dtype()), "'");
  Tensor out = unary_op(tanh_approx ? UnaryKernel::GeluTanh : UnaryKernel::Gelu, OpKind::Gelu, "GeluBackward0", a,
                        true, true, false);
  if (Node* n = out.grad_fn()) static_cast<OpNode*>(n)->b0 = tanh_approx;
  return out;
}
Tensor square(const Tensor& a) {
  // PyTorch implements square as pow(x, 2) and records PowBackward0.
  return pow_scalar(a, Scalar{2, true, false});
}
Tensor reciprocal(const Tensor& a) {
  return unary_op(UnaryKernel::Reciprocal, OpKind::Reciprocal, "ReciprocalBackward0", a, true, false, true);
}
Tensor sign(const Tensor& a) { return unary_op(UnaryKernel::Sign, OpKind::Sign, "SignBackward0", a, false, false, false); }

// ---------------------------------------------------------------- pow

Tensor pow(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  Tensor out = binary_forward(BinaryKernel::Pow, a, b, dt);
  if (auto n = record(OpKind::Pow, "PowBackward1", {&a, &b})) {
    n->save(a);
    n->save(b);
    n->save(out, true);
    set_history(out, n);
  }
  return out;
}

Tensor pow_scalar(const Tensor& a, Scalar e) {
  Tensor et = scalar_tensor(e);
  DType dt = result_type(a, et);
  TG_CHECK(is_floating(dt) || !e.is_int || e.v >= 0 || a.dtype() == DType::Bool,
           "Integers to negative integer powers are not allowed.");
  Tensor out = binary_forward(BinaryKernel::Pow, a, et, dt);
  if (auto n = record(OpKind::PowScalar, "PowBackward0", {&a})) {
    n->s0 = e.v;
    n->save(a);
    set_history(out, n);
  }
  return out;
}

Tensor scalar_pow(Scalar base, const Tensor& a) {
  Tensor bt = scalar_tensor(base);
  DType dt = result_type(bt, a);
  Tensor out = binary_forward(BinaryKernel::Pow, bt, a, dt);
  if (auto n = record(OpKind::ScalarPow, "PowBackward2", {&a})) {
    n->s0 = base.v;
    n->save(out, true);
    set_history(out, n);
  }
  return out;
}

// ---------------------------------------------------------------- clamp / where

Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi) {
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  DType dt = a.dtype();
  if ((lo && *lo != std::floor(*lo)) || (hi && *hi != std::floor(*hi)))
    if (!is_floating(dt)) dt = kDefaultFloat;
  Tensor in = cast(a, dt);
  Tensor out = Tensor::empty(a.shape(), dt);
  clamp_kernel(out, in, bool(lo), lo.value_or(0), bool(hi), hi.value_or(0));
  const char* name = lo && hi ? "ClampBackward1" : (lo ? "ClampMinBackward0" : "ClampMaxBackward0");
  if (auto n = record(OpKind::Clamp, name, {&a})) {
    n->b0 = bool(lo);
    n->b1 = bool(hi);
    n->s0 = lo.value_or(0);
    n->s1 = hi.value_or(0);
    n->save(a);
    set_history(out, n);
  }
  return out;
}

Tensor clamp_tensor(const Tensor& a, const Tensor* lo, const Tensor* hi) {
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  Tensor out = a;
  if (lo) out = maximum(out, *lo);
  if (hi) out = minimum(out, *hi);
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  TG_CHECK(cond.dtype() == DType::Bool, "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           dtype_short_name(cond.dtype()));
  DType dt = result_type(a, b);
  Dims shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape()), b.shape());
  Tensor out = Tensor::empty(shape, dt);
  where_kernel(out, cond, cast(a, dt), cast(b, dt));
  if (auto n = record(OpKind::Where, "WhereBackward0", {&a, &b})) {
    n->save(cond);
    set_history(out, n);
  }
  return out;
}

}  // namespace ops
}  // namespace tg
