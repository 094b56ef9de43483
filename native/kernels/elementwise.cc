#include "elementwise.h"
#include <cmath>
#include <type_traits>
#include "../core/error.h"
#include "../core/shape.h"
#include "loop.h"

namespace tg {

namespace {

// Runs f over a 3-operand strided loop (out, a, b) with a contiguous fast path.
template <class O, class A, class B, class F>
void loop3(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const Dims& shape = out.shape();
  StridedLoop<3> it(shape, {out.raw(), a.raw(), b.raw()},
                    {out.strides(), broadcast_strides(a, shape), broadcast_strides(b, shape)},
                    {int64_t(sizeof(O)), int64_t(sizeof(A)), int64_t(sizeof(B))});
  it.run([&](char** p, const int64_t* s, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const A* x = reinterpret_cast<const A*>(p[1]);
    const B* y = reinterpret_cast<const B*>(p[2]);
    if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == sizeof(B)) {
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == 0) {
      const B yv = *y;
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i], yv);
    } else if (s[0] == sizeof(O) && s[1] == 0 && s[2] == sizeof(B)) {
      const A xv = *x;
      for (int64_t i = 0; i < n; i++) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<O*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const A*>(p[1] + i * s[1]), *reinterpret_cast<const B*>(p[2] + i * s[2]));
    }
  });
}

template <class O, class A, class F>
void loop2(const Tensor& out, const Tensor& a, F f) {
  const Dims& shape = out.shape();
  StridedLoop<2> it(shape, {out.raw(), a.raw()}, {out.strides(), broadcast_strides(a, shape)},
                    {int64_t(sizeof(O)), int64_t(sizeof(A))});
  it.run([&](char** p, const int64_t* s, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const A* x = reinterpret_cast<const A*>(p[1]);
    if (s[0] == sizeof(O) && s[1] == sizeof(A)) {
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
    }
  });
}

template <class T>
T int_pow(T base, T exp) {
  if (exp < 0) return base == 1 ? 1 : (base == -1 ? (exp % 2 ? -1 : 1) : 0);
  T r = 1;
  while (exp) {
    if (exp & 1) r *= base;
    base *= base;
    exp >>= 1;
  }
  return r;
}

template <class T>
void binary_typed(BinaryKernel k, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  constexpr bool fp = std::is_floating_point<T>::value;
  switch (k) {
    case BinaryKernel::Add:
      if (alpha == 1) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(x + y); });
      else { T al = T(alpha); loop3<T, T, T>(out, a, b, [al](T x, T y) { return T(x + al * y); }); }
      return;
    case BinaryKernel::Sub:
      if (alpha == 1) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(x - y); });
      else { T al = T(alpha); loop3<T, T, T>(out, a, b, [al](T x, T y) { return T(x - al * y); }); }
      return;
    case BinaryKernel::Mul: loop3<T, T, T>(out, a, b, [](T x, T y) { return T(x * y); }); return;
    case BinaryKernel::Div:
      if constexpr (fp) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(x / y); });
      else TG_CHECK(false, "div of integer tensors must be computed in floating point");
      return;
    case BinaryKernel::Pow:
      if constexpr (fp) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(std::pow(x, y)); });
      else if constexpr (std::is_same<T, bool>::value) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(x || !y); });
      else loop3<T, T, T>(out, a, b, [](T x, T y) { return int_pow<T>(x, y); });
      return;
    case BinaryKernel::Maximum:
      loop3<T, T, T>(out, a, b, [](T x, T y) {
        if constexpr (fp) { if (x != x) return x; if (y != y) return y; }
        return x > y ? x : y;
      });
      return;
    case BinaryKernel::Minimum:
      loop3<T, T, T>(out, a, b, [](T x, T y) {
        if constexpr (fp) { if (x != x) return x; if (y != y) return y; }
        return x < y ? x : y;
      });
      return;
    case BinaryKernel::Eq: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x == y; }); return;
    case BinaryKernel::Ne: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x != y; }); return;
    case BinaryKernel::Lt: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x < y; }); return;
    case BinaryKernel::Le: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x <= y; }); return;
    case BinaryKernel::Gt: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x > y; }); return;
    case BinaryKernel::Ge: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x >= y; }); return;
  }
}

template <class T>
void unary_float(UnaryKernel k, const Tensor& out, const Tensor& a) {
  switch (k) {
    case UnaryKernel::Neg: loop2<T, T>(out, a, [](T x) { return -x; }); return;
    case UnaryKernel::Abs: loop2<T, T>(out, a, [](T x) { return std::abs(x); }); return;
    case UnaryKernel::Sqrt: loop2<T, T>(out, a, [](T x) { return std::sqrt(x); }); return;
    case UnaryKernel::Rsqrt: loop2<T, T>(out, a, [](T x) { return T(1) / std::sqrt(x); }); return;
    case UnaryKernel::Exp: loop2<T, T>(out, a, [](T x) { return std::exp(x); }); return;
    case UnaryKernel::Log: loop2<T, T>(out, a, [](T x) { return std::log(x); }); return;
    case UnaryKernel::Log1p: loop2<T, T>(out, a, [](T x) { return std::log1p(x); }); return;
    case UnaryKernel::Sin: loop2<T, T>(out, a, [](T x) { return std::sin(x); }); return;
    case UnaryKernel::Cos: loop2<T, T>(out, a, [](T x) { return std::cos(x); }); return;
    case UnaryKernel::Tan: loop2<T, T>(out, a, [](T x) { return std::tan(x); }); return;
    case UnaryKernel::Tanh: loop2<T, T>(out, a, [](T x) { return std::tanh(x); }); return;
    case UnaryKernel::Sigmoid: loop2<T, T>(out, a, [](T x) { return T(1) / (T(1) + std::exp(-x)); }); return;
    case UnaryKernel::Relu: loop2<T, T>(out, a, [](T x) { return x > 0 ? x : (x != x ? x : T(0)); }); return;
    case UnaryKernel::Square: loop2<T, T>(out, a, [](T x) { return x * x; }); return;
    case UnaryKernel::Reciprocal: loop2<T, T>(out, a, [](T x) { return T(1) / x; }); return;
    case UnaryKernel::Sign: loop2<T, T>(out, a, [](T x) { return T((x > 0) - (x < 0)); }); return;
    case UnaryKernel::Gelu:
      loop2<T, T>(out, a, [](T x) { return T(0.5) * x * (T(1) + std::erf(x * T(M_SQRT1_2))); });
      return;
    case UnaryKernel::GeluTanh:
      loop2<T, T>(out, a, [](T x) {
        const T k = T(0.7978845608028654);  // sqrt(2/pi)
        return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
      });
      return;
  }
}

template <class T>
void unary_int(UnaryKernel k, const Tensor& out, const Tensor& a) {
  switch (k) {
    case UnaryKernel::Neg: loop2<T, T>(out, a, [](T x) { return T(-x); }); return;
    case UnaryKernel::Abs: loop2<T, T>(out, a, [](T x) { return T(x < 0 ? -x : x); }); return;
    case UnaryKernel::Relu: loop2<T, T>(out, a, [](T x) { return T(x > 0 ? x : 0); }); return;
    case UnaryKernel::Square: loop2<T, T>(out, a, [](T x) { return T(x * x); }); return;
    case UnaryKernel::Sign: loop2<T, T>(out, a, [](T x) { return T((x > 0) - (x < 0)); }); return;
    default: TG_CHECK(false, "unary op not supported for integer tensors");
  }
}

}  // namespace

void binary_kernel(BinaryKernel k, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  TG_DISPATCH_ALL(a.dtype(), [&] { binary_typed<scalar_t>(k, out, a, b, alpha); });
}

void unary_kernel(UnaryKernel k, const Tensor& out, const Tensor& a) {
  switch (a.dtype()) {
    case DType::Float32: unary_float<float>(k, out, a); return;
    case DType::Float64: unary_float<double>(k, out, a); return;
    case DType::Int32: unary_int<int32_t>(k, out, a); return;
    case DType::Int64: unary_int<int64_t>(k, out, a); return;
    case DType::Bool:
      if (k == UnaryKernel::Abs || k == UnaryKernel::Relu || k == UnaryKernel::Square || k == UnaryKernel::Sign) {
        loop2<bool, bool>(out, a, [](bool x) { return x; });
        return;
      }
      TG_CHECK(false, "unary op not supported for bool tensors");
  }
}

void copy_kernel(const Tensor& dst, const Tensor& src) {
  TG_DISPATCH_ALL(dst.dtype(), [&] {
    using D = scalar_t;
    TG_DISPATCH_ALL(src.dtype(), [&] {
      using S = scalar_t;
      loop2<D, S>(dst, src, [](S x) { return static_cast<D>(x); });
    });
  });
}

void fill_kernel(const Tensor& dst, double v) {
  TG_DISPATCH_ALL(dst.dtype(), [&] {
    const scalar_t val = static_cast<scalar_t>(v);
    const Dims& shape = dst.shape();
    StridedLoop<1> it(shape, {dst.raw()}, {dst.strides()}, {int64_t(sizeof(scalar_t))});
    it.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; i++) *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) = val;
    });
  });
}

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Dims& shape = out.shape();
  TG_DISPATCH_ALL(out.dtype(), [&] {
    using T = scalar_t;
    StridedLoop<4> it(shape, {out.raw(), cond.raw(), a.raw(), b.raw()},
                      {out.strides(), broadcast_strides(cond, shape), broadcast_strides(a, shape),
                       broadcast_strides(b, shape)},
                      {int64_t(sizeof(T)), 1, int64_t(sizeof(T)), int64_t(sizeof(T))});
    it.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                     ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                     : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    });
  });
}

void clamp_kernel(const Tensor& out, const Tensor& a, bool has_lo, double lo, bool has_hi, double hi) {
  TG_DISPATCH_ALL(a.dtype(), [&] {
    using T = scalar_t;
    if constexpr (std::is_same<T, bool>::value) {
      TG_CHECK(false, "clamp is not supported for bool tensors");
    } else {
      const T l = has_lo ? T(lo) : T(0), h = has_hi ? T(hi) : T(0);
      loop2<T, T>(out, a, [=](T x) {
        if (x != x) return x;
        if (has_lo && x < l) x = l;
        if (has_hi && x > h) x = h;
        return x;
      });
    }
  });
}

}  // namespace tg
