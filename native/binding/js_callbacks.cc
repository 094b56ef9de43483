#include "js_callbacks.h"
#include <algorithm>
#include "convert.h"
#include "handles.h"
#include "../autograd/grad_mode.h"
#include "../core/error.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// The env of this thread while it is alive. At teardown, references die with the env, and
// nothing may be posted to it any more.
thread_local napi_env t_live_env = nullptr;

void delete_ref_later(napi_env env, void* data, void*) { napi_delete_reference(env, static_cast<napi_ref>(data)); }

// Opens a handle scope for one call into JS, so a long backward does not pile up handles.
struct Scope {
  explicit Scope(napi_env e) : env(e) { napi_open_handle_scope(env, &scope); }
  ~Scope() { napi_close_handle_scope(env, scope); }
  napi_env env;
  napi_handle_scope scope;
};

napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

// A slot id that JS adopts into a Tensor object (like pending_tensors); -1 for none.
napi_value pending_slot(napi_env env, const Tensor& t) {
  if (!t.defined()) return number(env, -1);
  return number(env, state().tensors.put(t.impl()));
}

// Calls fn(args...); a thrown JS exception stays pending and unwinds C++ as JsPendingError.
napi_value call_js(napi_env env, napi_value fn, std::initializer_list<napi_value> args) {
  napi_value recv, result;
  napi_get_undefined(env, &recv);
  std::vector<napi_value> argv(args);
  napi_status st = napi_call_function(env, recv, fn, argv.size(), argv.data(), &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) throw JsPendingError();
    fail(ErrorKind::Error, "a JavaScript autograd callback could not be called");
  }
  return result;
}

struct JsHook : TensorHook {
  JsHook(napi_env env, napi_value closure) : fn(env, closure) {}
  Tensor call(const Tensor& grad) override {
    napi_env env = fn.env();
    Scope scope(env);
    // The closure adopts the slot first thing, then runs the user's hook.
    napi_value r = call_js(env, fn.value(), {pending_slot(env, grad)});
    return tensor_from_js(env, r, "hook result");
  }
  JsRef fn;
};

}  // namespace

// ---------------------------------------------------------------- JsRef

JsRef::JsRef(napi_env env, napi_value v) : env_(env) {
  if (napi_create_reference(env, v, 1, &ref_) != napi_ok) fail(ErrorKind::TypeError, "expected a function");
}

JsRef::~JsRef() {
  if (ref_ && t_live_env == env_) node_api_post_finalizer(env_, delete_ref_later, ref_, nullptr);
}

napi_value JsRef::value() const {
  napi_value v;
  napi_get_reference_value(env_, ref_, &v);
  return v;
}

// ---------------------------------------------------------------- helpers

Tensor tensor_from_js(napi_env env, napi_value v, const char* what) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (type == napi_undefined || type == napi_null) return Tensor();
  napi_value id;
  double d = -1;
  if (type != napi_object || napi_get_named_property(env, v, "_id", &id) != napi_ok ||
      napi_get_value_double(env, id, &d) != napi_ok)
    fail(ErrorKind::TypeError, str("expected a Tensor for ", what));
  auto& tab = state().tensors;
  TG_CHECK(d >= 0 && d < double(tab.items.size()) && tab.items[static_cast<size_t>(d)],
           "Tensor has been disposed: it can no longer be used");
  return Tensor(Ref<TensorImpl>(tab.items[static_cast<size_t>(d)]));
}

Ref<TensorHook> make_js_hook(napi_env env, napi_value closure, std::string name) {
  Ref<TensorHook> h(new JsHook(env, closure));
  h->name = std::move(name);
  return h;
}

// ---------------------------------------------------------------- JsFunctionNode

GradList JsFunctionNode::apply(GradList&& grads) {
  napi_env env = fn.env();
  Scope scope(env);
  napi_value gs;
  napi_create_array_with_length(env, grads.size(), &gs);
  for (size_t i = 0; i < grads.size(); i++) {
    Tensor g = grads[i];
    if (!g.defined() && materialize_grads && i < tensor_output.size() && tensor_output[i])
      g = Tensor::zeros(input_meta[i].shape, input_meta[i].dtype);
    napi_set_element(env, gs, static_cast<uint32_t>(i), pending_slot(env, g));
  }
  napi_value node_slot = number(env, state().nodes.put(this));
  napi_value r = call_js(env, fn.value(), {gs, node_slot});

  // The TS closure checked the count and the types; one entry per forward argument.
  GradList out(next_edges.size());
  for (size_t i = 0; i < next_edges.size(); i++) {
    napi_value v;
    napi_get_element(env, r, static_cast<uint32_t>(i), &v);
    Tensor g = tensor_from_js(env, v, "a gradient returned by backward");
    if (next_edges[i].valid()) out[i] = g;  // gradients for inputs that need none are dropped
  }
  return out;
}

namespace {

std::vector<double> ids_arg(const Napi::CallbackInfo& info, size_t i) {
  TG_CHECK_TYPE(info[i].IsArray(), "expected an array of tensor ids");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<double> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out[k] = a.Get(k).As<Napi::Number>().DoubleValue();
  return out;
}

Tensor tensor_at(double id) {
  auto& tab = state().tensors;
  TG_CHECK(id >= 0 && id < double(tab.items.size()) && tab.items[static_cast<size_t>(id)],
           "Tensor has been disposed: it can no longer be used");
  return Tensor(Ref<TensorImpl>(tab.items[static_cast<size_t>(id)]));
}

// registerHook(t, closure, name) -> hook id
TG_FN(register_hook_) {
  Tensor t = tensor_arg(info, 0);
  TG_CHECK_TYPE(info[1].IsFunction(), "hook must be a function");
  std::string name = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "<lambda>";
  int64_t id = register_hook(t, make_js_hook(info.Env(), info[1], name));
  return Napi::Number::New(info.Env(), double(id));
}

// removeHook(t, id)
TG_FN(remove_hook_) {
  remove_hook(tensor_arg(info, 0), int_arg(info, 1, "hook id"));
  return info.Env().Undefined();
}

// customFunction(name, closure, argIds, outIds, savedIds, dirtyIds, nonDiffIds, materialize)
//   -> per output: -1 (the JS object now carries the history) or a pending slot holding a
//      new tensor that shares storage with an input returned unchanged.
// Mirrors PyTorch's _wrap_outputs (torch/csrc/autograd/custom_function.cpp).
TG_FN(custom_function) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  TG_CHECK_TYPE(info[1].IsFunction(), "expected the backward closure");
  std::vector<double> arg_ids = ids_arg(info, 2), out_ids = ids_arg(info, 3), saved_ids = ids_arg(info, 4),
                      dirty_ids = ids_arg(info, 5), nondiff_ids = ids_arg(info, 6);
  bool materialize = bool_arg(info, 7);

  Ref<JsFunctionNode> node(new JsFunctionNode(env, info[1], name));
  node->materialize_grads = materialize;
  std::vector<TensorImpl*> input_impls;
  for (double id : arg_ids) {
    if (id < 0) {
      node->next_edges.push_back(Edge{});
      continue;
    }
    Tensor t = tensor_at(id);
    input_impls.push_back(t.impl());
    node->next_edges.push_back(t.requires_grad() ? gradient_edge(t) : Edge{});
  }
  auto impl_in = [](const std::vector<double>& ids, TensorImpl* p) {
    for (double id : ids)
      if (id >= 0 && tensor_at(id).impl() == p) return true;
    return false;
  };

  std::vector<Tensor> outputs(out_ids.size());
  std::vector<double> result(out_ids.size(), -1);
  std::vector<TensorImpl*> seen;
  node->input_meta.resize(out_ids.size(), InputMeta{{}, DType::Float32});
  node->tensor_output.resize(out_ids.size(), false);
  for (size_t k = 0; k < out_ids.size(); k++) {
    if (out_ids[k] < 0) continue;
    Tensor t = tensor_at(out_ids[k]);
    TensorImpl* p = t.impl();
    bool is_input = std::find(input_impls.begin(), input_impls.end(), p) != input_impls.end();
    bool dirty = impl_in(dirty_ids, p);
    bool differentiable = !impl_in(nondiff_ids, p) && is_floating(t.dtype());
    bool repeated = std::find(seen.begin(), seen.end(), p) != seen.end();
    seen.push_back(p);
    node->tensor_output[k] = true;
    node->input_meta[k] = InputMeta{t.shape(), t.dtype()};
    if (dirty) {
      TG_CHECK(!(t.is_leaf() && t.impl()->requires_grad),
               "a leaf Variable that requires grad has been used in an in-place operation.");
    } else if (is_input || repeated) {
      // An input returned as it is: the caller gets a new tensor sharing its storage.
      t = ops::detach(t);
      result[k] = state().tensors.put(t.impl());
    }
    if (differentiable) {
      set_history(t, node, static_cast<uint32_t>(k));
    } else if (result[k] < 0 && !dirty) {
      t.impl()->requires_grad = false;
    }
    outputs[k] = t;
  }

  // Saved tensors: an output is stored without its grad_fn (that is this node: a cycle).
  for (double id : saved_ids) {
    if (id < 0) {
      node->saved.emplace_back();
      continue;
    }
    Tensor t = tensor_at(id);
    Tensor as_output;
    for (auto& o : outputs)
      if (o.defined() && o.grad_fn() == node.get() && o.impl() == t.impl())
        as_output = o;
    node->saved.emplace_back(as_output.defined() ? as_output : t, as_output.defined());
  }

  Napi::Array arr = Napi::Array::New(env, result.size());
  for (size_t k = 0; k < result.size(); k++) arr.Set(static_cast<uint32_t>(k), Napi::Number::New(env, result[k]));
  return arr;
}

// customSavedTensors(node) -> pending slots (-1 for a saved null). Unpacking checks the
// version counters and whether backward already freed them.
TG_FN(custom_saved_tensors) {
  auto* n = dynamic_cast<JsFunctionNode*>(node_arg(info, 0));
  TG_CHECK(n, "internal: not a custom Function node");
  Napi::Env env = info.Env();
  std::vector<Tensor> ts;
  for (auto& s : n->saved) ts.push_back(s.unpack(n));
  Napi::Array arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Value(env, pending_slot(env, ts[i])));
  return arr;
}

}  // namespace

void register_js_callbacks(Napi::Env env, Napi::Object e) {
  t_live_env = env;
  napi_add_env_cleanup_hook(
      env, [](void* arg) {
        if (t_live_env == static_cast<napi_env>(arg)) t_live_env = nullptr;
      },
      static_cast<napi_env>(env));
  def(env, e, "registerHook", register_hook_);
  def(env, e, "removeHook", remove_hook_);
  def(env, e, "customFunction", custom_function);
  def(env, e, "customSavedTensors", custom_saved_tensors);
}

}  // namespace binding
}  // namespace tg
