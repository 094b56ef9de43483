// A per-thread cache of small fixed-size blocks for the objects every op makes and frees:
// TensorImpl, Storage (with its inline data), autograd nodes (all RefCounted, see ref.h).
//
// Why: a 1-element op used to spend over half its time in glibc malloc/free, and V8 frees
// tensors in bursts (thousands per young-generation GC), which makes glibc coalesce and
// consolidate its bins over and over. Here a freed block goes onto a singly linked list of
// its size class and the next object of that class takes it back: a few instructions each.
//
// Every block is a separate allocation from the C library, never carved
// from a slab, so a block may be freed on any thread: it simply joins that thread's cache
// (tensors are made and freed on their JS thread; a worker thread has its own cache).
//
// A cache holds at most kCacheBytes per thread; beyond that blocks go straight back to the
// C library, and a thread's cache is emptied when the thread exits. The bound is sized for
// V8's bursts: a young-generation GC of a tight op loop frees ~50,000 tensors at once
// (measured on W4; with a graph node each, ~700 bytes of blocks per op), and those same
// blocks are wanted again right after; the memory was live
// just before, so keeping it raises no peak.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace tg {

constexpr size_t kSmallGranule = 32;   // size classes are multiples of this
constexpr size_t kSmallMax = 1024;     // larger requests go to the C library directly
constexpr size_t kCacheBytes = size_t(64) << 20;

void* small_alloc(size_t n);           // n bytes, 16-byte aligned; throws std::bad_alloc
void small_free(void* p, size_t n) noexcept;  // n: the size given to small_alloc

// Blocks held by this thread's cache (tests and diagnostics).
int64_t small_cached_blocks();

// A std allocator over the same cache, for the short vectors every autograd node holds
// (its edges, output metadata, saved tensors): they are freed in V8's GC bursts too.
template <class T>
struct SmallAllocator {
  using value_type = T;
  SmallAllocator() noexcept = default;
  template <class U>
  SmallAllocator(const SmallAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > size_t(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(small_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { small_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const SmallAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const SmallAllocator<U>&) const noexcept { return false; }
};

// A vector whose buffer comes from the small-block cache.
template <class T>
using SmallVector = std::vector<T, SmallAllocator<T>>;

}  // namespace tg
