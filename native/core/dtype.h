// Dtypes, their sizes and names, and PyTorch's type-promotion lattice.
#pragma once
#include <cstdint>
#include <cstddef>

namespace tg {

// Order matters: promotion picks the larger enum value inside a category.
enum class DType : uint8_t { Bool = 0, Int32 = 1, Int64 = 2, Float32 = 3, Float64 = 4 };
constexpr int kNumDTypes = 5;

inline size_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
  }
  return 0;
}

inline bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::Int32 || t == DType::Int64 || (include_bool && t == DType::Bool);
}

// 0 = bool, 1 = integer, 2 = floating: PyTorch's promotion categories.
inline int category(DType t) { return t == DType::Bool ? 0 : (is_floating(t) ? 2 : 1); }

// promote_types(a, b): the smallest dtype both convert to without losing category.
inline DType promote_types(DType a, DType b) { return a > b ? a : b; }

// Names as our JS API spells them ('float32') and as PyTorch prints them.
const char* dtype_name(DType t);        // "float32"
const char* dtype_torch_name(DType t);  // "torch.float32"
const char* dtype_legacy_name(DType t); // "FloatTensor" (used by version-counter errors)
const char* dtype_short_name(DType t);  // "Float" (used by several PyTorch messages)
const char* dtype_type_meta_name(DType t);  // "float", "long int": caffe2 TypeMeta names (cast errors)
bool dtype_from_name(const char* name, DType* out);

constexpr DType kDefaultFloat = DType::Float32;

// Calls body with `scalar_t` bound to the C++ type of `dt`.
#define TG_DISPATCH_CASE(enumv, ctype, ...) \
  case ::tg::DType::enumv: { using scalar_t = ctype; __VA_ARGS__(); break; }

#define TG_DISPATCH_ALL(dt, ...)                              \
  switch (dt) {                                               \
    TG_DISPATCH_CASE(Bool, bool, __VA_ARGS__)                 \
    TG_DISPATCH_CASE(Int32, int32_t, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Float32, float, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Float64, double, __VA_ARGS__)            \
  }

#define TG_DISPATCH_FLOAT(dt, ...)                            \
  switch (dt) {                                               \
    TG_DISPATCH_CASE(Float32, float, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Float64, double, __VA_ARGS__)            \
    default: break;                                           \
  }

// Numeric types only (no bool): arithmetic kernels.
#define TG_DISPATCH_NUMERIC(dt, ...)                          \
  switch (dt) {                                               \
    TG_DISPATCH_CASE(Int32, int32_t, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Float32, float, __VA_ARGS__)             \
    TG_DISPATCH_CASE(Float64, double, __VA_ARGS__)            \
    default: break;                                           \
  }

}  // namespace tg
