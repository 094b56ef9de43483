// Float32 exp / log / tanh / sigmoid as branch-free polynomials (Cephes' coefficients), written
// as plain loops over arrays so that GCC and Clang auto-vectorise them. This header is
// included by several translation units, each compiled for another instruction set
// (elementwise_simd_base.cc, elementwise_simd_avx2.cc); elementwise_simd.cc picks one at run
// time. It must therefore use nothing but builtins: an inline function from a standard
// header instantiated here could be shared with baseline code and carry AVX2 instructions.
//
// Accuracy (checked against double precision over a sweep of all exponents, see
// test/elementwise.test.ts): within 2 ulp for exp and log, within 4 ulp for tanh and sigmoid
// (PyTorch itself uses Sleef's 1-ulp versions; 1e-6 relative is our bound).
//
// Every loop body is straight-line code: special cases are computed alongside and chosen
// with ?:, which the vectoriser turns into blends.

#ifndef TG_SIMD_NS
#error "define TG_SIMD_NS (the namespace for this instruction set) before including"
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TG_MEMCPY __builtin_memcpy
#define TG_FABSF __builtin_fabsf
#define TG_COPYSIGNF __builtin_copysignf
#define TG_INFF __builtin_huge_valf()
#define TG_NANF __builtin_nanf("")
#else  // MSVC: only the baseline build exists there, so standard headers are safe
#include <cmath>
#include <cstring>
#include <limits>
#define TG_MEMCPY std::memcpy
#define TG_FABSF std::fabs
#define TG_COPYSIGNF std::copysign
#define TG_INFF std::numeric_limits<float>::infinity()
#define TG_NANF std::numeric_limits<float>::quiet_NaN()
#endif

// GCC keeps the ?: blends as branches unless FP comparisons may be assumed not to trap
// (Clang assumes that by default). Results are unchanged: we never read FP exception flags.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math")
#endif

namespace tg {
namespace TG_SIMD_NS {

namespace {

inline float bits_to_float(int i) {
  float f;
  TG_MEMCPY(&f, &i, sizeof f);
  return f;
}
inline int float_to_bits(float f) {
  int i;
  TG_MEMCPY(&i, &f, sizeof i);
  return i;
}

const float kInf = TG_INFF;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;     // ln 2 split in two so n * kLn2Hi is exact
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer

// e^x. Below -104 the result underflows to 0, above 88.8 it overflows to inf (both naturally,
// through the scaling below); subnormal results are kept.
inline float exp_one(float x) {
  float xc = x > 89.0f ? 89.0f : x;
  xc = xc < -104.0f ? -104.0f : xc;
  xc = xc == xc ? xc : 0.0f;  // NaN: computed as 0, replaced at the end
  // x = n ln2 + r, |r| <= ln2 / 2
  float fn = (xc * kLog2e + kRoundMagic) - kRoundMagic;
  float r = xc - fn * kLn2Hi;
  r = r - fn * kLn2Lo;
  float r2 = r * r;
  // The polynomial in Estrin's scheme: a dependency chain of 3 multiply-adds instead of 6
  // (the loop is latency-bound otherwise).
  float r4 = r2 * r2;
  float p01 = 1.6666665459e-1f * r + 5.0000001201e-1f;
  float p23 = 8.3334519073e-3f * r + 4.1665795894e-2f;
  float p45 = 1.9875691500e-4f * r + 1.3981999507e-3f;
  float p = p45 * r4 + (p23 * r2 + p01);
  float y = p * r2 + r + 1.0f;
  // 2^n as two factors, so that n down to -151 and up to 128 stays representable.
  int n = static_cast<int>(fn);
  int n1 = n >> 1, n2 = n - n1;
  float s1 = bits_to_float((n1 + 127) << 23), s2 = bits_to_float((n2 + 127) << 23);
  float out = (y * s1) * s2;
  return x == x ? out : x;
}

// ln x; ln 0 = -inf, ln of a negative number or NaN is NaN, ln inf = inf.
inline float log_one(float x) {
  const bool sub = x < 1.17549435e-38f;  // subnormal (or <= 0): scale up by 2^23 first
  float xs = sub ? x * 8388608.0f : x;
  int bits = float_to_bits(xs);
  int e = ((bits >> 23) & 0xff) - 126 - (sub ? 23 : 0);
  float m = bits_to_float((bits & 0x007fffff) | 0x3f000000);  // mantissa in [0.5, 1)
  const bool low = m < 0.707106781186547524f;
  e = low ? e - 1 : e;
  float t = low ? m + m - 1.0f : m - 1.0f;
  float fe = static_cast<float>(e);
  float z = t * t;
  float p = 7.0376836292e-2f;
  p = p * t - 1.1514610310e-1f;
  p = p * t + 1.1676998740e-1f;
  p = p * t - 1.2420140846e-1f;
  p = p * t + 1.4249322787e-1f;
  p = p * t - 1.6668057665e-1f;
  p = p * t + 2.0000714765e-1f;
  p = p * t - 2.4999993993e-1f;
  p = p * t + 3.3333331174e-1f;
  float y = p * t * z;
  y = y + kLn2Lo * fe;
  y = y - 0.5f * z;
  float out = t + y;
  out = out + kLn2Hi * fe;
  out = x == kInf ? kInf : out;
  out = x == 0.0f ? -kInf : out;
  out = (x < 0.0f || x != x) ? TG_NANF : out;
  return out;
}

// tanh x: an odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1) above (Cephes tanhf).
inline float tanh_one(float x) {
  float ax = TG_FABSF(x);
  float s = x * x;
  float p = -5.70498872745e-3f;
  p = p * s + 2.06390887954e-2f;
  p = p * s - 5.37397155531e-2f;
  p = p * s + 1.33314422036e-1f;
  p = p * s - 3.33332819422e-1f;
  float small = p * s * x + x;
  float e = exp_one(2.0f * ax);
  float big = 1.0f - 2.0f / (e + 1.0f);
  return TG_COPYSIGNF(ax < 0.625f ? small : big, x);  // copysign also keeps tanh(-0) = -0
}

inline float sigmoid_one(float x) { return 1.0f / (1.0f + exp_one(-x)); }

}  // namespace

void exp_f32(float* out, const float* in, long long n) {
  for (long long i = 0; i < n; i++) out[i] = exp_one(in[i]);
}
void log_f32(float* out, const float* in, long long n) {
  for (long long i = 0; i < n; i++) out[i] = log_one(in[i]);
}
void tanh_f32(float* out, const float* in, long long n) {
  for (long long i = 0; i < n; i++) out[i] = tanh_one(in[i]);
}
void sigmoid_f32(float* out, const float* in, long long n) {
  for (long long i = 0; i < n; i++) out[i] = sigmoid_one(in[i]);
}

}  // namespace TG_SIMD_NS
}  // namespace tg

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#undef TG_MEMCPY
#undef TG_FABSF
#undef TG_COPYSIGNF
#undef TG_INFF
#undef TG_NANF
