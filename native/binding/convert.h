// Argument conversion for the binding. The TS facade validates user input first, so these
// checks are the second line of defence: a wrong type still becomes a JS TypeError.
#pragma once
#include <napi.h>
#include <optional>
#include <string>
#include "../core/dtype.h"
#include "../core/error.h"
#include "../core/tensor.h"
#include "handles.h"

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
void check_state();  // handles.h

napi_value make_error(napi_env env, ErrorKind kind, const char* message);

// Runs body, turning any failure into a returned error (see fail_with in handles.h): a
// tg::Error becomes a JS Error/TypeError/RangeError with its message, and an exception
// thrown by a JS callback (a hook, a custom Function) is passed on as it is. Every exported
// function goes through this.
template <class F>
Napi::Value guard(const Napi::CallbackInfo& info, F&& body) {
  napi_env env = info.Env();
  napi_value exc = nullptr;
  try {
    check_state();
    return body();
  } catch (const Error& e) {
    exc = make_error(env, e.kind, e.what());
  } catch (const JsPendingError&) {
    napi_get_and_clear_last_exception(env, &exc);
  } catch (const Napi::Error& e) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &exc);
    else exc = e.Value();
  } catch (const std::bad_alloc&) {
    exc = make_error(env, ErrorKind::RangeError, "out of memory");
  } catch (const std::exception& e) {
    exc = make_error(env, ErrorKind::Error, e.what());
  }
  if (exc == nullptr) exc = make_error(env, ErrorKind::Error, "unknown native error");
  return Napi::Value(env, fail_with(env, exc));
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
