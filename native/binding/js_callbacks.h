// JavaScript code that the C++ engine calls during backward: tensor hooks
// (registerHook) and custom autograd.Function nodes.
//
// Both hold a strong napi reference to a JS closure made by the TS facade. The engine calls
// it synchronously on the JS thread that runs backward(). Tensors cross as slot ids (see
// handles.h): the closure adopts each gradient slot into a Tensor object, and returns Tensor
// objects whose `_id` is read back here. A JS exception thrown inside becomes a
// JsPendingError, which unwinds the engine and reaches the caller of backward() as the
// original exception.
#pragma once
#include <napi.h>
#include <string>
#include "../autograd/node.h"

namespace tg {
namespace binding {

// A strong reference to a JS value that may be dropped from any context. Nodes die when
// refcounts reach zero, which can happen inside a GC finalizer where N-API forbids deleting
// references: the deletion is posted to the event loop instead (node_api_post_finalizer).
class JsRef {
 public:
  JsRef(napi_env env, napi_value v);
  ~JsRef();
  JsRef(const JsRef&) = delete;
  JsRef& operator=(const JsRef&) = delete;
  napi_env env() const { return env_; }
  napi_value value() const;

 private:
  napi_env env_;
  napi_ref ref_ = nullptr;
};

// A hook whose body is a JS closure `(gradSlot) => Tensor | undefined`.
Ref<TensorHook> make_js_hook(napi_env env, napi_value closure, std::string name);

// The node of a custom autograd.Function; apply() calls `closure(gradSlots, nodeSlot)`,
// which returns one Tensor (or null) per forward argument.
struct JsFunctionNode : Node {
  JsFunctionNode(napi_env env, napi_value closure, std::string name) : fn(env, closure), name_(std::move(name)) {}
  const char* name() const override { return name_.c_str(); }
  GradList apply(GradList&& grads) override;
  void release_variables() override {
    for (auto& s : saved) s.reset();
  }

  JsRef fn;
  std::string name_;
  std::vector<SavedTensor> saved;   // ctx.saveForBackward(...)
  std::vector<bool> tensor_output;  // per forward output: a Tensor (else a non-tensor value)
  bool materialize_grads = true;    // ctx.setMaterializeGrads(): undefined grads become zeros
};

// The tensor behind a JS Tensor object (its `_id`); undefined Tensor for undefined/null.
Tensor tensor_from_js(napi_env env, napi_value v, const char* what);

void register_js_callbacks(Napi::Env env, Napi::Object exports);

}  // namespace binding
}  // namespace tg
