// Fast float32 kernels for exp, log, tanh and sigmoid over contiguous arrays, chosen once at
// run time for the CPU: AVX2+FMA where the CPU has it, a portable build of the same
// polynomials otherwise. TG_SIMD=baseline in the environment forces the portable one.
#pragma once
#include <cstdint>

namespace tg {
namespace simd {

// out[i] = f(in[i]) for i in [0, n); out may be in.
using UnaryF32 = void (*)(float* out, const float* in, long long n);

struct F32Kernels {
  UnaryF32 exp, log, tanh, sigmoid;
  const char* isa;  // "avx2" or "baseline"
};

const F32Kernels& f32_kernels();

}  // namespace simd
}  // namespace tg
