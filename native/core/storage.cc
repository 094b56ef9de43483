#include "storage.h"
#include <cstdlib>
#include "error.h"

namespace tg {

namespace {
thread_local int64_t g_bytes = 0;
thread_local int64_t g_count = 0;
constexpr size_t kAlign = 64;
}  // namespace

int64_t live_storage_bytes() { return g_bytes; }
int64_t live_storage_count() { return g_count; }

Ref<Storage> Storage::allocate(size_t nbytes) {
  Ref<Storage> s = make_ref<Storage>();
  if (nbytes > 0 && nbytes <= kInlineBytes) {
    s->data = s->inline_data;
  } else if (nbytes > 0) {
    size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
    TG_CHECK_RANGE(rounded >= nbytes && rounded < (size_t(1) << 46),
                   "out of memory: tried to allocate ", nbytes, " bytes");
    void* p = nullptr;
#if defined(_WIN32)
    p = _aligned_malloc(rounded, kAlign);
#else
    if (posix_memalign(&p, kAlign, rounded) != 0) p = nullptr;
#endif
    TG_CHECK_RANGE(p != nullptr, "out of memory: tried to allocate ", nbytes, " bytes");
    s->data = p;
  }
  s->nbytes = nbytes;
  g_bytes += static_cast<int64_t>(nbytes);
  g_count++;
  return s;
}

Storage::~Storage() {
  if (data && data != inline_data) {
#if defined(_WIN32)
    _aligned_free(data);
#else
    std::free(data);
#endif
  }
  g_bytes -= static_cast<int64_t>(nbytes);
  g_count--;
}

}  // namespace tg
