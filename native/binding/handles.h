// JS <-> native tensor handles.
//
// A JS Tensor holds a small integer `_id`: a slot in this thread's table of native tensors.
// Every op takes its output JS object as the first argument; the binding puts the result in
// a free slot, attaches a finalizer to that object and returns the slot number, which the
// TS side stores in `_id`. One N-API call per op, no wrapper objects (see
// shared/notes/napi-overhead.md).
//
// Lifetime of a slot:
//   put()           pending: holds a reference to the tensor, no JS owner yet (multi-result ops)
//   own()           owned: a finalizer on its JS object will release it
//   drop()          dispose(): the tensor goes at once, the slot stays reserved until the
//                   finalizer runs, so a stale id can never reach another tensor
//   release_slot()  the finalizer: drops the tensor (if still held) and frees the slot
// A slot can be owned only once, so no hostile call can make a slot be released twice.
//
// Decision: finalizers that run synchronously inside V8's GC (NAPI_EXPERIMENTAL "basic"
// finalizers; they touch only native memory). A synchronous training loop then frees what
// each GC collects, at once. Deferred (stable Node-API) finalizers would wait for the event
// loop, and a synchronous loop would never free anything.
// Why not plain weak references swept after each GC (tried on the rely branch): the same
// memory bound, but slower, measured on W4 (1-element add, CPU time, 1 thread):
//   no grad 1.4-2.3 us/op with finalizers vs 2.6-2.9 with sweeps; with grad 2.9-3.4 vs 3.6-4.4
// (a napi_ref per tensor plus a scan of the slots after every GC costs more than V8 calling
// the finalizer of each collected object).
// The hazard of in-GC finalizers on Node 20: if one runs while the env holds a pending JS
// exception (napi_throw, then Node rethrowing it after the call), Node reports the
// exception from inside the GC and aborts (AllowJavascriptExecution). So native calls never
// throw: see fail_with below. test/fuzz (~250,000 hostile calls, throwing getters and
// proxies included) runs against this.
#pragma once
#include <napi.h>
#include <cstdint>
#include <vector>
#include "../autograd/node.h"
#include "../core/tensor.h"

namespace tg {
namespace binding {

template <class T>
struct SlotTable {
  enum State : uint8_t { kFree, kPending, kOwned };
  std::vector<T*> items;         // owned reference per live slot (nullptr: disposed or free)
  std::vector<uint8_t> state;    // State per slot
  std::vector<uint32_t> free;    // slots ready for reuse
  int64_t live = 0;              // slots still holding a reference

  uint32_t put(T* p) {
    p->refcount_++;
    live++;
    uint32_t s;
    if (!free.empty()) {
      s = free.back();
      free.pop_back();
      items[s] = p;
    } else {
      items.push_back(p);
      state.push_back(kFree);
      s = static_cast<uint32_t>(items.size() - 1);
    }
    state[s] = kPending;
    return s;
  }
  T* get(uint32_t s) const { return s < items.size() ? items[s] : nullptr; }
  bool pending(uint32_t s) const { return s < items.size() && state[s] == kPending && items[s]; }
  // Drops the reference; an owned slot stays reserved until its finalizer runs.
  void drop(uint32_t s) {
    if (s < items.size() && items[s]) {
      T* p = items[s];
      items[s] = nullptr;
      live--;
      if (--p->refcount_ == 0) release_zero_ref(p);
    }
  }
  // The finalizer (or a failed adoption): drops the reference and frees the slot.
  void release_slot(uint32_t s) {
    if (s >= items.size() || state[s] == kFree) return;
    drop(s);
    state[s] = kFree;
    free.push_back(s);
  }
};

struct State {
  SlotTable<TensorImpl> tensors;
  SlotTable<Node> nodes;
  napi_env env = nullptr;
  napi_ref error_sentinel = nullptr;  // returned in place of a result when a call failed
  napi_ref last_error = nullptr;      // the failed call's exception, until takeError()
  int64_t reported_bytes = 0;         // external memory last reported to V8
};

// Hands a failed call's exception back to JS without throwing from native code: stores it
// and returns the sentinel; ts/native.ts sees the sentinel and throws N.takeError().
// Why: an exception left pending by a native call is rethrown by Node after the call, and
// if V8 collects garbage at that moment, our in-GC finalizers see the pending exception
// and Node aborts (AllowJavascriptExecution). Returning normally leaves nothing pending.
napi_value fail_with(napi_env env, napi_value exception);

State& state();
// Null once the env's cleanup hook has freed the state: finalizers that V8 runs while the
// environment shuts down come after it and must not touch the slot tables.
State* state_or_null();
bool has_state();  // false once the env cleanup hook ran
// Called first by every exported function (guard() in convert.h): refuses calls once the
// env's cleanup hook has run (a worker being terminated mid-op).
void check_state();
// Creates this thread's state (or joins it when the addon is loaded twice into one env) and
// registers the env cleanup hook that frees every tensor the env still holds.
void init_state(napi_env env);

// The tensor behind argument i (a slot id); TypeError for non-numbers, Error when disposed.
Tensor tensor_arg(const Napi::CallbackInfo& info, size_t i);
// The same for any JS value (elements of id arrays).
Tensor tensor_value(napi_env env, napi_value v, const char* what);
// Argument i as an optional tensor: undefined/null -> undefined Tensor.
Tensor opt_tensor_arg(const Napi::CallbackInfo& info, size_t i);
// The kind half of a (value, kind) operand pair: 0 tensor id, 1 float, 2 int, 3 bool.
int32_t operand_kind(const Napi::CallbackInfo& info, size_t i);
// A tensor operand encoded as (value, kind) at i, i+1.
Tensor operand_arg(const Napi::CallbackInfo& info, size_t i);

// Stores t in a slot tied to the JS object info[0]; returns the slot id.
Napi::Value return_tensor(const Napi::CallbackInfo& info, const Tensor& t);
// Stores t in a slot tied to `obj`; returns the slot id.
uint32_t adopt(napi_env env, napi_value obj, const Tensor& t);
// For ops with several results: slot ids without a JS owner yet; TS calls adopt() on each.
Napi::Value pending_tensors(Napi::Env env, const std::vector<Tensor>& ts);
// adopt(obj, slot) from TS: gives a pending tensor / node slot its JS owner.
void adopt_pending_tensor(napi_env env, napi_value obj, napi_value slot);
void adopt_pending_node(napi_env env, napi_value obj, napi_value slot);
// dispose(id) from TS: drops the tensor now (idempotent; anything but a live id is ignored).
void dispose_tensor(napi_env env, napi_value id);

// Node handles for gradFn objects.
Node* node_arg(const Napi::CallbackInfo& info, size_t i);
Napi::Value return_node(const Napi::CallbackInfo& info, Node* n);

// Tells V8 about native memory growth/shrinkage since the last report (batched: only
// changes over 1 MiB cross into V8). Called after every op that returns tensors, after
// dispose, and by memory(). Finalizers cannot call into V8; what they free is reported by
// the next of these.
void report_external_memory(napi_env env);

}  // namespace binding
}  // namespace tg
