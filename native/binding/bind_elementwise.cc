// Elementwise ops. Operands that may be numbers come as (value, kind) pairs (operand_arg).
#include "convert.h"
#include "handles.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

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
TG_FN(add_) {
  return return_tensor(info, ops::add(operand_arg(info, 1), operand_arg(info, 3), num_arg(info, 5, "alpha")));
}
TG_FN(sub_) {
  return return_tensor(info, ops::sub(operand_arg(info, 1), operand_arg(info, 3), num_arg(info, 5, "alpha")));
}
TG_FN(mul_) { return return_tensor(info, ops::mul(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(div_) { return return_tensor(info, ops::div(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(maximum_) { return return_tensor(info, ops::maximum(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(minimum_) { return return_tensor(info, ops::minimum(operand_arg(info, 1), operand_arg(info, 3))); }

// pow(out, a, ak, b, bk): picks the PyTorch overload from which side is a number.
TG_FN(pow_) {
  int32_t ak = operand_kind(info, 2), bk = operand_kind(info, 4);
  if (ak == 0 && bk != 0) {
    ops::Scalar e{num_arg(info, 3, "exponent"), bk == 2, false};
    return return_tensor(info, ops::pow_scalar(tensor_arg(info, 1), e));
  }
  if (ak != 0 && bk == 0) {
    ops::Scalar b{num_arg(info, 1, "base"), ak == 2, false};
    return return_tensor(info, ops::scalar_pow(b, tensor_arg(info, 3)));
  }
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

// clamp(out, a, min|null, max|null)
TG_FN(clamp_) {
  return return_tensor(info, ops::clamp(tensor_arg(info, 1), opt_num_arg(info, 2, "min"), opt_num_arg(info, 3, "max")));
}
// clampTensor(out, a, minTensor|null, maxTensor|null)
TG_FN(clamp_tensor_) {
  Tensor lo = opt_tensor_arg(info, 2), hi = opt_tensor_arg(info, 3);
  return return_tensor(info, ops::clamp_tensor(tensor_arg(info, 1), lo.defined() ? &lo : nullptr,
                                               hi.defined() ? &hi : nullptr));
}

TG_FN(gelu_) { return return_tensor(info, ops::gelu(tensor_arg(info, 1), bool_arg(info, 2))); }

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
  def(env, e, "clampTensor", clamp_tensor_);
  def(env, e, "gelu", gelu_);
}

}  // namespace binding
}  // namespace tg
