// Random numbers that are PyTorch's, number for number: torch.manual_seed(s) followed by the
// same calls gives the same tensors as PyTorch 1.13 on the CPU.
//
// PyTorch's CPU generator is a 32-bit mt19937 seeded with the low 32 bits of the seed;
// random64() joins two draws (first one high). Each distribution below follows ATen's
// (DistributionsHelper.h, DistributionTemplates.h): the order of draws, the bits kept, and
// the float arithmetic, which depends on the CPU capability ATen dispatches to on this
// machine (as ATEN_CPU_CAPABILITY can also force):
//   - default: plain float arithmetic, the C library's logf / cosf / sinf;
//   - avx2: uniform_ fuses its multiply-add (FMA), and float randn of 16+ elements uses
//     vectorised Cephes approximations of log and sincos (avx_mathfun), emulated here lane
//     by lane (about 1 value in 1,000 then differs from PyTorch in the last bit);
//   - avx512: FMA, and the C library's functions again.
// This file must not let the compiler fuse multiply-adds by itself.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include "ops.h"
#include "../core/error.h"

namespace tg {
namespace ops {

namespace {

constexpr double kPi = 3.14159265358979323846;

enum class AtenCap { Default, Avx2, Avx512 };

// The capability ATen 1.13 picks on this CPU (AVX-512 needs VL/BW/DQ and FMA), lowered by
// ATEN_CPU_CAPABILITY when set, as ATen does.
AtenCap detect_cap() {
  AtenCap best = AtenCap::Default;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
    best = AtenCap::Avx512;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    best = AtenCap::Avx2;
#endif
  const char* env = std::getenv("ATEN_CPU_CAPABILITY");
  if (env && std::strcmp(env, "default") == 0) return AtenCap::Default;
  if (env && std::strcmp(env, "avx2") == 0 && best == AtenCap::Avx512) return AtenCap::Avx2;
  return best;
}
AtenCap cap() {
  static const AtenCap c = detect_cap();
  return c;
}
// x * a + b, fused exactly where ATen's build for this capability fuses it.
float madd(float x, float a, float b) { return cap() == AtenCap::Default ? x * a + b : std::fma(x, a, b); }
double madd(double x, double a, double b) { return cap() == AtenCap::Default ? x * a + b : std::fma(x, a, b); }

uint64_t os_seed() { return std::random_device{}() | (static_cast<uint64_t>(std::random_device{}()) << 32); }

GeneratorState seeded(uint64_t seed) {
  GeneratorState g;
  generator_seed(g, seed);
  return g;
}

// The thread's default generator (random per process until manual_seed, as PyTorch's), and
// the generator ops draw from: the default, or a torch.Generator's for one call.
thread_local GeneratorState t_default = seeded(os_seed());
thread_local GeneratorState* t_current = &t_default;

// Standard mt19937 (Matsumoto & Nishimura), the engine of ATen's CPUGeneratorImpl.
uint32_t mt_next(GeneratorState& g) {
  constexpr int N = 624, M = 397;
  if (g.index >= N) {
    for (int i = 0; i < N; i++) {
      uint32_t y = (g.mt[i] & 0x80000000u) | (g.mt[(i + 1) % N] & 0x7fffffffu);
      g.mt[i] = g.mt[(i + M) % N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    g.index = 0;
  }
  uint32_t y = g.mt[g.index++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

struct Draw {
  GeneratorState& g() { return *t_current; }
  uint32_t random() { return mt_next(*t_current); }
  // ATen's random64: two draws, the first one high.
  uint64_t random64() {
    uint64_t hi = random();
    uint64_t lo = random();
    return (hi << 32) | lo;
  }
} gen;

// Makes `g` (when given) the generator of this thread's draws for one op.
class UseGenerator {
 public:
  explicit UseGenerator(GeneratorState* g) : prev_(t_current) {
    if (g) t_current = g;
  }
  ~UseGenerator() { t_current = prev_; }
  UseGenerator(const UseGenerator&) = delete;
  UseGenerator& operator=(const UseGenerator&) = delete;

 private:
  GeneratorState* prev_;
};

// uniform_real_distribution: the low 24 (float) or 53 (double) bits of one draw, in [0, 1).
float uniform01_f() { return static_cast<float>(gen.random() & ((1u << 24) - 1)) * (1.0f / (1u << 24)); }
double uniform01_d() { return static_cast<double>(gen.random64() & ((1ull << 53) - 1)) * (1.0 / (1ull << 53)); }

// normal_distribution<double>: Box-Muller on two uniforms, the sine half kept for next time.
double normal_d(double mean, double std) {
  GeneratorState& g = gen.g();
  if (g.has_normal) {
    g.has_normal = 0;
    return madd(g.next_normal, std, mean);
  }
  double u1 = uniform01_d(), u2 = uniform01_d();
  double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  double theta = 2.0 * kPi * u1;
  g.next_normal = r * std::sin(theta);
  g.has_normal = 1;
  return madd(r * std::cos(theta), std, mean);
}

// ATen's normal_fill_16: eight Box-Muller pairs from 16 uniforms already in data.
template <class T>
void normal_fill_16(T* data, T mean, T std) {
  for (int j = 0; j < 8; j++) {
    T u1 = 1 - data[j], u2 = data[j + 8];
    T radius = std::sqrt(-2 * std::log(u1));
    T theta = static_cast<T>(2.0f * kPi * u2);
    data[j] = madd(radius * std::cos(theta), std, mean);
    data[j + 8] = madd(radius * std::sin(theta), std, mean);
  }
}

// avx_mathfun's log256_ps for one lane (Cephes logf: mantissa in [sqrt(1/2), sqrt(2)), a
// degree-8 polynomial, the exponent added back in two parts), for 0 < x <= 1.
float cephes_logf(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  float e = static_cast<float>(static_cast<int32_t>(bits >> 23) - 0x7f) + 1.0f;
  bits = (bits & ~0x7f800000u) | 0x3f000000u;
  float m;
  std::memcpy(&m, &bits, sizeof m);
  bool low = m < 0.707106781186547524f;
  float tmp = low ? m : 0.0f;
  m = m - 1.0f;
  e = e - (low ? 1.0f : 0.0f);
  m = m + tmp;
  float z = m * m;
  static const float p[] = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
                            -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
  float y = p[0];
  for (int k = 1; k < 9; k++) y = y * m + p[k];
  y = y * m;
  y = y * z;
  y = y + e * -2.12194440e-4f;
  y = y - z * 0.5f;
  float r = m + y;
  return r + e * 0.693359375f;
}

// avx_mathfun's sincos256_ps for one lane, x >= 0: reduction by multiples of pi/4 in three
// parts (Cody-Waite), then the Cephes sine and cosine polynomials; two steps are fused.
void cephes_sincosf(float x, float* s, float* c) {
  float y = x * 1.27323954473516f;
  int32_t j = static_cast<int32_t>(y);
  j = (j + 1) & ~1;
  y = static_cast<float>(j);
  bool neg_sin = (j & 4) != 0;
  bool sine_poly = (j & 2) == 0;
  bool neg_cos = ((~(j - 2)) & 4) != 0;
  x = x + y * -0.78515625f;
  x = x + y * -2.4187564849853515625e-4f;
  x = x + y * -3.77489497744594108e-8f;
  float z = x * x;
  float yc = 2.443315711809948E-005f;
  yc = yc * z + -1.388731625493765E-003f;
  yc = yc * z + 4.166664568298827E-002f;
  yc = std::fma(yc * z, z, -(z * 0.5f)) + 1.0f;
  float ys = -1.9515295891E-4f;
  ys = ys * z + 8.3321608736E-3f;
  ys = ys * z + -1.6666654611E-1f;
  ys = std::fma(ys * z, x, x);
  float sv = sine_poly ? ys : yc, cv = sine_poly ? yc : ys;
  *s = neg_sin ? -sv : sv;
  *c = neg_cos ? -cv : cv;
}

// ATen's normal_fill_16_AVX2, lane by lane.
void normal_fill_16_avx2(float* data, float mean, float std) {
  const float two_pi = static_cast<float>(2.0 * kPi);
  for (int j = 0; j < 8; j++) {
    float u1 = 1.0f - data[j], u2 = data[j + 8];
    float radius = std::sqrt(-2.0f * cephes_logf(u1));
    float s, c;
    cephes_sincosf(two_pi * u2, &s, &c);
    data[j] = std::fma(radius * c, std, mean);
    data[j + 8] = std::fma(radius * s, std, mean);
  }
}

template <class T>
T uniform01() {
  if constexpr (std::is_same_v<T, float>) return uniform01_f();
  else return uniform01_d();
}

// ATen's normal_fill for contiguous tensors of 16+ elements: all uniforms first, then the
// pairs in blocks of 16; a ragged tail redraws the last 16 and transforms them again.
template <class T>
void normal_fill(T* data, int64_t n, T mean, T std) {
  auto fill16 = [&](T* d) {
    if constexpr (std::is_same_v<T, float>) {
      if (cap() == AtenCap::Avx2) return normal_fill_16_avx2(d, mean, std);
    }
    normal_fill_16(d, mean, std);
  };
  for (int64_t i = 0; i < n; i++) data[i] = uniform01<T>();
  for (int64_t i = 0; i + 16 <= n; i += 16) fill16(data + i);
  if (n % 16 != 0) {
    T* tail = data + n - 16;
    for (int i = 0; i < 16; i++) tail[i] = uniform01<T>();
    fill16(tail);
  }
}

// Visits every element in row-major order (the order ATen's serial kernels draw in for
// the tensors made here); a contiguous tensor is one flat run.
template <class T, class F>
void for_each_element(Tensor& t, F&& f) {
  T* base = t.data<T>();
  int64_t n = t.numel();
  if (t.is_contiguous()) {
    for (int64_t i = 0; i < n; i++) f(base[i]);
    return;
  }
  const Dims& shape = t.shape();
  const Dims& strides = t.strides();
  int64_t nd = static_cast<int64_t>(shape.size());
  std::vector<int64_t> idx(nd, 0);
  for (int64_t k = 0; k < n; k++) {
    int64_t off = 0;
    for (int64_t d = 0; d < nd; d++) off += idx[d] * strides[d];
    f(base[off]);
    for (int64_t d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

void uniform_kernel(Tensor& t, double from, double to) {
  TG_DISPATCH_FLOAT(t.dtype(), [&] {
    if constexpr (std::is_same_v<scalar_t, float>) {
      float lo = static_cast<float>(from), span = static_cast<float>(to) - lo;
      for_each_element<float>(t, [&](float& v) { v = madd(uniform01_f(), span, lo); });
    } else {
      double span = to - from;
      for_each_element<double>(t, [&](double& v) { v = madd(uniform01_d(), span, from); });
    }
  });
}

void normal_kernel(Tensor& t, double mean, double std) {
  int64_t n = t.numel();
  TG_DISPATCH_FLOAT(t.dtype(), [&] {
    if (n >= 16 && t.is_contiguous())
      normal_fill<scalar_t>(t.data<scalar_t>(), n, static_cast<scalar_t>(mean), static_cast<scalar_t>(std));
    else
      for_each_element<scalar_t>(t, [&](scalar_t& v) { v = static_cast<scalar_t>(normal_d(mean, std)); });
  });
}

void bernoulli_kernel(Tensor& t, double p) {
  TG_DISPATCH_ALL(t.dtype(), [&] {
    for_each_element<scalar_t>(t, [&](scalar_t& v) { v = static_cast<scalar_t>(uniform01_d() < p ? 1 : 0); });
  });
}

}  // namespace

void generator_seed(GeneratorState& g, uint64_t seed) {
  g.seed = seed;
  g.mt[0] = static_cast<uint32_t>(seed);  // ATen seeds mt19937 with the low 32 bits
  for (uint32_t i = 1; i < 624; i++) g.mt[i] = 1812433253u * (g.mt[i - 1] ^ (g.mt[i - 1] >> 30)) + i;
  g.index = 624;
  g.has_normal = 0;
  g.next_normal = 0;
}
GeneratorState& default_generator() { return t_default; }
void manual_seed(uint64_t seed) { generator_seed(t_default, seed); }
uint64_t initial_seed() { return t_default.seed; }
uint64_t seed() {
  uint64_t s = os_seed();
  generator_seed(t_default, s);
  return s;
}
int64_t random_int63(GeneratorState* g) {
  UseGenerator use(g);
  return static_cast<int64_t>(gen.random64() % (1ull << 63));
}

void uniform_(Tensor& self, double from, double to, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK(is_floating(self.dtype()), "\"check_uniform_bounds\" not implemented for '", dtype_short_name(self.dtype()), "'");
  TG_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from, " > to=", to);
  overwrite_(self, "UniformBackward0", [&](Tensor& t) { uniform_kernel(t, from, to); });
}

void normal_(Tensor& self, double mean, double std, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK(is_floating(self.dtype()), "\"normal_kernel_cpu\" not implemented for '", dtype_short_name(self.dtype()), "'");
  TG_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  overwrite_(self, "NormalBackward0", [&](Tensor& t) { normal_kernel(t, mean, std); });
}

void bernoulli_(Tensor& self, double p, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  overwrite_(self, "BernoulliBackward2", [&](Tensor& t) { bernoulli_kernel(t, p); });
}

Tensor rand(const Dims& shape, DType dt, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK(is_floating(dt), "\"check_uniform_bounds\" not implemented for '", dtype_short_name(dt), "'");
  Tensor t = Tensor::empty(shape, dt);
  uniform_kernel(t, 0, 1);
  return t;
}

Tensor randn(const Dims& shape, DType dt, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK(is_floating(dt), "\"normal_kernel_cpu\" not implemented for '", dtype_short_name(dt), "'");
  Tensor t = Tensor::empty(shape, dt);
  normal_kernel(t, 0, 1);
  return t;
}

Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dt, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK(high > low, "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Tensor t = Tensor::empty(shape, dt);
  uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  // ATen draws 64 bits only for wide ranges of 64-bit types.
  bool wide = range >= (1ull << 32) && (dt == DType::Int64 || dt == DType::Float32 || dt == DType::Float64);
  TG_DISPATCH_ALL(dt, [&] {
    for_each_element<scalar_t>(t, [&](scalar_t& v) {
      uint64_t r = wide ? gen.random64() : gen.random();
      v = static_cast<scalar_t>(static_cast<int64_t>(r % range + static_cast<uint64_t>(low)));
    });
  });
  return t;
}

Tensor randperm(int64_t n, DType dt, GeneratorState* g) {
  UseGenerator use(g);
  TG_CHECK_RANGE(n >= 0, "Trying to create tensor with negative dimension ", n, ": [", n, "]");
  Tensor t = Tensor::empty({n}, DType::Int64);
  int64_t* r = t.data<int64_t>();
  if (n < static_cast<int64_t>(UINT32_MAX / 20)) {
    // Fisher-Yates from the front, one 32-bit draw per position.
    for (int64_t i = 0; i < n; i++) r[i] = i;
    for (int64_t i = 0; i < n - 1; i++) {
      int64_t z = static_cast<int64_t>(gen.random() % static_cast<uint64_t>(n - i));
      std::swap(r[i], r[z + i]);
    }
  } else {
    // Huge n: the inside-out variant with 64-bit draws (as ATen, to avoid modulo skew).
    for (int64_t i = 0; i < n; i++) {
      int64_t z = static_cast<int64_t>(gen.random64() % static_cast<uint64_t>(i + 1));
      r[i] = i;
      r[i] = r[z];
      r[z] = i;
    }
  }
  return dt == DType::Int64 ? t : to_dtype(t, dt);
}

Tensor bernoulli_mask(const Dims& shape, double keep_prob, DType dt) {
  Tensor t = Tensor::empty(shape, dt);
  bernoulli_kernel(t, keep_prob);
  return t;
}

}  // namespace ops
}  // namespace tg
