// The AVX2+FMA build of elementwise_simd_impl.h. Only the functions defined after the pragma
// get these instructions; elementwise_simd.cc calls them only when the CPU has both.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TG_HAVE_AVX2_BUILD 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define TG_SIMD_NS simd_avx2
#include "elementwise_simd_impl.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
