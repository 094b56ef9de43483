// Elementwise ops. Operands that may be numbers come as (value, kind) pairs: kind 0 is a
// tensor id, 1 a float, 2 an integer, 3 a boolean (see handles.h: operand_arg).
#include <cmath>
#include "convert.h"
#include "handles.h"
#include "../kernels/elementwise_simd.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// A (value, kind) pair known not to be a tensor, as an ops::Scalar.
ops::Scalar scalar_operand(const Napi::CallbackInfo& info, size_t i, const char* what) {
  int64_t kind = int_arg(info, i + 1, "operand kind");
  ops::Scalar s;
  if (kind == 3) {
    s.v = bool_arg(info, i) ? 1 : 0;
    s.is_bool = true;
  } else {
    s.v = num_arg(info, i, what);
    s.is_int = kind == 2;
  }
  return s;
}

// alpha: a number (an integral one acts as a Python int) or a boolean.
ops::Scalar alpha_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsBoolean()) return ops::Scalar{info[i].As<Napi::Boolean>().Value() ? 1.0 : 0.0, false, true};
  double v = num_arg(info, i, "alpha");
  return ops::Scalar{v, v == std::floor(v), false};
}

#define TG_UNARY(fn)                                                        \
  TG_FN(fn##_) { return return_tensor(info, ops::fn(tensor_arg(info, 1))); }
TG_UNARY(neg)
TG_UNARY(abs)
TG_UNARY(sqrt)
TG_UNARY(rsqrt)
TG_UNARY(exp)
TG_UNARY(log)
TG_UNARY(log1p)
TG_UNARY(sin)
TG_UNARY(cos)
TG_UNARY(tan)
TG_UNARY(tanh)
TG_UNARY(sigmoid)
TG_UNARY(relu)
TG_UNARY(square)
TG_UNARY(reciprocal)
TG_UNARY(sign)
#undef TG_UNARY

// (out, a, ak, b, bk, alpha)
TG_FN(add_) { return return_tensor(info, ops::add(operand_arg(info, 1), operand_arg(info, 3), alpha_arg(info, 5))); }
TG_FN(sub_) { return return_tensor(info, ops::sub(operand_arg(info, 1), operand_arg(info, 3), alpha_arg(info, 5))); }
TG_FN(mul_) { return return_tensor(info, ops::mul(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(div_) { return return_tensor(info, ops::div(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(maximum_) { return return_tensor(info, ops::maximum(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(minimum_) { return return_tensor(info, ops::minimum(operand_arg(info, 1), operand_arg(info, 3))); }

// pow(out, a, ak, b, bk): PyTorch's overload from which side is a number.
TG_FN(pow_) {
  int64_t ak = int_arg(info, 2, "operand kind"), bk = int_arg(info, 4, "operand kind");
  if (ak == 0 && bk != 0) return return_tensor(info, ops::pow_scalar(tensor_arg(info, 1), scalar_operand(info, 3, "exponent")));
  if (ak != 0 && bk == 0) return return_tensor(info, ops::scalar_pow(scalar_operand(info, 1, "base"), tensor_arg(info, 3)));
  return return_tensor(info, ops::pow(operand_arg(info, 1), operand_arg(info, 3)));
}

// compare(out, op, a, ak, b, bk): op 0..5 = eq ne lt le gt ge
TG_FN(compare_) {
  int64_t op = int_arg(info, 1, "op");
  TG_CHECK(op >= 0 && op <= 5, "internal: bad comparison");
  return return_tensor(info, ops::compare(static_cast<ops::CmpOp>(op), operand_arg(info, 2), operand_arg(info, 4)));
}

// where(out, cond, a, ak, b, bk)
TG_FN(where_) {
  return return_tensor(info, ops::where(tensor_arg(info, 1), operand_arg(info, 2), operand_arg(info, 4)));
}

// clamp(out, a, min, minKind, max, maxKind): a kind of -1 is a missing bound. With a tensor
// bound it is clamp.Tensor (a number bound then joins as a wrapped number), else clamp.Scalar.
TG_FN(clamp_) {
  Tensor a = tensor_arg(info, 1);
  int64_t lk = int_arg(info, 3, "operand kind"), hk = int_arg(info, 5, "operand kind");
  if (lk == 0 || hk == 0) {
    Tensor lo = lk >= 0 ? operand_arg(info, 2) : Tensor(), hi = hk >= 0 ? operand_arg(info, 4) : Tensor();
    return return_tensor(info, ops::clamp_tensor(a, lo.defined() ? &lo : nullptr, hi.defined() ? &hi : nullptr));
  }
  std::optional<ops::Scalar> lo, hi;
  if (lk >= 0) lo = scalar_operand(info, 2, "min");
  if (hk >= 0) hi = scalar_operand(info, 4, "max");
  return return_tensor(info, ops::clamp_scalar(a, lo, hi));
}

TG_FN(gelu_) { return return_tensor(info, ops::gelu(tensor_arg(info, 1), bool_arg(info, 2))); }

// simdIsa(): which build of the float32 exp/log/tanh/sigmoid kernels runs ("avx2", "baseline").
TG_FN(simd_isa_) { return Napi::String::New(info.Env(), simd::f32_kernels().isa); }

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object e) {
  def(env, e, "neg", neg_);
  def(env, e, "abs", abs_);
  def(env, e, "sqrt", sqrt_);
  def(env, e, "rsqrt", rsqrt_);
  def(env, e, "exp", exp_);
  def(env, e, "log", log_);
  def(env, e, "log1p", log1p_);
  def(env, e, "sin", sin_);
  def(env, e, "cos", cos_);
  def(env, e, "tan", tan_);
  def(env, e, "tanh", tanh_);
  def(env, e, "sigmoid", sigmoid_);
  def(env, e, "relu", relu_);
  def(env, e, "square", square_);
  def(env, e, "reciprocal", reciprocal_);
  def(env, e, "sign", sign_);
  def(env, e, "add", add_);
  def(env, e, "sub", sub_);
  def(env, e, "mul", mul_);
  def(env, e, "div", div_);
  def(env, e, "maximum", maximum_);
  def(env, e, "minimum", minimum_);
  def(env, e, "pow", pow_);
  def(env, e, "compare", compare_);
  def(env, e, "where", where_);
  def(env, e, "clamp", clamp_);
  def(env, e, "gelu", gelu_);
  def(env, e, "simdIsa", simd_isa_);
}

}  // namespace binding
}  // namespace tg
