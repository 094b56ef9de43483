// In-place ops: they return nothing; the TS method returns `this`.
#include "convert.h"
#include "handles.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// binaryInplace(self, op, b, bk, alpha): op 0..3 = add sub mul div
TG_FN(binary_inplace) {
  Tensor self = tensor_arg(info, 0);
  int64_t op = int_arg(info, 1, "op");
  TG_CHECK(op >= 0 && op <= 3, "internal: bad in-place op");
  ops::binary_(static_cast<ops::InplaceOp>(op), self, operand_arg(info, 2), num_arg(info, 4, "alpha"));
  return info.Env().Undefined();
}
TG_FN(fill_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::fill_(self, num_arg(info, 1, "value"));
  return info.Env().Undefined();
}
TG_FN(fill_tensor_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::fill_tensor_(self, tensor_arg(info, 1));
  return info.Env().Undefined();
}
TG_FN(zero_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::zero_(self);
  return info.Env().Undefined();
}
TG_FN(copy_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::copy_(self, tensor_arg(info, 1));
  return info.Env().Undefined();
}
TG_FN(clamp_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::clamp_(self, opt_num_arg(info, 1, "min"), opt_num_arg(info, 2, "max"));
  return info.Env().Undefined();
}

}  // namespace

void register_inplace(Napi::Env env, Napi::Object e) {
  def(env, e, "binaryInplace", binary_inplace);
  def(env, e, "fillInplace", fill_inplace);
  def(env, e, "fillTensorInplace", fill_tensor_inplace);
  def(env, e, "zeroInplace", zero_inplace);
  def(env, e, "copyInplace", copy_inplace);
  def(env, e, "clampInplace", clamp_inplace);
}

}  // namespace binding
}  // namespace tg
