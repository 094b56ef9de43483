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

namespace tg {

constexpr size_t kSmallGranule = 32;   // size classes are multiples of this
constexpr size_t kSmallMax = 1024;     // larger requests go to the C library directly
constexpr size_t kCacheBytes = size_t(64) << 20;

void* small_alloc(size_t n);           // n bytes, 16-byte aligned; throws std::bad_alloc
void small_free(void* p, size_t n) noexcept;  // n: the size given to small_alloc

// Blocks held by this thread's cache (tests and diagnostics).
int64_t small_cached_blocks();

}  // namespace tg
