#include "elementwise_simd.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tg {

// The builds of elementwise_simd_impl.h (one namespace per instruction set).
#define TG_DECLARE_SIMD(ns)                                  \
  namespace ns {                                             \
  void exp_f32(float* out, const float* in, long long n);     \
  void log_f32(float* out, const float* in, long long n);     \
  void tanh_f32(float* out, const float* in, long long n);    \
  void sigmoid_f32(float* out, const float* in, long long n); \
  }
TG_DECLARE_SIMD(simd_base)
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TG_HAVE_AVX2_BUILD 1
TG_DECLARE_SIMD(simd_avx2)
namespace simd_avx2 {
// elementwise_simd_avx2.cc
void exp_f32_intrin(float* out, const float* in, long long n);
void exp_f32_stream(float* out, const float* in, long long n);
void add_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt);
void sub_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt);
void mul_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt);
void div_f32(float* o, const float* a, const float* b, long long n, int mode, bool nt);
double sum_f32(const float* p, long long n);
void sum4_f32(const float* const* rows, long long n, double* out);
}
#endif
#undef TG_DECLARE_SIMD

namespace simd {

namespace {

F32Kernels choose() {
  F32Kernels base{simd_base::exp_f32, simd_base::log_f32, simd_base::tanh_f32, simd_base::sigmoid_f32,
                  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "baseline"};
  const char* env = std::getenv("TG_SIMD");
  if (env && std::strcmp(env, "baseline") == 0) return base;
#ifdef TG_HAVE_AVX2_BUILD
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {simd_avx2::exp_f32_intrin, simd_avx2::log_f32, simd_avx2::tanh_f32, simd_avx2::sigmoid_f32,
            simd_avx2::exp_f32_stream, simd_avx2::add_f32,  simd_avx2::sub_f32,   simd_avx2::mul_f32,
            simd_avx2::div_f32,        simd_avx2::sum_f32, simd_avx2::sum4_f32, "avx2"};
#endif
  return base;
}

}  // namespace

const F32Kernels& f32_kernels() {
  static const F32Kernels k = choose();
  return k;
}

namespace {

// The last-level cache size in bytes as Linux reports it for cpu0 (e.g. "32768K"); 0 if
// unknown. sysfs, not sysconf: glibc's _SC_LEVEL3_CACHE_SIZE reports the host's total L3 in
// VMs (256 MB on the one we measure on, whose cores see 32 MB).
long long l3_bytes() {
  std::FILE* f = std::fopen("/sys/devices/system/cpu/cpu0/cache/index3/size", "r");
  if (!f) return 0;
  char buf[32] = {0};
  const size_t got = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[got] = 0;
  char* end = nullptr;
  long long v = std::strtoll(buf, &end, 10);
  if (end == buf || v <= 0) return 0;
  if (*end == 'K') v <<= 10;
  else if (*end == 'M') v <<= 20;
  return v;
}

long long choose_stream_min() {
  const char* env = std::getenv("TG_STREAM_MIN_BYTES");
  if (env && *env) {
    char* end = nullptr;
    const long long v = std::strtoll(env, &end, 10);
    if (end != env) return v < 1 ? 1 : v;
  }
  // Twice the L3: a block the size of the output, reused from the block cache, then has at
  // most half its lines still cached. Streaming stores onto cached lines are very slow (they
  // must evict them first: a 4 MB result here takes 10x longer), so smaller outputs never
  // stream.
  const long long l3 = l3_bytes();
  return 2 * (l3 > 0 ? l3 : 32LL << 20);
}

}  // namespace

long long stream_min_bytes() {
  static const long long v = choose_stream_min();
  return v;
}

}  // namespace simd
}  // namespace tg
