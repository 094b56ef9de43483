// Autograd: requires_grad, .grad, grad_fn inspection, backward and autograd.grad, grad mode.
#include "convert.h"
#include "handles.h"
#include "js_callbacks.h"
#include "../autograd/backward_profile.h"
#include "../autograd/engine.h"
#include "../autograd/grad_mode.h"
#include "../autograd/node.h"
#include "../core/error.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

std::vector<Tensor> tensor_list(const Napi::CallbackInfo& info, size_t i, bool allow_missing) {
  TG_CHECK_TYPE(info[i].IsArray(), "expected an array of tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<Tensor> out;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (allow_missing && v.IsNumber() && v.As<Napi::Number>().DoubleValue() == -1) {
      out.emplace_back();
      continue;
    }
    out.push_back(tensor_value(info.Env(), v, "tensors"));
  }
  return out;
}

TG_FN(requires_grad) { return Napi::Boolean::New(info.Env(), tensor_arg(info, 0).requires_grad()); }

// setRequiresGrad(t, flag, viaMethod): the setter, or requires_grad_() when viaMethod.
TG_FN(set_requires_grad) {
  set_requires_grad(tensor_arg(info, 0), bool_arg(info, 1), bool_arg(info, 2));
  return info.Env().Undefined();
}

TG_FN(is_leaf) { return Napi::Boolean::New(info.Env(), tensor_arg(info, 0).is_leaf()); }
TG_FN(retains_grad) { return Napi::Boolean::New(info.Env(), tensor_arg(info, 0).impl()->retains_grad); }

// grad(out, t): slot id of t.grad, or -1.
TG_FN(grad) {
  Tensor t = tensor_arg(info, 1);
  if (!t.impl()->grad) return Napi::Number::New(info.Env(), -1);
  return return_tensor(info, Tensor(t.impl()->grad));
}

// gradIs(t, g): whether t's accumulated gradient is the tensor g holds (lets the TS getter
// hand back the same JS object, as PyTorch's `x.grad is x.grad`, without a new handle).
TG_FN(grad_is) {
  Tensor t = tensor_arg(info, 0);
  Tensor g = tensor_arg(info, 1);
  return Napi::Boolean::New(info.Env(), t.impl()->grad.get() == g.impl());
}

// setGrad(t, g | null)
TG_FN(set_grad) {
  Tensor t = tensor_arg(info, 0);
  Tensor g = opt_tensor_arg(info, 1);
  if (g.defined()) {
    TG_CHECK(!g.same(t), "can't assign Variable as its own grad");  // PyTorch's check; also a refcount cycle
    TG_CHECK(g.dtype() == t.dtype(), "assigned grad has data of a different type");
    TG_CHECK(g.shape() == t.shape(), "assigned grad has data of a different size");
    t.impl()->grad = g.ref();
  } else {
    t.impl()->grad.reset();
  }
  return info.Env().Undefined();
}

// gradFn(out, t): node slot id or -1.
TG_FN(grad_fn) {
  Tensor t = tensor_arg(info, 1);
  if (!t.grad_fn()) return Napi::Number::New(info.Env(), -1);
  return return_node(info, t.grad_fn());
}

// gradFnIs(t, node): whether t's grad_fn is the node this handle holds (the TS getter then
// returns the same JS object, as PyTorch's `y.grad_fn is y.grad_fn`).
TG_FN(grad_fn_is) {
  Tensor t = tensor_arg(info, 0);
  Node* n = node_arg(info, 1);
  return Napi::Boolean::New(info.Env(), t.grad_fn() == n);
}

TG_FN(node_name) { return Napi::String::New(info.Env(), node_arg(info, 0)->name()); }

// nodeNext(node): [[pendingNodeSlot | -1, inputNr], ...]; TS adopts each slot.
TG_FN(node_next) {
  Node* n = node_arg(info, 0);
  Napi::Env env = info.Env();
  Napi::Array arr = Napi::Array::New(env, n->next_edges.size());
  for (size_t i = 0; i < n->next_edges.size(); i++) {
    const Edge& e = n->next_edges[i];
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Number::New(env, e.fn ? double(state().nodes.put(e.fn.get())) : -1.0));
    pair.Set(1u, Napi::Number::New(env, e.input_nr));
    arr.Set(static_cast<uint32_t>(i), pair);
  }
  return arr;
}

TG_FN(adopt_node) {
  adopt_pending_node(info.Env(), info[0], info[1]);
  return info.Env().Undefined();
}

// AccumulateGrad's variable: variable(out, node) -> slot id or -1.
TG_FN(node_variable) {
  Node* n = node_arg(info, 1);
  auto* acc = dynamic_cast<AccumulateGrad*>(n);
  if (!acc || !acc->variable) return Napi::Number::New(info.Env(), -1);
  return return_tensor(info, Tensor(Ref<TensorImpl>(acc->variable)));
}

// backward(roots[], grads[] (-1 = implicit), inputs[], keepGraph, createGraph)
TG_FN(backward) {
  std::vector<Tensor> roots = tensor_list(info, 0, false);
  std::vector<Tensor> grads = tensor_list(info, 1, true);
  std::vector<Tensor> inputs = tensor_list(info, 2, false);
  BackwardOptions o;
  o.create_graph = bool_arg(info, 4);
  o.keep_graph = info[3].IsUndefined() || info[3].IsNull() ? o.create_graph : bool_arg(info, 3);
  o.accumulate = true;
  run_backward(roots, grads, inputs, o);
  report_external_memory(info.Env());
  return info.Env().Undefined();
}

// grad(outputs[], gradOutputs[], inputs[], keepGraph, createGraph, allowUnused) -> pending ids (-1 = none)
TG_FN(autograd_grad) {
  std::vector<Tensor> roots = tensor_list(info, 0, false);
  std::vector<Tensor> grads = tensor_list(info, 1, true);
  std::vector<Tensor> inputs = tensor_list(info, 2, false);
  BackwardOptions o;
  o.create_graph = bool_arg(info, 4);
  o.keep_graph = info[3].IsUndefined() || info[3].IsNull() ? o.create_graph : bool_arg(info, 3);
  o.accumulate = false;
  o.allow_unused = bool_arg(info, 5);
  std::vector<Tensor> res = run_backward(roots, grads, inputs, o);
  Napi::Env env = info.Env();
  Napi::Array arr = Napi::Array::New(env, res.size());
  for (size_t i = 0; i < res.size(); i++)
    arr.Set(static_cast<uint32_t>(i),
            Napi::Number::New(env, res[i].defined() ? double(state().tensors.put(res[i].impl())) : -1.0));
  return arr;
}

TG_FN(set_grad_enabled) {
  GradMode::set(bool_arg(info, 0));
  return info.Env().Undefined();
}
TG_FN(is_grad_enabled) { return Napi::Boolean::New(info.Env(), GradMode::enabled()); }

TG_FN(detach_) { return return_tensor(info, ops::detach(tensor_arg(info, 1))); }

// detachInplace(t): drops t's history; it becomes a leaf that does not require grad.
TG_FN(detach_inplace_) {
  detach_inplace(tensor_arg(info, 0));
  return info.Env().Undefined();
}

TG_FN(retain_grad_) {
  retain_grad(tensor_arg(info, 0));
  return info.Env().Undefined();
}

// nodeKey(node): a number that is the same for every handle of one node (while it lives);
// graph walks (ts/graphviz.ts) use it to see that two edges reach the same node.
TG_FN(node_key) {
  return Napi::Number::New(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(node_arg(info, 0))));
}

// nodeMeta(node): [[shape, dtype], ...], one per output of the op (what backward expects).
TG_FN(node_meta) {
  Node* n = node_arg(info, 0);
  Napi::Env env = info.Env();
  Napi::Array arr = Napi::Array::New(env, n->input_meta.size());
  for (size_t i = 0; i < n->input_meta.size(); i++) {
    const InputMeta& m = n->input_meta[i];
    Napi::Array shape = Napi::Array::New(env, m.shape.size());
    for (size_t d = 0; d < m.shape.size(); d++) shape.Set(static_cast<uint32_t>(d), Napi::Number::New(env, double(m.shape[d])));
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, shape);
    pair.Set(1u, Napi::String::New(env, dtype_name(m.dtype)));
    arr.Set(static_cast<uint32_t>(i), pair);
  }
  return arr;
}

// Anomaly mode (torch.autograd.set_detect_anomaly): the engine checks for NaN and adds
// forward traces to errors; ts/anomaly.ts records the traces with setNodeTrace.
TG_FN(set_detect_anomaly) {
  AnomalyMode::set(bool_arg(info, 0));
  return info.Env().Undefined();
}
TG_FN(is_anomaly_enabled) { return Napi::Boolean::New(info.Env(), AnomalyMode::enabled()); }

// torch.profile's per-node backward timing: profileBackward(on) starts (from empty) or
// stops it; backwardProfile() returns [[name, count, ms], ...].
TG_FN(profile_backward) {
  BackwardProfile::set(bool_arg(info, 0));
  return info.Env().Undefined();
}
TG_FN(backward_profile) {
  Napi::Env env = info.Env();
  std::vector<BackwardProfile::Entry> entries = BackwardProfile::entries();
  Napi::Array arr = Napi::Array::New(env, entries.size());
  for (size_t i = 0; i < entries.size(); i++) {
    Napi::Array row = Napi::Array::New(env, 3);
    row.Set(0u, Napi::String::New(env, entries[i].name));
    row.Set(1u, Napi::Number::New(env, static_cast<double>(entries[i].count)));
    row.Set(2u, Napi::Number::New(env, static_cast<double>(entries[i].nanos) / 1e6));
    arr.Set(static_cast<uint32_t>(i), row);
  }
  return arr;
}

// setNodeTrace(t, stack): gives t's grad_fn the JS stack of the call that made it. A node
// keeps its first trace (an op that returns its input unchanged must not overwrite it).
TG_FN(set_node_trace) {
  Tensor t = tensor_arg(info, 0);
  TG_CHECK_TYPE(info[1].IsString(), "expected a string for the trace");
  Node* n = t.grad_fn();
  if (n && n->trace.empty()) n->trace = info[1].As<Napi::String>().Utf8Value();
  return info.Env().Undefined();
}

}  // namespace

void register_autograd(Napi::Env env, Napi::Object e) {
  def(env, e, "requiresGrad", requires_grad);
  def(env, e, "setRequiresGrad", set_requires_grad);
  def(env, e, "isLeaf", is_leaf);
  def(env, e, "retainsGrad", retains_grad);
  def(env, e, "grad", grad);
  def(env, e, "gradIs", grad_is);
  def(env, e, "setGrad", set_grad);
  def(env, e, "gradFn", grad_fn);
  def(env, e, "gradFnIs", grad_fn_is);
  def(env, e, "nodeName", node_name);
  def(env, e, "nodeNext", node_next);
  def(env, e, "adoptNode", adopt_node);
  def(env, e, "nodeVariable", node_variable);
  def(env, e, "backward", backward);
  def(env, e, "autogradGrad", autograd_grad);
  def(env, e, "setGradEnabled", set_grad_enabled);
  def(env, e, "isGradEnabled", is_grad_enabled);
  def(env, e, "detach", detach_);
  def(env, e, "detachInplace", detach_inplace_);
  def(env, e, "retainGrad", retain_grad_);
  def(env, e, "nodeKey", node_key);
  def(env, e, "nodeMeta", node_meta);
  def(env, e, "setDetectAnomaly", set_detect_anomaly);
  def(env, e, "isAnomalyEnabled", is_anomaly_enabled);
  def(env, e, "setNodeTrace", set_node_trace);
  def(env, e, "profileBackward", profile_backward);
  def(env, e, "backwardProfile", backward_profile);
  register_js_callbacks(env, e);
}

}  // namespace binding
}  // namespace tg
