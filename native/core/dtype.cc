#include "dtype.h"
#include <cstring>

namespace tg {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}

const char* dtype_torch_name(DType t) {
  switch (t) {
    case DType::Bool: return "torch.bool";
    case DType::Int32: return "torch.int32";
    case DType::Int64: return "torch.int64";
    case DType::Float32: return "torch.float32";
    case DType::Float64: return "torch.float64";
  }
  return "?";
}

const char* dtype_legacy_name(DType t) {
  switch (t) {
    case DType::Bool: return "BoolTensor";
    case DType::Int32: return "IntTensor";
    case DType::Int64: return "LongTensor";
    case DType::Float32: return "FloatTensor";
    case DType::Float64: return "DoubleTensor";
  }
  return "?";
}

const char* dtype_short_name(DType t) {
  switch (t) {
    case DType::Bool: return "Bool";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
  }
  return "?";
}

const char* dtype_type_meta_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int32: return "int";
    case DType::Int64: return "long int";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
  }
  return "?";
}

bool dtype_from_name(const char* name, DType* out) {
  for (int i = 0; i < kNumDTypes; i++) {
    DType t = static_cast<DType>(i);
    if (std::strcmp(name, dtype_name(t)) == 0 || std::strcmp(name, dtype_torch_name(t)) == 0) {
      *out = t;
      return true;
    }
  }
  return false;
}

}  // namespace tg
