#include "handles.h"
#include <algorithm>
#include <cmath>
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

// ---- sweeping (see handles.h) ----

// True when slot s's JS object is still alive; otherwise frees the slot.
template <class T>
bool alive_or_free(napi_env env, SlotTable<T>& tab, uint32_t s) {
  napi_value v = nullptr;
  if (napi_get_reference_value(env, tab.refs[s], &v) == napi_ok && v != nullptr) return true;
  napi_delete_reference(env, tab.refs[s]);
  tab.refs[s] = nullptr;
  tab.drop(s);
  tab.state[s] = SlotTable<T>::kFree;
  tab.free.push_back(s);
  return false;
}

// Checks every young slot (owned since the last sweep), newest first (the order GC would
// free them in; measured kinder to malloc than oldest first); survivors become old.
template <class T>
void sweep_young(napi_env env, SlotTable<T>& tab) {
  for (size_t i = tab.young.size(); i-- > 0;)
    if (alive_or_free(env, tab, tab.young[i])) tab.old.push_back(tab.young[i]);
  tab.old_debt += static_cast<int64_t>(tab.young.size());
  tab.young.clear();
}

// Old slots (alive at an earlier sweep) are checked when `full`, or once as many young
// slots were checked since as there are old ones: O(1) per op, amortised.
template <class T>
void sweep_old(napi_env env, SlotTable<T>& tab, bool full) {
  if (!full && tab.old_debt < static_cast<int64_t>(tab.old.size())) return;
  size_t k = 0;
  for (uint32_t s : tab.old)
    if (alive_or_free(env, tab, s)) tab.old[k++] = s;
  tab.old.resize(k);
  tab.old_debt = 0;
}

// Canaries: fresh empty objects referenced weakly. A GC clears a canary unless V8 made it
// while incremental marking was running, in which case it lives through that cycle (as does
// every object made then). So a new canary is added every kCanaryEvery ops, up to
// kCanaries of them: whichever GC comes, the oldest canary predates its marking and dies.
// No finalizers (see handles.h): the TS side keeps its own canary for idle sweeps.
constexpr int kCanaryEvery = 2048;
constexpr size_t kCanaries = 4;

// Each made in its own handle scope, so that no handle keeps it alive through a scavenge.
void add_canary(napi_env env) {
  State& st = *t_state;
  if (st.canaries.size() >= kCanaries) {
    napi_delete_reference(env, st.canaries.front());
    st.canaries.erase(st.canaries.begin());
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value obj;
  napi_ref r = nullptr;
  if (napi_create_object(env, &obj) == napi_ok && napi_create_reference(env, obj, 0, &r) == napi_ok)
    st.canaries.push_back(r);
  napi_close_handle_scope(env, scope);
  st.ops_since_canary = 0;
}

void reset_canaries(napi_env env) {
  for (napi_ref r : t_state->canaries) napi_delete_reference(env, r);
  t_state->canaries.clear();
  add_canary(env);
}

// True when the oldest canary was collected: a GC ran since it was made.
bool gc_ran(napi_env env) {
  State& st = *t_state;
  if (st.canaries.empty()) return true;
  napi_value v = nullptr;
  return napi_get_reference_value(env, st.canaries.front(), &v) != napi_ok || v == nullptr;
}

}  // namespace

// Called first by every exported function (guard() in convert.h), so that the op's own
// allocations reuse what the sweep frees. When nothing is due it costs a counter, two
// comparisons and one napi_get_reference_value.
//
// A sweep is due when a GC ran (the oldest canary is gone), or as a fallback when the young
// slots or the native bytes doubled since the last sweep.
void maybe_sweep(napi_env env) {
  // After the env cleanup hook (the env is being torn down) no tensor exists any more.
  if (!t_state) fail(ErrorKind::Error, "tensorgrad: this thread's environment is shutting down");
  State& st = *t_state;
  if (++st.ops_since_canary >= kCanaryEvery) add_canary(env);
  bool due = static_cast<int64_t>(st.tensors.young.size()) >= st.young_limit || live_storage_bytes() > st.bytes_limit;
  if (!due && !gc_ran(env)) return;
  // Old slots too when native memory grew a lot since they were last checked: big tensors
  // that lived a while must not wait for the amortised schedule.
  sweep(env, live_storage_bytes() > 2 * st.bytes_at_full_sweep + (int64_t(64) << 20));
}

namespace {
template <class T>
void take_ownership(napi_env env, SlotTable<T>& tab, uint32_t s, napi_value obj) {
  napi_ref r = nullptr;
  if (napi_create_reference(env, obj, 0, &r) != napi_ok || r == nullptr)
    fail(ErrorKind::TypeError, "expected an object to own the result");
  tab.refs[s] = r;
  tab.state[s] = SlotTable<T>::kOwned;
  tab.young.push_back(s);
}

template <class T>
void release_unowned(SlotTable<T>& tab, uint32_t s) {
  tab.drop(s);
  tab.state[s] = SlotTable<T>::kFree;
  tab.free.push_back(s);
}

template <class T>
void free_all(napi_env env, SlotTable<T>& tab) {
  for (size_t i = 0; i < tab.items.size(); i++) {
    if (tab.refs[i]) napi_delete_reference(env, tab.refs[i]);
    tab.refs[i] = nullptr;
    tab.drop(static_cast<uint32_t>(i));
  }
}

void cleanup(void* arg) {
  State* s = static_cast<State*>(arg);
  free_all(s->env, s->tensors);
  free_all(s->env, s->nodes);
  for (napi_ref r : s->canaries) napi_delete_reference(s->env, r);
  if (t_state == s) t_state = nullptr;
  delete s;
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
  reset_canaries(env);
}

void sweep(napi_env env, bool full) {
  State& st = *t_state;
  // Checking a live object makes a handle: keep them out of the caller's scope.
  napi_handle_scope scope;
  bool scoped = napi_open_handle_scope(env, &scope) == napi_ok;
  sweep_young(env, st.tensors);
  sweep_young(env, st.nodes);
  sweep_old(env, st.tensors, full);
  sweep_old(env, st.nodes, full);
  if (scoped) napi_close_handle_scope(env, scope);
  int64_t bytes = live_storage_bytes();
  if (st.tensors.old_debt == 0) st.bytes_at_full_sweep = bytes;
  st.young_limit = std::max<int64_t>(8192, st.tensors.live);
  st.bytes_limit = 2 * bytes + (int64_t(64) << 20);
  reset_canaries(env);
  report_external_memory(env);
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
    release_unowned(tab, s);
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
    release_unowned(tab, s);
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
