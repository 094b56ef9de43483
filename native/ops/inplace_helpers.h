// The bookkeeping every in-place op shares (defined in inplace.cc), for in-place ops that
// live in other files: PyTorch's checks before the write, and the version bump and history
// rebase after it.
#pragma once
#include <initializer_list>
#include "ops.h"
#include "../autograd/op_node.h"

namespace tg {
namespace ops {

// Checks self for a write with these other inputs (internal and partial overlap, leaves
// and views that may not be written) and says whether the write is recorded in the graph.
bool inplace_begin(const Tensor& self, std::initializer_list<const Tensor*> inputs);
// After the kernel wrote self: bumps its version and makes n (when not null) its history.
void inplace_end(Tensor& self, const Ref<OpNode>& n);
// PyTorch's "result type Float can't be cast to the desired output type Long".
void check_inplace_result_type(DType result, DType self);

}  // namespace ops
}  // namespace tg
