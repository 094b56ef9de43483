// The GEMM building blocks written once against a small vector interface V, and compiled
// once per ISA: each gemm_<isa>.cc defines its V types under that ISA's target attribute
// and then includes this file. Everything here has internal linkage (anonymous namespace),
// so the AVX-512 copy of a function can never be picked by the linker for a baseline caller.
//
// V provides: T (element), reg (register), W (lanes), zero(), loadu(p), storeu(p, r),
// set1(x), fma(a, b, c) = a * b + c, add(a, b).
//
// No #pragma once: each ISA file includes it exactly once.

namespace tg {
namespace gemm_impl {
namespace {

#if defined(__GNUC__)
#define TG_GEMM_UNROLL _Pragma("GCC unroll 16")
#define TG_RESTRICT __restrict__
#else
#define TG_GEMM_UNROLL
#define TG_RESTRICT
#endif

// Whether V offers transpose(reg r[W]) (a W x W in-register transpose).
template <class V, class = void>
struct HasTranspose : std::false_type {};
template <class V>
struct HasTranspose<V, std::void_t<decltype(V::transpose(static_cast<typename V::reg*>(nullptr)))>>
    : std::true_type {};

template <class V, int MR, int NV>
struct Blocks {
  using T = typename V::T;
  using reg = typename V::reg;
  static constexpr int W = V::W;
  static constexpr int NR = NV * W;

  // The register tile: MR x NR accumulators (MR * NV registers), one rank-1 update per k.
  // B row p is NR contiguous values at b + p * ldb (a packed panel: ldb = NR). A(i, p) is
  // a[p * lda + i] (packed panel: lda = MR; a column-major matrix read in place) or, with
  // ROWS, a[i * lda + p] (a row-major matrix read in place).
  template <bool ROWS>
  static void ukernel_t(int64_t kc, const T* TG_RESTRICT a, int64_t lda, const T* TG_RESTRICT b, int64_t ldb, T* c,
                        int64_t rsc, bool accumulate) {
    reg acc[MR][NV];
    TG_GEMM_UNROLL for (int i = 0; i < MR; i++) {
      TG_GEMM_UNROLL for (int v = 0; v < NV; v++) acc[i][v] = V::zero();
    }
#if defined(__GNUC__)
    TG_GEMM_UNROLL for (int i = 0; i < MR; i++) __builtin_prefetch(c + i * rsc, 1);
#endif
    for (int64_t p = 0; p < kc; p++) {
      reg bv[NV];
      TG_GEMM_UNROLL for (int v = 0; v < NV; v++) bv[v] = V::loadu(b + v * W);
      TG_GEMM_UNROLL for (int i = 0; i < MR; i++) {
        reg ai = V::set1(ROWS ? a[i * lda] : a[i]);
        TG_GEMM_UNROLL for (int v = 0; v < NV; v++) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
      }
      a += ROWS ? 1 : lda;
      b += ldb;
    }
    // All loads of C before any store: with rows a multiple of 4 KiB apart, a load after a
    // store to another row would wait on a false (4K-aliasing) dependency.
    if (accumulate) {
      TG_GEMM_UNROLL for (int i = 0; i < MR; i++) {
        TG_GEMM_UNROLL for (int v = 0; v < NV; v++) acc[i][v] = V::add(acc[i][v], V::loadu(c + i * rsc + v * W));
      }
    }
    TG_GEMM_UNROLL for (int i = 0; i < MR; i++) {
      TG_GEMM_UNROLL for (int v = 0; v < NV; v++) V::storeu(c + i * rsc + v * W, acc[i][v]);
    }
  }
  static void ukernel(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t rsc, bool acc) {
    ukernel_t<false>(kc, a, lda, b, ldb, c, rsc, acc);
  }
  static void ukernel_rows(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t rsc,
                           bool acc) {
    ukernel_t<true>(kc, a, lda, b, ldb, c, rsc, acc);
  }

  // A[0:mc, 0:kc] -> MR-row micro-panels (zero-padded to a multiple of MR rows).
  static void pack_a(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* TG_RESTRICT out) {
    for (int64_t i0 = 0; i0 < mc; i0 += MR, out += MR * kc) {
      const T* ap = a + i0 * rs;
      int64_t mr = mc - i0 < MR ? mc - i0 : MR;
      if (mr == MR && rs == 1) {
        // Column-major A (a transposed view): each panel column is MR contiguous values.
        for (int64_t p = 0; p < kc; p++) {
          TG_GEMM_UNROLL for (int r = 0; r < MR; r++) out[p * MR + r] = ap[p * cs + r];
        }
      } else if (mr == MR && cs == 1) {
        // Row-major A: MR row streams, interleaved.
        const T* rows[MR];
        TG_GEMM_UNROLL for (int r = 0; r < MR; r++) rows[r] = ap + r * rs;
        for (int64_t p = 0; p < kc; p++) {
          TG_GEMM_UNROLL for (int r = 0; r < MR; r++) out[p * MR + r] = rows[r][p];
        }
      } else {
        for (int64_t p = 0; p < kc; p++)
          for (int r = 0; r < MR; r++) out[p * MR + r] = r < mr ? ap[r * rs + p * cs] : T(0);
      }
    }
  }

  // B[0:kc, 0:nc] -> NR-column micro-panels (zero-padded to a multiple of NR columns).
  static void pack_b(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* TG_RESTRICT out) {
    for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * kc) {
      const T* bp = b + j0 * cs;
      int64_t nr = nc - j0 < NR ? nc - j0 : NR;
      if (nr == NR && cs == 1) {
        // Row-major B: each panel row is NR contiguous values.
        for (int64_t p = 0; p < kc; p++) {
          TG_GEMM_UNROLL for (int v = 0; v < NV; v++) V::storeu(out + p * NR + v * W, V::loadu(bp + p * rs + v * W));
        }
      } else if (nr == NR && rs == 1) {
        // Column-major B (a transposed view, e.g. x @ W.T): W x W blocks transposed in
        // registers where the ISA offers it, else each column read once, in order.
        int64_t p0 = 0;
        if constexpr (HasTranspose<V>::value) {
          for (; p0 + W <= kc; p0 += W) {
            TG_GEMM_UNROLL for (int v = 0; v < NV; v++) {
              reg r[W];
              TG_GEMM_UNROLL for (int j = 0; j < W; j++) r[j] = V::loadu(bp + (v * W + j) * cs + p0);
              V::transpose(r);
              TG_GEMM_UNROLL for (int i = 0; i < W; i++) V::storeu(out + (p0 + i) * NR + v * W, r[i]);
            }
          }
        }
        for (int j = 0; j < NR; j++) {
          const T* col = bp + j * cs;
          for (int64_t p = p0; p < kc; p++) out[p * NR + j] = col[p];
        }
      } else {
        for (int64_t p = 0; p < kc; p++)
          for (int j = 0; j < NR; j++) out[p * NR + j] = j < nr ? bp[p * rs + j * cs] : T(0);
      }
    }
  }
};

template <class V>
struct Level1 {
  using T = typename V::T;
  using reg = typename V::reg;
  static constexpr int W = V::W;

  static T hsum(reg r) {
    T lanes[W];
    V::storeu(lanes, r);
    T s = 0;
    for (int i = 0; i < W; i++) s += lanes[i];
    return s;
  }

  static T dot(int64_t n, const T* a, const T* b) {
    reg s0 = V::zero(), s1 = V::zero(), s2 = V::zero(), s3 = V::zero();
    int64_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      s0 = V::fma(V::loadu(a + i), V::loadu(b + i), s0);
      s1 = V::fma(V::loadu(a + i + W), V::loadu(b + i + W), s1);
      s2 = V::fma(V::loadu(a + i + 2 * W), V::loadu(b + i + 2 * W), s2);
      s3 = V::fma(V::loadu(a + i + 3 * W), V::loadu(b + i + 3 * W), s3);
    }
    for (; i + W <= n; i += W) s0 = V::fma(V::loadu(a + i), V::loadu(b + i), s0);
    T s = hsum(V::add(V::add(s0, s1), V::add(s2, s3)));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
  }

  static void axpy(int64_t n, T alpha, const T* x, T* y) {
    reg av = V::set1(alpha);
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      V::storeu(y + i, V::fma(av, V::loadu(x + i), V::loadu(y + i)));
      V::storeu(y + i + W, V::fma(av, V::loadu(x + i + W), V::loadu(y + i + W)));
    }
    for (; i + W <= n; i += W) V::storeu(y + i, V::fma(av, V::loadu(x + i), V::loadu(y + i)));
    for (; i < n; i++) y[i] += alpha * x[i];
  }
};

// The table for one (ISA, type): MR rows x NV vectors, cache blocks MC/KC/NC.
template <class V, int MR, int NV, int MC, int KC, int NC>
GemmKernels<typename V::T> make_table(const char* isa) {
  using B = Blocks<V, MR, NV>;
  using L = Level1<V>;
  static_assert(MC % MR == 0 && NC % (NV * V::W) == 0, "cache blocks must hold whole micro-panels");
  static_assert(MR * NV * V::W <= kMaxTile, "raise kMaxTile");
  return GemmKernels<typename V::T>{isa, MR, B::NR, MC, KC, NC, &B::pack_a, &B::pack_b, &B::ukernel, &B::ukernel_rows, &L::dot, &L::axpy};
}

#undef TG_GEMM_UNROLL
#undef TG_RESTRICT

}  // namespace
}  // namespace gemm_impl
}  // namespace tg
