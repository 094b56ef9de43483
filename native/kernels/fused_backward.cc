// FP exceptions are never observed: lets GCC turn the compare-and-select of relu's backward
// into vector blends (as in softmax.cc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "fused_backward.h"
#include <algorithm>
#include <cmath>
#include <vector>
#include "parallel.h"

namespace tg {

bool fused_backward_applies(const Tensor& g, const Tensor& y) {
  return g.dtype() == y.dtype() && is_floating(g.dtype()) && g.shape() == y.shape() && g.is_contiguous() &&
         y.is_contiguous();
}

namespace {

template <class T>
void relu_backward_typed(T* out, const T* g, const T* y, int64_t n) {
  parallel_for(n, kElementwiseGrain, [=](int64_t b, int64_t e) {
    // A select, not a multiply: g * 0 would turn inf/NaN gradients into NaN. Both values are
    // loaded unconditionally (local restrict pointers), so GCC emits a vector blend instead
    // of a branch that mispredicts on random signs.
    T* __restrict__ o = out;
    const T* __restrict__ gp = g;
    const T* __restrict__ yp = y;
    for (int64_t i = b; i < e; i++) {
      const T gv = gp[i];
      o[i] = yp[i] <= T(0) ? T(0) : gv;
    }
  });
}

// Rows of length L (dim last) or, with inner > 1, [outer, L, inner] blocks.
template <class T>
void log_softmax_backward_typed(T* out, const T* g, const T* y, int64_t outer, int64_t L, int64_t inner) {
  const int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, L * inner));
  parallel_for(outer, grain, [&](int64_t b, int64_t e) {
    std::vector<T> sums(static_cast<size_t>(inner));
    for (int64_t o = b; o < e; o++) {
      const T* go = g + o * L * inner;
      const T* yo = y + o * L * inner;
      T* oo = out + o * L * inner;
      std::fill(sums.begin(), sums.end(), T(0));
      for (int64_t l = 0; l < L; l++)
        for (int64_t i = 0; i < inner; i++) sums[i] += go[l * inner + i];
      for (int64_t l = 0; l < L; l++)
        for (int64_t i = 0; i < inner; i++)
          oo[l * inner + i] = go[l * inner + i] - std::exp(yo[l * inner + i]) * sums[i];
    }
  });
}

}  // namespace

Tensor relu_backward_fused(const Tensor& g, const Tensor& y) {
  Tensor out = Tensor::empty(g.shape(), g.dtype());
  TG_DISPATCH_FLOAT(g.dtype(), [&] {
    relu_backward_typed(out.data<scalar_t>(), g.data<const scalar_t>(),
                        y.data<const scalar_t>(), g.numel());
  });
  return out;
}

Tensor log_softmax_backward_fused(const Tensor& g, const Tensor& y, int64_t dim) {
  Tensor out = Tensor::empty(g.shape(), g.dtype());
  const Dims& s = g.shape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; d++) outer *= s[d];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(s.size()); d++) inner *= s[d];
  const int64_t L = s.empty() ? 1 : s[dim];
  TG_DISPATCH_FLOAT(g.dtype(), [&] {
    log_softmax_backward_typed(out.data<scalar_t>(), g.data<const scalar_t>(),
                               y.data<const scalar_t>(), outer, L, inner);
  });
  return out;
}

}  // namespace tg
