// Elementwise ops: type promotion, broadcasting, kernel choice and graph recording.
//
// Each op follows PyTorch 1.13: the result dtype comes from result_type() over its operands,
// operands are cast to it, the kernel runs over the broadcast shape, and the node recorded
// carries PyTorch's grad_fn name. Error texts are PyTorch's.
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
// PyTorch's three tiers: tensors with dims, 0-d tensors, wrapped JS numbers. Each tier is
// promoted on its own; a lower tier then changes the result only when it is of a higher
// category (bool < integer < floating), and a wrapped float number counts as the default
// float dtype (float32), a wrapped integer as int64.
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

// combine_categories() of c10: with the DType order Bool < Int32 < Int64 < Float32 <
// Float64, promote_types is the larger of the two.
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

DType result_type(const Tensor& a, const Tensor& b) { return result_type({&a, &b}); }

DType result_type(std::initializer_list<const Tensor*> operands) {
  PromoState s;
  for (const Tensor* t : operands)
    if (t && t->defined()) update(s, *t);
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

namespace {

// Converts without recording (brings operands to the compute dtype). A wrapped number
// stays a wrapped number, so it can still be recognised after the cast.
Tensor cast(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;
  Tensor out = Tensor::empty(a.shape(), dt);
  copy_kernel(out, a);
  out.impl()->wrapped_number = a.impl()->wrapped_number;
  return out;
}

// PyTorch's alpha_check() for add/sub.
void check_alpha(DType dt, Scalar alpha) {
  TG_CHECK(!alpha.is_bool || dt == DType::Bool, "Boolean alpha only supported for Boolean results.");
  TG_CHECK(is_floating(dt) || alpha.is_bool || alpha.is_int,
           "For integral input tensors, argument alpha must not be a floating point number.");
}

Scalar alpha_of(double alpha) { return Scalar{alpha, alpha == std::floor(alpha), false}; }

Tensor binary_forward(BinaryKernel k, const Tensor& a, const Tensor& b, DType compute, double alpha = 1) {
  Dims shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::empty(shape, compute);
  binary_kernel(k, out, cast(a, compute), cast(b, compute), alpha);
  return out;
}

}  // namespace

Tensor to_dtype(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;  // PyTorch returns self when nothing changes
  Tensor out = cast(a, dt);
  out.impl()->wrapped_number = false;
  if (is_floating(dt)) {
    if (auto n = record(OpKind::ToDtype, "ToCopyBackward0", {&a})) {
      n->dtype = a.dtype();
      set_history(out, n);
    }
  }
  return out;
}

// ---------------------------------------------------------------- binary arithmetic

Tensor add(const Tensor& a, const Tensor& b, double alpha) { return add(a, b, alpha_of(alpha)); }
Tensor sub(const Tensor& a, const Tensor& b, double alpha) { return sub(a, b, alpha_of(alpha)); }

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) {
  DType dt = result_type(a, b);
  check_alpha(dt, alpha);
  Tensor out = binary_forward(BinaryKernel::Add, a, b, dt, alpha.v);
  if (auto n = record(OpKind::Add, "AddBackward0", {&a, &b})) {
    n->s0 = alpha.v;
    set_history(out, n);
  }
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) {
  TG_CHECK(a.dtype() != DType::Bool || b.dtype() != DType::Bool,
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
           "operator instead.");
  TG_CHECK(a.dtype() != DType::Bool && b.dtype() != DType::Bool,
           "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, "
           "use the `~` or `logical_not()` operator instead.");
  DType dt = result_type(a, b);
  check_alpha(dt, alpha);
  Tensor out = binary_forward(BinaryKernel::Sub, a, b, dt, alpha.v);
  // `2 - x` is Tensor.__rsub__ in PyTorch: rsub(x, 2), recorded as RsubBackward1.
  const char* name = a.impl()->wrapped_number ? "RsubBackward1" : "SubBackward0";
  if (auto n = record(OpKind::Sub, name, {&a, &b})) {
    n->s0 = alpha.v;
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

namespace {
Tensor min_max(BinaryKernel k, OpKind kind, const char* name, const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  Tensor out = binary_forward(k, a, b, dt);
  if (auto n = record(kind, name, {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  return min_max(BinaryKernel::Maximum, OpKind::Maximum, "MaximumBackward0", a, b);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return min_max(BinaryKernel::Minimum, OpKind::Minimum, "MinimumBackward0", a, b);
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

// Float-only unary ops compute integer and bool inputs in the default float dtype.
Tensor unary_forward(UnaryKernel k, const Tensor& a, bool float_only) {
  DType dt = a.dtype();
  if (float_only && !is_floating(dt)) dt = kDefaultFloat;
  Tensor out = Tensor::empty(a.shape(), dt);
  unary_kernel(k, out, cast(a, dt));
  return out;
}

// Records a unary op; save_in / save_out say what its derivative needs.
Tensor unary_op(UnaryKernel k, OpKind kind, const char* name, const Tensor& a, bool float_only, bool save_in,
                bool save_out) {
  Tensor out = unary_forward(k, a, float_only);
  if (auto n = record(kind, name, {&a})) {
    set_history(out, n);  // first: a saved output must know it requires grad (double backward)
    if (save_in) n->save(a);
    if (save_out) n->save(out, true);
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
Tensor abs(const Tensor& a) {
  TG_CHECK(a.dtype() != DType::Bool, "\"abs_cpu\" not implemented for 'Bool'");
  return unary_op(UnaryKernel::Abs, OpKind::Abs, "AbsBackward0", a, false, true, false);
}
Tensor sqrt(const Tensor& a) { return unary_op(UnaryKernel::Sqrt, OpKind::Sqrt, "SqrtBackward0", a, true, false, true); }
Tensor rsqrt(const Tensor& a) {
  return unary_op(UnaryKernel::Rsqrt, OpKind::Rsqrt, "RsqrtBackward0", a, true, false, true);
}
Tensor exp(const Tensor& a) { return unary_op(UnaryKernel::Exp, OpKind::Exp, "ExpBackward0", a, true, false, true); }
Tensor log(const Tensor& a) { return unary_op(UnaryKernel::Log, OpKind::Log, "LogBackward0", a, true, true, false); }
Tensor log1p(const Tensor& a) {
  return unary_op(UnaryKernel::Log1p, OpKind::Log1p, "Log1PBackward0", a, true, true, false);
}
Tensor sin(const Tensor& a) { return unary_op(UnaryKernel::Sin, OpKind::Sin, "SinBackward0", a, true, true, false); }
Tensor cos(const Tensor& a) { return unary_op(UnaryKernel::Cos, OpKind::Cos, "CosBackward0", a, true, true, false); }
Tensor tan(const Tensor& a) { return unary_op(UnaryKernel::Tan, OpKind::Tan, "TanBackward0", a, true, false, true); }
Tensor tanh(const Tensor& a) { return unary_op(UnaryKernel::Tanh, OpKind::Tanh, "TanhBackward0", a, true, false, true); }
Tensor sigmoid(const Tensor& a) {
  return unary_op(UnaryKernel::Sigmoid, OpKind::Sigmoid, "SigmoidBackward0", a, true, false, true);
}
Tensor relu(const Tensor& a) {
  TG_CHECK(a.dtype() != DType::Bool, "Boolean inputs not supported for relu");
  return unary_op(UnaryKernel::Relu, OpKind::Relu, "ReluBackward0", a, false, false, true);
}
Tensor gelu(const Tensor& a, bool tanh_approx) {
  TG_CHECK(is_floating(a.dtype()), "\"GeluKernelImpl\" not implemented for '", dtype_short_name(a.dtype()), "'");
  Tensor out = unary_forward(tanh_approx ? UnaryKernel::GeluTanh : UnaryKernel::Gelu, a, true);
  if (auto n = record(OpKind::Gelu, "GeluBackward0", {&a})) {
    n->b0 = tanh_approx;
    n->save(a);
    set_history(out, n);
  }
  return out;
}
Tensor square(const Tensor& a) {
  // PyTorch implements square as pow(x, 2): PowBackward0, and bool becomes int64.
  return pow_scalar(a, Scalar{2, true, false});
}
Tensor reciprocal(const Tensor& a) {
  return unary_op(UnaryKernel::Reciprocal, OpKind::Reciprocal, "ReciprocalBackward0", a, true, false, true);
}
Tensor sign(const Tensor& a) {
  return unary_op(UnaryKernel::Sign, OpKind::Sign, "SignBackward0", a, false, false, false);
}

// ---------------------------------------------------------------- pow

Tensor pow(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  TG_CHECK(dt != DType::Bool, "\"pow\" not implemented for 'Bool'");
  Tensor out = binary_forward(BinaryKernel::Pow, a, b, dt);
  if (auto n = record(OpKind::Pow, "PowBackward1", {&a, &b})) {
    set_history(out, n);
    n->save(a);
    n->save(b);
    n->save(out, true);
  }
  return out;
}

Tensor pow_scalar(const Tensor& a, Scalar e) {
  TG_CHECK(!(is_integral(a.dtype(), true) && (e.is_int || e.is_bool) && e.v < 0),
           "Integers to negative integer powers are not allowed.");
  Tensor et = scalar_tensor(e);
  DType dt = result_type(a, et);
  TG_CHECK(dt != DType::Bool, "\"pow\" not implemented for 'Bool'");
  Tensor out = Tensor::empty(a.shape(), dt);
  Tensor in = cast(a, dt);
  // PyTorch's pow_Tensor_Scalar shortcuts (same values as its kernel gives).
  if (e.v == 0) fill_kernel(out, 1);
  else if (e.v == 1) copy_kernel(out, in);
  else if (e.v == 2) unary_kernel(UnaryKernel::Square, out, in);
  else if (is_floating(dt) && e.v == 0.5) unary_kernel(UnaryKernel::Sqrt, out, in);
  else if (is_floating(dt) && e.v == -0.5) unary_kernel(UnaryKernel::Rsqrt, out, in);
  else if (is_floating(dt) && e.v == -1) unary_kernel(UnaryKernel::Reciprocal, out, in);
  else binary_kernel(BinaryKernel::Pow, out, in, cast(et, dt));
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
  TG_CHECK(dt != DType::Bool, "\"pow\" not implemented for 'Bool'");
  Tensor out = Tensor::empty(a.shape(), dt);
  if (base.v == 1) fill_kernel(out, 1);  // as PyTorch: 1 ** anything is 1, NaN included
  else binary_kernel(BinaryKernel::Pow, out, cast(bt, dt), cast(a, dt));
  if (auto n = record(OpKind::ScalarPow, "PowBackward2", {&a})) {
    set_history(out, n);
    n->s0 = base.v;
    n->save(out, true);
    if (base.v == 0) n->save(a);  // the derivative at base 0 depends on the exponent's sign
  }
  return out;
}

// ---------------------------------------------------------------- clamp / where

Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi) {
  auto as_scalar = [](std::optional<double> v) -> std::optional<Scalar> {
    if (!v) return std::nullopt;
    return Scalar{*v, *v == std::floor(*v), false};
  };
  return clamp_scalar(a, as_scalar(lo), as_scalar(hi));
}

Tensor clamp_scalar(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  Tensor lt = lo ? scalar_tensor(*lo) : Tensor();
  Tensor ht = hi ? scalar_tensor(*hi) : Tensor();
  DType dt = result_type({&a, &lt, &ht});
  TG_CHECK(dt != DType::Bool, "\"", lo && hi ? "clamp_scalar_cpu" : (lo ? "clamp_min_cpu" : "clamp_max_scalar_cpu"),
           "\" not implemented for 'Bool'");
  Tensor out = Tensor::empty(a.shape(), dt);
  double l = lo ? lo->v : 0, h = hi ? hi->v : 0;
  clamp_kernel(out, cast(a, dt), bool(lo), l, bool(hi), h);
  // clamp(x, min), clamp(x, None, max) and clamp(x, min, max) all record ClampBackward1.
  if (auto n = record(OpKind::Clamp, "ClampBackward1", {&a})) {
    n->b0 = bool(lo);
    n->b1 = bool(hi);
    n->s0 = l;
    n->s1 = h;
    n->save(a);
    set_history(out, n);
  }
  return out;
}

Tensor clamp_tensor(const Tensor& a, const Tensor* lo, const Tensor* hi) {
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  Tensor none;
  const Tensor& l = lo ? *lo : none;
  const Tensor& h = hi ? *hi : none;
  DType dt = result_type({&a, lo, hi});
  Dims shape = a.shape();
  if (lo) shape = broadcast_shapes(shape, lo->shape());
  if (hi) shape = broadcast_shapes(shape, hi->shape());
  // maximum, then minimum: NaN in x or in a bound propagates, and min > max gives max.
  Tensor out = Tensor::empty(shape, dt);
  if (lo) {
    binary_kernel(BinaryKernel::Maximum, out, cast(a, dt), cast(l, dt));
    if (hi) binary_kernel(BinaryKernel::Minimum, out, out, cast(h, dt));
  } else {
    binary_kernel(BinaryKernel::Minimum, out, cast(a, dt), cast(h, dt));
  }
  if (auto n = record(OpKind::ClampTensor, "ClampBackward0", {&a, &l, &h})) {
    n->b0 = lo != nullptr;
    n->b1 = hi != nullptr;
    n->save(a);
    n->save(l);
    n->save(h);
    set_history(out, n);
  }
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
