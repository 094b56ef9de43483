#include "tensor.h"
#include <cstring>
#include "error.h"
#include "shape.h"
#include "../autograd/node.h"

namespace tg {

namespace {
thread_local int64_t g_tensors = 0;
}

int64_t live_tensor_count() { return g_tensors; }

TensorImpl::~TensorImpl() {
  g_tensors--;
  // The AccumulateGrad knows this leaf weakly (autograd/node.h): tell it the leaf is gone.
  if (grad_accumulator) static_cast<AccumulateGrad*>(grad_accumulator)->variable = nullptr;
  if (retains_grad && grad_fn) {
    auto& r = grad_fn->retained;
    for (size_t i = 0; i < r.size(); i++)
      if (r[i].second == this) {
        r.erase(r.begin() + static_cast<long>(i));
        break;
      }
  }
}

static Ref<TensorImpl> new_impl() {
  g_tensors++;
  return make_ref<TensorImpl>();
}

Tensor Tensor::empty(const Dims& shape, DType dtype) {
  int64_t n = checked_numel(shape);
  size_t bytes = static_cast<size_t>(n) * tg::itemsize(dtype);
  TG_CHECK_RANGE(n == 0 || bytes / static_cast<size_t>(n) == tg::itemsize(dtype),
                 "out of memory: tensor of ", n, " elements is too large");
  Ref<TensorImpl> t = new_impl();
  t->storage = Storage::allocate(bytes);
  t->shape = shape;
  t->strides = contiguous_strides(shape);
  t->dtype = dtype;
  return Tensor(std::move(t));
}

Tensor Tensor::zeros(const Dims& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (t.storage()->nbytes) std::memset(t.storage()->data, 0, t.storage()->nbytes);
  return t;
}

Tensor Tensor::alias(const Dims& shape, const Dims& strides, int64_t offset) const {
  Ref<TensorImpl> t = new_impl();
  t->storage = impl_->storage;
  t->shape = shape;
  t->strides = strides;
  t->offset = offset;
  t->dtype = impl_->dtype;
  return Tensor(std::move(t));
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t s : impl_->shape) n *= s;
  return n;
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  const Dims& sh = impl_->shape;
  const Dims& st = impl_->strides;
  for (int64_t i = static_cast<int64_t>(sh.size()) - 1; i >= 0; i--) {
    if (sh[i] == 1) continue;
    if (st[i] != expected) return false;
    expected *= sh[i];
  }
  return true;
}

}  // namespace tg
