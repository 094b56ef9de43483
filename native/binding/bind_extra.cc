// Bindings for ops_extra.h (math_extra.cc, sort.cc, shape_extra.cc). Argument 0 is the
// output object for single results; multi-result ops return pending slots. Operands that
// may be numbers come as (value, kind) pairs (see bind_elementwise.cc).
#include "convert.h"
#include "handles.h"
#include "../ops/ops_extra.h"

namespace tg {
namespace binding {

namespace {

Napi::Value undefined(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

template <class E>
E enum_arg(const Napi::CallbackInfo& info, size_t i, int64_t last) {
  int64_t v = int_arg(info, i, "op");
  TG_CHECK(v >= 0 && v <= last, "internal: bad op code");
  return static_cast<E>(v);
}

ops::Scalar value_arg(const Napi::CallbackInfo& info, size_t i) {
  double v = num_arg(info, i, "value");
  return ops::Scalar{v, v == static_cast<double>(static_cast<int64_t>(v)), false};
}

// ---- elementwise
// unaryExtra(out, a, op) / unaryInplace(self, op)
TG_FN(unary_extra) {
  auto op = enum_arg<ops::UnaryOp>(info, 2, static_cast<int64_t>(ops::UnaryOp::Erfinv));
  return return_tensor(info, ops::unary(op, tensor_arg(info, 1)));
}
TG_FN(unary_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::unary_(enum_arg<ops::UnaryOp>(info, 1, static_cast<int64_t>(ops::UnaryOp::Sign)), self);
  return undefined(info);
}
TG_FN(round_decimals) {
  return return_tensor(info, ops::round_decimals(tensor_arg(info, 1), int_arg(info, 2, "decimals")));
}
TG_FN(predicate) {
  auto op = enum_arg<ops::PredicateOp>(info, 2, 3);
  return return_tensor(info, ops::predicate(op, tensor_arg(info, 1)));
}
// (out, a, ak, b, bk)
TG_FN(atan2) { return return_tensor(info, ops::atan2(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(fmod) { return return_tensor(info, ops::fmod(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(remainder) { return return_tensor(info, ops::remainder(operand_arg(info, 1), operand_arg(info, 3))); }
TG_FN(floor_divide) { return return_tensor(info, ops::floor_divide(operand_arg(info, 1), operand_arg(info, 3))); }
// logical(out, op, a, ak, b, bk)
TG_FN(logical) {
  auto op = enum_arg<ops::LogicalOp>(info, 1, 2);
  return return_tensor(info, ops::logical(op, operand_arg(info, 2), operand_arg(info, 4)));
}
// lerp(out, a, end, weight, weightKind)
TG_FN(lerp) { return return_tensor(info, ops::lerp(tensor_arg(info, 1), tensor_arg(info, 2), operand_arg(info, 3))); }
// addcmul(out, a, t1, t2, value) / addcdiv
TG_FN(addcmul) {
  return return_tensor(info, ops::addcmul(tensor_arg(info, 1), tensor_arg(info, 2), tensor_arg(info, 3), value_arg(info, 4)));
}
TG_FN(addcdiv) {
  return return_tensor(info, ops::addcdiv(tensor_arg(info, 1), tensor_arg(info, 2), tensor_arg(info, 3), value_arg(info, 4)));
}
// ternaryInplace(self, op, t1, t2, t2Kind, value): op 0 addcmul_, 1 addcdiv_, 2 lerp_ (t2: weight)
TG_FN(ternary_inplace) {
  Tensor self = tensor_arg(info, 0);
  auto op = enum_arg<ops::TernaryInplace>(info, 1, 2);
  ops::ternary_(op, self, tensor_arg(info, 2), operand_arg(info, 3), value_arg(info, 5));
  return undefined(info);
}
// powInplace(self, e, ek)
TG_FN(pow_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::pow_(self, operand_arg(info, 1));
  return undefined(info);
}
// isclose(out, a, b, rtol, atol, equalNan) / equal(a, b)
TG_FN(isclose) {
  return return_tensor(info, ops::isclose(tensor_arg(info, 1), tensor_arg(info, 2), num_arg(info, 3, "rtol"),
                                          num_arg(info, 4, "atol"), bool_arg(info, 5)));
}
TG_FN(equal) { return Napi::Boolean::New(info.Env(), ops::equal(tensor_arg(info, 0), tensor_arg(info, 1))); }

// ---- scans, sorting, logical reductions
std::optional<DType> opt_dtype(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && info[i].IsString()) return dtype_arg(info, i);
  return std::nullopt;
}
// cumsum(out, a, dim, dtype|undefined) / cumprod
TG_FN(cumsum) {
  return return_tensor(info, ops::cumsum(tensor_arg(info, 1), int_arg(info, 2, "dim"), opt_dtype(info, 3)));
}
TG_FN(cumprod) {
  return return_tensor(info, ops::cumprod(tensor_arg(info, 1), int_arg(info, 2, "dim"), opt_dtype(info, 3)));
}
// sort(a, dim, descending, stable) -> [values, indices]
TG_FN(sort) {
  auto r = ops::sort(tensor_arg(info, 0), int_arg(info, 1, "dim"), bool_arg(info, 2), bool_arg(info, 3));
  return pending_tensors(info.Env(), {r.first, r.second});
}
TG_FN(argsort) {
  return return_tensor(info, ops::argsort(tensor_arg(info, 1), int_arg(info, 2, "dim"), bool_arg(info, 3)));
}
// topk(a, k, dim, largest, sorted) -> [values, indices]
TG_FN(topk) {
  auto r = ops::topk(tensor_arg(info, 0), int_arg(info, 1, "k"), int_arg(info, 2, "dim"), bool_arg(info, 3),
                     bool_arg(info, 4));
  return pending_tensors(info.Env(), {r.first, r.second});
}
TG_FN(median_all) { return return_tensor(info, ops::median_all(tensor_arg(info, 1))); }
TG_FN(median_dim) {
  auto r = ops::median_dim(tensor_arg(info, 0), int_arg(info, 1, "dim"), bool_arg(info, 2));
  return pending_tensors(info.Env(), {r.first, r.second});
}
// kthvalue(a, k, dim, keepdim) / cumExtreme(a, dim, isMax) -> [values, indices]
TG_FN(kthvalue) {
  auto r = ops::kthvalue(tensor_arg(info, 0), int_arg(info, 1, "k"), int_arg(info, 2, "dim"), bool_arg(info, 3));
  return pending_tensors(info.Env(), {r.first, r.second});
}
TG_FN(cum_extreme) {
  auto r = ops::cum_extreme(tensor_arg(info, 0), int_arg(info, 1, "dim"), bool_arg(info, 2));
  return pending_tensors(info.Env(), {r.first, r.second});
}
// any(out, a, dim|null, keepdim) / all
TG_FN(any) {
  return return_tensor(info, ops::any(tensor_arg(info, 1), opt_int_arg(info, 2, "dim"), bool_arg(info, 3)));
}
TG_FN(all) {
  return return_tensor(info, ops::all(tensor_arg(info, 1), opt_int_arg(info, 2, "dim"), bool_arg(info, 3)));
}
TG_FN(count_nonzero) {
  return return_tensor(info, ops::count_nonzero(tensor_arg(info, 1), dims_arg(info, 2, "dim")));
}

// ---- shape and indexing
TG_FN(flip) { return return_tensor(info, ops::flip(tensor_arg(info, 1), dims_arg(info, 2, "dims"))); }
TG_FN(roll) {
  return return_tensor(info, ops::roll(tensor_arg(info, 1), dims_arg(info, 2, "shifts"), dims_arg(info, 3, "dims")));
}
TG_FN(repeat) { return return_tensor(info, ops::repeat(tensor_arg(info, 1), dims_arg(info, 2, "repeats"))); }
TG_FN(tile) { return return_tensor(info, ops::tile(tensor_arg(info, 1), dims_arg(info, 2, "dims"))); }
TG_FN(tril) { return return_tensor(info, ops::tril(tensor_arg(info, 1), int_arg(info, 2, "diagonal"))); }
TG_FN(triu) { return return_tensor(info, ops::triu(tensor_arg(info, 1), int_arg(info, 2, "diagonal"))); }
// maskedFill(out, a, mask, value, valueKind) / maskedFillInplace(self, mask, value, valueKind)
TG_FN(masked_fill) {
  return return_tensor(info, ops::masked_fill(tensor_arg(info, 1), tensor_arg(info, 2), operand_arg(info, 3)));
}
TG_FN(masked_fill_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::masked_fill_(self, tensor_arg(info, 1), operand_arg(info, 2));
  return undefined(info);
}
TG_FN(masked_select) { return return_tensor(info, ops::masked_select(tensor_arg(info, 1), tensor_arg(info, 2))); }
TG_FN(nonzero) { return return_tensor(info, ops::nonzero(tensor_arg(info, 1))); }
TG_FN(diag) { return return_tensor(info, ops::diag(tensor_arg(info, 1), int_arg(info, 2, "diagonal"))); }
TG_FN(diagonal) {
  return return_tensor(info, ops::diagonal(tensor_arg(info, 1), int_arg(info, 2, "offset"), int_arg(info, 3, "dim1"),
                                           int_arg(info, 4, "dim2")));
}
TG_FN(trace) { return return_tensor(info, ops::trace(tensor_arg(info, 1))); }
TG_FN(unbind) { return pending_tensors(info.Env(), ops::unbind(tensor_arg(info, 0), int_arg(info, 1, "dim"))); }
TG_FN(movedim) {
  return return_tensor(info, ops::movedim(tensor_arg(info, 1), dims_arg(info, 2, "source"), dims_arg(info, 3, "destination")));
}
// scatter(out, a, dim, index, src, srcKind) / scatterAdd(out, a, dim, index, src)
TG_FN(scatter) {
  return return_tensor(info, ops::scatter(tensor_arg(info, 1), int_arg(info, 2, "dim"), tensor_arg(info, 3),
                                          operand_arg(info, 4)));
}
TG_FN(scatter_add) {
  return return_tensor(info, ops::scatter_add(tensor_arg(info, 1), int_arg(info, 2, "dim"), tensor_arg(info, 3),
                                              tensor_arg(info, 4)));
}

// indexAdd(out, a, dim, index, src, alpha)
TG_FN(index_add) {
  return return_tensor(info, ops::index_add(tensor_arg(info, 1), int_arg(info, 2, "dim"), tensor_arg(info, 3),
                                            tensor_arg(info, 4), num_arg(info, 5, "alpha")));
}

// scatterInplace(self, dim, index, src, srcKind) / scatterAddInplace(self, dim, index, src) /
// indexAddInplace(self, dim, index, src, alpha)
TG_FN(scatter_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::scatter_(self, int_arg(info, 1, "dim"), tensor_arg(info, 2), operand_arg(info, 3));
  return undefined(info);
}
TG_FN(scatter_add_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::scatter_add_(self, int_arg(info, 1, "dim"), tensor_arg(info, 2), tensor_arg(info, 3));
  return undefined(info);
}
TG_FN(index_add_inplace) {
  Tensor self = tensor_arg(info, 0);
  ops::index_add_(self, int_arg(info, 1, "dim"), tensor_arg(info, 2), tensor_arg(info, 3), num_arg(info, 4, "alpha"));
  return undefined(info);
}

}  // namespace

void register_extra(Napi::Env env, Napi::Object e) {
  def(env, e, "unaryExtra", unary_extra);
  def(env, e, "unaryInplace", unary_inplace);
  def(env, e, "roundDecimals", round_decimals);
  def(env, e, "predicate", predicate);
  def(env, e, "atan2", atan2);
  def(env, e, "fmod", fmod);
  def(env, e, "remainder", remainder);
  def(env, e, "floorDivide", floor_divide);
  def(env, e, "logical", logical);
  def(env, e, "lerp", lerp);
  def(env, e, "addcmul", addcmul);
  def(env, e, "addcdiv", addcdiv);
  def(env, e, "ternaryInplace", ternary_inplace);
  def(env, e, "powInplace", pow_inplace);
  def(env, e, "isclose", isclose);
  def(env, e, "equal", equal);
  def(env, e, "cumsum", cumsum);
  def(env, e, "cumprod", cumprod);
  def(env, e, "sort", sort);
  def(env, e, "argsort", argsort);
  def(env, e, "topk", topk);
  def(env, e, "medianAll", median_all);
  def(env, e, "medianDim", median_dim);
  def(env, e, "kthvalue", kthvalue);
  def(env, e, "cumExtreme", cum_extreme);
  def(env, e, "any", any);
  def(env, e, "all", all);
  def(env, e, "countNonzero", count_nonzero);
  def(env, e, "flip", flip);
  def(env, e, "roll", roll);
  def(env, e, "repeat", repeat);
  def(env, e, "tile", tile);
  def(env, e, "tril", tril);
  def(env, e, "triu", triu);
  def(env, e, "maskedFill", masked_fill);
  def(env, e, "maskedFillInplace", masked_fill_inplace);
  def(env, e, "maskedSelect", masked_select);
  def(env, e, "nonzero", nonzero);
  def(env, e, "diag", diag);
  def(env, e, "diagonal", diagonal);
  def(env, e, "trace", trace);
  def(env, e, "unbind", unbind);
  def(env, e, "movedim", movedim);
  def(env, e, "scatter", scatter);
  def(env, e, "scatterAdd", scatter_add);
  def(env, e, "indexAdd", index_add);
  def(env, e, "scatterInplace", scatter_inplace);
  def(env, e, "scatterAddInplace", scatter_add_inplace);
  def(env, e, "indexAddInplace", index_add_inplace);
}

}  // namespace binding
}  // namespace tg
