#include "convert.h"
#include <algorithm>
#include <cmath>

namespace tg {
namespace binding {

double num_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  double d;
  if (napi_get_value_double(info.Env(), info[i], &d) != napi_ok)
    fail(ErrorKind::TypeError, str("expected a number for ", what));
  return d;
}

int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  double d = num_arg(info, i, what);
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0)
    fail(ErrorKind::TypeError, str("expected an integer for ", what, " but got ", d));
  return static_cast<int64_t>(d);
}

bool bool_arg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return false;
  return info[i].ToBoolean().Value();
}

std::optional<double> opt_num_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return std::nullopt;
  return num_arg(info, i, what);
}

std::optional<int64_t> opt_int_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return std::nullopt;
  return int_arg(info, i, what);
}

Dims dims_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsArray()) fail(ErrorKind::TypeError, str("expected an array of integers for ", what));
  Napi::Array a = info[i].As<Napi::Array>();
  uint32_t n = a.Length();
  // Read element by element (a hole or a non-number fails at once), so a sparse array with a
  // huge length never makes us reserve memory for it.
  Dims d;
  d.reserve(std::min<uint32_t>(n, 64));
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) fail(ErrorKind::TypeError, str("expected an array of integers for ", what));
    double x = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(x) || x != std::floor(x) || std::fabs(x) > 9007199254740991.0)
      fail(ErrorKind::TypeError, str("expected an array of integers for ", what, " but got ", x));
    d.push_back(static_cast<int64_t>(x));
  }
  return d;
}

DType dtype_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString()) fail(ErrorKind::TypeError, "expected a dtype string such as 'float32'");
  std::string s = info[i].As<Napi::String>().Utf8Value();
  DType dt;
  if (!dtype_from_name(s.c_str(), &dt)) fail(ErrorKind::TypeError, str("unsupported dtype '", s, "'"));
  return dt;
}

napi_value make_error(napi_env env, ErrorKind kind, const char* message) {
  napi_value msg, err;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  if (kind == ErrorKind::TypeError)
    napi_create_type_error(env, nullptr, msg, &err);
  else if (kind == ErrorKind::RangeError)
    napi_create_range_error(env, nullptr, msg, &err);
  else
    napi_create_error(env, nullptr, msg, &err);
  return err;
}

void def(Napi::Env env, Napi::Object exports, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&)) {
  exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace binding
}  // namespace tg
