// Tensors made from nothing or from JS data.
#include <cmath>
#include <cstring>
#include <type_traits>
#include "ops.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"

namespace tg {
namespace ops {

Tensor scalar_tensor(Scalar s) {
  // An integral JS number outside int64's range cannot be a Python int; it acts as a float
  // (PyTorch would raise "Overflow when unpacking long").
  bool as_int = s.is_int && s.v >= -9223372036854775808.0 && s.v < 9223372036854775808.0;
  DType dt = s.is_bool ? DType::Bool : (as_int ? DType::Int64 : DType::Float64);
  Tensor t = Tensor::empty({}, dt);
  fill_kernel(t, s.v);
  t.impl()->wrapped_number = true;
  return t;
}

Tensor full(const Dims& shape, double v, DType dt) {
  Tensor t = Tensor::empty(shape, dt);
  fill_kernel(t, v);
  return t;
}

Tensor ones_like(const Tensor& t) { return full(t.shape(), 1, t.dtype()); }
Tensor zeros_like(const Tensor& t) { return Tensor::zeros(t.shape(), t.dtype()); }

Tensor arange(double start, double end, double step, DType dt) {
  TG_CHECK(step != 0, "step must be nonzero");
  TG_CHECK(std::isfinite(start) && std::isfinite(end), "unsupported range: ", start, " -> ", end);
  TG_CHECK((step > 0 && end >= start) || (step < 0 && end <= start),
           "upper bound and larger bound inconsistent with step sign");
  // As PyTorch: the count in double first, refused unless it fits int64 (a cast of a larger
  // double, or of the inf that end - start can reach, is undefined and used to wrap).
  double size_d = std::ceil((end - start) / step);
  // (2^63 itself, which is what int64's max rounds to as a double, is excluded.)
  TG_CHECK(size_d >= 0 && size_d < 9223372036854775808.0, "invalid size, possible overflow?");
  int64_t n = static_cast<int64_t>(size_d);
  Tensor t = Tensor::empty({n}, dt);
  TG_DISPATCH_ALL(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < n; i++) p[i] = static_cast<scalar_t>(start + step * static_cast<double>(i));
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dt) {
  TG_CHECK(steps >= 0, "number of steps must be non-negative");
  Tensor t = Tensor::empty({steps}, dt);
  int64_t half = steps / 2;
  TG_DISPATCH_ALL(dt, [&] {
    // PyTorch computes in the tensor's own float type (double for integer results), so the
    // float32 values match its last bit. The first half counts up from start, the second
    // half down from end.
    using step_t = typename std::conditional<std::is_floating_point<scalar_t>::value, scalar_t, double>::type;
    const step_t s0 = static_cast<step_t>(start), s1 = static_cast<step_t>(end);
    const step_t step = steps > 1 ? (s1 - s0) / static_cast<step_t>(steps - 1) : step_t(0);
    scalar_t* p = t.data<scalar_t>();
    // Reproduces PyTorch's CPU kernel bit for bit: its AVX2 build contracts a*b+c into fused
    // multiply-adds (so do we, with std::fma), and it fills whole blocks of two AVX2 vectors
    // at a time, each vector counting up from a base chosen by the block's first index; the
    // tail goes element by element. (Checked against torch 1.13 on float32 and float64.) (linspace(-10, 10, 7)[3] is 2.3842e-07 in PyTorch.)
    auto at = [&](int64_t i) -> step_t {
      return i < half ? std::fma(step, static_cast<step_t>(i), s0) : std::fma(-step, static_cast<step_t>(steps - i - 1), s1);
    };
    int64_t idx = 0;
    if (steps == 1) p[idx++] = static_cast<scalar_t>(s0);  // PyTorch fills with start
    if (std::is_floating_point<scalar_t>::value) {
      const int64_t vec = static_cast<int64_t>(32 / sizeof(scalar_t));
      for (int64_t block_end = 0; steps - idx >= 2 * vec || idx < block_end; idx += vec) {
        if (idx >= block_end) block_end = idx + 2 * vec;  // a block is two vectors
        const step_t base = at(idx);
        for (int64_t k = 0; k < vec; k++) {
          // Vectorized::arange rounds k * step before adding it (no fusion there): volatile
          // keeps a compiler that contracts a*b+c from fusing it for us.
          volatile step_t offset = static_cast<step_t>(k) * step;
          p[idx + k] = static_cast<scalar_t>(base + offset);
        }
      }
    }
    for (; idx < steps; idx++) p[idx] = static_cast<scalar_t>(at(idx));
  });
  return t;
}

Tensor eye(int64_t n, int64_t m, DType dt) {
  TG_CHECK_RANGE(n >= 0, "n must be greater or equal to 0, got ", n);
  TG_CHECK_RANGE(m >= 0, "m must be greater or equal to 0, got ", m);
  Tensor t = Tensor::zeros({n, m}, dt);
  TG_DISPATCH_ALL(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < std::min(n, m); i++) p[i * m + i] = static_cast<scalar_t>(1);
  });
  return t;
}

Tensor from_buffer(const void* data, const Dims& shape, DType src, DType dt) {
  Tensor raw = Tensor::empty(shape, src);
  if (raw.storage()->nbytes) std::memcpy(raw.raw(), data, raw.storage()->nbytes);
  if (src == dt) return raw;
  Tensor out = Tensor::empty(shape, dt);
  copy_kernel(out, raw);
  return out;
}

}  // namespace ops
}  // namespace tg
