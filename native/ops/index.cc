// Joining and indexing: cat, stack, split, chunk, gather, index_select.
#include "ops.h"
#include "../autograd/op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"

namespace tg {
namespace ops {

#define TG_TODO(what) fail(ErrorKind::Error, "not implemented yet: " what)
Tensor cat(const std::vector<Tensor>&, int64_t) { TG_TODO("cat"); }
Tensor stack(const std::vector<Tensor>&, int64_t) { TG_TODO("stack"); }
std::vector<Tensor> split(const Tensor&, const Dims&, int64_t) { TG_TODO("split"); }
std::vector<Tensor> split_size(const Tensor&, int64_t, int64_t) { TG_TODO("split"); }
std::vector<Tensor> chunk(const Tensor&, int64_t, int64_t) { TG_TODO("chunk"); }
Tensor gather(const Tensor&, int64_t, const Tensor&) { TG_TODO("gather"); }
Tensor index_select(const Tensor&, int64_t, const Tensor&) { TG_TODO("index_select"); }

}  // namespace ops
}  // namespace tg
