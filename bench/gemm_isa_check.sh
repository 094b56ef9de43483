#!/usr/bin/env bash
# Builds bench/gemm_isa_check.cc into build/gemm_isa_check: the packed GEMM alone, linked
# statically so the binary runs on another x86-64 Linux machine as it is (see the .cc).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
g++ -O3 -std=c++17 -static -pthread -o build/gemm_isa_check bench/gemm_isa_check.cc \
  native/kernels/matmul.cc native/kernels/gemm_portable.cc native/kernels/gemm_avx2.cc \
  native/kernels/gemm_avx512.cc native/kernels/parallel.cc native/core/dtype.cc
echo build/gemm_isa_check
