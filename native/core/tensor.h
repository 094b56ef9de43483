// TensorImpl: a view of a Storage (shape, strides, offset, dtype) plus its autograd state.
// Tensor: the refcounted handle every op takes and returns.
#pragma once
#include <cstdint>
#include <vector>
#include "dims.h"
#include "dtype.h"
#include "ref.h"
#include "storage.h"

namespace tg {

struct Node;         // autograd/node.h
struct TensorHook;   // autograd/node.h

struct TensorImpl : RefCounted {
  Ref<Storage> storage;
  Dims shape;
  Dims strides;        // in elements
  int64_t offset = 0;  // in elements
  DType dtype = DType::Float32;
  bool wrapped_number = false;  // a JS number made into a 0-d tensor: lowest promotion priority

  // --- autograd state (see autograd/node.h) ---
  bool requires_grad = false;   // set on leaves; a non-leaf requires grad iff it has grad_fn
  bool retains_grad = false;
  Ref<Node> grad_fn;            // null for leaves
  uint32_t output_nr = 0;       // which output of grad_fn this is
  Ref<TensorImpl> grad;         // accumulated gradient
  Node* grad_accumulator = nullptr;  // weak; AccumulateGrad clears it when destroyed
  std::vector<Ref<TensorHook>> leaf_hooks;  // hooks on a leaf, run before accumulation
  Ref<TensorImpl> view_base;    // the tensor this one is a view of (null if not a view)
  // View bookkeeping (ops/inplace.cc, as PyTorch's DifferentiableViewMeta): the storage
  // version when this view's grad_fn was last set (an in-place write elsewhere makes it
  // stale, and grad_fn() then regenerates it from the base), and how the view was made.
  uint32_t view_version = 0;
  uint8_t view_creation = 0;    // ViewCreation in ops/ops.h: default, no-grad mode, multi-output

  ~TensorImpl() override;
};

// Regenerates a stale view's grad_fn from its base (defined in ops/inplace.cc).
void refresh_view_grad_fn(TensorImpl* view);

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Ref<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new contiguous tensor with uninitialised memory.
  static Tensor empty(const Dims& shape, DType dtype);
  static Tensor zeros(const Dims& shape, DType dtype);
  // A tensor sharing this one's storage with other geometry (no autograd state).
  Tensor alias(const Dims& shape, const Dims& strides, int64_t offset) const;

  bool defined() const { return bool(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const Ref<TensorImpl>& ref() const { return impl_; }

  const Dims& shape() const { return impl_->shape; }
  const Dims& strides() const { return impl_->strides; }
  int64_t offset() const { return impl_->offset; }
  int64_t dim() const { return static_cast<int64_t>(impl_->shape.size()); }
  int64_t size(int64_t d) const { return impl_->shape[d]; }
  int64_t numel() const;
  DType dtype() const { return impl_->dtype; }
  size_t itemsize() const { return tg::itemsize(impl_->dtype); }
  bool is_contiguous() const;
  Storage* storage() const { return impl_->storage.get(); }

  char* raw() const {
    return static_cast<char*>(impl_->storage->data) + impl_->offset * static_cast<int64_t>(itemsize());
  }
  template <class T>
  T* data() const { return reinterpret_cast<T*>(raw()); }

  // Autograd accessors. A view also requires grad when its base does, and its grad_fn is
  // brought up to date first when an in-place write made it stale (PyTorch's rules).
  bool requires_grad() const {
    const TensorImpl* b = impl_->view_base.get();
    return impl_->requires_grad || bool(impl_->grad_fn) || (b && (b->requires_grad || b->grad_fn));
  }
  bool is_leaf() const { return !grad_fn(); }
  Node* grad_fn() const {
    if (impl_->view_base && impl_->view_version != impl_->storage->version) refresh_view_grad_fn(impl_.get());
    return impl_->grad_fn.get();
  }

  bool same(const Tensor& o) const { return impl_ == o.impl_; }

 private:
  Ref<TensorImpl> impl_;
};

// Number of live TensorImpls on this thread (tests and torch.memory()).
int64_t live_tensor_count();

}  // namespace tg
