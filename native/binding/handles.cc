#include "handles.h"
#include <cmath>
#include "../core/error.h"
#include "../core/storage.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {
thread_local State* t_state = nullptr;

// Runs inside GC (a "basic" finalizer): touches only native memory.
void finalize_tensor(node_api_basic_env, void* data, void*) {
  if (t_state) t_state->tensors.release_slot(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data)));
}
void finalize_node(node_api_basic_env, void* data, void*) {
  if (t_state) t_state->nodes.release_slot(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data)));
}

uint32_t slot_of(const Napi::CallbackInfo& info, size_t i, const char* what) {
  napi_value v = info[i];
  double d;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok)
    fail(ErrorKind::TypeError, str("expected a Tensor for ", what, " but received a value of another type"));
  if (!(d >= 0 && d < 4294967295.0) || d != std::floor(d))
    fail(ErrorKind::Error, "Tensor has been disposed: it can no longer be used");
  return static_cast<uint32_t>(d);
}
}  // namespace

State& state() { return *t_state; }
bool state_alive() { return t_state != nullptr; }

void init_state(napi_env env) {
  t_state = new State();
  t_state->env = env;
  napi_add_env_cleanup_hook(
      env,
      [](void* arg) {
        State* s = static_cast<State*>(arg);
        for (size_t i = 0; i < s->tensors.items.size(); i++) s->tensors.drop(static_cast<uint32_t>(i));
        for (size_t i = 0; i < s->nodes.items.size(); i++) s->nodes.drop(static_cast<uint32_t>(i));
        if (t_state == s) t_state = nullptr;
        delete s;
      },
      t_state);
}

Tensor tensor_arg(const Napi::CallbackInfo& info, size_t i) {
  uint32_t s = slot_of(info, i, "argument");
  auto& tab = t_state->tensors;
  if (s >= tab.items.size() || !tab.items[s]) fail(ErrorKind::Error, "Tensor has been disposed: it can no longer be used");
  return Tensor(Ref<TensorImpl>(tab.items[s]));
}

Tensor opt_tensor_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsUndefined() || info[i].IsNull()) return Tensor();
  return tensor_arg(info, i);
}

Tensor operand_arg(const Napi::CallbackInfo& info, size_t i) {
  int32_t kind = info[i + 1].As<Napi::Number>().Int32Value();
  if (kind == 0) return tensor_arg(info, i);
  ops::Scalar s;
  if (kind == 3) {
    s.v = info[i].As<Napi::Boolean>().Value() ? 1 : 0;
    s.is_bool = true;
  } else {
    s.v = info[i].As<Napi::Number>().DoubleValue();
    s.is_int = kind == 2;
  }
  return ops::scalar_tensor(s);
}

uint32_t adopt(napi_env env, napi_value obj, const Tensor& t) {
  uint32_t s = t_state->tensors.put(t.impl());
  napi_status st = napi_add_finalizer(env, obj, reinterpret_cast<void*>(static_cast<uintptr_t>(s)), finalize_tensor,
                                      nullptr, nullptr);
  if (st != napi_ok) {
    t_state->tensors.release_slot(s);
    fail(ErrorKind::TypeError, "internal: a Tensor result needs a JS object to own it");
  }
  return s;
}

Napi::Value return_tensor(const Napi::CallbackInfo& info, const Tensor& t) {
  uint32_t s = adopt(info.Env(), info[0], t);
  report_external_memory(info.Env());
  return Napi::Number::New(info.Env(), s);
}

Napi::Value pending_tensors(Napi::Env env, const std::vector<Tensor>& ts) {
  // Returned as a list of "pending" slot ids: each holds its own reference until adopted.
  Napi::Array arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) {
    uint32_t s = t_state->tensors.put(ts[i].impl());
    arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, s));
  }
  report_external_memory(env);
  return arr;
}

Node* node_arg(const Napi::CallbackInfo& info, size_t i) {
  uint32_t s = slot_of(info, i, "node");
  auto& tab = t_state->nodes;
  if (s >= tab.items.size() || !tab.items[s]) fail(ErrorKind::Error, "grad_fn handle is no longer valid");
  return tab.items[s];
}

Napi::Value return_node(const Napi::CallbackInfo& info, Node* n) {
  uint32_t s = t_state->nodes.put(n);
  napi_add_finalizer(info.Env(), info[0], reinterpret_cast<void*>(static_cast<uintptr_t>(s)), finalize_node, nullptr,
                     nullptr);
  return Napi::Number::New(info.Env(), s);
}

void report_external_memory(napi_env env) {
  int64_t now = live_storage_bytes();
  int64_t delta = now - t_state->reported_bytes;
  if (delta > (1 << 20) || delta < -(1 << 20)) {
    int64_t ignored;
    napi_adjust_external_memory(env, delta, &ignored);
    t_state->reported_bytes = now;
  }
}

}  // namespace binding
}  // namespace tg
