// The folds of the reductions, as Reducers for reduce_engine.h (see the contract there).
// Shared by reduce.cc (sum, prod, amax/amin, norms, var, logsumexp), arg_reduce.cc and
// softmax.cc (row max and sums).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include "fast_exp.h"

namespace tg {
namespace red {

struct NoCtx {};

// Converts an element into an accumulator, going through int64 for integer accumulators
// (a float summed as int64 truncates first, as PyTorch casts the input first).
template <class A, class X>
A to_acc(X x) {
  if constexpr (std::is_integral<A>::value && !std::is_same<A, bool>::value)
    return static_cast<A>(static_cast<int64_t>(x));
  else
    return static_cast<A>(x);
}

template <class In, class Out>
using wide_t = std::conditional_t<std::is_floating_point<Out>::value, double, uint64_t>;

// Float32 in and out: fold in float lanes (vectorised), flushed into double.
template <class In, class Out, class Wide>
using lane_for = std::conditional_t<std::is_same<In, float>::value && std::is_same<Out, float>::value, float, Wide>;

template <class L>
constexpr int lanes_for() { return sizeof(L) <= 4 ? 16 : 8; }

// ---------------------------------------------------------------- sum, mean

// Integers accumulate in uint64 so that overflow wraps (as PyTorch's int64 does) without
// undefined behaviour.
template <class In, class Out>
struct SumR {
  using in_t = In;
  using out_t = Out;
  using acc_t = wide_t<In, Out>;
  using lane_t = lane_for<In, Out, acc_t>;
  using ctx_t = NoCtx;
  static constexpr int kLanes = lanes_for<lane_t>();
  // float32 in and out: contiguous runs may go to the SIMD sum (elementwise_simd.h).
  static constexpr bool kF32Sum = std::is_same<In, float>::value && std::is_same<Out, float>::value;
  double divisor = 1;

  ctx_t ctx(int64_t) const { return {}; }
  template <class A> A init() const { return A(0); }
  template <class A> A step(A a, In x, ctx_t) const { return a + to_acc<A>(x); }
  acc_t merge(acc_t a, acc_t b) const { return a + b; }
  Out finish(acc_t a, ctx_t) const {
    if constexpr (std::is_floating_point<Out>::value)
      return static_cast<Out>(divisor == 1 ? a : a / divisor);
    else if constexpr (std::is_same<Out, bool>::value)
      return a != 0;
    else
      return static_cast<Out>(static_cast<int64_t>(a));
  }
};

template <class In, class Out>
struct ProdR {
  using in_t = In;
  using out_t = Out;
  using acc_t = wide_t<In, Out>;
  using lane_t = acc_t;
  using ctx_t = NoCtx;
  static constexpr int kLanes = 8;

  ctx_t ctx(int64_t) const { return {}; }
  template <class A> A init() const { return A(1); }
  template <class A> A step(A a, In x, ctx_t) const { return a * to_acc<A>(x); }
  acc_t merge(acc_t a, acc_t b) const { return a * b; }
  Out finish(acc_t a, ctx_t) const {
    if constexpr (std::is_floating_point<Out>::value)
      return static_cast<Out>(a);
    else if constexpr (std::is_same<Out, bool>::value)
      return a != 0;
    else
      return static_cast<Out>(static_cast<int64_t>(a));
  }
};

// ---------------------------------------------------------------- amax, amin

// x wins over a when it is larger (smaller), or NaN: NaN propagates.
template <bool IsMax, class T>
inline bool wins(T x, T a) {
  if constexpr (std::is_floating_point<T>::value)
    return (IsMax ? x > a : x < a) || x != x;
  else
    return IsMax ? x > a : x < a;
}

template <class In, bool IsMax>
struct MinMaxR {
  using in_t = In;
  using out_t = In;
  using acc_t = std::conditional_t<std::is_same<In, bool>::value, uint8_t, In>;
  using lane_t = acc_t;
  using ctx_t = NoCtx;
  static constexpr int kLanes = lanes_for<lane_t>();

  ctx_t ctx(int64_t) const { return {}; }
  template <class A> A init() const {
    if constexpr (std::is_floating_point<A>::value)
      return IsMax ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
    else
      return IsMax ? std::numeric_limits<A>::lowest() : std::numeric_limits<A>::max();
  }
  template <class A> A step(A a, In x, ctx_t) const {
    A v = static_cast<A>(x);
    return wins<IsMax>(v, a) ? v : a;
  }
  acc_t merge(acc_t a, acc_t b) const { return wins<IsMax>(b, a) ? b : a; }
  In finish(acc_t a, ctx_t) const { return static_cast<In>(a); }

  // Floats: the contiguous loop uses a compare-and-select without the NaN test (it maps to
  // maxps/minps) and rescans the rare blocks that hold a NaN or an infinity.
  static constexpr bool kNanScan = std::is_floating_point<In>::value;
  template <class V> V fast_step(V a, V x) const { return (IsMax ? x > a : x < a) ? x : a; }
};

// ---------------------------------------------------------------- norms

enum class NormKind { L0, L1, L2, Lp, Inf, NegInf };

template <class In, NormKind K>
struct NormR {
  using in_t = In;
  using out_t = In;
  using acc_t = double;
  using lane_t = std::conditional_t<K == NormKind::Lp, double, In>;
  using ctx_t = NoCtx;
  static constexpr int kLanes = lanes_for<lane_t>();
  double p = 2;

  ctx_t ctx(int64_t) const { return {}; }
  template <class A> A init() const {
    if constexpr (K == NormKind::Inf) return A(0);  // |x| >= 0; an empty inf-norm is 0
    if constexpr (K == NormKind::NegInf) return std::numeric_limits<A>::infinity();
    return A(0);
  }
  template <class A> A step(A a, In x, ctx_t) const {
    A ax = std::abs(static_cast<A>(x));
    if constexpr (K == NormKind::L0) return a + A(x != 0);
    if constexpr (K == NormKind::L1) return a + ax;
    if constexpr (K == NormKind::L2) return a + ax * ax;
    if constexpr (K == NormKind::Lp) return a + std::pow(ax, A(p));
    if constexpr (K == NormKind::Inf) return wins<true>(ax, a) ? ax : a;
    if constexpr (K == NormKind::NegInf) return wins<false>(ax, a) ? ax : a;
    return a;
  }
  acc_t merge(acc_t a, acc_t b) const {
    if constexpr (K == NormKind::Inf) return wins<true>(b, a) ? b : a;
    if constexpr (K == NormKind::NegInf) return wins<false>(b, a) ? b : a;
    return a + b;
  }
  In finish(acc_t a, ctx_t) const {
    if constexpr (K == NormKind::L2) return static_cast<In>(std::sqrt(a));
    if constexpr (K == NormKind::Lp) return static_cast<In>(std::pow(a, 1.0 / p));
    return static_cast<In>(a);
  }
};

// ---------------------------------------------------------------- shifted folds

// Sum of squared deviations from a per-output mean (var's second pass).
template <class In>
struct SqDevR {
  using in_t = In;
  using out_t = In;
  using acc_t = double;
  using lane_t = In;
  using ctx_t = double;
  static constexpr int kLanes = lanes_for<lane_t>();
  const double* mean = nullptr;
  double divisor = 1;
  bool take_sqrt = false;

  ctx_t ctx(int64_t o) const { return mean[o]; }
  template <class A> A init() const { return A(0); }
  template <class A> A step(A a, In x, ctx_t m) const {
    A d = static_cast<A>(x) - static_cast<A>(m);
    return a + d * d;
  }
  acc_t merge(acc_t a, acc_t b) const { return a + b; }
  In finish(acc_t a, ctx_t) const {
    double v = a / divisor;
    return static_cast<In>(take_sqrt ? std::sqrt(v) : v);
  }
};

// Sum of exp(x - shift), finished as log(sum) + shift (logsumexp's second pass).
template <class In>
struct SumExpR {
  using in_t = In;
  using out_t = In;
  using acc_t = double;
  using lane_t = In;
  using ctx_t = double;
  static constexpr int kLanes = lanes_for<lane_t>();
  const double* shift = nullptr;

  ctx_t ctx(int64_t o) const { return shift[o]; }
  template <class A> A init() const { return A(0); }
  template <class A> A step(A a, In x, ctx_t s) const { return a + exp_t<A>(static_cast<A>(x) - static_cast<A>(s)); }
  acc_t merge(acc_t a, acc_t b) const { return a + b; }
  In finish(acc_t a, ctx_t s) const { return static_cast<In>(std::log(a) + s); }
};

}  // namespace red
}  // namespace tg
