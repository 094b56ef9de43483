// Fast float32 kernels for exp, log, tanh and sigmoid over contiguous arrays, chosen once at
// run time for the CPU: AVX2+FMA where the CPU has it, a portable build of the same
// polynomials otherwise. TG_SIMD=baseline in the environment forces the portable one.
#pragma once
#include <cstdint>

namespace tg {
namespace simd {

// out[i] = f(in[i]) for i in [0, n); out may be in.
using UnaryF32 = void (*)(float* out, const float* in, long long n);
// out[i] = a[i] (op) b[i] for i in [0, n). mode 0: a and b contiguous; 1: b is one element
// (broadcast); 2: a is one element. nt: write out with streaming stores (see below).
// IEEE +, -, *, / are exact operations, so these give the same bits as the portable loops.
using BinaryF32 = void (*)(float* out, const float* a, const float* b, long long n, int mode, bool nt);
// The sum of n contiguous floats, accumulated as the portable reducer does (float lanes of at
// most 64 elements each, flushed into double), only with more lanes.
using SumF32 = double (*)(const float* p, long long n);
// out[r] = the sum of rows[r][0..n) for r < 4 (read in lockstep: more memory streams at once).
using Sum4F32 = void (*)(const float* const* rows, long long n, double* out);

struct F32Kernels {
  UnaryF32 exp, log, tanh, sigmoid;
  UnaryF32 exp_stream;          // exp with streaming stores; null where there is none
  BinaryF32 add, sub, mul, div;  // null: the portable loops in elementwise.cc
  SumF32 sum;                    // null: the portable reducer (reduce_engine.h)
  Sum4F32 sum4;
  const char* isa;               // "avx2" or "baseline"
};

const F32Kernels& f32_kernels();

// Streaming (non-temporal) stores skip the read-for-ownership of every output cache line
// (an a + b then moves 12 instead of 16 bytes per element) and do not evict the inputs.
// Worth it only when the output cannot stay in the cache anyway: outputs of at least
// stream_min_bytes() use them (twice the L3 size, 64 MiB here; TG_STREAM_MIN_BYTES in the
// environment overrides it, which the tests use to cover odd sizes and alignments cheaply).
// Results are bit-identical with or without them.
long long stream_min_bytes();

}  // namespace simd
}  // namespace tg
