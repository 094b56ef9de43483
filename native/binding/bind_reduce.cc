// Reductions. Dims come as an array (empty = all dims).
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
TG_FN(mean_) {
  return return_tensor(info, ops::mean(tensor_arg(info, 1), dims_arg(info, 2, "dim"), bool_arg(info, 3)));
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object e) {
  def(env, e, "sum", sum_);
  def(env, e, "mean", mean_);
}

}  // namespace binding
}  // namespace tg
