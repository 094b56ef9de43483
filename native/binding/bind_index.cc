// Joining and indexing ops.
#include "convert.h"
#include "handles.h"
#include "../ops/ops.h"

namespace tg {
namespace binding {

namespace {
}  // namespace

void register_index(Napi::Env, Napi::Object) {}

}  // namespace binding
}  // namespace tg
