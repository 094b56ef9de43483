#include "backward_profile.h"

#include <cstring>

namespace tg {
namespace {

struct State {
  bool on = false;
  std::vector<BackwardProfile::Entry> totals;
};
thread_local State state;

}  // namespace

bool BackwardProfile::enabled() { return state.on; }

void BackwardProfile::set(bool on) {
  state.on = on;
  if (on) state.totals.clear();
}

void BackwardProfile::record(const char* name, int64_t nanos) {
  // A graph has a handful of distinct node names: a linear search beats hashing here.
  for (Entry& e : state.totals) {
    if (e.name == name) {
      e.count++;
      e.nanos += nanos;
      return;
    }
  }
  state.totals.push_back({name, 1, nanos});
}

std::vector<BackwardProfile::Entry> BackwardProfile::entries() { return state.totals; }

}  // namespace tg
