// softmax / log_softmax along one dim of a contiguous float tensor seen as
// [outer, len, inner], in the stable form:
//     m = max(x);  s = sum(exp(x - m));  softmax = exp(x - m) / s;  log_softmax = x - m - log(s)
// A row of all -inf (or holding +inf or NaN) gives NaN, as PyTorch's kernels do.
//   inner == 1: each row is contiguous (the common softmax over the last dim).
//   inner > 1:  rows of `inner` elements are processed together, reading memory in order.
// FP exceptions are never observed: let GCC turn float compare-and-select into vector
// blends (without this, comparisons that could trap on NaN stay branches).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include "fast_exp.h"
#include "parallel.h"
#include "reduce.h"
#include "reduce_engine.h"
#include "reduce_plan.h"
#include "reducers.h"

namespace tg {

namespace {

template <class T>
void softmax_rows(T* out, const T* in, int64_t O, int64_t L, bool log) {
  parallel_for(O, std::max<int64_t>(1, kReduceGrain / L), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; o++) {
      const T* x = in + o * L;
      T* y = out + o * L;
      red::MinMaxR<T, true> rmax;
      const T m = fold_run(rmax, rmax.template init<T>(), x, 1, L, red::NoCtx{});
      if (log) {
        const double s = fold_run(red::SumExpR<T>{}, 0.0, x, 1, L, static_cast<double>(m));
        const T shift = m + static_cast<T>(std::log(s));
        for (int64_t l = 0; l < L; l++) y[l] = x[l] - shift;
      } else {
        for (int64_t l = 0; l < L; l++) y[l] = exp_t<T>(x[l] - m);
        const T inv = static_cast<T>(1.0 / fold_run(red::SumR<T, T>{}, 0.0, y, 1, L, red::NoCtx{}));
        for (int64_t l = 0; l < L; l++) y[l] *= inv;
      }
    }
  });
}

template <class T>
void softmax_cols(T* out, const T* in, int64_t O, int64_t L, int64_t I, bool log) {
  const int64_t width = std::min(I, kVecWidth);
  const int64_t nj = (I + width - 1) / width;
  parallel_for(O * nj, std::max<int64_t>(1, kReduceGrain / (L * width)), [&](int64_t b, int64_t e) {
    std::vector<T> m(static_cast<size_t>(width));
    std::vector<double> s(static_cast<size_t>(width));
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / nj, j0 = (t % nj) * width, n = std::min(width, I - j0);
      const T* x = in + o * L * I + j0;
      T* y = out + o * L * I + j0;
      for (int64_t j = 0; j < n; j++) {
        m[j] = x[j];
        s[j] = 0;
      }
      for (int64_t l = 1; l < L; l++)
        for (int64_t j = 0; j < n; j++) {
          T v = x[l * I + j];
          m[j] = (v > m[j] || v != v) ? v : m[j];
        }
      for (int64_t l = 0; l < L; l++) {
        if (log) {
          for (int64_t j = 0; j < n; j++) s[j] += exp_t<T>(x[l * I + j] - m[j]);
        } else {
          for (int64_t j = 0; j < n; j++) {
            T ev = exp_t<T>(x[l * I + j] - m[j]);
            y[l * I + j] = ev;
            s[j] += ev;
          }
        }
      }
      if (log) {
        for (int64_t j = 0; j < n; j++) m[j] += static_cast<T>(std::log(s[j]));
        for (int64_t l = 0; l < L; l++)
          for (int64_t j = 0; j < n; j++) y[l * I + j] = x[l * I + j] - m[j];
      } else {
        for (int64_t j = 0; j < n; j++) s[j] = 1.0 / s[j];
        for (int64_t l = 0; l < L; l++)
          for (int64_t j = 0; j < n; j++) y[l * I + j] *= static_cast<T>(s[j]);
      }
    }
  });
}

}  // namespace

void softmax_kernel(const Tensor& out, const Tensor& a, int64_t dim, bool log) {
  DimSplit s = split_at(a.shape(), dim);
  if (s.outer * s.len * s.inner == 0) return;
  TG_DISPATCH_FLOAT(a.dtype(), [&] {
    if (s.inner == 1)
      softmax_rows(out.data<scalar_t>(), a.data<scalar_t>(), s.outer, s.len, log);
    else
      softmax_cols(out.data<scalar_t>(), a.data<scalar_t>(), s.outer, s.len, s.inner, log);
  });
}

}  // namespace tg
