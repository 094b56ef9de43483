#include "handles.h"
#include <cmath>
#include <type_traits>
#include "../core/caching_alloc.h"
#include "../core/error.h"
#include "../core/storage.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {
// One State per JS thread (main thread or worker): the addon is context-aware and each
// environment runs on its own thread, so thread_local is per-environment state.
thread_local State* t_state = nullptr;

constexpr int64_t kReportStep = int64_t(1) << 20;  // batch V8 external-memory updates

// Run inside V8's GC (basic finalizers, see handles.h): they touch only native memory.
// After the env's cleanup hook, the state is gone and there is nothing left to release.
void finalize_tensor(node_api_basic_env, void* data, void*) {
  if (t_state) t_state->tensors.release_slot(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data)));
}
void finalize_node(node_api_basic_env, void* data, void*) {
  if (t_state) t_state->nodes.release_slot(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data)));
}

[[noreturn]] void disposed() { fail(ErrorKind::Error, "Tensor has been disposed: it can no longer be used"); }

// A slot id: a non-negative integer below 2^32 - 1. Negative ids are disposed handles
// (TS sets _id = -2); anything else is not a handle at all.
uint32_t slot_of(napi_env env, napi_value v, const char* what, bool* negative) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok)
    fail(ErrorKind::TypeError, str("expected a Tensor for ", what, " but received a value of another type"));
  *negative = d < 0;
  if (*negative) return 0;
  if (!(d < 4294967295.0) || d != std::floor(d))
    fail(ErrorKind::TypeError, str("expected a Tensor for ", what, " but received an invalid handle"));
  return static_cast<uint32_t>(d);
}

}  // namespace

void check_state() {
  // After the env cleanup hook (the env is being torn down) no tensor exists any more.
  if (!t_state) fail(ErrorKind::Error, "tensorgrad: this thread's environment is shutting down");
}

namespace {
template <class T>
void take_ownership(napi_env env, SlotTable<T>& tab, uint32_t s, napi_value obj) {
  napi_status st = napi_add_finalizer(env, obj, reinterpret_cast<void*>(static_cast<uintptr_t>(s)),
                                      std::is_same<T, Node>::value ? finalize_node : finalize_tensor, nullptr,
                                      nullptr);
  if (st != napi_ok) fail(ErrorKind::TypeError, "expected an object to own the result");
  tab.state[s] = SlotTable<T>::kOwned;
}

template <class T>
void free_all(SlotTable<T>& tab) {
  for (size_t i = 0; i < tab.items.size(); i++) tab.drop(static_cast<uint32_t>(i));
}

void cleanup(void* arg) {
  State* s = static_cast<State*>(arg);
  free_all(s->tensors);
  free_all(s->nodes);
  if (t_state == s) t_state = nullptr;
  delete s;
  // A worker that exits gives its memory back to the system: also the large blocks its
  // tensors left in the (process-wide) cache.
  large_cache_empty();
}
}  // namespace

State& state() { return *t_state; }
State* state_or_null() { return t_state; }

napi_value fail_with(napi_env env, napi_value exception) {
  State& st = *t_state;
  if (st.last_error) napi_delete_reference(env, st.last_error);
  napi_create_reference(env, exception, 1, &st.last_error);
  napi_value sentinel;
  napi_get_reference_value(env, st.error_sentinel, &sentinel);
  return sentinel;
}
bool has_state() { return t_state != nullptr; }

void init_state(napi_env env) {
  // Loading the same addon file twice into one env (process.dlopen) runs this twice on the
  // same thread: both instances share the one table, and the one cleanup hook (Node aborts
  // on a duplicate hook registration).
  if (t_state) return;
  t_state = new State();
  t_state->env = env;
  napi_value sentinel;
  napi_create_object(env, &sentinel);
  napi_create_reference(env, sentinel, 1, &t_state->error_sentinel);
  napi_add_env_cleanup_hook(env, cleanup, t_state);
}

Tensor tensor_value(napi_env env, napi_value v, const char* what) {
  bool negative;
  uint32_t s = slot_of(env, v, what, &negative);
  if (negative) disposed();
  TensorImpl* p = t_state->tensors.get(s);
  if (!p) disposed();
  return Tensor(Ref<TensorImpl>(p));
}

Tensor tensor_arg(const Napi::CallbackInfo& info, size_t i) { return tensor_value(info.Env(), info[i], "argument"); }

Tensor opt_tensor_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsUndefined() || info[i].IsNull()) return Tensor();
  return tensor_arg(info, i);
}

int32_t operand_kind(const Napi::CallbackInfo& info, size_t i) {
  double k;
  if (napi_get_value_double(info.Env(), info[i], &k) != napi_ok || !(k == 0 || k == 1 || k == 2 || k == 3))
    fail(ErrorKind::TypeError, "expected an operand kind (0 tensor, 1 float, 2 int, 3 bool)");
  return static_cast<int32_t>(k);
}

Tensor operand_arg(const Napi::CallbackInfo& info, size_t i) {
  int32_t kind = operand_kind(info, i + 1);
  if (kind == 0) return tensor_arg(info, i);
  ops::Scalar s;
  if (kind == 3) {
    bool b;
    if (napi_get_value_bool(info.Env(), info[i], &b) != napi_ok) fail(ErrorKind::TypeError, "expected a boolean operand");
    s.v = b ? 1 : 0;
    s.is_bool = true;
  } else {
    double d;
    if (napi_get_value_double(info.Env(), info[i], &d) != napi_ok) fail(ErrorKind::TypeError, "expected a number operand");
    if (kind == 2) TG_CHECK_TYPE(std::isfinite(d) && d == std::floor(d), "expected an integer operand but got ", d);
    s.v = d;
    s.is_int = kind == 2;
  }
  return ops::scalar_tensor(s);
}

uint32_t adopt(napi_env env, napi_value obj, const Tensor& t) {
  SlotTable<TensorImpl>& tab = t_state->tensors;
  uint32_t s = tab.put(t.impl());
  try {
    take_ownership(env, tab, s, obj);
  } catch (...) {
    tab.release_slot(s);
    throw;
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

namespace {
template <class T>
void adopt_pending(napi_env env, napi_value obj, napi_value slot, SlotTable<T>& tab) {
  bool negative;
  uint32_t s = slot_of(env, slot, "slot", &negative);
  TG_CHECK(!negative && tab.pending(s), "adopt: ", s, " is not a pending result");
  take_ownership(env, tab, s, obj);  // on failure the slot stays pending: the caller may retry
}
}  // namespace

void adopt_pending_tensor(napi_env env, napi_value obj, napi_value slot) {
  adopt_pending(env, obj, slot, t_state->tensors);
}
void adopt_pending_node(napi_env env, napi_value obj, napi_value slot) {
  adopt_pending(env, obj, slot, t_state->nodes);
}

void dispose_tensor(napi_env env, napi_value id) {
  double d;
  if (napi_get_value_double(env, id, &d) != napi_ok || !(d >= 0 && d < 4294967295.0) || d != std::floor(d)) return;
  t_state->tensors.drop(static_cast<uint32_t>(d));
  report_external_memory(env);
}

Node* node_arg(const Napi::CallbackInfo& info, size_t i) {
  bool negative;
  uint32_t s = slot_of(info.Env(), info[i], "node", &negative);
  Node* n = negative ? nullptr : t_state->nodes.get(s);
  if (!n) fail(ErrorKind::Error, "grad_fn handle is no longer valid");
  return n;
}

Napi::Value return_node(const Napi::CallbackInfo& info, Node* n) {
  SlotTable<Node>& tab = t_state->nodes;
  uint32_t s = tab.put(n);
  try {
    take_ownership(info.Env(), tab, s, info[0]);
  } catch (...) {
    tab.release_slot(s);
    throw;
  }
  return Napi::Number::New(info.Env(), s);
}

void report_external_memory(napi_env env) {
  int64_t delta = live_storage_bytes() - t_state->reported_bytes;
  if (delta > kReportStep || delta < -kReportStep) {
    int64_t ignored;
    napi_adjust_external_memory(env, delta, &ignored);
    t_state->reported_bytes += delta;
  }
}

}  // namespace binding
}  // namespace tg
