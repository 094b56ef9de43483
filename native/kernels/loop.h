// The one strided loop every elementwise kernel runs on (a small TensorIterator).
//
// An op with N operands (output first) describes each operand by a base pointer and its
// byte strides over a common shape (0 where an input is broadcast). Dims are coalesced
// (adjacent dims merged when every operand steps through them contiguously), so a
// contiguous tensor of any rank becomes one flat run. The kernel then sees only 1-D runs:
//     inner(char* ptrs[N], const int64_t strides[N], int64_t n)
// and handles the all-contiguous run with a tight loop the compiler vectorises.
#pragma once
#include <array>
#include <cstdint>
#include <vector>
#include "../core/tensor.h"
#include "parallel.h"

namespace tg {

template <int N>
struct StridedLoop {
  std::vector<int64_t> sizes;                 // coalesced, innermost last
  std::array<std::vector<int64_t>, N> strides;  // bytes, per operand
  std::array<char*, N> base;
  int64_t numel = 1;

  // shape: the iteration shape; per-operand element strides over that shape.
  StridedLoop(const Dims& shape, const std::array<char*, N>& ptrs, const std::array<Dims, N>& elem_strides,
              const std::array<int64_t, N>& itemsizes)
      : base(ptrs) {
    for (int64_t s : shape) numel *= s;
    // Drop size-1 dims, then merge neighbours that are contiguous for every operand.
    for (size_t d = 0; d < shape.size(); d++) {
      if (shape[d] == 1) continue;
      bool merge = !sizes.empty();
      for (int k = 0; k < N && merge; k++)
        merge = strides[k].back() == elem_strides[k][d] * itemsizes[k] * shape[d];
      if (merge) {
        sizes.back() *= shape[d];
        for (int k = 0; k < N; k++) strides[k].back() = elem_strides[k][d] * itemsizes[k];
      } else {
        sizes.push_back(shape[d]);
        for (int k = 0; k < N; k++) strides[k].push_back(elem_strides[k][d] * itemsizes[k]);
      }
    }
    if (sizes.empty()) {
      sizes.push_back(1);
      for (int k = 0; k < N; k++) strides[k].push_back(0);
    }
  }

  // Runs inner over the linear index range [begin, end) of the iteration space.
  template <class F>
  void run_range(int64_t begin, int64_t end, F&& inner) const {
    if (begin >= end) return;  // an empty range (numel 0): sizes may hold a 0 to divide by
    const int nd = static_cast<int>(sizes.size());
    const int64_t inner_size = sizes[nd - 1];
    std::array<int64_t, N> inner_stride;
    for (int k = 0; k < N; k++) inner_stride[k] = strides[k][nd - 1];
    // Multi-index of `begin` over the outer dims.
    std::vector<int64_t> idx(nd, 0);
    int64_t rem = begin;
    for (int d = nd - 1; d >= 0; d--) {
      idx[d] = rem % sizes[d];
      rem /= sizes[d];
    }
    int64_t pos = begin;
    while (pos < end) {
      std::array<char*, N> p;
      for (int k = 0; k < N; k++) {
        char* q = base[k];
        for (int d = 0; d < nd; d++) q += idx[d] * strides[k][d];
        p[k] = q;
      }
      int64_t n = std::min(inner_size - idx[nd - 1], end - pos);
      inner(p.data(), inner_stride.data(), n);
      pos += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] >= sizes[d]; d--) {
        idx[d] = 0;
        idx[d - 1]++;
      }
    }
  }

  // Runs the whole space, split across threads when it is large.
  template <class F>
  void run(F&& inner, int64_t grain = kElementwiseGrain) const {
    if (numel == 0) return;
    if (numel < 2 * grain) {
      run_range(0, numel, inner);
      return;
    }
    parallel_for(numel, grain, [&](int64_t b, int64_t e) { run_range(b, e, inner); });
  }
};

}  // namespace tg
