// Deterministic random numbers: one mt19937 per thread, seeded by manual_seed.
// (The streams are tensorgrad's own; they do not reproduce PyTorch's numbers.)
#include <cmath>
#include <random>
#include "ops.h"
#include "../core/error.h"

namespace tg {
namespace ops {

namespace {
thread_local std::mt19937_64 t_gen(0x5eed);

double uniform01() { return (t_gen() >> 11) * (1.0 / 9007199254740992.0); }
}  // namespace

void manual_seed(uint64_t seed) { t_gen.seed(seed); }

Tensor rand(const Dims& shape, DType dt) {
  TG_CHECK(is_floating(dt), "\"check_uniform_bounds\" not implemented for '", dtype_short_name(dt), "'");
  Tensor t = Tensor::empty(shape, dt);
  int64_t n = t.numel();
  TG_DISPATCH_FLOAT(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < n; i++) p[i] = static_cast<scalar_t>(uniform01());
  });
  return t;
}

Tensor randn(const Dims& shape, DType dt) {
  TG_CHECK(is_floating(dt), "\"normal_kernel_cpu\" not implemented for '", dtype_short_name(dt), "'");
  Tensor t = Tensor::empty(shape, dt);
  int64_t n = t.numel();
  TG_DISPATCH_FLOAT(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    // Box-Muller, two values per pair of uniforms.
    for (int64_t i = 0; i < n; i += 2) {
      double u1 = 1.0 - uniform01(), u2 = uniform01();
      double r = std::sqrt(-2.0 * std::log(u1));
      p[i] = static_cast<scalar_t>(r * std::cos(2 * M_PI * u2));
      if (i + 1 < n) p[i + 1] = static_cast<scalar_t>(r * std::sin(2 * M_PI * u2));
    }
  });
  return t;
}

Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dt) {
  TG_CHECK(high > low, "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Tensor t = Tensor::empty(shape, dt);
  int64_t n = t.numel();
  uint64_t range = static_cast<uint64_t>(high - low);
  TG_DISPATCH_ALL(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < n; i++) p[i] = static_cast<scalar_t>(low + static_cast<int64_t>(t_gen() % range));
  });
  return t;
}

Tensor bernoulli_mask(const Dims& shape, double keep_prob, DType dt) {
  Tensor t = Tensor::empty(shape, dt);
  int64_t n = t.numel();
  TG_DISPATCH_ALL(dt, [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < n; i++) p[i] = static_cast<scalar_t>(uniform01() < keep_prob ? 1 : 0);
  });
  return t;
}

}  // namespace ops
}  // namespace tg
