// The AVX2+FMA build of elementwise_simd_impl.h. Only the functions defined after the pragma
// get these instructions; elementwise_simd.cc calls them only when the CPU has both.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TG_HAVE_AVX2_BUILD 1
#include <immintrin.h>
#include <cstdint>
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define TG_SIMD_NS simd_avx2
#include "elementwise_simd_impl.h"

namespace tg {
namespace simd_avx2 {

namespace {

// e^x on 8 floats, written with intrinsics: the same reduction and coefficients as exp_one
// (elementwise_simd_impl.h), but the clamps are vminps/vmaxps instead of compare-and-blend
// pairs and the polynomial is evaluated in Estrin's scheme (a dependency chain of 3 FMAs
// instead of 6). The auto-vectorised exp_one spends ~40 instructions in one long chain per
// vector and is latency-bound; this is ~1.4x faster. Within 1 ulp of the double-precision
// result on the test sweep (test/elementwise.test.ts checks every exponent).
inline __m256 exp8(__m256 x) {
  // max_ps/min_ps return their second operand when either is NaN: a NaN x passes both clamps
  // and every later step (NaN times any scale is NaN), so it needs no blend at the end.
  const __m256 xc = _mm256_min_ps(_mm256_set1_ps(89.0f), _mm256_max_ps(_mm256_set1_ps(-104.0f), x));
  // x = n ln2 + r, |r| <= ln2 / 2 (round to nearest even, as exp_one's magic-number rounding)
  const __m256 fn = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(-2.12194440e-4f), r);
  const __m256 r2 = _mm256_mul_ps(r, r), r4 = _mm256_mul_ps(r2, r2);
  const __m256 p01 = _mm256_fmadd_ps(_mm256_set1_ps(1.6666665459e-1f), r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 p23 = _mm256_fmadd_ps(_mm256_set1_ps(8.3334519073e-3f), r, _mm256_set1_ps(4.1665795894e-2f));
  const __m256 p45 = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
  const __m256 p = _mm256_fmadd_ps(p45, r4, _mm256_fmadd_ps(p23, r2, p01));
  const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
  // 2^n as two factors, so that n down to -151 and up to 128 stays representable.
  const __m256i n = _mm256_cvtps_epi32(fn);
  const __m256i n1 = _mm256_srai_epi32(n, 1), n2 = _mm256_sub_epi32(n, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(y, s1), s2);
}


// Streaming (non-temporal) stores skip the read-for-ownership of each output line and do not
// evict the inputs: used only for outputs too big to stay in the cache (the caller decides,
// see simd::stream_min_bytes). _mm256_stream_ps needs a 32-byte aligned address, so a
// prologue of normal stores reaches it first; the values are the same either way.
inline void store8(float* p, __m256 v, bool nt) {
  if (nt) _mm256_stream_ps(p, v);
  else _mm256_storeu_ps(p, v);
}

// Elements before out + i is 32-byte aligned (all of n if that never happens).
inline long long to_aligned(const float* out, long long n) {
  const long long mis = static_cast<long long>(reinterpret_cast<uintptr_t>(out) % 32);
  if (mis % 4 != 0) return n;  // not even float-aligned: no streaming
  const long long k = mis == 0 ? 0 : (32 - mis) / 4;
  return k < n ? k : n;
}

// A long range is done as its two halves in lockstep: twice the memory streams in flight,
// which raises the bandwidth one core gets here by 25-50% (a single sequential stream leaves
// much of it unused, even from L3 for a 1M-element add); with streaming stores, more than
// two output streams run out of write-combining buffers and are far slower. Returns the length of each half, a multiple of
// 16 elements (so the second half stays 32-byte aligned); 0 when too short to bother.
inline long long two_halves(long long m) { return m >= 4096 ? m / 2 / 16 * 16 : 0; }

// f on a partial vector of m < 8 elements, through a padded buffer.
template <class F>
inline void partial8(float* out, const float* in, long long m, F f) {
  alignas(32) float t[8] = {0, 0, 0, 0, 0, 0, 0, 0}, u[8];
  for (long long j = 0; j < m; j++) t[j] = in[j];
  _mm256_store_ps(u, f(_mm256_load_ps(t)));
  for (long long j = 0; j < m; j++) out[j] = u[j];
}

template <class F>
inline void unary_loop(float* out, const float* in, long long n, bool nt, F f) {
  long long i = 0;
  if (nt) {
    const long long k = to_aligned(out, n);
    if (k == n) nt = false;
    else if (k > 0) partial8(out, in, k, f), i = k;
  }
  {  // two halves in lockstep (see two_halves)
    const long long h = two_halves(n - i);
    for (long long j = i; j < i + h; j += 16) {
      const __m256 a = f(_mm256_loadu_ps(in + j)), b = f(_mm256_loadu_ps(in + j + 8));
      const __m256 c = f(_mm256_loadu_ps(in + j + h)), d = f(_mm256_loadu_ps(in + j + h + 8));
      store8(out + j, a, nt);
      store8(out + j + 8, b, nt);
      store8(out + j + h, c, nt);
      store8(out + j + h + 8, d, nt);
    }
    i += 2 * h;
  }
  for (; i + 16 <= n; i += 16) {  // two independent vectors per iteration
    const __m256 a = f(_mm256_loadu_ps(in + i)), b = f(_mm256_loadu_ps(in + i + 8));
    store8(out + i, a, nt);
    store8(out + i + 8, b, nt);
  }
  for (; i + 8 <= n; i += 8) store8(out + i, f(_mm256_loadu_ps(in + i)), nt);
  if (i < n) partial8(out + i, in + i, n - i, f);
  if (nt) _mm_sfence();
}

// out = a (op) b with mode 0: both contiguous, 1: b a single element, 2: a a single element.
template <class Op>
inline void binary_loop(float* out, const float* a, const float* b, long long n, int mode, bool nt, Op op) {
  const __m256 av = _mm256_set1_ps(*a), bv = _mm256_set1_ps(*b);
  auto ld_a = [&](long long i) { return mode == 2 ? av : _mm256_loadu_ps(a + i); };
  auto ld_b = [&](long long i) { return mode == 1 ? bv : _mm256_loadu_ps(b + i); };
  auto scalar = [&](long long i) {
    const float x = mode == 2 ? *a : a[i], y = mode == 1 ? *b : b[i];
    out[i] = _mm256_cvtss_f32(op(_mm256_set1_ps(x), _mm256_set1_ps(y)));
  };
  long long i = 0;
  if (nt) {
    const long long k = to_aligned(out, n);
    if (k == n) nt = false;
    for (; i < k && nt; i++) scalar(i);
  }
  {  // two halves in lockstep (see two_halves)
    const long long h = two_halves(n - i);
    for (long long j = i; j < i + h; j += 16) {
      const __m256 r0 = op(ld_a(j), ld_b(j)), r1 = op(ld_a(j + 8), ld_b(j + 8));
      const __m256 r2 = op(ld_a(j + h), ld_b(j + h)), r3 = op(ld_a(j + h + 8), ld_b(j + h + 8));
      store8(out + j, r0, nt);
      store8(out + j + 8, r1, nt);
      store8(out + j + h, r2, nt);
      store8(out + j + h + 8, r3, nt);
    }
    i += 2 * h;
  }
  for (; i + 32 <= n; i += 32) {
    const __m256 r0 = op(ld_a(i), ld_b(i)), r1 = op(ld_a(i + 8), ld_b(i + 8));
    const __m256 r2 = op(ld_a(i + 16), ld_b(i + 16)), r3 = op(ld_a(i + 24), ld_b(i + 24));
    store8(out + i, r0, nt);
    store8(out + i + 8, r1, nt);
    store8(out + i + 16, r2, nt);
    store8(out + i + 24, r3, nt);
  }
  for (; i + 8 <= n; i += 8) store8(out + i, op(ld_a(i), ld_b(i)), nt);
  for (; i < n; i++) scalar(i);
  if (nt) _mm_sfence();
}

// The operations as function objects (lambdas would get conversion thunks compiled without
// the target attribute).
struct Exp8 {
  __m256 operator()(__m256 x) const { return exp8(x); }
};
struct Add8 {
  __m256 operator()(__m256 x, __m256 y) const { return _mm256_add_ps(x, y); }
};
struct Sub8 {
  __m256 operator()(__m256 x, __m256 y) const { return _mm256_sub_ps(x, y); }
};
struct Mul8 {
  __m256 operator()(__m256 x, __m256 y) const { return _mm256_mul_ps(x, y); }
};
struct Div8 {
  __m256 operator()(__m256 x, __m256 y) const { return _mm256_div_ps(x, y); }
};

}  // namespace

// Flushes k float vectors into 4 double lanes.
inline __m256d flush(__m256d acc, const __m256* s, int k) {
  for (int v = 0; v < k; v++) {
    acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(s[v])));
    acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(s[v], 1)));
  }
  return acc;
}

inline double horizontal_sum(__m256d acc) {
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, acc);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

// One sequential stream: 8 vector accumulators (64 float lanes), enough independent adds in
// flight to cover the add latency at two loads per cycle. Blocks of 4096 elements (64 per
// lane, as the portable reducer's lanes hold) are flushed into double.
inline __m256d sum_one_stream(__m256d acc, const float* p, long long& i, long long n) {
  constexpr long long kVec = 64, kBlock = 4096;
  while (n - i >= kVec) {
    const long long len = (n - i) / kVec * kVec, end = i + (len < kBlock ? len : kBlock);
    __m256 s[8];
    for (int k = 0; k < 8; k++) s[k] = _mm256_setzero_ps();
    for (; i < end; i += kVec)
      for (int k = 0; k < 8; k++) s[k] = _mm256_add_ps(s[k], _mm256_loadu_ps(p + i + 8 * k));
    acc = flush(acc, s, 8);
  }
  return acc;
}

// The sums of 4 rows of n contiguous floats each, read in lockstep: one sequential stream
// leaves most of the memory bandwidth unused on the machines we measure (a single core reads
// ~8 GB/s from one stream and ~16 GB/s from four: more DRAM pages and prefetch streams in
// flight). 2 vector accumulators (16 float lanes) per row, flushed into double every 64 steps
// (64 elements per lane, as above).
void sum4_f32(const float* const* rows, long long n, double* out) {
  constexpr long long kStep = 16, kBlockSteps = 64;
  const float* r0 = rows[0];
  const float* r1 = rows[1];
  const float* r2 = rows[2];
  const float* r3 = rows[3];
  __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
  const long long q = n / kStep * kStep;
  for (long long j = 0; j < q;) {
    const long long end = j + (q - j < kStep * kBlockSteps ? q - j : kStep * kBlockSteps);
    __m256 s[8];
    for (int k = 0; k < 8; k++) s[k] = _mm256_setzero_ps();
    for (; j < end; j += kStep) {
      s[0] = _mm256_add_ps(s[0], _mm256_loadu_ps(r0 + j));
      s[1] = _mm256_add_ps(s[1], _mm256_loadu_ps(r0 + j + 8));
      s[2] = _mm256_add_ps(s[2], _mm256_loadu_ps(r1 + j));
      s[3] = _mm256_add_ps(s[3], _mm256_loadu_ps(r1 + j + 8));
      s[4] = _mm256_add_ps(s[4], _mm256_loadu_ps(r2 + j));
      s[5] = _mm256_add_ps(s[5], _mm256_loadu_ps(r2 + j + 8));
      s[6] = _mm256_add_ps(s[6], _mm256_loadu_ps(r3 + j));
      s[7] = _mm256_add_ps(s[7], _mm256_loadu_ps(r3 + j + 8));
    }
    for (int r = 0; r < 4; r++) acc[r] = flush(acc[r], s + 2 * r, 2);
  }
  for (int r = 0; r < 4; r++) {
    double total = horizontal_sum(acc[r]);
    for (long long j = q; j < n; j++) total += rows[r][j];
    out[r] = total;
  }
}

// A long array is summed as its 4 quarters in lockstep (sum4_f32), the rest as one stream.
double sum_f32(const float* p, long long n) {
  constexpr long long kStreams = 4, kStep = 16, kMinStreamed = 32768;
  double total = 0;
  long long i = 0;
  if (n >= kMinStreamed) {
    const long long q = n / kStreams / kStep * kStep;  // elements per quarter
    const float* quarters[kStreams] = {p, p + q, p + 2 * q, p + 3 * q};
    double part[kStreams];
    sum4_f32(quarters, q, part);
    total = (part[0] + part[1]) + (part[2] + part[3]);
    i = kStreams * q;
  }
  total += horizontal_sum(sum_one_stream(_mm256_setzero_pd(), p, i, n));
  for (; i < n; i++) total += p[i];
  return total;
}

void exp_f32_intrin(float* out, const float* in, long long n) { unary_loop(out, in, n, false, Exp8()); }
void exp_f32_stream(float* out, const float* in, long long n) { unary_loop(out, in, n, true, Exp8()); }

void add_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt) {
  binary_loop(o, a, b, n, mode, nt, Add8());
}
void sub_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt) {
  binary_loop(o, a, b, n, mode, nt, Sub8());
}
void mul_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt) {
  binary_loop(o, a, b, n, mode, nt, Mul8());
}
void div_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt) {
  binary_loop(o, a, b, n, mode, nt, Div8());
}

}  // namespace simd_avx2
}  // namespace tg

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
