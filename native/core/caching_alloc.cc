#include "caching_alloc.h"
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace tg {

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kPage = 4096;

struct Block {
  void* p;
  size_t capacity;
  uint64_t stamp;  // when it was freed: the oldest goes first when trimming
};

size_t default_limit() {
  const char* env = std::getenv("TG_CACHE_MB");
  if (env && *env) {
    char* end = nullptr;
    unsigned long long mb = std::strtoull(env, &end, 10);
    if (end != env) return static_cast<size_t>(mb) << 20;
  }
  return size_t(256) << 20;
}

struct Cache {
  std::mutex mu;
  std::vector<Block> blocks;  // a few hundred at most (each >= 1 MiB, under the cap)
  size_t bytes = 0;
  size_t limit = default_limit();
  uint64_t clock = 0;
};

Cache& cache() {
  // Never destroyed: storages freed during process exit may still return blocks to it.
  static Cache* c = new Cache();
  return *c;
}

void* system_alloc(size_t bytes) {
  void* p = nullptr;
#if defined(_WIN32)
  p = _aligned_malloc(bytes, kAlign);
#else
  if (posix_memalign(&p, kAlign, bytes) != 0) p = nullptr;
#endif
  return p;
}

void system_free(void* p) {
#if defined(_WIN32)
  _aligned_free(p);
#else
  std::free(p);
#endif
}

// Removes blocks, oldest first, until at most `keep` bytes are cached; returns them so that
// they are freed outside the lock.
std::vector<void*> trim_locked(Cache& c, size_t keep) {
  std::vector<void*> out;
  while (c.bytes > keep && !c.blocks.empty()) {
    size_t oldest = 0;
    for (size_t i = 1; i < c.blocks.size(); i++)
      if (c.blocks[i].stamp < c.blocks[oldest].stamp) oldest = i;
    out.push_back(c.blocks[oldest].p);
    c.bytes -= c.blocks[oldest].capacity;
    c.blocks[oldest] = c.blocks.back();
    c.blocks.pop_back();
  }
  return out;
}

void free_all(const std::vector<void*>& ps) {
  for (void* p : ps) system_free(p);
}

}  // namespace

void* large_alloc(size_t bytes, size_t* capacity) {
  // Whole pages, so blocks of nearly equal sizes (e.g. a batch that shrinks by a row) match.
  const size_t want = (bytes + kPage - 1) / kPage * kPage;
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    // Best fit among blocks that waste at most an eighth of the request.
    size_t best = c.blocks.size();
    for (size_t i = 0; i < c.blocks.size(); i++) {
      const size_t cap = c.blocks[i].capacity;
      if (cap >= want && cap - want <= want / 8 && (best == c.blocks.size() || cap < c.blocks[best].capacity))
        best = i;
    }
    if (best != c.blocks.size()) {
      Block b = c.blocks[best];
      c.blocks[best] = c.blocks.back();
      c.blocks.pop_back();
      c.bytes -= b.capacity;
      *capacity = b.capacity;
      return b.p;
    }
  }
  // A miss: the new block will be cached when freed, so make room for it now, oldest first
  // (blocks of sizes no longer asked for leave instead of piling up to the cap).
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (want <= c.limit) evicted = trim_locked(c, c.limit - want);
  }
  free_all(evicted);
  void* p = system_alloc(want);
  if (!p) {
    // Under memory pressure the cached blocks go back first.
    large_cache_empty();
    p = system_alloc(want);
  }
  *capacity = p ? want : 0;
  return p;
}

void large_free(void* p, size_t capacity) {
  if (!p) return;
  Cache& c = cache();
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (capacity <= c.limit) {
      evicted = trim_locked(c, c.limit - capacity);
      c.blocks.push_back(Block{p, capacity, ++c.clock});
      c.bytes += capacity;
      p = nullptr;
    }
  }
  free_all(evicted);
  if (p) system_free(p);
}

void large_cache_empty() {
  Cache& c = cache();
  std::vector<void*> evicted;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    evicted = trim_locked(c, 0);
  }
  free_all(evicted);
}

int64_t large_cache_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return static_cast<int64_t>(c.bytes);
}

size_t large_cache_set_limit(size_t bytes) {
  Cache& c = cache();
  std::vector<void*> evicted;
  size_t old;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    old = c.limit;
    c.limit = bytes;
    evicted = trim_locked(c, bytes);
  }
  free_all(evicted);
  return old;
}

}  // namespace tg
