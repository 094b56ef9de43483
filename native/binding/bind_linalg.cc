// Linear algebra.
#include "convert.h"
#include "handles.h"
#include "../kernels/matmul.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

TG_FN(matmul_) { return return_tensor(info, ops::matmul(tensor_arg(info, 1), tensor_arg(info, 2))); }
TG_FN(mm_) { return return_tensor(info, ops::mm(tensor_arg(info, 1), tensor_arg(info, 2))); }
TG_FN(addmm_) {
  return return_tensor(info, ops::addmm(tensor_arg(info, 1), tensor_arg(info, 2), tensor_arg(info, 3)));
}
TG_FN(bmm_) { return return_tensor(info, ops::bmm(tensor_arg(info, 1), tensor_arg(info, 2))); }
TG_FN(mv_) { return return_tensor(info, ops::mv(tensor_arg(info, 1), tensor_arg(info, 2))); }
TG_FN(dot_) { return return_tensor(info, ops::dot(tensor_arg(info, 1), tensor_arg(info, 2))); }
TG_FN(outer_) { return return_tensor(info, ops::outer(tensor_arg(info, 1), tensor_arg(info, 2))); }
// Diagnostics (bench, tests): the ISA the float32 GEMM runs on ("avx512", "avx2", "portable").
TG_FN(gemm_isa_) { return Napi::String::New(info.Env(), gemm_isa(DType::Float32)); }

}  // namespace

void register_linalg(Napi::Env env, Napi::Object e) {
  def(env, e, "matmul", matmul_);
  def(env, e, "mm", mm_);
  def(env, e, "addmm", addmm_);
  def(env, e, "bmm", bmm_);
  def(env, e, "mv", mv_);
  def(env, e, "dot", dot_);
  def(env, e, "outer", outer_);
  def(env, e, "gemmIsa", gemm_isa_);
}

}  // namespace binding
}  // namespace tg
