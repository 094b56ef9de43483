// Storage: one refcounted block of memory (64-byte-aligned; 16 for small inline data) shared by a tensor and its views.
// The version counter lives here too, so views and their base see each other's in-place
// writes, as PyTorch's shared version counter does.
#pragma once
#include <cstddef>
#include <cstdint>
#include "ref.h"

namespace tg {

struct Storage : RefCounted {
  void* data = nullptr;
  size_t nbytes = 0;
  size_t large_capacity = 0;  // nonzero: the block came from the large-block cache
  uint32_t version = 0;
  // Small tensors keep their bytes here, in the same block as the Storage (one allocation
  // per tensor, from the block cache in small_alloc.h); `data` then points at it.
  static constexpr size_t kInlineBytes = 64;
  alignas(16) unsigned char inline_data[kInlineBytes];

  // Allocates nbytes (uninitialised); throws a RangeError naming the size if it can't.
  static Ref<Storage> allocate(size_t nbytes);
  ~Storage() override;
};

// Native bytes currently held by storages on this thread (feeds V8's external memory).
int64_t live_storage_bytes();
int64_t live_storage_count();
// The same over every thread of the process (tests: a worker's tensors are freed when it exits).
int64_t process_storage_bytes();

}  // namespace tg
