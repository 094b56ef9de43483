// The addon's entry point: per-environment state and every area's exports.
// Context-aware (NODE_API_MODULE_INIT), so each worker_thread gets its own instance.
#include <napi.h>
#include "convert.h"
#include "handles.h"

namespace tg {
namespace binding {
void register_tensor(Napi::Env, Napi::Object);
void register_elementwise(Napi::Env, Napi::Object);
void register_reduce(Napi::Env, Napi::Object);
void register_shape(Napi::Env, Napi::Object);
void register_index(Napi::Env, Napi::Object);
void register_inplace(Napi::Env, Napi::Object);
void register_linalg(Napi::Env, Napi::Object);
void register_autograd(Napi::Env, Napi::Object);
void register_extra(Napi::Env, Napi::Object);
void register_random(Napi::Env, Napi::Object);
}  // namespace binding
}  // namespace tg

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace tg::binding;
  init_state(env);
  register_tensor(env, exports);
  register_elementwise(env, exports);
  register_reduce(env, exports);
  register_shape(env, exports);
  register_index(env, exports);
  register_inplace(env, exports);
  register_linalg(env, exports);
  register_autograd(env, exports);
  register_extra(env, exports);
  register_random(env, exports);
  return exports;
}

NODE_API_MODULE(tensorgrad, Init)
