// The portable build of elementwise_simd_impl.h: baseline x86-64 (SSE2) or any other target.
#define TG_SIMD_NS simd_base
#include "elementwise_simd_impl.h"
