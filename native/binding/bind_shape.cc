// Shape and view ops.
#include "convert.h"
#include "handles.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

TG_FN(view_) { return return_tensor(info, ops::view(tensor_arg(info, 1), dims_arg(info, 2, "shape"))); }
TG_FN(reshape_) { return return_tensor(info, ops::reshape(tensor_arg(info, 1), dims_arg(info, 2, "shape"))); }
TG_FN(flatten_) {
  return return_tensor(info, ops::flatten(tensor_arg(info, 1), int_arg(info, 2, "start_dim"), int_arg(info, 3, "end_dim")));
}
TG_FN(squeeze_) { return return_tensor(info, ops::squeeze(tensor_arg(info, 1), opt_int_arg(info, 2, "dim"))); }
TG_FN(unsqueeze_) { return return_tensor(info, ops::unsqueeze(tensor_arg(info, 1), int_arg(info, 2, "dim"))); }
TG_FN(transpose_) {
  return return_tensor(info, ops::transpose(tensor_arg(info, 1), int_arg(info, 2, "dim0"), int_arg(info, 3, "dim1")));
}
TG_FN(permute_) { return return_tensor(info, ops::permute(tensor_arg(info, 1), dims_arg(info, 2, "dims"))); }
TG_FN(expand_) { return return_tensor(info, ops::expand(tensor_arg(info, 1), dims_arg(info, 2, "size"))); }
TG_FN(narrow_) {
  return return_tensor(info, ops::narrow(tensor_arg(info, 1), int_arg(info, 2, "dim"), int_arg(info, 3, "start"),
                                         int_arg(info, 4, "length")));
}
TG_FN(select_) {
  return return_tensor(info, ops::select(tensor_arg(info, 1), int_arg(info, 2, "dim"), int_arg(info, 3, "index")));
}
TG_FN(t_) { return return_tensor(info, ops::t(tensor_arg(info, 1))); }
TG_FN(split_) {
  return pending_tensors(info.Env(), ops::split(tensor_arg(info, 0), dims_arg(info, 1, "split_sizes"),
                                                int_arg(info, 2, "dim")));
}
TG_FN(split_size_) {
  return pending_tensors(info.Env(), ops::split_size(tensor_arg(info, 0), int_arg(info, 1, "split_size"),
                                                     int_arg(info, 2, "dim")));
}
TG_FN(chunk_) {
  return pending_tensors(info.Env(), ops::chunk(tensor_arg(info, 0), int_arg(info, 1, "chunks"), int_arg(info, 2, "dim")));
}

}  // namespace

void register_shape(Napi::Env env, Napi::Object e) {
  def(env, e, "view", view_);
  def(env, e, "reshape", reshape_);
  def(env, e, "flatten", flatten_);
  def(env, e, "squeeze", squeeze_);
  def(env, e, "unsqueeze", unsqueeze_);
  def(env, e, "transpose", transpose_);
  def(env, e, "permute", permute_);
  def(env, e, "expand", expand_);
  def(env, e, "narrow", narrow_);
  def(env, e, "select", select_);
  def(env, e, "t", t_);
  def(env, e, "split", split_);
  def(env, e, "splitSize", split_size_);
  def(env, e, "chunk", chunk_);
}

}  // namespace binding
}  // namespace tg
