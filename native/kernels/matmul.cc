// GEMM driver: picks the kernels for this CPU, blocks for the caches, packs, and splits the
// work across the thread pool. The ISA-specific pieces are in gemm_<isa>.cc.
//
// The five loops around the micro-kernel (BLIS):
//   for jc in N step NC          B panel  kc x nc  packed once per (jc, pc)   ~ L3
//     for pc in K step KC
//       pack B[pc:, jc:]
//       for ic in M step MC      A block  mc x kc  packed once per ic         ~ L2
//         pack A[ic:, pc:]
//         for jr in nc step NR   B micro-panel kc x NR stays in L1 while ...
//           for ir in mc step MR ... the A micro-panels stream past it
//             C[MR x NR] (+)= Ap @ Bp      (registers)
// Small operands are read in place instead of packed (see read_a_in_place): the micro-
// kernels take a leading dimension, and only a partial edge panel is then packed.
// Threads: C is split into one slab per thread (rows or columns, whichever duplicates less
// packing), each running the loops above on its own buffers with no synchronisation --
// unless that would duplicate a large packed operand: then each B panel is packed once, by
// all threads, and row blocks of C are claimed dynamically (gemm_shared_b).
// Vectors and matrix-vector products (m == 1 or n == 1) skip packing and run dot/axpy loops.
#include "matmul.h"
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>
#include "gemm_kernels.h"
#include "parallel.h"

namespace tg {

namespace {

using gemm_impl::GemmKernels;
using gemm_impl::kMaxTile;

// ---------------------------------------------------------------- choosing the ISA

enum class Isa { Portable = 0, Avx2 = 1, Avx512 = 2 };

Isa cpu_isa() {
#if TG_GEMM_X86
  __builtin_cpu_init();
  // Every extension gemm_avx512.cc is compiled for (the compiler may use any of them, e.g.
  // VL's EVEX forms of xmm moves), so Xeon Phi (F without BW/DQ/VL) takes the AVX2 path.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Portable;
}

// The CPU's best ISA, capped by TG_SIMD (baseline/portable, avx2, avx512).
Isa chosen_isa() {
  static const Isa isa = [] {
    Isa best = cpu_isa();
    const char* env = std::getenv("TG_SIMD");
    if (!env || !*env) return best;
    std::string s(env);
    Isa cap = s == "baseline" || s == "portable" || s == "none" ? Isa::Portable
              : s == "avx2"                                     ? Isa::Avx2
                                                                : Isa::Avx512;
    return std::min(best, cap);
  }();
  return isa;
}

template <class T>
const GemmKernels<T>* kernels_for(Isa isa);

template <>
const GemmKernels<float>* kernels_for<float>(Isa isa) {
  const GemmKernels<float>* k = nullptr;
  if (isa == Isa::Avx512) k = gemm_impl::kernels_avx512_f32();
  if (!k && isa >= Isa::Avx2) k = gemm_impl::kernels_avx2_f32();
  return k ? k : gemm_impl::kernels_portable_f32();
}

template <>
const GemmKernels<double>* kernels_for<double>(Isa isa) {
  const GemmKernels<double>* k = nullptr;
  if (isa == Isa::Avx512) k = gemm_impl::kernels_avx512_f64();
  if (!k && isa >= Isa::Avx2) k = gemm_impl::kernels_avx2_f64();
  return k ? k : gemm_impl::kernels_portable_f64();
}

// TG_GEMM_BLOCKS="mc,kc,nc" replaces the ISA's cache blocks (a tuning knob for a new CPU:
// bench/gemm_isa_check.cc times them). Values that would break the packing (mc not a
// multiple of MR, nc not a multiple of NR, anything not positive) are ignored.
template <class T>
GemmKernels<T> with_env_blocks(GemmKernels<T> k) {
  const char* env = std::getenv("TG_GEMM_BLOCKS");
  long long mc, kc, nc;
  if (env && std::sscanf(env, "%lld,%lld,%lld", &mc, &kc, &nc) == 3 && mc > 0 && kc > 0 && nc > 0 &&
      mc % k.mr == 0 && nc % k.nr == 0 && mc <= (1 << 20) && kc <= (1 << 20) && nc <= (1 << 24)) {
    k.mc = static_cast<int>(mc);
    k.kc = static_cast<int>(kc);
    k.nc = static_cast<int>(nc);
  }
  return k;
}

template <class T>
const GemmKernels<T>& kernels() {
  static const GemmKernels<T> k = with_env_blocks(*kernels_for<T>(chosen_isa()));
  return k;
}

// ---------------------------------------------------------------- pack buffers

// A per-thread, 64-byte aligned scratch buffer that only grows (pool threads are persistent).
class Scratch {
 public:
  void* get(size_t bytes) {
    if (bytes > cap_) {
      raw_.reset(new char[bytes + 64]);
      cap_ = bytes;
    }
    uintptr_t p = reinterpret_cast<uintptr_t>(raw_.get());
    return reinterpret_cast<void*>((p + 63) & ~uintptr_t(63));
  }

 private:
  std::unique_ptr<char[]> raw_;
  size_t cap_ = 0;
};

thread_local Scratch t_pack_a, t_pack_b;


// ---------------------------------------------------------------- the packed GEMM

template <class T>
struct Operands {
  const T* a;
  int64_t rsa, csa;
  const T* b;
  int64_t rsb, csb;
  T* c;
  int64_t rsc, csc;
};

// C[mr x nr] (+)= tile, for edge tiles and C without unit column stride.
template <class T>
void merge_tile(const T* tile, int nrt, int64_t mr, int64_t nr, T* c, int64_t rsc, int64_t csc, bool accumulate) {
  for (int64_t i = 0; i < mr; i++)
    for (int64_t j = 0; j < nr; j++) {
      T* cij = c + i * rsc + j * csc;
      *cij = accumulate ? T(*cij + tile[i * nrt + j]) : tile[i * nrt + j];
    }
}

// Where the micro-kernel reads one operand's micro-panels: packed buffers (contiguous and
// zero-padded) or, for small problems, the matrix itself. The panel at offset x (x = ir for
// A, jr for B) starts at base + x * step; ld is the micro-kernel's lda/ldb. Read in place,
// the last partial panel would run off the matrix, so it alone is packed (edge).
template <class T>
struct Panels {
  const T* base = nullptr;
  int64_t step = 0, ld = 0;
  bool rows = false;        // A read in place, row-major: the ukernel_rows layout
  const T* edge = nullptr;  // the last, partial panel, packed
  int64_t edge_at = -1;     // its offset
};

// C[0:mc, 0:nc] (+)= A block (mc x kc) @ B panel (kc x nc): the two loops around the
// micro-kernel. Edge tiles (and C without unit column stride) go through a local tile.
template <class T>
void macro_kernel(const GemmKernels<T>& K, int64_t mc, int64_t nc, int64_t kc, const Panels<T>& A,
                  const Panels<T>& B, T* c, int64_t rsc, int64_t csc, bool acc) {
  const int64_t MR = K.mr, NR = K.nr;
  alignas(64) T tile[kMaxTile];
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = std::min(NR, nc - jr);
    const bool b_edge = jr == B.edge_at;
    const T* bpanel = b_edge ? B.edge : B.base + jr * B.step;
    const int64_t ldb = b_edge ? NR : B.ld;
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t mr = std::min(MR, mc - ir);
      const bool a_edge = ir == A.edge_at;
      const T* apanel = a_edge ? A.edge : A.base + ir * A.step;
      const int64_t lda = a_edge ? MR : A.ld;
      auto* kernel = A.rows && !a_edge ? K.ukernel_rows : K.ukernel;
      T* cij = c + ir * rsc + jr * csc;
      if (csc == 1 && mr == MR && nr == NR) {
        kernel(kc, apanel, lda, bpanel, ldb, cij, rsc, acc);
      } else {
        kernel(kc, apanel, lda, bpanel, ldb, tile, NR, false);
        merge_tile(tile, static_cast<int>(NR), mr, nr, cij, rsc, csc, acc);
      }
    }
  }
}

template <class T>
Panels<T> packed_panels(const T* buf, int64_t kc, int64_t r) {
  Panels<T> p;
  p.base = buf;
  p.step = kc;
  p.ld = r;
  return p;
}

thread_local Scratch t_edge_a, t_edge_b;

// Reading an operand in place saves packing it, which matters when the whole product takes
// microseconds. A is read in place while it is small (its rows then stay in L2, and few
// pages are touched); B only while tiny: its panel rows are a stride apart, which beyond a
// few KB costs L1 conflict misses that packing avoids (measured on Zen 3).
template <class T>
bool read_a_in_place(int64_t m, int64_t k, const Operands<T>& o) {
  return (o.csa == 1 || o.rsa == 1) && double(m) * double(k) * sizeof(T) <= 256.0 * 1024;
}
template <class T>
bool read_b_in_place(int64_t k, const Operands<T>& o) {
  return o.csb == 1 && double(k) * double(o.rsb) * sizeof(T) <= 16.0 * 1024;
}

// The whole problem on the calling thread (also one slab of a split problem).
template <class T>
void gemm_serial(const GemmKernels<T>& K, int64_t m, int64_t n, int64_t k, const Operands<T>& o, bool accumulate) {
  const int64_t kc_max = std::min<int64_t>(K.kc, k);
  const int64_t nc_max = std::min<int64_t>(K.nc, (n + K.nr - 1) / K.nr * K.nr);
  const int64_t mc_max = std::min<int64_t>(K.mc, (m + K.mr - 1) / K.mr * K.mr);
  const bool direct_a = read_a_in_place(m, k, o);
  const bool direct_b = read_b_in_place(k, o);
  T* bp = direct_b ? nullptr : static_cast<T*>(t_pack_b.get(sizeof(T) * static_cast<size_t>(kc_max * nc_max)));
  T* ap = direct_a ? nullptr : static_cast<T*>(t_pack_a.get(sizeof(T) * static_cast<size_t>(kc_max * mc_max)));
  T* a_edge = direct_a ? static_cast<T*>(t_edge_a.get(sizeof(T) * static_cast<size_t>(kc_max * K.mr))) : nullptr;
  T* b_edge = direct_b ? static_cast<T*>(t_edge_b.get(sizeof(T) * static_cast<size_t>(kc_max * K.nr))) : nullptr;
  for (int64_t jc = 0; jc < n; jc += K.nc) {
    const int64_t nc = std::min<int64_t>(K.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += K.kc) {
      const int64_t kc = std::min<int64_t>(K.kc, k - pc);
      const T* b = o.b + pc * o.rsb + jc * o.csb;
      Panels<T> B;
      if (direct_b) {
        B.base = b;
        B.step = 1;
        B.ld = o.rsb;
        if (nc % K.nr) {
          B.edge_at = nc - nc % K.nr;
          B.edge = b_edge;
          K.pack_b(kc, nc % K.nr, b + B.edge_at, o.rsb, 1, b_edge);
        }
      } else {
        K.pack_b(kc, nc, b, o.rsb, o.csb, bp);
        B = packed_panels<T>(bp, kc, K.nr);
      }
      for (int64_t ic = 0; ic < m; ic += K.mc) {
        const int64_t mc = std::min<int64_t>(K.mc, m - ic);
        const T* a = o.a + ic * o.rsa + pc * o.csa;
        Panels<T> A;
        if (direct_a) {
          A.base = a;
          A.rows = o.csa == 1;
          A.step = A.rows ? o.rsa : 1;
          A.ld = A.rows ? o.rsa : o.csa;
          if (mc % K.mr) {
            A.edge_at = mc - mc % K.mr;
            A.edge = a_edge;
            K.pack_a(mc % K.mr, kc, a + A.edge_at * o.rsa, o.rsa, o.csa, a_edge);
          }
        } else {
          K.pack_a(mc, kc, a, o.rsa, o.csa, ap);
          A = packed_panels<T>(ap, kc, K.mr);
        }
        macro_kernel(K, mc, nc, kc, A, B, o.c + ic * o.rsc + jc * o.csc, o.rsc, o.csc, accumulate || pc > 0);
      }
    }
  }
}

// Large problems: the B panel is packed once, by all threads together, into the caller's
// buffer; then row blocks of C are claimed one at a time (each packs its own A block), so a
// thread slowed down by other processes simply takes fewer blocks.
template <class T>
void gemm_shared_b(const GemmKernels<T>& K, int64_t m, int64_t n, int64_t k, const Operands<T>& o, bool accumulate,
                   int threads) {
  const int64_t kc_max = std::min<int64_t>(K.kc, k);
  const int64_t nc_max = std::min<int64_t>(K.nc, (n + K.nr - 1) / K.nr * K.nr);
  T* bp = static_cast<T*>(t_pack_b.get(sizeof(T) * static_cast<size_t>(kc_max * nc_max)));
  // Row blocks of at most MC rows, a multiple of MR, as many as a multiple of the threads.
  const int64_t row_panels = (m + K.mr - 1) / K.mr;
  int64_t blocks = (m + K.mc - 1) / K.mc;
  blocks = std::min(row_panels, (blocks + threads - 1) / threads * threads);
  const int64_t block_rows = (row_panels + blocks - 1) / blocks * K.mr;
  blocks = (m + block_rows - 1) / block_rows;
  for (int64_t jc = 0; jc < n; jc += K.nc) {
    const int64_t nc = std::min<int64_t>(K.nc, n - jc);
    const int64_t col_panels = (nc + K.nr - 1) / K.nr;
    for (int64_t pc = 0; pc < k; pc += K.kc) {
      const int64_t kc = std::min<int64_t>(K.kc, k - pc);
      const bool acc = accumulate || pc > 0;
      // Packing B in a few pieces too, so no thread waits on a descheduled one.
      const int64_t pieces = std::min<int64_t>(col_panels, 4 * threads);
      parallel_tasks(pieces, [&](int64_t piece) {
        const int64_t j0 = col_panels * piece / pieces * K.nr, j1 = std::min(nc, col_panels * (piece + 1) / pieces * K.nr);
        K.pack_b(kc, j1 - j0, o.b + pc * o.rsb + (jc + j0) * o.csb, o.rsb, o.csb, bp + j0 * kc);
      });
      parallel_tasks(blocks, [&](int64_t blk) {
        const int64_t ic = blk * block_rows, mc = std::min(block_rows, m - ic);
        T* ap = static_cast<T*>(t_pack_a.get(sizeof(T) * static_cast<size_t>(kc_max * block_rows)));
        K.pack_a(mc, kc, o.a + ic * o.rsa + pc * o.csa, o.rsa, o.csa, ap);
        macro_kernel(K, mc, nc, kc, packed_panels<T>(ap, kc, K.mr), packed_panels<T>(bp, kc, K.nr),
                     o.c + ic * o.rsc + jc * o.csc, o.rsc, o.csc, acc);
      });
    }
  }
}

// Below this many multiply-adds one thread is faster than waking another.
constexpr double kParallelMacs = 64.0 * 64 * 64;
// From here on, packing B once for all threads (two pool hand-offs per KC step) costs less
// than every thread packing an operand of its own.
constexpr double kSharedPackMacs = 256.0 * 256 * 256;

template <class T>
void gemm_packed(int64_t m, int64_t n, int64_t k, const Operands<T>& o, bool accumulate) {
  const GemmKernels<T>& K = kernels<T>();
  const double macs = double(m) * double(n) * double(k);
  const int threads = get_num_threads();
  const int64_t row_panels = (m + K.mr - 1) / K.mr, col_panels = (n + K.nr - 1) / K.nr;
  if (threads <= 1 || macs < kParallelMacs || (row_panels < 2 && col_panels < 2)) return gemm_serial(K, m, n, k, o, accumulate);
  // One slab per thread, each with its own packing: splitting columns makes every thread
  // read all of A, splitting rows all of B. That is free for an operand read in place;
  // otherwise each thread packs its own copy. When that copy would be large, pack B once,
  // together, and claim row blocks dynamically instead.
  const bool cols_free = col_panels >= 2 && read_a_in_place(m, k, o);
  const bool rows_free = row_panels >= 2 && read_b_in_place(k, o);
  if (!cols_free && !rows_free && macs >= kSharedPackMacs && row_panels >= 2 * threads)
    return gemm_shared_b(K, m, n, k, o, accumulate, threads);
  const bool split_cols = cols_free || (!rows_free && (m < n ? col_panels >= 2 : row_panels < 2));

  const int64_t panels = split_cols ? col_panels : row_panels;
  const int64_t parts = std::min<int64_t>(threads, panels);
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    // Parts p0..p1-1 as one contiguous range of whole micro-panels.
    const int64_t step = split_cols ? K.nr : K.mr, len = split_cols ? n : m;
    const int64_t b = std::min(len, panels * p0 / parts * step), e = std::min(len, panels * p1 / parts * step);
    if (b >= e) return;
    Operands<T> s = o;
    if (split_cols) {
      s.b += b * o.csb;
      s.c += b * o.csc;
      gemm_serial(K, m, e - b, k, s, accumulate);
    } else {
      s.a += b * o.rsa;
      s.c += b * o.rsc;
      gemm_serial(K, e - b, n, k, s, accumulate);
    }
  });
}

// ---------------------------------------------------------------- vectors

// y[0:m] (+)= M[m x k] @ x[0:k]; y and x with any increments.
template <class T>
void gemv(int64_t m, int64_t k, const T* M, int64_t rsm, int64_t csm, const T* x, int64_t incx, T* y, int64_t incy,
          bool accumulate) {
  const GemmKernels<T>& K = kernels<T>();
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, k));
  std::vector<T> xbuf;
  if (incx != 1) {
    xbuf.resize(static_cast<size_t>(k));
    for (int64_t p = 0; p < k; p++) xbuf[p] = x[p * incx];
    x = xbuf.data();
  }
  if (csm == 1 || k == 1) {
    // Rows are contiguous: one dot product per row.
    parallel_for(m, grain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) {
        T s = K.dot(k, M + i * rsm, x);
        y[i * incy] = accumulate ? T(y[i * incy] + s) : s;
      }
    });
  } else if (rsm == 1) {
    // Columns are contiguous: y += x[p] * column p, each thread over its own rows.
    parallel_for(m, std::max<int64_t>(grain, 256), [&](int64_t i0, int64_t i1) {
      const int64_t len = i1 - i0;
      std::vector<T> ybuf;
      T* yp = y + i0 * incy;
      if (incy != 1) {
        ybuf.resize(static_cast<size_t>(len));
        yp = ybuf.data();
        for (int64_t i = 0; i < len; i++) yp[i] = accumulate ? y[(i0 + i) * incy] : T(0);
      } else if (!accumulate) {
        std::fill(yp, yp + len, T(0));
      }
      for (int64_t p = 0; p < k; p++) K.axpy(len, x[p], M + i0 + p * csm, yp);
      if (incy != 1)
        for (int64_t i = 0; i < len; i++) y[(i0 + i) * incy] = yp[i];
    });
  } else {
    parallel_for(m, grain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) {
        T s = 0;
        for (int64_t p = 0; p < k; p++) s += M[i * rsm + p * csm] * x[p];
        y[i * incy] = accumulate ? T(y[i * incy] + s) : s;
      }
    });
  }
}

template <class T>
T dot_strided(int64_t k, const T* a, int64_t inca, const T* b, int64_t incb) {
  if (inca == 1 && incb == 1) return kernels<T>().dot(k, a, b);
  T s = 0;
  for (int64_t p = 0; p < k; p++) s += a[p * inca] * b[p * incb];
  return s;
}

// ---------------------------------------------------------------- reference loop

// Integer types, and float problems too small to be worth packing. Integers multiply in
// their unsigned twin so that overflow wraps (as PyTorch's does) instead of being UB.
template <class T, bool = std::is_integral<T>::value>
struct WrapType { using type = T; };
template <class T>
struct WrapType<T, true> { using type = typename std::make_unsigned<T>::type; };

template <class T>
void gemm_reference(int64_t m, int64_t n, int64_t k, const Operands<T>& o, bool accumulate) {
  using U = typename WrapType<T>::type;
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, n * k));
  parallel_for(m, grain, [&](int64_t i0, int64_t i1) {
    std::vector<U> row(static_cast<size_t>(n));
    for (int64_t i = i0; i < i1; i++) {
      std::fill(row.begin(), row.end(), U(0));
      for (int64_t p = 0; p < k; p++) {
        const U a = static_cast<U>(o.a[i * o.rsa + p * o.csa]);
        const T* b = o.b + p * o.rsb;
        for (int64_t j = 0; j < n; j++) row[j] += a * static_cast<U>(b[j * o.csb]);
      }
      T* c = o.c + i * o.rsc;
      for (int64_t j = 0; j < n; j++) {
        T* cij = c + j * o.csc;
        *cij = static_cast<T>(accumulate ? U(static_cast<U>(*cij) + row[j]) : row[j]);
      }
    }
  });
}

// Problems below this many multiply-adds skip packing.
constexpr int64_t kPackMacs = 16 * 16 * 16;

template <class T>
void gemm_typed(int64_t m, int64_t n, int64_t k, Operands<T> o, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) o.c[i * o.rsc + j * o.csc] = T(0);
    return;
  }
  if constexpr (std::is_floating_point<T>::value) {
    if (m == 1 && n == 1) {
      T s = dot_strided(k, o.a, o.csa, o.b, o.rsb);
      *o.c = accumulate ? T(*o.c + s) : s;
      return;
    }
    if (n == 1) return gemv(m, k, o.a, o.rsa, o.csa, o.b, o.rsb, o.c, o.rsc, accumulate);
    if (m == 1) return gemv(n, k, o.b, o.csb, o.rsb, o.a, o.csa, o.c, o.csc, accumulate);
    if (m * n * k >= kPackMacs) {
      // The micro-kernel wants unit column stride in C; a column-major C is the transposed
      // problem C^T = B^T A^T.
      if (o.csc != 1 && o.rsc == 1) {
        Operands<T> t{o.b, o.csb, o.rsb, o.a, o.csa, o.rsa, o.c, o.csc, o.rsc};
        return gemm_packed(n, m, k, t, accumulate);
      }
      return gemm_packed(m, n, k, o, accumulate);
    }
  }
  gemm_reference(m, n, k, o, accumulate);
}

}  // namespace

void gemm(DType dt, int64_t m, int64_t n, int64_t k, const void* A, int64_t rsa, int64_t csa, const void* B,
          int64_t rsb, int64_t csb, void* C, int64_t rsc, int64_t csc, bool accumulate) {
  TG_DISPATCH_NUMERIC(dt, [&] {
    Operands<scalar_t> o{static_cast<const scalar_t*>(A), rsa, csa, static_cast<const scalar_t*>(B), rsb, csb,
                         static_cast<scalar_t*>(C), rsc, csc};
    gemm_typed<scalar_t>(m, n, k, o, accumulate);
  });
}

const char* gemm_isa(DType dt) {
  if (dt == DType::Float32) return kernels<float>().isa;
  if (dt == DType::Float64) return kernels<double>().isa;
  return "reference";
}

}  // namespace tg
