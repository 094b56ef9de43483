// JS <-> native tensor handles.
//
// A JS Tensor holds a small integer `_id`: a slot in this thread's table of native tensors.
// Every op takes its output JS object as the first argument; the binding puts the result in
// a free slot, attaches a finalizer to that object (freeing the slot when V8 collects it)
// and returns the slot number, which the TS side stores in `_id`. One N-API call per op,
// no wrapper objects: see ../shared/notes/napi-overhead.md for why.
//
// dispose() drops the native tensor at once but keeps the slot reserved until the finalizer
// runs, so a stale id can never reach another tensor.
#pragma once
#include <napi.h>
#include <vector>
#include "../autograd/node.h"
#include "../core/tensor.h"

namespace tg {
namespace binding {

template <class T>
struct SlotTable {
  std::vector<T*> items;       // owned reference per live slot (nullptr: disposed or free)
  std::vector<uint32_t> free;  // slots whose JS object was collected
  int64_t live = 0;

  uint32_t put(T* p) {
    p->refcount_++;
    live++;
    if (!free.empty()) {
      uint32_t s = free.back();
      free.pop_back();
      items[s] = p;
      return s;
    }
    items.push_back(p);
    return static_cast<uint32_t>(items.size() - 1);
  }
  // Drops the reference; the slot stays reserved until release_slot.
  void drop(uint32_t s) {
    if (s < items.size() && items[s]) {
      T* p = items[s];
      items[s] = nullptr;
      live--;
      if (--p->refcount_ == 0) delete p;
    }
  }
  void release_slot(uint32_t s) {
    drop(s);
    free.push_back(s);
  }
};

struct State {
  SlotTable<TensorImpl> tensors;
  SlotTable<Node> nodes;
  int64_t reported_bytes = 0;  // external memory last reported to V8
  napi_env env = nullptr;
};

State& state();
// False once the environment is being torn down (finalizers that run late must check it).
bool state_alive();
void init_state(napi_env env);

// The tensor behind argument i (a slot id); TypeError for non-numbers, Error when disposed.
Tensor tensor_arg(const Napi::CallbackInfo& info, size_t i);
// Argument i as an optional tensor: undefined/null -> undefined Tensor.
Tensor opt_tensor_arg(const Napi::CallbackInfo& info, size_t i);
// A tensor operand encoded as (value, kind) at i, i+1: kind 0 tensor id, 1 float, 2 int, 3 bool.
Tensor operand_arg(const Napi::CallbackInfo& info, size_t i);

// Stores t in a slot tied to the JS object info[0]; returns the slot id.
Napi::Value return_tensor(const Napi::CallbackInfo& info, const Tensor& t);
// Stores t in a slot tied to `obj`; returns the slot id.
uint32_t adopt(napi_env env, napi_value obj, const Tensor& t);
// For ops with several results: slot ids without a JS owner yet; TS calls adopt() on each.
Napi::Value pending_tensors(Napi::Env env, const std::vector<Tensor>& ts);

// Node handles for gradFn objects.
Node* node_arg(const Napi::CallbackInfo& info, size_t i);
Napi::Value return_node(const Napi::CallbackInfo& info, Node* n);

// Tells V8 about native memory growth/shrinkage since the last report.
void report_external_memory(napi_env env);

}  // namespace binding
}  // namespace tg
