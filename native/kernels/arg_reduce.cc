// argmax / argmin (and max(dim) / min(dim), which also return the values) along one dim of
// a contiguous tensor seen as [outer, len, inner].
//   inner == 1: each output scans a contiguous row; a single long row (argmax of a whole
//               tensor) is split across threads and the chunk winners merged in order.
//   inner > 1:  rows of `inner` elements are compared against a row of current winners,
//               so memory is read in order.
// Ties keep the first index (PyTorch's CPU kernels do); a NaN wins over every number and
// the first NaN wins over later ones (max and min both propagate NaN).
// FP exceptions are never observed: let GCC turn float compare-and-select into vector
// blends (without this, comparisons that could trap on NaN stay branches).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>
#include "parallel.h"
#include "reduce.h"
#include "reduce_engine.h"
#include "reduce_plan.h"
#include "reducers.h"

namespace tg {

namespace {

// Whether x (seen later) replaces the current winner w.
template <bool IsMax, class T>
inline bool beats(T x, T w) {
  if constexpr (std::is_floating_point<T>::value) {
    if (w != w) return false;
    return x != x || (IsMax ? x > w : x < w);
  } else {
    return IsMax ? x > w : x < w;
  }
}

template <class T, bool IsMax>
void arg_impl(T* values, int64_t* indices, const T* in, const DimSplit& s) {
  const int64_t O = s.outer, L = s.len, I = s.inner;
  if (O * I == 0 || L == 0) return;
  struct Best {
    T v;
    int64_t i;
  };
  // Scans row[b..e): the winning value with the vectorised fold, then its first position
  // (the first NaN when the winner is NaN).
  auto scan = [](const T* row, int64_t b, int64_t e) {
    red::MinMaxR<T, IsMax> r;
    using A = typename red::MinMaxR<T, IsMax>::acc_t;
    const T v = static_cast<T>(fold_run(r, r.template init<A>(), row + b, 1, e - b, red::NoCtx{}));
    int64_t l = b;
    if (v != v) {
      while (l < e && row[l] == row[l]) l++;
    } else {
      while (l < e && row[l] != v) l++;
    }
    return Best{v, l};
  };
  const int threads = get_num_threads();
  if (I == 1) {
    if (O >= threads || O * L < 2 * kReduceGrain) {
      parallel_for(O, std::max<int64_t>(1, kReduceGrain / L), [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; o++) {
          Best best = scan(in + o * L, 0, L);
          if (values) values[o] = best.v;
          indices[o] = best.i;
        }
      });
      return;
    }
    const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(threads, L / kReduceGrain));
    const int64_t per = (L + chunks - 1) / chunks;
    std::vector<Best> part(static_cast<size_t>(chunks));
    for (int64_t o = 0; o < O; o++) {
      const T* row = in + o * L;
      parallel_for(chunks, 1, [&](int64_t cb, int64_t ce) {
        for (int64_t c = cb; c < ce; c++) part[c] = scan(row, c * per, std::min(L, (c + 1) * per));
      });
      Best best = part[0];
      for (int64_t c = 1; c < chunks; c++)
        if (beats<IsMax>(part[c].v, best.v)) best = part[c];
      if (values) values[o] = best.v;
      indices[o] = best.i;
    }
    return;
  }
  // inner > 1: a row of winners per (outer, chunk of inner).
  const int64_t width = std::min(I, kVecWidth);
  const int64_t nj = (I + width - 1) / width;
  parallel_for(O * nj, std::max<int64_t>(1, kReduceGrain / std::max<int64_t>(1, L * width)), [&](int64_t b, int64_t e) {
    std::unique_ptr<T[]> bv(new T[width]);  // not std::vector: T may be bool
    std::unique_ptr<int64_t[]> bi(new int64_t[width]);
    for (int64_t t = b; t < e; t++) {
      const int64_t o = t / nj, j0 = (t % nj) * width, n = std::min(width, I - j0);
      const T* base = in + o * L * I + j0;
      for (int64_t j = 0; j < n; j++) {
        bv[j] = base[j];
        bi[j] = 0;
      }
      for (int64_t l = 1; l < L; l++) {
        const T* row = base + l * I;
        for (int64_t j = 0; j < n; j++) {
          const bool take = beats<IsMax>(row[j], bv[j]);  // selects, so the loop vectorises
          bv[j] = take ? row[j] : bv[j];
          bi[j] = take ? l : bi[j];
        }
      }
      for (int64_t j = 0; j < n; j++) {
        if (values) values[o * I + j0 + j] = bv[j];
        indices[o * I + j0 + j] = bi[j];
      }
    }
  });
}

}  // namespace

void arg_kernel(const Tensor* values, const Tensor& indices, const Tensor& a, int64_t dim, bool is_max) {
  DimSplit s = split_at(a.shape(), dim);
  TG_DISPATCH_ALL(a.dtype(), [&] {
    scalar_t* v = values ? values->data<scalar_t>() : nullptr;
    if (is_max)
      arg_impl<scalar_t, true>(v, indices.data<int64_t>(), a.data<scalar_t>(), s);
    else
      arg_impl<scalar_t, false>(v, indices.data<int64_t>(), a.data<scalar_t>(), s);
  });
}

}  // namespace tg
