// The geometry of one reduction, shared by every reduction kernel.
//
// A reduction of input `a` over the dims where `mask` is true writes a contiguous output
// of the keepdim shape. The input is seen as two index spaces:
//     kept dims     one point per output element (output index o, row-major)
//     reduced dims  the elements folded into that output
// Size-1 dims are dropped and neighbours that step through memory together are merged,
// so a contiguous tensor reduced over its last dims is (outputs) x (one contiguous run).
//
// Two ways to walk it (chosen from the strides, see plan_reduction):
//   inner mode     for each output, fold its elements; the innermost reduced dim is the
//                  contiguous run (row sums: x.sum(-1)).
//   vertical mode  the kept dim with the smallest input stride (`vec`) is the vector
//                  lane: rows of the input are folded into a row of accumulators, one
//                  per output (column sums: x.sum(0)). Never strides through memory per
//                  output element.
#pragma once
#include <vector>
#include "../core/tensor.h"

namespace tg {

struct ReducePlan {
  // Kept dims, logical order: sizes, input strides and output strides (in elements).
  Dims keep_sizes, keep_in, keep_out;
  // Reduced dims ordered by decreasing input stride (innermost last); never empty.
  Dims red_sizes, red_in;
  int64_t outputs = 1;  // product of keep_sizes
  int64_t length = 1;   // product of red_sizes: elements folded into each output
  int vec = -1;         // vertical mode: index into keep_* of the vector dim; -1: inner mode
};

ReducePlan plan_reduction(const Tensor& a, const std::vector<bool>& mask);

// Walks a multi-index over `sizes` (outermost first), keeping the linear offsets it has
// through two stride sets (e.g. into the input and into the output).
struct OffsetWalker {
  const int64_t* sizes = nullptr;
  const int64_t* st0 = nullptr;
  const int64_t* st1 = nullptr;
  int nd = 0;
  std::vector<int64_t> idx;
  int64_t off0 = 0, off1 = 0;

  OffsetWalker(const int64_t* sz, const int64_t* s0, const int64_t* s1, int n)
      : sizes(sz), st0(s0), st1(s1), nd(n), idx(static_cast<size_t>(n), 0) {}

  void seek(int64_t linear) {
    off0 = off1 = 0;
    for (int d = nd - 1; d >= 0; d--) {
      idx[d] = linear % sizes[d];
      linear /= sizes[d];
      off0 += idx[d] * st0[d];
      if (st1) off1 += idx[d] * st1[d];
    }
  }
  void next() {
    for (int d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off0 += st0[d];
      if (st1) off1 += st1[d];
      if (idx[d] < sizes[d]) return;
      off0 -= idx[d] * st0[d];
      if (st1) off1 -= idx[d] * st1[d];
      idx[d] = 0;
    }
  }
};

// Normalises a tensor for kernels that work along one dim: the contiguous input seen as
// [outer, len, inner] with `dim` in the middle (dim < 0: the whole tensor as one run).
struct DimSplit {
  int64_t outer = 1, len = 1, inner = 1;
};
DimSplit split_at(const Dims& shape, int64_t dim);

}  // namespace tg
