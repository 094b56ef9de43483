// JS <-> native tensor handles.
//
// A JS Tensor holds a small integer `_id`: a slot in this thread's table of native tensors.
// Every op takes its output JS object as the first argument; the binding puts the result in
// a free slot, takes a weak reference to that object and returns the slot number, which the
// TS side stores in `_id`. One N-API call per op, no wrapper objects (see
// shared/notes/napi-overhead.md).
//
// Lifetime of a slot:
//   put()      pending: holds a reference to the tensor, no JS owner yet (multi-result ops)
//   own()      owned: a weak napi_ref to its JS object; swept once that object is collected
//   drop()     dispose(): the tensor goes at once, the slot stays reserved until its
//              JS object is collected, so a stale id can never reach another tensor
//   sweep()    frees every slot whose JS object V8 has collected
// A slot can be owned only once, so no hostile call can make a slot be freed twice.
//
// Why sweeping weak references instead of finalizers. Finalizers have two modes on Node 20,
// and both fail us:
//  - With NAPI_EXPERIMENTAL they run synchronously inside V8's GC. Memory stays flat in a
//    synchronous loop, but Node 20 aborts the process ("Check failed:
//    AllowJavascriptExecution::IsAllowed") when such a GC happens while a native
//    function's JS exception is being rethrown: node_napi_env__::CallFinalizer sees the
//    pending exception and tries to report it from inside the GC. Any op that throws can
//    land there; test/fuzz hit it within seconds.
//  - Deferred (stable Node-API), they wait for the event loop: a synchronous training loop
//    never frees anything (hundreds of MB per million ops).
// So every slot holds a plain weak napi_ref (no finalizer). Built with NAPI_EXPERIMENTAL, V8
// clears such a reference inside the GC that collects its object, cheaply and without
// calling into the addon; every exported function first checks whether a GC ran (a canary
// object's weak reference is gone, see maybe_sweep) and, if so, frees the dead slots. When
// no op follows a GC, the TS side sweeps when the event loop turns (ts/native.ts).
// Cost, measured: about the same napi work per tensor as a finalizer; the burst of frees
// after each GC makes malloc's slow path dearer (+20-40% on a 1-element add); a pool for
// small tensors would remove most of that in either design.
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
  std::vector<napi_ref> refs;    // weak reference to the owning JS object (kOwned only)
  std::vector<uint8_t> state;    // State per slot
  std::vector<uint32_t> free;    // slots ready for reuse
  std::vector<uint32_t> young;   // owned since the last sweep
  std::vector<uint32_t> old;     // owned, and alive at some sweep
  int64_t live = 0;              // slots still holding a reference
  int64_t old_debt = 0;          // young slots checked since `old` was last checked

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
      refs.push_back(nullptr);
      state.push_back(kFree);
      s = static_cast<uint32_t>(items.size() - 1);
    }
    state[s] = kPending;
    return s;
  }
  T* get(uint32_t s) const { return s < items.size() ? items[s] : nullptr; }
  bool pending(uint32_t s) const { return s < items.size() && state[s] == kPending && items[s]; }
  // Drops the reference; an owned slot stays reserved until its JS object is collected.
  void drop(uint32_t s) {
    if (s < items.size() && items[s]) {
      T* p = items[s];
      items[s] = nullptr;
      live--;
      if (--p->refcount_ == 0) release_zero_ref(p);
    }
  }
};

struct State {
  SlotTable<TensorImpl> tensors;
  SlotTable<Node> nodes;
  napi_env env = nullptr;
  napi_ref error_sentinel = nullptr;  // returned in place of a result when a call failed
  napi_ref last_error = nullptr;      // the failed call's exception, until takeError()
  std::vector<napi_ref> canaries;   // weak, oldest first (see maybe_sweep in handles.cc)
  int ops_since_canary = 0;
  int64_t reported_bytes = 0;       // external memory last reported to V8
  int64_t bytes_at_full_sweep = 0;  // native bytes after the last sweep of old slots
  int64_t young_limit = 8192;              // sweep anyway past this many young slots,
  int64_t bytes_limit = int64_t(64) << 20;  // or past this many native bytes
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

// Frees at once every slot whose JS object was collected (memory(), idle sweeps); `full`
// also checks slots that were alive at earlier sweeps.
void sweep(napi_env env, bool full);
// The cheap check every exported function makes first (see guard() in convert.h): sweeps
// when a GC ran since the last sweep. First, so an op's new tensors reuse what it frees.
void maybe_sweep(napi_env env);

// Tells V8 about native memory growth/shrinkage since the last report (batched: only
// changes over 1 MiB cross into V8). Called after every op that returns tensors, after
// dispose, and after each sweep.
void report_external_memory(napi_env env);

}  // namespace binding
}  // namespace tg
