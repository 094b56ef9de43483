// Extra elementwise kernels, scans and sorting: plain loops over contiguous memory, split
// across the thread pool when large.
#include "math_extra.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>
#include "parallel.h"
#include "../core/error.h"

namespace tg {

namespace {

template <class T, class F>
void map1(const Tensor& out, const Tensor& a, F f) {
  const T* x = a.data<T>();
  T* y = out.data<T>();
  parallel_for(out.numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) y[i] = f(x[i]);
  });
}

// erfinv: Giles' single-precision approximation refined by two Newton steps on erf (which
// brings it to double precision, as PyTorch's calc_erfinv does with its own start).
template <class T>
T erfinv(T y) {
  if (std::isnan(y) || y < -1 || y > 1) return std::numeric_limits<T>::quiet_NaN();
  if (y == 1) return std::numeric_limits<T>::infinity();
  if (y == -1) return -std::numeric_limits<T>::infinity();
  double yd = y;
  double w = -std::log((1.0 - yd) * (1.0 + yd)), x;
  if (w < 5.0) {
    w -= 2.5;
    double p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w; p = 1.50140941 + p * w;
    x = p * yd;
  } else {
    w = std::sqrt(w) - 3.0;
    double p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w; p = 2.83297682 + p * w;
    x = p * yd;
  }
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int it = 0; it < 2; it++) x -= (std::erf(x) - yd) / (two_over_sqrt_pi * std::exp(-x * x));
  return static_cast<T>(x);
}

template <class T>
void unary_float(UnaryExtra k, const Tensor& out, const Tensor& a) {
  switch (k) {
    case UnaryExtra::Floor: return map1<T>(out, a, [](T v) { return std::floor(v); });
    case UnaryExtra::Ceil: return map1<T>(out, a, [](T v) { return std::ceil(v); });
    case UnaryExtra::Round: return map1<T>(out, a, [](T v) { return std::nearbyint(v); });  // half to even
    case UnaryExtra::Trunc: return map1<T>(out, a, [](T v) { return std::trunc(v); });
    case UnaryExtra::Frac: return map1<T>(out, a, [](T v) { return v - std::trunc(v); });
    case UnaryExtra::Expm1: return map1<T>(out, a, [](T v) { return std::expm1(v); });
    case UnaryExtra::Exp2: return map1<T>(out, a, [](T v) { return std::exp2(v); });
    case UnaryExtra::Log2: return map1<T>(out, a, [](T v) { return std::log2(v); });
    case UnaryExtra::Log10: return map1<T>(out, a, [](T v) { return std::log10(v); });
    case UnaryExtra::Asin: return map1<T>(out, a, [](T v) { return std::asin(v); });
    case UnaryExtra::Acos: return map1<T>(out, a, [](T v) { return std::acos(v); });
    case UnaryExtra::Atan: return map1<T>(out, a, [](T v) { return std::atan(v); });
    case UnaryExtra::Sinh: return map1<T>(out, a, [](T v) { return std::sinh(v); });
    case UnaryExtra::Cosh: return map1<T>(out, a, [](T v) { return std::cosh(v); });
    case UnaryExtra::Erf: return map1<T>(out, a, [](T v) { return std::erf(v); });
    case UnaryExtra::Erfc: return map1<T>(out, a, [](T v) { return std::erfc(v); });
    case UnaryExtra::Erfinv: return map1<T>(out, a, [](T v) { return erfinv(v); });
  }
}

}  // namespace

void unary_extra_kernel(UnaryExtra k, const Tensor& out, const Tensor& a) {
  switch (a.dtype()) {
    case DType::Float32: return unary_float<float>(k, out, a);
    case DType::Float64: return unary_float<double>(k, out, a);
    default:  // integers: the rounding family is the identity
      std::copy(a.raw(), a.raw() + a.numel() * a.itemsize(), out.raw());
  }
}

void predicate_kernel(Predicate p, const Tensor& out, const Tensor& a) {
  bool* y = out.data<bool>();
  TG_DISPATCH_ALL(a.dtype(), [&] {
    const scalar_t* x = a.data<scalar_t>();
    parallel_for(out.numel(), kElementwiseGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) {
        double v = static_cast<double>(x[i]);
        switch (p) {
          case Predicate::IsNan: y[i] = std::isnan(v); break;
          case Predicate::IsInf: y[i] = std::isinf(v); break;
          case Predicate::IsFinite: y[i] = std::isfinite(v); break;
          case Predicate::LogicalNot: y[i] = v == 0; break;
        }
      }
    });
  });
}

namespace {

template <class T, class F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const T* x = a.data<T>();
  const T* z = b.data<T>();
  T* y = out.data<T>();
  const int64_t sa = a.numel() == 1 ? 0 : 1, sb = b.numel() == 1 ? 0 : 1;
  parallel_for(out.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) y[i] = f(x[i * sa], z[i * sb]);
  });
}

// Python's modulo: the result takes the divisor's sign.
template <class T>
T py_mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T m = std::fmod(a, b);
    if (m != 0 && ((b < 0) != (m < 0))) m += b;
    return m;
  } else {
    T m = a % b;
    if (m != 0 && ((b < 0) != (m < 0))) m += b;
    return m;
  }
}

// Python's floor division (PyTorch's div_floor).
template <class T>
T py_floordiv(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (b == 0) return a / b;
    T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
    T fl;
    if (div != 0) {
      fl = std::floor(div);
      if (div - fl > T(0.5)) fl += 1;
    } else {
      fl = std::copysign(T(0), a / b);
    }
    return fl;
  } else {
    T q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
  }
}

// C's fmod: the result takes the dividend's sign.
template <class T>
T c_fmod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);
  } else {
    return b == -1 ? T(0) : T(a % b);
  }
}

template <class T>
void check_no_zero(const Tensor& b) {
  const T* z = b.data<T>();
  for (int64_t i = 0; i < b.numel(); i++) TG_CHECK(z[i] != 0, "ZeroDivisionError");
}

}  // namespace

void binary_extra_kernel(BinaryExtra k, const Tensor& out, const Tensor& a, const Tensor& b) {
  if (k == BinaryExtra::LogicalAnd || k == BinaryExtra::LogicalOr || k == BinaryExtra::LogicalXor) {
    // Operands as bools (nonzero is true), each in its own dtype.
    auto truth = [](const Tensor& t) {
      std::vector<uint8_t> v(t.numel());
      TG_DISPATCH_ALL(t.dtype(), [&] {
        const scalar_t* x = t.data<scalar_t>();
        for (int64_t i = 0; i < t.numel(); i++) v[i] = x[i] != scalar_t(0);
      });
      return v;
    };
    std::vector<uint8_t> x = truth(a), z = truth(b);
    bool* y = out.data<bool>();
    const int64_t sa = a.numel() == 1 ? 0 : 1, sb = b.numel() == 1 ? 0 : 1;
    for (int64_t i = 0; i < out.numel(); i++) {
      bool p = x[i * sa], q = z[i * sb];
      y[i] = k == BinaryExtra::LogicalAnd ? (p && q) : k == BinaryExtra::LogicalOr ? (p || q) : (p != q);
    }
    return;
  }
  TG_DISPATCH_NUMERIC(out.dtype(), [&] {
    using T = scalar_t;
    if constexpr (!std::is_floating_point_v<T>) {
      if (k != BinaryExtra::Atan2) check_no_zero<T>(b);
    }
    switch (k) {
      case BinaryExtra::Atan2:
        map2<T>(out, a, b, [](T p, T q) { return static_cast<T>(std::atan2(p, q)); });
        break;
      case BinaryExtra::Fmod:
        map2<T>(out, a, b, [](T p, T q) { return c_fmod(p, q); });
        break;
      case BinaryExtra::Remainder:
        map2<T>(out, a, b, [](T p, T q) {
          if constexpr (!std::is_floating_point_v<T>) if (q == -1) return T(0);
          return py_mod(p, q);
        });
        break;
      case BinaryExtra::FloorDivide:
        map2<T>(out, a, b, [](T p, T q) {
          if constexpr (!std::is_floating_point_v<T>) if (q == -1) return T(T(0) - p);  // wraps like PyTorch
          return py_floordiv(p, q);
        });
        break;
      default: break;
    }
  });
}

// ---------------------------------------------------------------- scans
//
// A contiguous [outer, n, inner] block scanned along n: each step adds a whole inner row,
// so the inner loop runs over contiguous memory (and vectorizes) whatever the dim.
// Floats accumulate in double, as PyTorch's CPU cumsum/cumprod do (acc_type).

namespace {

template <class T, class Op>
void scan(const Tensor& out, const Tensor& a, int64_t outer, int64_t n, int64_t inner, double init, Op op) {
  using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, T>;
  const T* x = a.data<T>();
  T* y = out.data<T>();
  int64_t grain = std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n * inner, 1));
  if (inner == 1) {  // the scan runs along contiguous memory: one accumulator
    parallel_for(outer, grain, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; o++) {
        acc_t acc = static_cast<acc_t>(init);
        for (int64_t j = 0; j < n; j++) {
          acc = op(acc, static_cast<acc_t>(x[o * n + j]));
          y[o * n + j] = static_cast<T>(acc);
        }
      }
    });
    return;
  }
  parallel_for(outer, grain, [&](int64_t b, int64_t e) {
    std::vector<acc_t> acc(inner);
    for (int64_t o = b; o < e; o++) {
      std::fill(acc.begin(), acc.end(), static_cast<acc_t>(init));
      const T* xo = x + o * n * inner;
      T* yo = y + o * n * inner;
      for (int64_t j = 0; j < n; j++)
        for (int64_t k = 0; k < inner; k++) {
          acc[k] = op(acc[k], static_cast<acc_t>(xo[j * inner + k]));
          yo[j * inner + k] = static_cast<T>(acc[k]);
        }
    }
  });
}

}  // namespace

void cumsum_kernel(const Tensor& out, const Tensor& a, int64_t outer, int64_t n, int64_t inner) {
  TG_DISPATCH_NUMERIC(out.dtype(), [&] {
    scan<scalar_t>(out, a, outer, n, inner, 0, [](auto p, auto q) { return p + q; });
  });
}

void cumprod_kernel(const Tensor& out, const Tensor& a, int64_t outer, int64_t n, int64_t inner) {
  TG_DISPATCH_NUMERIC(out.dtype(), [&] {
    scan<scalar_t>(out, a, outer, n, inner, 1, [](auto p, auto q) { return p * q; });
  });
}

void cum_extreme_kernel(const Tensor& values, const Tensor& indices, const Tensor& a, int64_t outer, int64_t n,
                        int64_t inner, bool is_max) {
  TG_DISPATCH_ALL(a.dtype(), [&] {
    const scalar_t* x = a.data<scalar_t>();
    scalar_t* v = values.data<scalar_t>();
    int64_t* ix = indices.data<int64_t>();
    for (int64_t o = 0; o < outer; o++)
      for (int64_t k = 0; k < inner; k++) {
        const int64_t base = o * n * inner + k;
        scalar_t best = x[base];
        int64_t at = 0;
        for (int64_t j = 0; j < n; j++) {
          scalar_t cur = x[base + j * inner];
          // PyTorch's rule: a NaN always takes over (and keeps the lead); ties move to the later index.
          bool nan_cur = std::isnan(static_cast<double>(cur)), nan_best = std::isnan(static_cast<double>(best));
          if (nan_cur || (!nan_best && (is_max ? cur >= best : cur <= best))) {
            best = cur;
            at = j;
          }
          v[base + j * inner] = best;
          ix[base + j * inner] = at;
        }
      }
  });
}

void cumprod_grad_kernel(const Tensor& out, const Tensor& x, const Tensor& g, int64_t rows, int64_t n) {
  TG_DISPATCH_FLOAT(out.dtype(), [&] {
    const scalar_t* xs = x.data<scalar_t>();
    const scalar_t* gs = g.data<scalar_t>();
    scalar_t* o = out.data<scalar_t>();
    std::vector<double> S(n);
    for (int64_t r = 0; r < rows; r++) {
      const scalar_t* xr = xs + r * n;
      const scalar_t* gr = gs + r * n;
      // prefix = prod_{k < i} x_k; S_i = g_i + x_{i+1} S_{i+1} sums the rest of the chain.
      double prefix = 1, suffix = 0;
      for (int64_t i = n - 1; i >= 0; i--) {
        suffix = gr[i] + (i + 1 < n ? static_cast<double>(xr[i + 1]) * suffix : 0.0);
        S[i] = suffix;
      }
      for (int64_t i = 0; i < n; i++) {
        o[r * n + i] = static_cast<scalar_t>(prefix * S[i]);
        prefix *= xr[i];
      }
    }
  });
}

// ---------------------------------------------------------------- sorting

namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  return false;
}

// Sorts one row into (value, index) pairs: NaNs (the largest values) moved to the end (or
// the front when descending) in their original order, the rest stably sorted by value.
// k < n: only the first k need to be in place (partial sort). Pairs keep the comparisons
// on contiguous memory.
template <class T>
void sort_row(std::vector<std::pair<T, int64_t>>& row, const T* xr, int64_t n, bool descending, int64_t k) {
  for (int64_t i = 0; i < n; i++) row[i] = {xr[i], i};
  auto begin = row.begin(), end = row.end();
  if constexpr (std::is_floating_point_v<T>) {
    auto nan = [](const std::pair<T, int64_t>& p) { return std::isnan(p.first); };
    if (descending) begin = std::stable_partition(row.begin(), row.end(), nan);
    else end = std::stable_partition(row.begin(), row.end(), [&](const auto& p) { return !nan(p); });
  }
  auto less = [](const std::pair<T, int64_t>& p, const std::pair<T, int64_t>& q) { return p.first < q.first; };
  auto greater = [](const std::pair<T, int64_t>& p, const std::pair<T, int64_t>& q) { return p.first > q.first; };
  int64_t need = k - (begin - row.begin());  // still to place after leading NaNs
  if (need <= 0) return;
  if (k < n && need < end - begin) {
    if (descending) std::partial_sort(begin, begin + need, end, greater);
    else std::partial_sort(begin, begin + need, end, less);
  } else if (descending) {
    std::stable_sort(begin, end, greater);
  } else {
    std::stable_sort(begin, end, less);
  }
}

}  // namespace

void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& a, int64_t rows, int64_t n, bool descending,
                 int64_t k) {
  TG_DISPATCH_ALL(a.dtype(), [&] {
    const scalar_t* x = a.data<scalar_t>();
    scalar_t* v = values.data<scalar_t>();
    int64_t* ix = indices.data<int64_t>();
    parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      std::vector<std::pair<scalar_t, int64_t>> row(n);
      for (int64_t r = b; r < e; r++) {
        sort_row(row, x + r * n, n, descending, k);
        for (int64_t i = 0; i < k; i++) {
          v[r * k + i] = row[i].first;
          ix[r * k + i] = row[i].second;
        }
      }
    });
  });
}

void median_kernel(const Tensor& values, const Tensor& indices, const Tensor& a, int64_t rows, int64_t n) {
  TG_DISPATCH_ALL(a.dtype(), [&] {
    const scalar_t* x = a.data<scalar_t>();
    scalar_t* v = values.data<scalar_t>();
    int64_t* ix = indices.data<int64_t>();
    parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      std::vector<int64_t> order(n);
      for (int64_t r = b; r < e; r++) {
        const scalar_t* xr = x + r * n;
        // A NaN makes the median NaN: the first NaN, as a stable sort would place it.
        int64_t first_nan = -1;
        for (int64_t i = 0; i < n && first_nan < 0; i++)
          if (is_nan(xr[i])) first_nan = i;
        int64_t pick = first_nan;
        if (pick < 0) {
          std::iota(order.begin(), order.end(), 0);
          auto mid = order.begin() + (n - 1) / 2;
          // Ties broken by position, so the pick matches a stable sort's.
          std::nth_element(order.begin(), mid, order.end(), [&](int64_t i, int64_t j) {
            return xr[i] < xr[j] || (!(xr[j] < xr[i]) && i < j);
          });
          pick = *mid;
        }
        v[r] = xr[pick];
        ix[r] = pick;
      }
    });
  });
}

}  // namespace tg
