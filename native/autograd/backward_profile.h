// Per-node timing of backward for torch.profile. The engine runs the whole graph inside one
// native call, so the JS-side profiler alone sees a single "backward" row; while this is on,
// the engine times every node's derivative and adds it here under the node's name
// (MmBackward0, ...). Per thread, like grad mode: each worker profiles its own backward.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tg {

struct BackwardProfile {
  struct Entry {
    std::string name;
    int64_t count;
    int64_t nanos;
  };
  static bool enabled();
  // Turning it on starts from empty totals.
  static void set(bool on);
  static void record(const char* name, int64_t nanos);
  // The totals so far, in the order the names first appeared.
  static std::vector<Entry> entries();
};

// Adds the time of its scope to `name` when profiling is on (costs one branch when off).
class BackwardProfileScope {
 public:
  explicit BackwardProfileScope(const char* name) : name_(BackwardProfile::enabled() ? name : nullptr) {
    if (name_) t0_ = Clock::now();
  }
  ~BackwardProfileScope() {
    if (name_) BackwardProfile::record(name_, std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count());
  }
  BackwardProfileScope(const BackwardProfileScope&) = delete;
  BackwardProfileScope& operator=(const BackwardProfileScope&) = delete;

 private:
  using Clock = std::chrono::steady_clock;
  const char* name_;
  Clock::time_point t0_;
};

}  // namespace tg
