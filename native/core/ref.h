// Intrusive reference counting (no shared_ptr control blocks: one allocation per object).
// Counts are not atomic: a tensor lives on the JS thread that made it; kernel threads
// only see raw pointers.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>
#include "small_alloc.h"

namespace tg {

struct RefCounted {
  mutable int32_t refcount_ = 0;
  virtual ~RefCounted() = default;
  // Tensors, storages and graph nodes come from the per-thread block cache (small_alloc.h):
  // the virtual destructor makes delete pass the most-derived size here.
  static void* operator new(size_t n) { return small_alloc(n); }
  static void operator delete(void* p, size_t n) noexcept { small_free(p, n); }
};

// Deletes an object whose count reached zero, without deep recursion. Dropping the last
// reference to a long autograd chain (tensor -> grad_fn -> next node -> saved tensor -> ...)
// would otherwise destroy it recursively, one C++ stack frame group per node, and a
// 1,000,000-node chain overflows the stack. Here only the outermost release deletes: objects
// freed while it runs are queued and deleted by its loop, so the depth stays constant.
inline void release_zero_ref(const RefCounted* p) {
  thread_local bool draining = false;
  thread_local std::vector<const RefCounted*> pending;
  if (draining) {
    pending.push_back(p);
    return;
  }
  draining = true;
  delete p;
  while (!pending.empty()) {
    const RefCounted* q = pending.back();
    pending.pop_back();
    delete q;
  }
  draining = false;
}

template <class T>
class Ref {
 public:
  Ref() = default;
  Ref(std::nullptr_t) {}
  explicit Ref(T* p) : p_(p) { if (p_) p_->refcount_++; }
  Ref(const Ref& o) : p_(o.p_) { if (p_) p_->refcount_++; }
  Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  template <class U>
  Ref(const Ref<U>& o) : p_(o.get()) { if (p_) p_->refcount_++; }
  ~Ref() { reset(); }
  Ref& operator=(const Ref& o) { Ref(o).swap(*this); return *this; }
  Ref& operator=(Ref&& o) noexcept { Ref(std::move(o)).swap(*this); return *this; }
  void reset() {
    if (p_ && --p_->refcount_ == 0) release_zero_ref(p_);
    p_ = nullptr;
  }
  void swap(Ref& o) noexcept { std::swap(p_, o.p_); }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const Ref& o) const { return p_ == o.p_; }
  bool operator!=(const Ref& o) const { return p_ != o.p_; }

 private:
  T* p_ = nullptr;
};

template <class T, class... A>
Ref<T> make_ref(A&&... a) { return Ref<T>(new T(std::forward<A>(a)...)); }

}  // namespace tg
