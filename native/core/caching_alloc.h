// A cache of large freed blocks (>= kLargeBlockBytes, 256 KiB), reused by later allocations of about
// the same size. Freshly allocated large blocks come from mmap, and every first write to one
// of their pages is a page fault (~0.25 µs per 4 KiB page, i.e. ~4 ms for a 64 MB result):
// for a big elementwise op that is more than the op itself. A reused block is already
// mapped, so the op runs at memory bandwidth (PyTorch's CPU allocator pays the faults).
//
// Bounded: at most cap bytes are held (TG_CACHE_MB, default 256 MiB; 0 disables caching);
// a free that would exceed the cap first releases the least recently freed blocks, and so
// does a miss, so that cached + new blocks stay under the cap. An allocation that fails
// empties the cache and retries. empty_cache() releases everything.
// Thread-safe (one mutex: large blocks are rare enough for it never to be contended).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tg {

// Blocks from this size up go through the cache; smaller ones use the ordinary allocator.
// 256 KiB catches the activations of a small MLP (e.g. 256 x 512 float32), which glibc would
// otherwise mmap or trim and fault in again on every step.
constexpr size_t kLargeBlockBytes = size_t(256) << 10;

// A 64-byte aligned block of at least bytes (a multiple of 64); null when out of memory.
// *capacity receives the block's real size, which large_free must be given back.
void* large_alloc(size_t bytes, size_t* capacity);
// Returns a block from large_alloc (with its capacity) to the cache, or to the system.
void large_free(void* p, size_t capacity);

// Releases every cached block to the system.
void large_cache_empty();
// Bytes currently held in the cache (not in use by any tensor).
int64_t large_cache_bytes();
// Sets the cap on cached bytes (trimming at once if needed); returns the previous cap.
size_t large_cache_set_limit(size_t bytes);

}  // namespace tg
