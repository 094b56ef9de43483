// JS <-> native tensor handles.
//
// A JS Tensor holds a small integer `_id`: a slot in this thread's table of native tensors.
// Every op takes its output JS object as the first argument; the binding puts the result in
// a free slot, attaches a finalizer to that object (freeing the slot when V8 collects it)
// and returns the slot number, which the TS side stores in `_id`. One N-API call per op,
// no wrapper objects: see ../shared/notes/napi-overhead.md for why.
//
// Lifetime of a slot:
//   put()            pending: holds a reference, no JS owner yet (multi-result ops)
//   own()            owned: a JS object's finalizer will release it (exactly one finalizer)
//   drop()           dispose(): the reference goes at once, the slot stays reserved
//   release_slot()   the owner's finalizer ran: the slot is free for reuse
// dispose() keeps the slot reserved until the finalizer runs, so a stale id can never reach
// another tensor; and a slot can be owned only once, so no hostile call can attach a second
// finalizer that would free a slot twice.
//
// Finalizers run inside V8's GC (the addon is built with NAPI_EXPERIMENTAL, so Node 20.10+
// calls "basic" finalizers synchronously from the weak callback; a tight synchronous loop
// therefore stays flat — test/leak.test.ts checks it). They may touch native memory only:
// anything they free must not call back into JS (see release_js_ref_later).
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
  std::vector<T*> items;       // owned reference per live slot (nullptr: disposed or free)
  std::vector<uint8_t> state;  // State per slot
  std::vector<uint32_t> free;  // slots whose JS object was collected
  int64_t live = 0;            // slots still holding a reference

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
  // A pending slot gets its one JS owner; false when s is not a pending, live slot.
  bool own(uint32_t s) {
    if (s >= items.size() || state[s] != kPending || !items[s]) return false;
    state[s] = kOwned;
    return true;
  }
  T* get(uint32_t s) const { return s < items.size() ? items[s] : nullptr; }
  // Drops the reference; the slot stays reserved until release_slot.
  void drop(uint32_t s) {
    if (s < items.size() && items[s]) {
      T* p = items[s];
      items[s] = nullptr;
      live--;
      if (--p->refcount_ == 0) delete p;
    }
  }
  // Called once per owned slot, by its owner's finalizer.
  void release_slot(uint32_t s) {
    if (s >= items.size() || state[s] != kOwned) return;
    drop(s);
    state[s] = kFree;
    free.push_back(s);
  }
  void drop_all() {
    for (size_t i = 0; i < items.size(); i++) drop(static_cast<uint32_t>(i));
  }
};

struct State {
  SlotTable<TensorImpl> tensors;
  SlotTable<Node> nodes;
  int64_t reported_bytes = 0;  // external memory last reported to V8
  napi_env env = nullptr;
};

State& state();
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
// dispose, and — for shrinkage only — from the finalizers.
void report_external_memory(napi_env env);

// Deletes a napi_ref held by a native object (a JS hook, a custom Function) safely: at once
// when called outside GC, otherwise (from a finalizer, where Node forbids it) after the GC
// pass via node_api_post_finalizer. Whoever stores JS references in a Node or TensorHook
// must release them through this, because dropping the last tensor of a graph can happen
// inside a finalizer.
void release_js_ref_later(napi_env env, napi_ref ref);

}  // namespace binding
}  // namespace tg
