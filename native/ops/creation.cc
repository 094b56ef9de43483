// Tensors made from nothing or from JS data.
#include <cmath>
#include <cstring>
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
  int64_t n = static_cast<int64_t>(std::ceil((end - start) / step));
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
  double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0;
  int64_t half = steps / 2;
  TG_DISPATCH_ALL(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    // Like PyTorch: the first half counts up from start, the second half down from end.
    for (int64_t i = 0; i < steps; i++)
      p[i] = static_cast<scalar_t>(i < half ? start + step * static_cast<double>(i)
                                            : end - step * static_cast<double>(steps - i - 1));
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
