#include "small_alloc.h"
#include <cstdlib>
#include <new>

namespace tg {

namespace {

constexpr size_t kClasses = kSmallMax / kSmallGranule;

struct FreeBlock {
  FreeBlock* next;
};

// Plain old data, so the thread_local needs no constructor guard or destructor registration
// (cheap to reach); Drainer below empties it when the thread exits.
struct Cache {
  FreeBlock* head[kClasses];
  uint32_t count[kClasses];
  size_t bytes;  // held over all classes
  bool dead;  // the thread is exiting: its cache has been emptied, don't refill it
};
thread_local Cache t_cache;

// Plain malloc: 16-byte alignment is all these objects need, and glibc serves exact small
// sizes from its own bins (posix_memalign splits chunks and fragments the heap; it cost more
// than it saved).
void* block_alloc(size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

void block_free(void* p) { std::free(p); }

struct Drainer {
  ~Drainer() {
    Cache& c = t_cache;
    c.dead = true;
    for (size_t k = 0; k < kClasses; k++) {
      while (FreeBlock* b = c.head[k]) {
        c.head[k] = b->next;
        block_free(b);
      }
      c.count[k] = 0;
    }
    c.bytes = 0;
  }
};
thread_local Drainer t_drainer;

inline size_t class_of(size_t n) { return n == 0 ? 0 : (n - 1) / kSmallGranule; }

}  // namespace

void* small_alloc(size_t n) {
  if (n > kSmallMax) return block_alloc(n);
  size_t k = class_of(n);
  Cache& c = t_cache;
  if (FreeBlock* b = c.head[k]) {
    c.head[k] = b->next;
    c.count[k]--;
    c.bytes -= (k + 1) * kSmallGranule;
    return b;
  }
  // First use on this thread: instantiate the drainer so the cache is emptied at exit.
  (void)&t_drainer;
  return block_alloc((k + 1) * kSmallGranule);
}

void small_free(void* p, size_t n) noexcept {
  if (!p) return;
  if (n > kSmallMax) return block_free(p);
  size_t k = class_of(n);
  Cache& c = t_cache;
  const size_t bytes = (k + 1) * kSmallGranule;
  if (c.dead || c.bytes + bytes > kCacheBytes) return block_free(p);
  FreeBlock* b = static_cast<FreeBlock*>(p);
  if (!c.head[k]) (void)&t_drainer;  // a thread that only frees must still drain at exit
  b->next = c.head[k];
  c.head[k] = b;
  c.count[k]++;
  c.bytes += bytes;
}

int64_t small_cached_blocks() {
  int64_t n = 0;
  for (size_t k = 0; k < kClasses; k++) n += t_cache.count[k];
  return n;
}

}  // namespace tg
