#include "storage.h"
#include <atomic>
#include <cstdlib>
#if defined(_WIN32)
#include <malloc.h>  // _aligned_malloc / _aligned_free
#endif
#include "caching_alloc.h"
#include "error.h"

namespace tg {

namespace {
thread_local int64_t g_bytes = 0;
thread_local int64_t g_count = 0;
std::atomic<int64_t> g_process_bytes{0};
constexpr size_t kAlign = 64;
}  // namespace

int64_t live_storage_bytes() { return g_bytes; }
int64_t live_storage_count() { return g_count; }
int64_t process_storage_bytes() { return g_process_bytes.load(std::memory_order_relaxed); }

Ref<Storage> Storage::allocate(size_t nbytes) {
  Ref<Storage> s = make_ref<Storage>();
  g_count++;  // counted at once: ~Storage un-counts it even when the allocation below fails
  if (nbytes > 0 && nbytes <= kInlineBytes) {
    s->data = s->inline_data;  // small data lives in the Storage block itself
  } else if (nbytes > 0) {
    size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
    // 2^46 bytes (64 TiB) is beyond any machine we run on; refusing it here also keeps
    // sanitizer allocators from aborting on absurd sizes.
    bool ok = rounded >= nbytes && rounded < (size_t(1) << 46);
    void* p = nullptr;
    if (ok && rounded >= kLargeBlockBytes) {
      p = large_alloc(rounded, &s->large_capacity);  // caching_alloc.h: reuses freed large blocks
    } else if (ok) {
#if defined(_WIN32)
      p = _aligned_malloc(rounded, kAlign);
#else
      if (posix_memalign(&p, kAlign, rounded) != 0) p = nullptr;
#endif
    }
    // PyTorch: "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes."
    TG_CHECK_RANGE(p != nullptr, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", nbytes,
                   " bytes (out of memory)");
    s->data = p;
  }
  s->nbytes = nbytes;
  g_bytes += static_cast<int64_t>(nbytes);
  g_process_bytes.fetch_add(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
  return s;
}

Storage::~Storage() {
  if (data && large_capacity) {
    large_free(data, large_capacity);
  } else if (data && data != inline_data) {
#if defined(_WIN32)
    _aligned_free(data);
#else
    std::free(data);
#endif
  }
  g_bytes -= static_cast<int64_t>(nbytes);
  g_process_bytes.fetch_sub(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
  g_count--;
}

}  // namespace tg
