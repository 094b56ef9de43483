// The packed GEMM on its own, outside Node: checks the kernels the CPU picks (or TG_SIMD
// caps) against a float64 reference over edge sizes and transposed layouts, then times
// square products. Its use is the AVX-512 path, which this project's 2-core VM cannot run:
// build it here, carry the static binary to a machine that has AVX-512, and run it there.
//
//   bash bench/gemm_isa_check.sh            # builds build/gemm_isa_check (static)
//   TG_SIMD=avx2 build/gemm_isa_check 2     # check + time with 2 threads, AVX2 kernels
//   build/gemm_isa_check 16 nocheck         # time only, 16 threads, the CPU's best kernels
//   TG_GEMM_BLOCKS=288,384,4096 build/gemm_isa_check 2 nocheck 512,1024   # other cache blocks
//
// Prints one line per check group and per timed size; exits 1 on a wrong result.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>
#include "../native/kernels/matmul.h"
#include "../native/kernels/parallel.h"

namespace {

struct Case {
  int64_t m, n, k;
  bool ta, tb;  // operand stored transposed (read through swapped strides)
  bool accumulate;
};

template <class T>
bool check_one(const Case& c, std::mt19937& rng, double* worst) {
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<T> a(c.m * c.k), b(c.k * c.n), out(c.m * c.n);
  for (auto& v : a) v = static_cast<T>(u(rng));
  for (auto& v : b) v = static_cast<T>(u(rng));
  for (auto& v : out) v = static_cast<T>(u(rng));
  std::vector<T> c0 = out;
  // A is m x k: row-major (rs = k, cs = 1) or stored as its transpose (rs = 1, cs = m).
  const int64_t rsa = c.ta ? 1 : c.k, csa = c.ta ? c.m : 1;
  const int64_t rsb = c.tb ? 1 : c.n, csb = c.tb ? c.k : 1;
  tg::gemm(std::is_same<T, float>::value ? tg::DType::Float32 : tg::DType::Float64, c.m, c.n, c.k, a.data(), rsa,
           csa, b.data(), rsb, csb, out.data(), c.n, 1, c.accumulate);
  bool ok = true;
  for (int64_t i = 0; i < c.m; i++) {
    for (int64_t j = 0; j < c.n; j++) {
      double ref = c.accumulate ? double(c0[i * c.n + j]) : 0.0, mag = std::fabs(ref);
      for (int64_t p = 0; p < c.k; p++) {
        double t = double(a[i * rsa + p * csa]) * double(b[p * rsb + j * csb]);
        ref += t;
        mag += std::fabs(t);
      }
      const double eps = std::is_same<T, float>::value ? 1.2e-7 : 2.3e-16;
      double err = std::fabs(double(out[i * c.n + j]) - ref) / ((mag + 1e-30) * eps * std::sqrt(double(c.k) + 1));
      if (err > *worst) *worst = err;
      if (!(err <= 4.0)) ok = false;
    }
  }
  return ok;
}

template <class T>
bool check_all(const char* label) {
  std::mt19937 rng(7);
  const int64_t sizes[] = {1, 3, 13, 32, 33, 127, 257};
  int n_cases = 0, n_bad = 0;
  double worst = 0;
  for (int64_t m : sizes)
    for (int64_t n : sizes)
      for (int64_t k : {int64_t(1), int64_t(17), int64_t(300)})
        for (int layout = 0; layout < 4; layout++) {
          Case c{m, n, k, bool(layout & 1), bool(layout & 2), (m + n + k) % 2 == 0};
          n_cases++;
          if (!check_one<T>(c, rng, &worst)) {
            if (n_bad++ < 5)
              std::printf("  WRONG %s m=%lld n=%lld k=%lld ta=%d tb=%d acc=%d\n", label, (long long)m, (long long)n,
                          (long long)k, c.ta, c.tb, c.accumulate);
          }
        }
  // Sizes past the cache blocks (mc, kc, nc), with both layouts.
  for (int64_t s : {int64_t(600)})
    for (int layout = 0; layout < 4; layout++) {
      Case c{s, s - 3, s + 5, bool(layout & 1), bool(layout & 2), layout == 3};
      n_cases++;
      if (!check_one<T>(c, rng, &worst)) n_bad++;
    }
  std::printf("check %s [%s]: %d cases, %d wrong, worst error %.3f (units of eps*sqrt(k)*|terms|; limit 4)\n", label,
              tg::gemm_isa(std::is_same<T, float>::value ? tg::DType::Float32 : tg::DType::Float64), n_cases, n_bad,
              worst);
  return n_bad == 0;
}

double time_square(int64_t n, bool transposed_b) {
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  auto run = [&] {
    tg::gemm(tg::DType::Float32, n, n, n, a.data(), n, 1, b.data(), transposed_b ? 1 : n, transposed_b ? n : 1,
             c.data(), n, 1, false);
  };
  run();
  int reps = n <= 128 ? 2000 : n <= 512 ? 40 : 6;
  std::vector<double> ts;
  for (int r = 0; r < 7; r++) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; i++) run();
    ts.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps);
  }
  std::sort(ts.begin(), ts.end());
  return 2.0 * n * n * n / ts[3] / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const bool check = !(argc > 2 && std::string(argv[2]) == "nocheck");
  tg::set_num_threads(threads);
  bool ok = true;
  if (check) ok = check_all<float>("float32") && check_all<double>("float64");
  std::vector<int64_t> sizes{128, 512, 1024, 2048};
  if (argc > 3) {  // e.g. "512,1024"
    sizes.clear();
    for (const char* p = argv[3]; *p;) {
      char* end;
      sizes.push_back(std::strtoll(p, &end, 10));
      p = *end ? end + 1 : end;
    }
  }
  const char* blocks = std::getenv("TG_GEMM_BLOCKS");
  for (int64_t n : sizes)
    std::printf("time float32 [%s%s%s] %d threads n=%lld: %.1f GFLOP/s (a@b), %.1f GFLOP/s (a@b.T)\n",
                tg::gemm_isa(tg::DType::Float32), blocks ? " blocks " : "", blocks ? blocks : "", threads,
                (long long)n, time_square(n, false), time_square(n, true));
  return ok ? 0 : 1;
}
