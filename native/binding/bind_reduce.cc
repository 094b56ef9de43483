// Reductions. Dims come as an array (empty = all dims); an optional single dim as a number
// or null.
#include "convert.h"
#include "handles.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// sum(out, a, dims, keepdim, dtype|undefined)
TG_FN(sum_) {
  std::optional<DType> dt;
  if (info.Length() > 4 && info[4].IsString()) dt = dtype_arg(info, 4);
  return return_tensor(info, ops::sum(tensor_arg(info, 1), dims_arg(info, 2, "dim"), bool_arg(info, 3), dt));
}
// mean(out, a, dims, keepdim)
TG_FN(mean_) {
  return return_tensor(info, ops::mean(tensor_arg(info, 1), dims_arg(info, 2, "dim"), bool_arg(info, 3)));
}
// prod(out, a, dim|null, keepdim)
TG_FN(prod_) {
  return return_tensor(info, ops::prod(tensor_arg(info, 1), opt_int_arg(info, 2, "dim"), bool_arg(info, 3)));
}
// maxAll(out, a) / minAll(out, a)
TG_FN(max_all_) { return return_tensor(info, ops::max_all(tensor_arg(info, 1))); }
TG_FN(min_all_) { return return_tensor(info, ops::min_all(tensor_arg(info, 1))); }
// maxDim(a, dim, keepdim) -> [values, indices] pending slots
TG_FN(max_dim_) {
  auto r = ops::max_dim(tensor_arg(info, 0), int_arg(info, 1, "dim"), bool_arg(info, 2));
  return pending_tensors(info.Env(), {r.first, r.second});
}
TG_FN(min_dim_) {
  auto r = ops::min_dim(tensor_arg(info, 0), int_arg(info, 1, "dim"), bool_arg(info, 2));
  return pending_tensors(info.Env(), {r.first, r.second});
}
// amax(out, a, dims, keepdim) / amin
TG_FN(amax_) {
  return return_tensor(info, ops::amax(tensor_arg(info, 1), dims_arg(info, 2, "dim"), bool_arg(info, 3)));
}
TG_FN(amin_) {
  return return_tensor(info, ops::amin(tensor_arg(info, 1), dims_arg(info, 2, "dim"), bool_arg(info, 3)));
}
// argmax(out, a, dim|null, keepdim) / argmin
TG_FN(argmax_) {
  return return_tensor(info, ops::argmax(tensor_arg(info, 1), opt_int_arg(info, 2, "dim"), bool_arg(info, 3)));
}
TG_FN(argmin_) {
  return return_tensor(info, ops::argmin(tensor_arg(info, 1), opt_int_arg(info, 2, "dim"), bool_arg(info, 3)));
}
// norm(out, a, p, dims, keepdim)
TG_FN(norm_) {
  return return_tensor(info, ops::norm(tensor_arg(info, 1), num_arg(info, 2, "p"), dims_arg(info, 3, "dim"),
                                       bool_arg(info, 4)));
}
// var(out, a, dims, correction, keepdim) / std
TG_FN(var_) {
  return return_tensor(info, ops::var(tensor_arg(info, 1), dims_arg(info, 2, "dim"), int_arg(info, 3, "correction"),
                                      bool_arg(info, 4)));
}
TG_FN(std_) {
  return return_tensor(info, ops::std(tensor_arg(info, 1), dims_arg(info, 2, "dim"), int_arg(info, 3, "correction"),
                                      bool_arg(info, 4)));
}
// logsumexp(out, a, dims, keepdim)
TG_FN(logsumexp_) {
  return return_tensor(info, ops::logsumexp(tensor_arg(info, 1), dims_arg(info, 2, "dim"), bool_arg(info, 3)));
}
// softmax(out, a, dim) / logSoftmax
TG_FN(softmax_) { return return_tensor(info, ops::softmax(tensor_arg(info, 1), int_arg(info, 2, "dim"))); }
TG_FN(log_softmax_) { return return_tensor(info, ops::log_softmax(tensor_arg(info, 1), int_arg(info, 2, "dim"))); }

}  // namespace

void register_reduce(Napi::Env env, Napi::Object e) {
  def(env, e, "sum", sum_);
  def(env, e, "mean", mean_);
  def(env, e, "prod", prod_);
  def(env, e, "maxAll", max_all_);
  def(env, e, "minAll", min_all_);
  def(env, e, "maxDim", max_dim_);
  def(env, e, "minDim", min_dim_);
  def(env, e, "amax", amax_);
  def(env, e, "amin", amin_);
  def(env, e, "argmax", argmax_);
  def(env, e, "argmin", argmin_);
  def(env, e, "norm", norm_);
  def(env, e, "var", var_);
  def(env, e, "std", std_);
  def(env, e, "logsumexp", logsumexp_);
  def(env, e, "softmax", softmax_);
  def(env, e, "logSoftmax", log_softmax_);
}

}  // namespace binding
}  // namespace tg
