// The addon's entry point: per-environment state and every area's exports.
// Context-aware (NODE_API_MODULE_INIT), so each worker_thread gets its own instance.
#include <napi.h>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include "convert.h"
#include "handles.h"
#include "../core/storage.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

// glibc malloc tuning, once per process.
//
// Decision: the addon sets M_TOP_PAD itself (64 MiB), unless the user has tuned malloc
// (GLIBC_TUNABLES naming glibc.malloc.*, or the MALLOC_*_ variables) or opts out with
// TENSORGRAD_NO_MALLOPT=1. Why: tensors are freed in bursts by each GC; with the default
// pad glibc trims the heap top after every burst and refaults it on the next op. Measured on
// this machine (1M 1-element adds in a synchronous loop): 27.7k -> 7.2k page faults and
// ~18% less CPU time.
// M_MMAP_THRESHOLD is set with it, to 32 MiB (the ceiling glibc's dynamic threshold grows
// to): setting any of M_TOP_PAD / M_TRIM_THRESHOLD / M_MMAP_THRESHOLD freezes the dynamic
// threshold at its 128 KiB start, so every tensor over 128 KiB would be a fresh mmap
// zero-filled by the kernel (measured: 1 MiB tensors 51k -> 95k page faults with M_TOP_PAD
// alone; 32k with both). The cost: the process may keep up to 64 MiB of freed heap above
// its top instead of returning it — the same order as V8's own young generation. It is
// process-wide, which is why the user's own settings win.
static void tune_malloc() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    const char* tun = std::getenv("GLIBC_TUNABLES");
    const char* off = std::getenv("TENSORGRAD_NO_MALLOPT");
    if ((tun && std::strstr(tun, "glibc.malloc.")) || (off && *off && std::strcmp(off, "0") != 0) ||
        std::getenv("MALLOC_TOP_PAD_") || std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_"))
      return;
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
  });
#endif
}

namespace tg {
namespace binding {
namespace {
// liveCounts(): native counters as they are, without reporting anything to V8, and usable
// after the env's cleanup hook (processBytes). Not a TG_FN: those refuse calls then.
Napi::Value live_counts(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("processBytes", Napi::Number::New(info.Env(), double(process_storage_bytes())));
  if (!has_state()) return o;
  o.Set("tensors", Napi::Number::New(info.Env(), double(state().tensors.live)));
  o.Set("bytes", Napi::Number::New(info.Env(), double(live_storage_bytes())));
  return o;
}
}  // namespace
void register_lifetime(Napi::Env env, Napi::Object e) {
  def(env, e, "liveCounts", live_counts);
}
}  // namespace binding
}  // namespace tg

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace tg::binding;
  tune_malloc();
  init_state(env);
  register_tensor(env, exports);
  register_elementwise(env, exports);
  register_reduce(env, exports);
  register_shape(env, exports);
  register_index(env, exports);
  register_inplace(env, exports);
  register_linalg(env, exports);
  register_autograd(env, exports);
  register_lifetime(env, exports);
  register_extra(env, exports);
  register_random(env, exports);
  return exports;
}

NODE_API_MODULE(tensorgrad, Init)
