// OpNode: the node every primitive op records. Its derivative lives in derivatives.cc,
// one switch case per OpKind (rows of ops/ops.def).
#pragma once
#include <vector>
#include "node.h"

namespace tg {

enum class OpKind : uint16_t {
#define TG_OP(kind) kind,
#include "../ops/ops.def"
#undef TG_OP
};

struct OpNode : Node {
  OpNode(OpKind k, const char* nm) : kind(k), name_(nm) {}
  const char* name() const override { return name_; }
  GradList apply(GradList&& grads) override;  // derivatives.cc
  void release_variables() override {
    for (auto& s : saved) s.reset();
    if (inner) inner->release_variables();
  }

  // Records an input edge for each operand (in order) and saves nothing.
  void add_inputs(std::initializer_list<const Tensor*> inputs);
  void save(const Tensor& t, bool is_output = false) { saved.emplace_back(t, is_output); }
  Tensor saved_at(size_t i) { return saved[i].unpack(this); }

  OpKind kind;
  const char* name_;
  SmallVector<SavedTensor> saved;
  // Op parameters the derivative needs (meaning per kind, see ops.def).
  double s0 = 0, s1 = 0;
  bool b0 = false, b1 = false;
  int64_t i0 = 0, i1 = 0, i2 = 0;
  Dims dims;                  // reduced dims, permutation, ...
  Dims shape;                 // an input's shape (e.g. for View, Expand, Slice)
  Dims strides;               // an input's strides / view geometry (AsStrided)
  std::vector<Dims> shapes;   // per-input shapes (Cat, Stack)
  DType dtype = DType::Float32;  // an input's dtype (ToDtype)
  Ref<Node> inner;            // CopySlices: the in-place op's own node, applied to the view's slice
};

// Records `kind` as the grad_fn of `out` when grad mode is on and an input requires grad.
// Returns the node (to fill in parameters and saved tensors) or null when nothing was recorded.
Ref<OpNode> record(OpKind kind, const char* name, std::initializer_list<const Tensor*> inputs);
Ref<OpNode> record(OpKind kind, const char* name, const std::vector<Tensor>& inputs);

}  // namespace tg
