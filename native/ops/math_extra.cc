// Extra elementwise ops: rounding and special functions, predicates, atan2/fmod/remainder/
// floor_divide, logical ops, lerp/addcmul/addcdiv, isclose/equal, and the in-place forms of
// the unary ops (exp_, floor_, ...) and of addcmul_/addcdiv_/lerp_/pow_.
//
// Composite forwards (lerp, addcmul, ...) run existing ops with grad mode off and record
// one node under PyTorch's name, so the graph looks as PyTorch's does.
#include <cmath>
#include "ops_extra.h"
#include "inplace_helpers.h"
#include "../autograd/grad_mode.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/math_extra.h"

namespace tg {
namespace ops {

namespace {

Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : clone_detached(t); }

Tensor cast_to(const Tensor& a, DType dt) {
  if (a.dtype() == dt) return a;
  Tensor out = Tensor::empty(a.shape(), dt);
  copy_kernel(out, a);
  out.impl()->wrapped_number = a.impl()->wrapped_number;
  return out;
}

// a, cast to dt and laid out densely with `shape` (a single element stays one element:
// the kernels broadcast it).
Tensor operand(const Tensor& a, DType dt, const Dims& shape) {
  Tensor c = cast_to(a, dt);
  if (c.numel() == 1) return dense(c);
  if (c.shape() == shape) return dense(c);
  Tensor out = Tensor::empty(shape, dt);
  copy_kernel(out, c);
  return out;
}

// The value of a one-element tensor as a double.
double value_of(const Tensor& t) { return cast_to(t, DType::Float64).data<double>()[0]; }


struct UnaryInfo {
  OpKind kind;
  const char* name;
  bool save_in, save_out;
};

UnaryInfo info_of(UnaryOp op) {
  switch (op) {
    case UnaryOp::Floor: return {OpKind::ZeroGrad, "FloorBackward0", false, false};
    case UnaryOp::Ceil: return {OpKind::ZeroGrad, "CeilBackward0", false, false};
    case UnaryOp::Round: return {OpKind::ZeroGrad, "RoundBackward0", false, false};
    case UnaryOp::Trunc: return {OpKind::ZeroGrad, "TruncBackward0", false, false};
    case UnaryOp::Frac: return {OpKind::Clone, "FracBackward0", false, false};
    case UnaryOp::Expm1: return {OpKind::Expm1, "Expm1Backward0", false, true};
    case UnaryOp::Exp2: return {OpKind::Exp2, "Exp2Backward0", false, true};
    case UnaryOp::Log2: return {OpKind::Log2, "Log2Backward0", true, false};
    case UnaryOp::Log10: return {OpKind::Log10, "Log10Backward0", true, false};
    case UnaryOp::Asin: return {OpKind::Asin, "AsinBackward0", true, false};
    case UnaryOp::Acos: return {OpKind::Acos, "AcosBackward0", true, false};
    case UnaryOp::Atan: return {OpKind::Atan, "AtanBackward0", true, false};
    case UnaryOp::Sinh: return {OpKind::Sinh, "SinhBackward0", true, false};
    case UnaryOp::Cosh: return {OpKind::Cosh, "CoshBackward0", true, false};
    case UnaryOp::Erf: return {OpKind::Erf, "ErfBackward0", true, false};
    case UnaryOp::Erfc: return {OpKind::Erfc, "ErfcBackward0", true, false};
    case UnaryOp::Erfinv: return {OpKind::Erfinv, "ErfinvBackward0", false, true};
    // The existing ops' nodes, with the same saved slots their out-of-place forms use.
    case UnaryOp::Exp: return {OpKind::Exp, "ExpBackward0", false, true};
    case UnaryOp::Log: return {OpKind::Log, "LogBackward0", true, false};
    case UnaryOp::Sqrt: return {OpKind::Sqrt, "SqrtBackward0", false, true};
    case UnaryOp::Abs: return {OpKind::Abs, "AbsBackward0", true, false};
    case UnaryOp::Neg: return {OpKind::Neg, "NegBackward0", false, false};
    case UnaryOp::Relu: return {OpKind::Relu, "ReluBackward0", false, true};
    case UnaryOp::Sigmoid: return {OpKind::Sigmoid, "SigmoidBackward0", false, true};
    case UnaryOp::Tanh: return {OpKind::Tanh, "TanhBackward0", false, true};
    case UnaryOp::Sin: return {OpKind::Sin, "SinBackward0", true, false};
    case UnaryOp::Cos: return {OpKind::Cos, "CosBackward0", true, false};
    case UnaryOp::Rsqrt: return {OpKind::Rsqrt, "RsqrtBackward0", false, true};
    case UnaryOp::Reciprocal: return {OpKind::Reciprocal, "ReciprocalBackward0", false, true};
    case UnaryOp::Log1p: return {OpKind::Log1p, "Log1PBackward0", true, false};
    case UnaryOp::Square: return {OpKind::PowScalar, "PowBackward0", true, false};
    case UnaryOp::Sign: return {OpKind::Sign, "SignBackward0", false, false};
  }
  return {OpKind::Clone, "?", false, false};
}

bool is_rounding(UnaryOp op) {
  return op == UnaryOp::Floor || op == UnaryOp::Ceil || op == UnaryOp::Round || op == UnaryOp::Trunc;
}

// The forward value without recording: the new kernels for the first group, the existing
// ops (grad mode off) for the rest.
Tensor unary_value(UnaryOp op, const Tensor& a) {
  if (static_cast<int>(op) <= static_cast<int>(UnaryOp::Erfinv)) {
    static const char* rounding_names[] = {"floor_vml_cpu", "ceil_vml_cpu", "round_vml_cpu", "trunc_vml_cpu"};
    DType dt = a.dtype();
    if (is_rounding(op)) {
      TG_CHECK(dt != DType::Bool, "\"", rounding_names[static_cast<int>(op)], "\" not implemented for 'Bool'");
    } else if (op == UnaryOp::Frac) {
      TG_CHECK(is_floating(dt), "\"frac_cpu\" not implemented for '", dtype_short_name(dt), "'");
    } else if (!is_floating(dt)) {
      dt = kDefaultFloat;  // integer inputs compute in the default float dtype
    }
    Tensor out = Tensor::empty(a.shape(), dt);
    unary_extra_kernel(static_cast<UnaryExtra>(op), out, dense(cast_to(a, dt)));
    return out;
  }
  GradModeGuard off(false);
  switch (op) {
    case UnaryOp::Exp: return exp(a);
    case UnaryOp::Log: return log(a);
    case UnaryOp::Sqrt: return sqrt(a);
    case UnaryOp::Abs: return abs(a);
    case UnaryOp::Neg: return neg(a);
    case UnaryOp::Relu: return relu(a);
    case UnaryOp::Sigmoid: return sigmoid(a);
    case UnaryOp::Tanh: return tanh(a);
    case UnaryOp::Sin: return sin(a);
    case UnaryOp::Cos: return cos(a);
    case UnaryOp::Rsqrt: return rsqrt(a);
    case UnaryOp::Reciprocal: return reciprocal(a);
    case UnaryOp::Log1p: return log1p(a);
    case UnaryOp::Square: return square(a);
    case UnaryOp::Sign: return sign(a);
    default: break;
  }
  return Tensor();
}

void fill_unary_node(OpNode& n, UnaryOp op) {
  if (op == UnaryOp::Square) n.s0 = 2;
}

}  // namespace

Tensor unary(UnaryOp op, const Tensor& a) {
  Tensor out = unary_value(op, a);
  UnaryInfo in = info_of(op);
  if (auto n = record(in.kind, in.name, {&a})) {
    fill_unary_node(*n, op);
    set_history(out, n);  // first: a saved output must know it requires grad (double backward)
    if (in.save_in) n->save(a);
    if (in.save_out) n->save(out, true);
  }
  return out;
}

void unary_(UnaryOp op, Tensor& self) {
  // square_ is pow_(2), whose integer result cannot go back into a bool tensor.
  TG_CHECK(!(op == UnaryOp::Square && self.dtype() == DType::Bool), "Found dtype Bool but expected Long");
  Tensor out = unary_value(op, self);
  check_inplace_result_type(out.dtype(), self.dtype());
  bool rec = inplace_begin(self, {});
  UnaryInfo in = info_of(op);
  Ref<OpNode> n = rec ? record(in.kind, in.name, {&self}) : nullptr;
  if (n) {
    fill_unary_node(*n, op);
    if (in.save_in) n->save(clone(self));  // the old value (recorded: double backward reaches self)
  }
  copy_kernel(self, out);
  inplace_end(self, n);
  if (n && in.save_out) n->save(self, true);
}

Tensor round_decimals(const Tensor& a, int64_t decimals) {
  if (decimals == 0) return unary(UnaryOp::Round, a);
  TG_CHECK(is_floating(a.dtype()), "\"round_cpu\" not implemented for '", dtype_short_name(a.dtype()), "'");
  // PyTorch: round(x * 10^d) / 10^d (for negative d: round(x / 10^-d) * 10^-d).
  Tensor out = Tensor::empty(a.shape(), a.dtype());
  Tensor x = dense(a);
  bool neg = decimals < 0;
  TG_DISPATCH_FLOAT(a.dtype(), [&] {
    scalar_t ten_pow = static_cast<scalar_t>(std::pow(10.0, static_cast<double>(neg ? -decimals : decimals)));
    const scalar_t* p = x.data<scalar_t>();
    scalar_t* q = out.data<scalar_t>();
    for (int64_t i = 0; i < out.numel(); i++)
      q[i] = neg ? std::nearbyint(p[i] / ten_pow) * ten_pow : std::nearbyint(p[i] * ten_pow) / ten_pow;
  });
  if (auto n = record(OpKind::ZeroGrad, "RoundBackward1", {&a})) set_history(out, n);
  return out;
}

Tensor predicate(PredicateOp op, const Tensor& a) {
  Tensor out = Tensor::empty(a.shape(), DType::Bool);
  predicate_kernel(static_cast<Predicate>(op), out, dense(a));
  return out;
}

// ---------------------------------------------------------------- binary

namespace {

Tensor binary_value(BinaryExtra k, const Tensor& a, const Tensor& b, DType dt) {
  Dims shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::empty(shape, dt);
  if (out.numel() == 0) return out;
  binary_extra_kernel(k, out, operand(a, dt, shape), operand(b, dt, shape));
  return out;
}

}  // namespace

Tensor atan2(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  if (!is_floating(dt)) dt = kDefaultFloat;
  Tensor out = binary_value(BinaryExtra::Atan2, a, b, dt);
  if (auto n = record(OpKind::Atan2, "Atan2Backward0", {&a, &b})) {
    n->save(a);
    n->save(b);
    set_history(out, n);
  }
  return out;
}

namespace {

// fmod and remainder: the gradient of the divisor needs trunc (fmod) or floor (remainder)
// of the quotient. A wrapped-number divisor records the Scalar overload (one input).
Tensor mod_op(BinaryExtra k, OpKind kind, const char* scalar_name, const char* tensor_name, const Tensor& a,
              const Tensor& b) {
  DType dt = result_type(a, b);
  TG_CHECK(dt != DType::Bool, "\"", k == BinaryExtra::Fmod ? "fmod_cpu" : "remainder_cpu",
           "\" not implemented for 'Bool'");
  Tensor out = binary_value(k, a, b, dt);
  bool scalar = b.impl()->wrapped_number;
  Ref<OpNode> n = scalar ? record(kind, scalar_name, {&a}) : record(kind, tensor_name, {&a, &b});
  if (n) {
    n->b0 = !scalar;
    if (!scalar && b.requires_grad()) {
      n->save(a);
      n->save(b);
    }
    set_history(out, n);
  }
  return out;
}

}  // namespace

Tensor fmod(const Tensor& a, const Tensor& b) {
  return mod_op(BinaryExtra::Fmod, OpKind::Fmod, "FmodBackward0", "FmodBackward1", a, b);
}
Tensor remainder(const Tensor& a, const Tensor& b) {
  return mod_op(BinaryExtra::Remainder, OpKind::Remainder, "RemainderBackward0", "RemainderBackward1", a, b);
}

Tensor floor_divide(const Tensor& a, const Tensor& b) {
  DType dt = result_type(a, b);
  TG_CHECK(dt != DType::Bool, "\"div_floor_cpu\" not implemented for 'Bool'");
  Tensor out = binary_value(BinaryExtra::FloorDivide, a, b, dt);
  // Not differentiable in PyTorch 1.13: its node is NotImplemented, and backward through it fails.
  if (auto n = record(OpKind::NotImplemented, "torch::autograd::NotImplemented", {&a, &b})) set_history(out, n);
  return out;
}

Tensor logical(LogicalOp op, const Tensor& a, const Tensor& b) {
  Dims shape = broadcast_shapes(a.shape(), b.shape());
  Tensor out = Tensor::empty(shape, DType::Bool);
  if (out.numel() == 0) return out;
  auto as_is = [&](const Tensor& t) {
    if (t.numel() == 1 || t.shape() == shape) return dense(t);
    Tensor e = Tensor::empty(shape, t.dtype());
    copy_kernel(e, t);
    return e;
  };
  static const BinaryExtra kinds[] = {BinaryExtra::LogicalAnd, BinaryExtra::LogicalOr, BinaryExtra::LogicalXor};
  binary_extra_kernel(kinds[static_cast<int>(op)], out, as_is(a), as_is(b));
  return out;
}

// ---------------------------------------------------------------- lerp, addcmul, addcdiv

namespace {

Tensor lerp_value(const Tensor& a, const Tensor& end, const Tensor& weight) {
  TG_CHECK(a.dtype() == end.dtype(), "expected dtype ", dtype_type_meta_name(a.dtype()), " for `end` but got dtype ",
           dtype_type_meta_name(end.dtype()));
  if (!weight.impl()->wrapped_number)
    TG_CHECK(a.dtype() == weight.dtype(), "expected dtype ", dtype_type_meta_name(a.dtype()),
             " for `weight` but got dtype ", dtype_type_meta_name(weight.dtype()));
  GradModeGuard off(false);
  // PyTorch's formula: a + w * (end - a) where |w| < 0.5, else end - (end - a) * (1 - w), so
  // that w = 1 gives end exactly.
  Tensor w = weight.impl()->wrapped_number ? weight : cast_to(weight, a.dtype());
  Tensor diff = sub(end, a);
  Tensor one = scalar_tensor(Scalar{1, true, false});
  Tensor low = add(a, mul(w, diff)), high = sub(end, mul(diff, sub(one, w)));
  Tensor small = compare(CmpOp::Lt, abs(w), scalar_tensor(Scalar{0.5}));
  return cast_to(where(small, low, high), a.dtype());
}

Tensor addc_value(bool is_div, const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value) {
  if (is_div)
    TG_CHECK(!(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)),
             "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
             "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
             "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
             "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
             "(input + value * tensor1 / tensor2), for all dtypes.");
  DType dt = result_type({&a, &t1, &t2});
  GradModeGuard off(false);
  // PyTorch's order: self + value * t1 * t2 and self + value * t1 / t2.
  Tensor vt1 = mul(scalar_tensor(value), t1);
  Tensor out = add(a, is_div ? div(vt1, t2) : mul(vt1, t2));
  return cast_to(out, dt);
}

void save_ternary(OpNode& n, TernaryInplace op, const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value,
                  bool weight_tensor) {
  n.s0 = value.v;
  n.b0 = weight_tensor;
  if (op == TernaryInplace::Lerp) {
    if (weight_tensor) {
      n.save(a);
      n.save(t1);
      n.save(t2);
    }
  } else {
    n.save(t1);
    n.save(t2);
  }
}

}  // namespace

Tensor lerp(const Tensor& a, const Tensor& end, const Tensor& weight) {
  Tensor out = lerp_value(a, end, weight);
  bool scalar = weight.impl()->wrapped_number;
  Ref<OpNode> n = scalar ? record(OpKind::Lerp, "LerpBackward0", {&a, &end})
                         : record(OpKind::Lerp, "LerpBackward1", {&a, &end, &weight});
  if (n) {
    save_ternary(*n, TernaryInplace::Lerp, a, end, weight, Scalar{scalar ? value_of(weight) : 0}, !scalar);
    set_history(out, n);
  }
  return out;
}

Tensor addcmul(const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value) {
  Tensor out = addc_value(false, a, t1, t2, value);
  if (auto n = record(OpKind::Addcmul, "AddcmulBackward0", {&a, &t1, &t2})) {
    save_ternary(*n, TernaryInplace::Addcmul, a, t1, t2, value, false);
    set_history(out, n);
  }
  return out;
}

Tensor addcdiv(const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value) {
  Tensor out = addc_value(true, a, t1, t2, value);
  if (auto n = record(OpKind::Addcdiv, "AddcdivBackward0", {&a, &t1, &t2})) {
    save_ternary(*n, TernaryInplace::Addcdiv, a, t1, t2, value, false);
    set_history(out, n);
  }
  return out;
}

void ternary_(TernaryInplace op, Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  Tensor out = op == TernaryInplace::Lerp ? lerp_value(self, t1, t2)
                                          : addc_value(op == TernaryInplace::Addcdiv, self, t1, t2, value);
  Dims shape = out.shape();
  TG_CHECK(shape == self.shape(), "output with shape ", shape_str(self.shape()), " doesn't match the broadcast shape ",
           shape_str(shape));
  check_inplace_result_type(out.dtype(), self.dtype());
  bool weight_tensor = op == TernaryInplace::Lerp && !t2.impl()->wrapped_number;
  bool rec = inplace_begin(self, {&t1, weight_tensor || op != TernaryInplace::Lerp ? &t2 : nullptr});
  Ref<OpNode> n;
  if (rec) {
    if (op == TernaryInplace::Lerp) {
      n = weight_tensor ? record(OpKind::Lerp, "LerpBackward1", {&self, &t1, &t2})
                        : record(OpKind::Lerp, "LerpBackward0", {&self, &t1});
      if (!weight_tensor) value = Scalar{value_of(t2)};
      save_ternary(*n, op, weight_tensor ? clone(self) : self, t1, t2, value, weight_tensor);
    } else {
      n = record(op == TernaryInplace::Addcmul ? OpKind::Addcmul : OpKind::Addcdiv,
                 op == TernaryInplace::Addcmul ? "AddcmulBackward0" : "AddcdivBackward0", {&self, &t1, &t2});
      save_ternary(*n, op, self, t1, t2, value, false);
    }
  }
  copy_kernel(self, out);
  inplace_end(self, n);
}

void pow_(Tensor& self, const Tensor& exponent) {
  bool scalar = exponent.impl()->wrapped_number;
  Tensor out;
  {
    GradModeGuard off(false);
    if (scalar) {
      double e = value_of(exponent);
      out = pow_scalar(self, Scalar{e, is_integral(exponent.dtype(), false), exponent.dtype() == DType::Bool});
    } else {
      out = pow(self, exponent);
    }
  }
  TG_CHECK(out.shape() == self.shape(), "output with shape ", shape_str(self.shape()),
           " doesn't match the broadcast shape ", shape_str(out.shape()));
  TG_CHECK(category(out.dtype()) <= category(self.dtype()), "Found dtype ", dtype_short_name(self.dtype()),
           " but expected ", dtype_short_name(out.dtype()));
  bool rec = inplace_begin(self, {scalar ? nullptr : &exponent});
  Ref<OpNode> n;
  if (rec) {
    if (scalar) {
      n = record(OpKind::PowScalar, "PowBackward0", {&self});
      n->s0 = value_of(exponent);
      n->save(clone(self));
    } else {
      n = record(OpKind::Pow, "PowBackward1", {&self, &exponent});
      n->save(clone(self));
      n->save(exponent);
    }
  }
  copy_kernel(self, out);
  inplace_end(self, n);
  if (n && !scalar) n->save(self, true);
}

// ---------------------------------------------------------------- isclose, equal

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  TG_CHECK(a.dtype() == b.dtype(), dtype_short_name(a.dtype()), " did not match ", dtype_short_name(b.dtype()));
  TG_CHECK(rtol >= 0, "rtol must be greater than or equal to zero, but got ", rtol);
  TG_CHECK(atol >= 0, "atol must be greater than or equal to zero, but got ", atol);
  GradModeGuard off(false);
  // |a - b| <= atol + rtol * |b|, or exactly equal (infinities), or both NaN when asked.
  Tensor close = compare(CmpOp::Eq, a, b);
  if (a.dtype() != DType::Bool) {
    // Integers compare in the default float dtype, as PyTorch's (a - b).abs() <= ... does.
    Tensor fa = is_floating(a.dtype()) ? a : cast_to(a, DType::Float64);
    Tensor fb = is_floating(b.dtype()) ? b : cast_to(b, DType::Float64);
    Tensor diff = abs(sub(fa, fb));
    Tensor tol = add(scalar_tensor(Scalar{atol}), mul(scalar_tensor(Scalar{rtol}), abs(fb)));
    Tensor finite = logical(LogicalOp::And, predicate(PredicateOp::IsFinite, diff), compare(CmpOp::Le, diff, tol));
    close = logical(LogicalOp::Or, close, finite);
    if (equal_nan)
      close = logical(LogicalOp::Or, close,
                      logical(LogicalOp::And, predicate(PredicateOp::IsNan, a), predicate(PredicateOp::IsNan, b)));
  }
  return close;
}

bool equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  GradModeGuard off(false);
  Tensor ne = compare(CmpOp::Ne, a, b);
  Tensor count = sum(ne, {}, false);
  return count.data<int64_t>()[0] == 0;
}

}  // namespace ops
}  // namespace tg
