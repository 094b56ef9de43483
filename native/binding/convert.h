// Argument conversion for the binding. The TS facade validates user input first, so these
// checks are the second line of defence: a wrong type still becomes a JS TypeError.
#pragma once
#include <napi.h>
#include <optional>
#include <string>
#include "../core/dtype.h"
#include "../core/error.h"
#include "../core/tensor.h"

namespace tg {
namespace binding {

double num_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
bool bool_arg(const Napi::CallbackInfo& info, size_t i);  // undefined -> false
std::optional<double> opt_num_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
std::optional<int64_t> opt_int_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
Dims dims_arg(const Napi::CallbackInfo& info, size_t i, const char* what);  // array of integers
DType dtype_arg(const Napi::CallbackInfo& info, size_t i);                 // 'float32', ...

// Runs body, turning tg::Error into the matching JS exception. Every exported function
// goes through this.
void maybe_sweep(napi_env env);  // handles.h

template <class F>
Napi::Value guard(const Napi::CallbackInfo& info, F&& body) {
  Napi::Env env = info.Env();
  try {
    maybe_sweep(env);
    return body();
  } catch (const Error& e) {
    napi_value msg, err;
    napi_create_string_utf8(env, e.what(), NAPI_AUTO_LENGTH, &msg);
    if (e.kind == ErrorKind::TypeError)
      napi_create_type_error(env, nullptr, msg, &err);
    else if (e.kind == ErrorKind::RangeError)
      napi_create_range_error(env, nullptr, msg, &err);
    else
      napi_create_error(env, nullptr, msg, &err);
    napi_throw(env, err);
  } catch (const JsPendingError&) {
    // A JS callback threw: its exception is already pending.
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    napi_throw_range_error(env, nullptr, "out of memory");
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return env.Undefined();
}

using Exporter = void (*)(Napi::Env, Napi::Object);
// Adds a guarded function to exports.
void def(Napi::Env env, Napi::Object exports, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&));

}  // namespace binding
}  // namespace tg

// Defines `static Napi::Value name(const Napi::CallbackInfo& info)` whose body runs guarded.
#define TG_FN(name)                                                          \
  static Napi::Value name##_impl(const Napi::CallbackInfo& info);            \
  static Napi::Value name(const Napi::CallbackInfo& info) {                  \
    return ::tg::binding::guard(info, [&] { return name##_impl(info); });    \
  }                                                                          \
  static Napi::Value name##_impl(const Napi::CallbackInfo& info)
