// Joining and indexing ops, and t[...] reads and writes.
#include <cmath>
#include "convert.h"
#include "handles.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// An array of tensor slot ids (cat, stack).
std::vector<Tensor> tensor_list_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsArray()) fail(ErrorKind::TypeError, str("expected an array of Tensors for ", what));
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<Tensor> out;
  // No reserve(a.Length()): a hostile sparse array claims up to 2^32 - 1 items and fails at
  // its first hole; reserving for all of them first would ask for 32 GB.
  auto& tab = state().tensors;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) fail(ErrorKind::TypeError, str("expected an array of Tensors for ", what));
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d < double(tab.items.size())) || d != std::floor(d) || !tab.items[static_cast<size_t>(d)])
      fail(ErrorKind::Error, "Tensor has been disposed: it can no longer be used");
    out.emplace_back(Ref<TensorImpl>(tab.items[static_cast<size_t>(d)]));
  }
  return out;
}

// Index items, flattened by ts/tensor.ts into a Float64Array as [kind, a, b, c] per item:
// kind 0 integer (a), 1 None, 2 slice (a start, b stop, c step; NaN where absent), 3 ellipsis.
std::vector<ops::TensorIndex> index_items_arg(const Napi::CallbackInfo& info, size_t i) {
  napi_env env = info.Env();
  bool is_typed = false;
  napi_is_typedarray(env, info[i], &is_typed);
  napi_typedarray_type type;
  size_t n = 0;
  void* data = nullptr;
  if (is_typed) napi_get_typedarray_info(env, info[i], &type, &n, &data, nullptr, nullptr);
  if (!is_typed || type != napi_float64_array || n % 4 != 0)
    fail(ErrorKind::TypeError, "internal: index items must be a Float64Array of [kind, a, b, c] groups");
  const double* v = static_cast<const double*>(data);
  auto integer = [](double d) -> int64_t {
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0)
      fail(ErrorKind::TypeError, str("only integers, slices, null and '...' are valid indices (got ", d, ")"));
    return static_cast<int64_t>(d);
  };
  auto opt = [&](double d) -> std::optional<int64_t> {
    if (std::isnan(d)) return std::nullopt;
    return integer(d);
  };
  std::vector<ops::TensorIndex> items(n / 4);
  for (size_t k = 0; k < n / 4; k++) {
    const double* g = v + 4 * k;
    ops::TensorIndex& it = items[k];
    if (g[0] == 0) {
      it.kind = ops::TensorIndex::Int;
      it.i = integer(g[1]);
    } else if (g[0] == 1) {
      it.kind = ops::TensorIndex::None;
    } else if (g[0] == 2) {
      it.kind = ops::TensorIndex::Slice;
      it.start = opt(g[1]);
      it.stop = opt(g[2]);
      it.step = opt(g[3]);
    } else if (g[0] == 3) {
      it.kind = ops::TensorIndex::Ellipsis;
    } else {
      fail(ErrorKind::TypeError, "internal: malformed index items");
    }
  }
  return items;
}

TG_FN(cat_) { return return_tensor(info, ops::cat(tensor_list_arg(info, 1, "tensors"), int_arg(info, 2, "dim"))); }
TG_FN(stack_) {
  return return_tensor(info, ops::stack(tensor_list_arg(info, 1, "tensors"), int_arg(info, 2, "dim")));
}
TG_FN(gather_) {
  return return_tensor(info, ops::gather(tensor_arg(info, 1), int_arg(info, 2, "dim"), tensor_arg(info, 3)));
}
TG_FN(index_select_) {
  return return_tensor(info, ops::index_select(tensor_arg(info, 1), int_arg(info, 2, "dim"), tensor_arg(info, 3)));
}
// index(out, self, items, single)
TG_FN(index_) {
  return return_tensor(info, ops::index(tensor_arg(info, 1), index_items_arg(info, 2), bool_arg(info, 3)));
}
// indexInt(out, self, i): t[i] without the item array.
TG_FN(index_int_) {
  ops::TensorIndex it;
  it.kind = ops::TensorIndex::Int;
  it.i = int_arg(info, 2, "index");
  return return_tensor(info, ops::index(tensor_arg(info, 1), {it}, true));
}
// indexPut(self, items, single, value, valueKind): value as an operand pair (see handles.h).
TG_FN(index_put_) {
  Tensor self = tensor_arg(info, 0);
  ops::index_put_(self, index_items_arg(info, 1), bool_arg(info, 2), operand_arg(info, 3));
  return info.Env().Undefined();
}

}  // namespace

void register_index(Napi::Env env, Napi::Object e) {
  def(env, e, "cat", cat_);
  def(env, e, "stack", stack_);
  def(env, e, "gather", gather_);
  def(env, e, "indexSelect", index_select_);
  def(env, e, "index", index_);
  def(env, e, "indexInt", index_int_);
  def(env, e, "indexPut", index_put_);
}

}  // namespace binding
}  // namespace tg
