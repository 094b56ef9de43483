// Tensor lifetime, metadata, data in and out, creation (random numbers: bind_random.cc).
#include <cstring>
#include "convert.h"
#include "handles.h"
#include "../autograd/grad_mode.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../core/caching_alloc.h"
#include "../core/storage.h"
#include "../kernels/elementwise.h"
#include "../kernels/parallel.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {

// adopt(obj, pendingSlot): gives a pending result (see pending_tensors) its JS owner.
TG_FN(adopt_pending) {
  adopt_pending_tensor(info.Env(), info[0], info[1]);
  return info.Env().Undefined();
}

TG_FN(dispose) {
  dispose_tensor(info.Env(), info[0]);
  return info.Env().Undefined();
}

TG_FN(shape) {
  Tensor t = tensor_arg(info, 0);
  Napi::Array a = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), double(t.shape()[i])));
  return a;
}

TG_FN(strides) {
  Tensor t = tensor_arg(info, 0);
  Napi::Array a = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), double(t.strides()[i])));
  return a;
}

TG_FN(ndim) { return Napi::Number::New(info.Env(), double(tensor_arg(info, 0).dim())); }
TG_FN(numel) { return Napi::Number::New(info.Env(), double(tensor_arg(info, 0).numel())); }
TG_FN(dtype) { return Napi::String::New(info.Env(), dtype_name(tensor_arg(info, 0).dtype())); }
TG_FN(storage_offset) { return Napi::Number::New(info.Env(), double(tensor_arg(info, 0).offset())); }
TG_FN(is_contiguous) { return Napi::Boolean::New(info.Env(), tensor_arg(info, 0).is_contiguous()); }
TG_FN(version) { return Napi::Number::New(info.Env(), double(tensor_arg(info, 0).storage()->version)); }
TG_FN(same_storage) {
  return Napi::Boolean::New(info.Env(), tensor_arg(info, 0).storage() == tensor_arg(info, 1).storage());
}

// fromData(out, typedArray, shape, dtype): copies a TypedArray (any numeric kind) into a tensor.
TG_FN(from_data) {
  Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
  TG_CHECK_TYPE(info[1].IsTypedArray(), "expected a TypedArray");
  Dims shape = dims_arg(info, 2, "shape");
  DType dt = dtype_arg(info, 3);
  DType src;
  switch (ta.TypedArrayType()) {
    case napi_float32_array: src = DType::Float32; break;
    case napi_float64_array: src = DType::Float64; break;
    case napi_int32_array: src = DType::Int32; break;
    case napi_bigint64_array: src = DType::Int64; break;
    case napi_uint8_array: src = DType::Bool; break;
    default: fail(ErrorKind::TypeError, "unsupported TypedArray type");
  }
  int64_t n = checked_numel(shape);
  TG_CHECK(static_cast<int64_t>(ta.ElementLength()) == n, "data has ", ta.ElementLength(),
           " elements but shape ", shape_str(shape), " needs ", n);
  const char* base = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return return_tensor(info, ops::from_buffer(base, shape, src, dt));
}

// toTypedArray(id): a fresh TypedArray holding a contiguous copy.
TG_FN(to_typed_array) {
  Tensor t = ops::contiguous(tensor_arg(info, 0));
  Napi::Env env = info.Env();
  size_t n = static_cast<size_t>(t.numel());
  size_t bytes = n * t.itemsize();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buf.Data(), t.raw(), bytes);
  napi_typedarray_type type = napi_float32_array;
  switch (t.dtype()) {
    case DType::Float32: type = napi_float32_array; break;
    case DType::Float64: type = napi_float64_array; break;
    case DType::Int32: type = napi_int32_array; break;
    case DType::Int64: type = napi_bigint64_array; break;
    case DType::Bool: type = napi_uint8_array; break;
  }
  napi_value out;
  napi_create_typedarray(env, type, n, buf, 0, &out);
  return Napi::Value(env, out);
}

// toFloat64(id): values as a Float64Array (int64 converted), for printing and tolist().
TG_FN(to_float64) {
  Tensor src = tensor_arg(info, 0);
  Tensor t = Tensor::empty(src.shape(), DType::Float64);
  copy_kernel(t, src);
  Napi::Env env = info.Env();
  size_t n = static_cast<size_t>(t.numel());
  Napi::Float64Array arr = Napi::Float64Array::New(env, n);
  if (n) std::memcpy(arr.Data(), t.raw(), n * 8);
  return arr;
}

TG_FN(item) {
  Tensor t = tensor_arg(info, 0);
  TG_CHECK(t.numel() == 1, "a Tensor with ", t.numel(), " elements cannot be converted to Scalar");
  Tensor d = Tensor::empty({}, DType::Float64);
  copy_kernel(d, t.alias({}, {}, t.offset()));
  double v = *d.data<double>();
  if (t.dtype() == DType::Bool) return Napi::Boolean::New(info.Env(), v != 0);
  return Napi::Number::New(info.Env(), v);
}

// ---- creation ----
TG_FN(full) {
  return return_tensor(info, ops::full(dims_arg(info, 1, "size"), num_arg(info, 2, "fill_value"), dtype_arg(info, 3)));
}
TG_FN(empty) {
  Dims shape = dims_arg(info, 1, "size");
  checked_numel(shape);
  return return_tensor(info, Tensor::zeros(shape, dtype_arg(info, 2)));
}
TG_FN(arange) {
  return return_tensor(info, ops::arange(num_arg(info, 1, "start"), num_arg(info, 2, "end"), num_arg(info, 3, "step"),
                                         dtype_arg(info, 4)));
}
TG_FN(linspace) {
  return return_tensor(info, ops::linspace(num_arg(info, 1, "start"), num_arg(info, 2, "end"),
                                           int_arg(info, 3, "steps"), dtype_arg(info, 4)));
}
TG_FN(eye) {
  return return_tensor(info, ops::eye(int_arg(info, 1, "n"), int_arg(info, 2, "m"), dtype_arg(info, 3)));
}

// ---- copies and conversions ----
TG_FN(clone) { return return_tensor(info, ops::clone(tensor_arg(info, 1))); }
TG_FN(contiguous) { return return_tensor(info, ops::contiguous(tensor_arg(info, 1))); }
TG_FN(to_dtype) { return return_tensor(info, ops::to_dtype(tensor_arg(info, 1), dtype_arg(info, 2))); }

// ---- memory and threads ----
TG_FN(memory) {
  report_external_memory(info.Env());  // what finalizers freed since the last op
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("tensors", Napi::Number::New(info.Env(), double(state().tensors.live)));
  o.Set("storages", Napi::Number::New(info.Env(), double(live_storage_count())));
  o.Set("bytes", Napi::Number::New(info.Env(), double(live_storage_bytes())));
  o.Set("impls", Napi::Number::New(info.Env(), double(live_tensor_count())));
  o.Set("cached", Napi::Number::New(info.Env(), double(large_cache_bytes())));
  o.Set("reported", Napi::Number::New(info.Env(), double(state().reported_bytes)));
  return o;
}
TG_FN(empty_cache) {
  large_cache_empty();
  return info.Env().Undefined();
}
TG_FN(set_num_threads_) {
  int64_t n = int_arg(info, 0, "num_threads");
  TG_CHECK_RANGE(n > 0, "set_num_threads expects a positive integer");
  set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}
TG_FN(get_num_threads_) { return Napi::Number::New(info.Env(), get_num_threads()); }

}  // namespace

// takeError(): the exception of the last failed call (see fail_with); not guarded itself.
Napi::Value take_error(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  State& st = state();
  napi_value v;
  if (!st.last_error) {
    napi_get_undefined(env, &v);
    return Napi::Value(env, v);
  }
  napi_get_reference_value(env, st.last_error, &v);
  napi_delete_reference(env, st.last_error);
  st.last_error = nullptr;
  return Napi::Value(env, v);
}

void register_tensor(Napi::Env env, Napi::Object e) {
  e.Set("takeError", Napi::Function::New(env, take_error, "takeError"));
  napi_value sentinel;
  napi_get_reference_value(env, state().error_sentinel, &sentinel);
  e.Set("errorSentinel", Napi::Value(env, sentinel));
  def(env, e, "adopt", adopt_pending);
  def(env, e, "dispose", dispose);
  def(env, e, "shape", shape);
  def(env, e, "strides", strides);
  def(env, e, "ndim", ndim);
  def(env, e, "numel", numel);
  def(env, e, "dtype", dtype);
  def(env, e, "storageOffset", storage_offset);
  def(env, e, "isContiguous", is_contiguous);
  def(env, e, "version", version);
  def(env, e, "sameStorage", same_storage);
  def(env, e, "fromData", from_data);
  def(env, e, "toTypedArray", to_typed_array);
  def(env, e, "toFloat64", to_float64);
  def(env, e, "item", item);
  def(env, e, "full", full);
  def(env, e, "empty", empty);
  def(env, e, "arange", arange);
  def(env, e, "linspace", linspace);
  def(env, e, "eye", eye);
  def(env, e, "clone", clone);
  def(env, e, "contiguous", contiguous);
  def(env, e, "toDtype", to_dtype);
  def(env, e, "memory", memory);
  def(env, e, "emptyCache", empty_cache);
  def(env, e, "setNumThreads", set_num_threads_);
  def(env, e, "getNumThreads", get_num_threads_);
}

}  // namespace binding
}  // namespace tg
