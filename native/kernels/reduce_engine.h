// The one loop every fold-style reduction runs on (sum, mean, prod, amax/amin, norms, the
// passes of var and logsumexp). A kernel describes its fold as a Reducer and calls
// run_reduction(plan, reducer, in, out); this file does the walking and the threads.
//
// A Reducer R provides:
//   in_t, out_t, acc_t   element, output and accumulator types
//   lane_t, kLanes       the type and number of independent partial accumulators that the
//                        contiguous loop keeps, so that the compiler vectorises it; lane_t
//                        may be narrower than acc_t (float lanes for a float sum, flushed into
//                        the double accumulator every kLaneBlock elements)
//   ctx_t ctx(o)         a per-output value (e.g. the mean var subtracts); often empty
//   A init<A>()          the fold's identity, as accumulator type A (lane_t or acc_t)
//   A step<A>(A, in_t x, ctx_t)
//   acc_t merge(acc_t, acc_t)       combines partial folds (lanes, thread chunks)
//   out_t finish(acc_t, ctx_t)
//   kNanScan, fast_step(V a, V x)   optional (max/min of floats): a compare-and-select
//                        without NaN handling, on SIMD vectors of in_t; blocks holding a
//                        NaN or an infinity are folded again with the exact step
//
// Threads: many outputs are split across threads; a few long folds (a full sum) are each
// split into per-thread chunks whose partial accumulators are merged in order at the end.
// No tensor is made here (worker threads must not touch tensor bookkeeping).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>
#include "elementwise_simd.h"
#include "parallel.h"
#include "reduce_plan.h"

namespace tg {

constexpr int64_t kReduceGrain = 32768;  // elements of work below which a thread is not worth it
constexpr int64_t kLaneBlock = 1024;     // elements folded into narrow lanes before flushing
constexpr int64_t kVecWidth = 2048;      // vertical mode: accumulators per row chunk
constexpr int64_t kRowBlock = 64;        // vertical mode: rows folded into narrow lanes before flushing

template <class R, class = void>
struct has_f32_sum : std::false_type {};
template <class R>
struct has_f32_sum<R, std::void_t<decltype(R::kF32Sum)>> : std::integral_constant<bool, R::kF32Sum> {};

template <class R, class = void>
struct has_nan_scan : std::false_type {};
template <class R>
struct has_nan_scan<R, std::void_t<decltype(R::kNanScan)>> : std::integral_constant<bool, R::kNanScan> {};

#if defined(__GNUC__)
// A 16-byte SIMD vector of T (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64).
template <class T>
struct Simd {
  typedef T type __attribute__((vector_size(16)));
};
#endif

// The max/min fast path (reducers with kNanScan): folds whole blocks of p[i..n) with
// fast_step on SIMD vectors, checking each block for NaN or infinity (x - x is then NaN)
// and folding such blocks again with the exact step. Returns where it stopped.
template <class R>
int64_t fold_nan_scan(const R& r, typename R::acc_t& acc, const typename R::in_t* p, int64_t i, int64_t n,
                      typename R::ctx_t c) {
  using A = typename R::acc_t;
  using T = typename R::in_t;
#if defined(__GNUC__)
  using V = typename Simd<T>::type;
  constexpr int VL = 16 / sizeof(T);  // elements per vector
  constexpr int NV = 4;               // independent accumulators
  constexpr int BW = VL * NV;
  while (n - i >= BW) {
    V best[NV], check[NV];
    for (int k = 0; k < NV; k++) {
      best[k] = V{} + r.template init<T>();
      check[k] = V{};
    }
    const int64_t start = i, end = i + std::min<int64_t>(kLaneBlock, (n - i) / BW * BW);
    for (; i < end; i += BW)
      for (int k = 0; k < NV; k++) {
        V x;
        std::memcpy(&x, p + i + k * VL, sizeof x);
        best[k] = r.fast_step(best[k], x);
        check[k] += x - x;
      }
    T any = 0;
    for (int k = 0; k < NV; k++)
      for (int e = 0; e < VL; e++) any += check[k][e];
    if (any != any) {
      for (int64_t j = start; j < end; j++) acc = r.template step<A>(acc, p[j], c);
      continue;
    }
    for (int k = 0; k < NV; k++)
      for (int e = 0; e < VL; e++) acc = r.merge(acc, static_cast<A>(best[k][e]));
  }
#endif
  return i;
}

// Folds n elements p[0], p[stride], ... into acc.
template <class R>
typename R::acc_t fold_run(const R& r, typename R::acc_t acc, const typename R::in_t* p, int64_t stride, int64_t n,
                           typename R::ctx_t c) {
  using A = typename R::acc_t;
  using L = typename R::lane_t;
  constexpr int W = R::kLanes;
  if (stride != 1) {
    for (int64_t i = 0; i < n; i++) acc = r.template step<A>(acc, p[i * stride], c);
    return acc;
  }
  if constexpr (has_f32_sum<R>::value) {
    static const simd::SumF32 sum = simd::f32_kernels().sum;
    if (sum && n >= 64) return r.merge(acc, sum(p, n));
  }
  int64_t i = 0;
  if constexpr (has_nan_scan<R>::value) {
    i = fold_nan_scan(r, acc, p, i, n, c);
  } else {
    while (n - i >= W) {
      L lanes[W];
      for (int k = 0; k < W; k++) lanes[k] = r.template init<L>();
      const int64_t end = i + std::min<int64_t>(kLaneBlock, (n - i) / W * W);
      for (; i < end; i += W)
        for (int k = 0; k < W; k++) lanes[k] = r.template step<L>(lanes[k], p[i + k], c);
      A block = static_cast<A>(lanes[0]);
      for (int k = 1; k < W; k++) block = r.merge(block, static_cast<A>(lanes[k]));
      acc = r.merge(acc, block);
    }
  }
  for (; i < n; i++) acc = r.template step<A>(acc, p[i], c);
  return acc;
}

namespace detail {

// Inner mode: each output folds its own elements, the innermost reduced dim being the run.
template <class R>
void reduce_inner(const ReducePlan& p, const R& r, const typename R::in_t* in, typename R::out_t* out) {
  using A = typename R::acc_t;
  const int nk = static_cast<int>(p.keep_sizes.size());
  const int nr = static_cast<int>(p.red_sizes.size());
  const int64_t run = p.red_sizes[nr - 1], run_stride = p.red_in[nr - 1];
  const int64_t M = p.outputs, L = p.length;

  // Folds reduced positions [b, e) of the output whose first element is at in + base.
  auto fold_range = [&](int64_t base, int64_t b, int64_t e, typename R::ctx_t c) {
    OffsetWalker w(p.red_sizes.data(), p.red_in.data(), nullptr, nr - 1);
    w.seek(b / run);
    int64_t j = b % run;
    A acc = r.template init<A>();
    for (int64_t pos = b; pos < e;) {
      int64_t n = std::min(run - j, e - pos);
      acc = fold_run(r, acc, in + base + w.off0 + j * run_stride, run_stride, n, c);
      pos += n;
      j = 0;
      w.next();
    }
    return acc;
  };

  const int threads = get_num_threads();
  if (M >= threads || M * L < 2 * kReduceGrain) {
    parallel_for(M, std::max<int64_t>(1, kReduceGrain / L), [&](int64_t b, int64_t e) {
      OffsetWalker k(p.keep_sizes.data(), p.keep_in.data(), nullptr, nk);
      k.seek(b);
      int64_t o = b;
      if constexpr (has_f32_sum<R>::value) {
        // Float32 row sums, each row one contiguous run: 4 rows at a time in lockstep.
        static const simd::Sum4F32 sum4 = simd::f32_kernels().sum4;
        if (sum4 && nr == 1 && run_stride == 1 && L >= 64) {
          for (; o + 4 <= e; o += 4) {
            const typename R::in_t* rows[4];
            for (int q = 0; q < 4; q++, k.next()) rows[q] = in + k.off0;
            double s[4];
            sum4(rows, L, s);
            for (int q = 0; q < 4; q++) {
              typename R::ctx_t c = r.ctx(o + q);
              out[o + q] = r.finish(r.merge(r.template init<A>(), s[q]), c);
            }
          }
        }
      }
      for (; o < e; o++) {
        typename R::ctx_t c = r.ctx(o);
        out[o] = r.finish(fold_range(k.off0, 0, L, c), c);
        k.next();
      }
    });
    return;
  }
  // A few long folds: split each into chunks (several per thread, so that a late thread's
  // share is taken by the others), whose partial accumulators are merged in order.
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(4 * threads, L / kReduceGrain));
  const int64_t per = (L + chunks - 1) / chunks;
  std::vector<A> part(static_cast<size_t>(chunks));
  OffsetWalker k(p.keep_sizes.data(), p.keep_in.data(), nullptr, nk);
  k.seek(0);
  for (int64_t o = 0; o < M; o++) {
    typename R::ctx_t c = r.ctx(o);
    const int64_t base = k.off0;
    parallel_for(chunks, 1, [&](int64_t cb, int64_t ce) {
      for (int64_t ch = cb; ch < ce; ch++) part[ch] = fold_range(base, ch * per, std::min(L, (ch + 1) * per), c);
    });
    A acc = part[0];
    for (int64_t ch = 1; ch < chunks; ch++) acc = r.merge(acc, part[ch]);
    out[o] = r.finish(acc, c);
    k.next();
  }
}

// Vertical mode: rows of the input (one per reduced position) are folded into a row of
// accumulators along the vector dim, kVecWidth outputs at a time.
template <class R>
void reduce_vertical(const ReducePlan& p, const R& r, const typename R::in_t* in, typename R::out_t* out) {
  using A = typename R::acc_t;
  using C = typename R::ctx_t;
  const int v = p.vec;
  const int64_t V = p.keep_sizes[v], sv = p.keep_in[v], ov = p.keep_out[v];
  Dims osz, oin, oout;  // the other kept dims
  for (int d = 0; d < static_cast<int>(p.keep_sizes.size()); d++)
    if (d != v) {
      osz.push_back(p.keep_sizes[d]);
      oin.push_back(p.keep_in[d]);
      oout.push_back(p.keep_out[d]);
    }
  const int no = static_cast<int>(osz.size());
  const int nr = static_cast<int>(p.red_sizes.size());
  const int64_t outer = p.outputs / V, L = p.length;
  const int64_t width = std::min(V, kVecWidth);
  const int64_t nj = (V + width - 1) / width;
  const int64_t tasks = outer * nj;
  const int threads = get_num_threads();
  // Few row chunks but many rows: also split the rows, keeping partial accumulator rows.
  int64_t nl = 1;
  if (tasks < threads && outer * V * L >= 2 * kReduceGrain)
    nl = std::max<int64_t>(1, std::min<int64_t>(threads, L * width / kReduceGrain));
  const int64_t rows_per = (L + nl - 1) / nl;
  std::vector<A> part(nl > 1 ? static_cast<size_t>(tasks * nl * width) : 0);

  using Lt = typename R::lane_t;
  constexpr bool narrow = !std::is_same<Lt, A>::value;
  auto run_item = [&](int64_t item, A* acc, Lt* lane, C* ctx) {
    const int64_t task = item / nl, lc = item % nl;
    const int64_t oi = task / nj, j0 = (task % nj) * width;
    const int64_t n = std::min(width, V - j0);
    OffsetWalker ow(osz.data(), oin.data(), oout.data(), no);
    ow.seek(oi);
    const int64_t out0 = ow.off1 + j0 * ov;
    for (int64_t j = 0; j < n; j++) {
      acc[j] = r.template init<A>();
      ctx[j] = r.ctx(out0 + j * ov);
    }
    const int64_t l0 = lc * rows_per, l1 = std::min(L, l0 + rows_per);
    OffsetWalker w(p.red_sizes.data(), p.red_in.data(), nullptr, nr);
    w.seek(l0);
    if constexpr (narrow) {
      // Fold blocks of rows into float lanes, flushing each block into the wide row.
      for (int64_t lb = l0; lb < l1; lb += kRowBlock) {
        const int64_t le = std::min(l1, lb + kRowBlock);
        for (int64_t j = 0; j < n; j++) lane[j] = r.template init<Lt>();
        for (int64_t l = lb; l < le; l++) {
          const typename R::in_t* row = in + ow.off0 + w.off0 + j0 * sv;
          if (sv == 1) {
            for (int64_t j = 0; j < n; j++) lane[j] = r.template step<Lt>(lane[j], row[j], ctx[j]);
          } else {
            for (int64_t j = 0; j < n; j++) lane[j] = r.template step<Lt>(lane[j], row[j * sv], ctx[j]);
          }
          w.next();
        }
        for (int64_t j = 0; j < n; j++) acc[j] = r.merge(acc[j], static_cast<A>(lane[j]));
      }
    } else {
      for (int64_t l = l0; l < l1; l++) {
        const typename R::in_t* row = in + ow.off0 + w.off0 + j0 * sv;
        if (sv == 1) {
          for (int64_t j = 0; j < n; j++) acc[j] = r.template step<A>(acc[j], row[j], ctx[j]);
        } else {
          for (int64_t j = 0; j < n; j++) acc[j] = r.template step<A>(acc[j], row[j * sv], ctx[j]);
        }
        w.next();
      }
    }
    if (nl == 1) {
      for (int64_t j = 0; j < n; j++) out[out0 + j * ov] = r.finish(acc[j], ctx[j]);
    } else {
      std::copy(acc, acc + n, part.data() + item * width);
    }
  };

  const int64_t items = tasks * nl;
  const int64_t work = std::max<int64_t>(1, rows_per * width);
  parallel_for(items, std::max<int64_t>(1, kReduceGrain / work), [&](int64_t b, int64_t e) {
    std::vector<A> acc(static_cast<size_t>(width));
    std::vector<Lt> lane(narrow ? static_cast<size_t>(width) : 0);
    std::vector<C> ctx(static_cast<size_t>(width));
    for (int64_t it = b; it < e; it++) run_item(it, acc.data(), lane.data(), ctx.data());
  });
  if (nl == 1) return;
  for (int64_t task = 0; task < tasks; task++) {
    const int64_t oi = task / nj, j0 = (task % nj) * width;
    const int64_t n = std::min(width, V - j0);
    OffsetWalker ow(osz.data(), oin.data(), oout.data(), no);
    ow.seek(oi);
    const int64_t out0 = ow.off1 + j0 * ov;
    for (int64_t j = 0; j < n; j++) {
      A acc = part[(task * nl) * width + j];
      for (int64_t lc = 1; lc < nl; lc++) acc = r.merge(acc, part[(task * nl + lc) * width + j]);
      out[out0 + j * ov] = r.finish(acc, r.ctx(out0 + j * ov));
    }
  }
}

}  // namespace detail

// Runs the fold described by `r` over `plan`: in points at the input's first element,
// out at a contiguous output of plan.outputs elements (keepdim layout).
template <class R>
void run_reduction(const ReducePlan& plan, const R& r, const typename R::in_t* in, typename R::out_t* out) {
  if (plan.outputs == 0) return;
  if (plan.length == 0) {
    for (int64_t o = 0; o < plan.outputs; o++) {
      typename R::ctx_t c = r.ctx(o);
      out[o] = r.finish(r.template init<typename R::acc_t>(), c);
    }
    return;
  }
  if (plan.vec >= 0)
    detail::reduce_vertical(plan, r, in, out);
  else
    detail::reduce_inner(plan, r, in, out);
}

}  // namespace tg
