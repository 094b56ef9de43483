#include "elementwise.h"
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include "../core/error.h"
#include "../core/shape.h"
#include "elementwise_simd.h"
#include "loop.h"

namespace tg {

namespace {

// ---------------------------------------------------------------- loops
//
// Each loop hands the lambda one element at a time; the all-contiguous branch (and the
// one-operand-broadcast branches of loop3) are tight loops that GCC vectorises.

// simd (float32 only): a kernel from elementwise_simd.h that computes f on the contiguous
// and one-side-broadcast runs, with streaming stores when the output is huge.
template <class O, class A, class B, class F>
void loop3(const Tensor& out, const Tensor& a, const Tensor& b, F f, simd::BinaryF32 simd = nullptr) {
  const Dims& shape = out.shape();
  const std::array<int64_t, 3> sizes{int64_t(sizeof(O)), int64_t(sizeof(A)), int64_t(sizeof(B))};
  const bool nt = simd && out.numel() * int64_t(sizeof(O)) >= simd::stream_min_bytes();
  auto body = [&](char** p, const int64_t* s, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const A* x = reinterpret_cast<const A*>(p[1]);
    const B* y = reinterpret_cast<const B*>(p[2]);
    if constexpr (std::is_same<O, float>::value && std::is_same<A, float>::value && std::is_same<B, float>::value) {
      if (simd && s[0] == 4) {
        if (s[1] == 4 && s[2] == 4) return simd(o, x, y, n, 0, nt);
        if (s[1] == 4 && s[2] == 0) return simd(o, x, y, n, 1, nt);
        if (s[1] == 0 && s[2] == 4) return simd(o, x, y, n, 2, nt);
      }
    }
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
  };
  if (run_flat<3>(shape, {&out, &a, &b}, sizes, body)) return;
  StridedLoop<3> it(shape, {out.raw(), a.raw(), b.raw()},
                    {out.strides(), broadcast_strides(a, shape), broadcast_strides(b, shape)}, sizes);
  it.run(body);
}

template <class O, class A, class F>
void loop2(const Tensor& out, const Tensor& a, F f) {
  const Dims& shape = out.shape();
  const std::array<int64_t, 2> sizes{int64_t(sizeof(O)), int64_t(sizeof(A))};
  auto body = [&](char** p, const int64_t* s, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const A* x = reinterpret_cast<const A*>(p[1]);
    if (s[0] == sizeof(O) && s[1] == sizeof(A)) {
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i]);
    } else {
      for (int64_t i = 0; i < n; i++)
        *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
    }
  };
  if (run_flat<2>(shape, {&out, &a}, sizes, body)) return;
  StridedLoop<2> it(shape, {out.raw(), a.raw()}, {out.strides(), broadcast_strides(a, shape)}, sizes);
  it.run(body);
}

// A float32 unary op given as an array function (the SIMD kernels). Strided runs are
// gathered into small blocks, so every layout computes exactly the same values.
void loop2_f32_block(const Tensor& out, const Tensor& a, simd::UnaryF32 fn, simd::UnaryF32 stream_fn = nullptr) {
  const Dims& shape = out.shape();
  // A huge output: its contiguous runs are written with streaming stores (same values).
  const simd::UnaryF32 run_fn = stream_fn && out.numel() * 4 >= simd::stream_min_bytes() ? stream_fn : fn;
  auto body = [&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == 4 && s[1] == 4) {
      run_fn(reinterpret_cast<float*>(p[0]), reinterpret_cast<const float*>(p[1]), n);
      return;
    }
    constexpr int64_t kBlock = 256;
    float in[kBlock], res[kBlock];
    for (int64_t i = 0; i < n; i += kBlock) {
      int64_t m = std::min(kBlock, n - i);
      for (int64_t j = 0; j < m; j++) in[j] = *reinterpret_cast<const float*>(p[1] + (i + j) * s[1]);
      fn(res, in, m);
      for (int64_t j = 0; j < m; j++) *reinterpret_cast<float*>(p[0] + (i + j) * s[0]) = res[j];
    }
  };
  if (run_flat<2>(shape, {&out, &a}, {4, 4}, body)) return;
  StridedLoop<2> it(shape, {out.raw(), a.raw()}, {out.strides(), broadcast_strides(a, shape)}, {4, 4});
  it.run(body);
}

// ---------------------------------------------------------------- scalar helpers

template <class T>
constexpr bool kIsInt = std::is_integral<T>::value && !std::is_same<T, bool>::value;

// A double converted to T without undefined behaviour: integers go through int64 (saturating,
// NaN to 0) and then wrap to the narrower type, as PyTorch's int64 -> int32 casts do.
template <class T>
T from_double(double v) {
  if constexpr (std::is_same<T, bool>::value) {
    return v != 0;
  } else if constexpr (kIsInt<T>) {
    int64_t i;
    if (v != v) i = 0;
    else if (v >= 9223372036854775807.0) i = std::numeric_limits<int64_t>::max();
    else if (v <= -9223372036854775808.0) i = std::numeric_limits<int64_t>::min();
    else i = static_cast<int64_t>(v);
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(static_cast<uint64_t>(i)));
  } else {
    return static_cast<T>(v);
  }
}

// Integer +, -, * that wrap around (two's complement) instead of overflowing (which C++
// leaves undefined); other types use the plain operators.
template <class T>
T wadd(T a, T b) {
  if constexpr (kIsInt<T>) return T(std::make_unsigned_t<T>(a) + std::make_unsigned_t<T>(b));
  else return T(a + b);
}
template <class T>
T wsub(T a, T b) {
  if constexpr (kIsInt<T>) return T(std::make_unsigned_t<T>(a) - std::make_unsigned_t<T>(b));
  else return T(a - b);
}
template <class T>
T wmul(T a, T b) {
  if constexpr (kIsInt<T>) return T(std::make_unsigned_t<T>(a) * std::make_unsigned_t<T>(b));
  else if constexpr (std::is_same<T, bool>::value) return a && b;
  else return a * b;
}

// PyTorch's integer pow: negative exponents give 0 except for bases 1 and -1.
template <class T>
T int_pow(T base, T exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp % 2) ? T(-1) : T(1);
    return 0;
  }
  T r = 1;
  while (exp) {
    if (exp & 1) r = wmul(r, base);
    base = wmul(base, base);
    exp >>= 1;
  }
  return r;
}

// std::max / std::min as PyTorch's scalar kernels use them, with NaN propagated.
template <class T>
T max_nan(T x, T y) {
  if constexpr (std::is_floating_point<T>::value) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return x < y ? y : x;
}
template <class T>
T min_nan(T x, T y) {
  if constexpr (std::is_floating_point<T>::value) {
    if (x != x) return x;
    if (y != y) return y;
  }
  return y < x ? y : x;
}

// ---------------------------------------------------------------- binary

simd::BinaryF32 simd_binary_f32(BinaryKernel k, double alpha) {
  const simd::F32Kernels& s = simd::f32_kernels();
  switch (k) {
    case BinaryKernel::Add: return alpha == 1 ? s.add : nullptr;
    case BinaryKernel::Sub: return alpha == 1 ? s.sub : nullptr;
    case BinaryKernel::Mul: return s.mul;
    case BinaryKernel::Div: return s.div;
    default: return nullptr;
  }
}

template <class T>
void binary_typed(BinaryKernel k, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  constexpr bool fp = std::is_floating_point<T>::value;
  if constexpr (std::is_same<T, float>::value) {
    // +, -, *, / of float32 on SIMD kernels where they exist (same bits as the loops).
    if (simd::BinaryF32 fn = simd_binary_f32(k, alpha)) {
      switch (k) {
        case BinaryKernel::Add: return loop3<T, T, T>(out, a, b, [](T x, T y) { return x + y; }, fn);
        case BinaryKernel::Sub: return loop3<T, T, T>(out, a, b, [](T x, T y) { return x - y; }, fn);
        case BinaryKernel::Mul: return loop3<T, T, T>(out, a, b, [](T x, T y) { return x * y; }, fn);
        default: return loop3<T, T, T>(out, a, b, [](T x, T y) { return x / y; }, fn);
      }
    }
  }
  const T al = from_double<T>(alpha);
  switch (k) {
    case BinaryKernel::Add:
      if (alpha == 1) loop3<T, T, T>(out, a, b, [](T x, T y) { return wadd(x, y); });
      else loop3<T, T, T>(out, a, b, [al](T x, T y) { return wadd(x, wmul(al, y)); });
      return;
    case BinaryKernel::Sub:
      if (alpha == 1) loop3<T, T, T>(out, a, b, [](T x, T y) { return wsub(x, y); });
      else loop3<T, T, T>(out, a, b, [al](T x, T y) { return wsub(x, wmul(al, y)); });
      return;
    case BinaryKernel::Mul: loop3<T, T, T>(out, a, b, [](T x, T y) { return wmul(x, y); }); return;
    case BinaryKernel::Div:
      if constexpr (fp) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(x / y); });
      else TG_CHECK(false, "internal: integer division must be computed in floating point");
      return;
    case BinaryKernel::Pow:
      if constexpr (fp) loop3<T, T, T>(out, a, b, [](T x, T y) { return T(std::pow(x, y)); });
      else if constexpr (std::is_same<T, bool>::value) TG_CHECK(false, "\"pow\" not implemented for 'Bool'");
      else loop3<T, T, T>(out, a, b, [](T x, T y) { return int_pow<T>(x, y); });
      return;
    case BinaryKernel::Maximum: loop3<T, T, T>(out, a, b, [](T x, T y) { return max_nan(x, y); }); return;
    case BinaryKernel::Minimum: loop3<T, T, T>(out, a, b, [](T x, T y) { return min_nan(x, y); }); return;
    case BinaryKernel::Eq: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x == y; }); return;
    case BinaryKernel::Ne: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x != y; }); return;
    case BinaryKernel::Lt: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x < y; }); return;
    case BinaryKernel::Le: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x <= y; }); return;
    case BinaryKernel::Gt: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x > y; }); return;
    case BinaryKernel::Ge: loop3<bool, T, T>(out, a, b, [](T x, T y) { return x >= y; }); return;
  }
}

// ---------------------------------------------------------------- unary

// The float32 kernels with a SIMD implementation; null for the others.
simd::UnaryF32 simd_f32(UnaryKernel k) {
  const simd::F32Kernels& s = simd::f32_kernels();
  switch (k) {
    case UnaryKernel::Exp: return s.exp;
    case UnaryKernel::Log: return s.log;
    case UnaryKernel::Tanh: return s.tanh;
    case UnaryKernel::Sigmoid: return s.sigmoid;
    default: return nullptr;
  }
}

template <class T>
void unary_float(UnaryKernel k, const Tensor& out, const Tensor& a) {
  if constexpr (std::is_same<T, float>::value) {
    if (simd::UnaryF32 fn = simd_f32(k))
      return loop2_f32_block(out, a, fn, k == UnaryKernel::Exp ? simd::f32_kernels().exp_stream : nullptr);
  }
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
    // clamp_min(x, 0): keeps NaN and -0, as PyTorch's relu does.
    case UnaryKernel::Relu: loop2<T, T>(out, a, [](T x) { return x < T(0) ? T(0) : x; }); return;
    case UnaryKernel::Square: loop2<T, T>(out, a, [](T x) { return x * x; }); return;
    case UnaryKernel::Reciprocal: loop2<T, T>(out, a, [](T x) { return T(1) / x; }); return;
    // sign(NaN) = 0 and sign(-0) = +0, as PyTorch computes it.
    case UnaryKernel::Sign: loop2<T, T>(out, a, [](T x) { return T((T(0) < x) - (x < T(0))); }); return;
    case UnaryKernel::Gelu:
      loop2<T, T>(out, a, [](T x) { return x * T(0.5) * (T(1) + std::erf(x * T(M_SQRT1_2))); });
      return;
    case UnaryKernel::GeluTanh:
      loop2<T, T>(out, a, [](T x) {
        const T beta = T(M_SQRT2 * M_2_SQRTPI * 0.5), kappa = T(0.044715);
        return T(0.5) * x * (T(1) + std::tanh(beta * (x + kappa * x * x * x)));
      });
      return;
  }
}

template <class T>
void unary_int(UnaryKernel k, const Tensor& out, const Tensor& a) {
  switch (k) {
    case UnaryKernel::Neg: loop2<T, T>(out, a, [](T x) { return wsub(T(0), x); }); return;
    case UnaryKernel::Abs: loop2<T, T>(out, a, [](T x) { return x < 0 ? wsub(T(0), x) : x; }); return;
    case UnaryKernel::Relu: loop2<T, T>(out, a, [](T x) { return x < 0 ? T(0) : x; }); return;
    case UnaryKernel::Square: loop2<T, T>(out, a, [](T x) { return wmul(x, x); }); return;
    case UnaryKernel::Sign: loop2<T, T>(out, a, [](T x) { return T((x > 0) - (x < 0)); }); return;
    default: TG_CHECK(false, "internal: unary kernel needs a floating point input");
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
      // sign and relu of a bool are the identity; the op layer rejects the rest.
      TG_CHECK(k == UnaryKernel::Sign || k == UnaryKernel::Relu, "internal: unary kernel on a bool tensor");
      loop2<bool, bool>(out, a, [](bool x) { return x; });
      return;
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
    const scalar_t val = from_double<scalar_t>(v);
    const Dims& shape = dst.shape();
    auto body = [&](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(scalar_t)) {
        scalar_t* o = reinterpret_cast<scalar_t*>(p[0]);
        for (int64_t i = 0; i < n; i++) o[i] = val;
      } else {
        for (int64_t i = 0; i < n; i++) *reinterpret_cast<scalar_t*>(p[0] + i * s[0]) = val;
      }
    };
    if (run_flat<1>(shape, {&dst}, {int64_t(sizeof(scalar_t))}, body)) return;
    StridedLoop<1> it(shape, {dst.raw()}, {dst.strides()}, {int64_t(sizeof(scalar_t))});
    it.run(body);
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
      if (s[0] == sizeof(T) && s[1] == 1 && s[2] == sizeof(T) && s[3] == sizeof(T)) {
        T* o = reinterpret_cast<T*>(p[0]);
        const bool* c = reinterpret_cast<const bool*>(p[1]);
        const T* x = reinterpret_cast<const T*>(p[2]);
        const T* y = reinterpret_cast<const T*>(p[3]);
        for (int64_t i = 0; i < n; i++) o[i] = c[i] ? x[i] : y[i];
        return;
      }
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
      TG_CHECK(false, "\"clamp_scalar_cpu\" not implemented for 'Bool'");
    } else {
      if (has_lo && has_hi && (lo != lo || hi != hi)) {
        // PyTorch fills the result with NaN when one of two bounds is NaN; a single NaN bound
        // compares false everywhere below and leaves x as it is (as PyTorch's kernels do).
        loop2<T, T>(out, a, [](T) { return std::numeric_limits<T>::quiet_NaN(); });
        return;
      }
      const T l = has_lo ? from_double<T>(lo) : T(0), h = has_hi ? from_double<T>(hi) : T(0);
      // std::min(std::max(x, lo), hi): a NaN x stays NaN, and lo > hi gives hi.
      if (has_lo && has_hi) loop2<T, T>(out, a, [=](T x) { T m = x < l ? l : x; return h < m ? h : m; });
      else if (has_lo) loop2<T, T>(out, a, [=](T x) { return x < l ? l : x; });
      else loop2<T, T>(out, a, [=](T x) { return h < x ? h : x; });
    }
  });
}

}  // namespace tg
