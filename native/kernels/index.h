// Index kernels: gather, index_select and their scatter-add gradients. Operands arrive
// contiguous (the op layer copies when needed) and index values already bounds-checked;
// `outer`/`inner` name the dims before and after the indexed one.
#pragma once
#include "../core/tensor.h"

namespace tg {

// out[o, i, n] = self[o, index[i], n]; self is [outer, self_dim, inner], out [outer, k, inner].
void index_select_kernel(const Tensor& out, const Tensor& self, const int64_t* index, int64_t k, int64_t outer,
                         int64_t inner);
// out[o, index[i], n] += src[o, i, n]; out is [outer, out_dim, inner], src [outer, k, inner].
void index_add_kernel(const Tensor& out, const Tensor& src, const int64_t* index, int64_t k, int64_t outer,
                      int64_t inner);
// out[p] = self[p with p[dim] replaced by index[p]] over index's shape (gather).
void gather_kernel(const Tensor& out, const Tensor& self, const Tensor& index, int64_t dim);
// out[p with p[dim] replaced by index[p]] += src[p] over index's shape (gather's gradient).
void scatter_add_kernel(const Tensor& out, const Tensor& src, const Tensor& index, int64_t dim);

}  // namespace tg
