// exp for float32 that the compiler can vectorise (the libm call in a loop cannot be).
//
// Cephes' expf: e^x = 2^n * e^r with n = round(x / ln 2) and |r| <= ln2 / 2, e^r from a
// degree-6 polynomial (about 1 ulp). Rounding uses the 1.5 * 2^23 trick and 2^n is built
// from its exponent bits, so every step is a plain float or int32 operation.
// Special values as exp(): NaN stays NaN, +inf and large x give inf, -inf and x below
// about -87 give 0 (results under 2^-125 are flushed to zero).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace tg {

inline float exp_f32(float x) {
  const float hi = 88.3762626647949f;  // e^hi just below FLT_MAX
  const float lo = -86.9f;             // keeps n >= -125, so 2^(n-1) stays a normal float
  float xc = x < lo ? lo : x;
  xc = xc > hi ? hi : xc;
  const float round_bias = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  float t = xc * 1.44269504088896341f + round_bias;
  float n = t - round_bias;
  float r = xc - n * 0.693359375f;  // ln 2 split in two for precision
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * r * r + r + 1.0f;
  // Unsigned arithmetic: for a NaN input these bits are garbage (the result is replaced
  // below) and must not overflow a signed int.
  uint32_t tb;
  std::memcpy(&tb, &t, sizeof tb);
  const uint32_t ni = tb - 0x4B400000u;  // the integer n held in t's low mantissa bits
  const uint32_t sb = (ni + 126u) << 23;  // 2^(n-1): n can be 128 at the top of the range
  float scale;
  std::memcpy(&scale, &sb, sizeof scale);
  float y = p * scale * 2.0f;
  y = x < lo ? 0.0f : y;
  y = x > hi ? std::numeric_limits<float>::infinity() : y;
  return x != x ? x : y;
}

// exp in the precision of T: the vectorisable float version, or libm's double exp.
template <class T>
inline T exp_t(T x) {
  if constexpr (sizeof(T) == 4)
    return exp_f32(x);
  else
    return std::exp(x);
}

}  // namespace tg
