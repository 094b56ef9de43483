// The one strided loop every elementwise kernel runs on (a small TensorIterator).
//
// An op with N operands (output first) describes each operand by a base pointer and its
// byte strides over a common shape (0 where an input is broadcast). Dims are coalesced
// (adjacent dims merged when every operand steps through them contiguously), so a
// contiguous tensor of any rank becomes one flat run. The kernel then sees only 1-D runs:
//     inner(char* ptrs[N], const int64_t strides[N], int64_t n)
// and handles the all-contiguous run with a tight loop the compiler vectorises.
//
// Per-op overhead matters for tiny tensors (a 1-element op is dominated by it), so nothing
// here allocates for up to kLoopInlineDims coalesced dims, and run_flat() skips the
// geometry entirely when every operand is contiguous with the iteration shape or a single
// broadcast element — the common case.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>
#include "../core/tensor.h"
#include "parallel.h"

namespace tg {

// A vector with room for Cap elements inline; spills to the heap only beyond that.
template <class T, int Cap>
class InlineVec {
 public:
  InlineVec() = default;
  InlineVec(const InlineVec& o) { *this = o; }
  InlineVec& operator=(const InlineVec& o) {
    if (this != &o) {
      n_ = 0;
      heap_.clear();
      for (size_t i = 0; i < o.size(); i++) push_back(o[i]);
    }
    return *this;
  }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  T* data() { return n_ <= Cap ? buf_ : heap_.data(); }
  const T* data() const { return n_ <= Cap ? buf_ : heap_.data(); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[n_ - 1]; }
  const T& back() const { return data()[n_ - 1]; }
  void push_back(T v) {
    if (n_ < Cap) {
      buf_[n_++] = v;
      return;
    }
    if (n_ == Cap) heap_.assign(buf_, buf_ + Cap);
    heap_.push_back(v);
    n_++;
  }

 private:
  T buf_[Cap];
  size_t n_ = 0;
  std::vector<T> heap_;  // all elements once n_ > Cap
};

constexpr int kLoopInlineDims = 8;

template <int N>
struct StridedLoop {
  static constexpr int64_t kTile = 32;  // elements per side of a tile (run_tiled)
  InlineVec<int64_t, kLoopInlineDims> sizes;                 // coalesced, innermost last
  std::array<InlineVec<int64_t, kLoopInlineDims>, N> strides;  // bytes, per operand
  std::array<char*, N> base;
  std::array<int64_t, N> itemsize;
  int64_t numel = 1;

  // shape: the iteration shape; per-operand element strides over that shape.
  StridedLoop(const Dims& shape, const std::array<char*, N>& ptrs, const std::array<Dims, N>& elem_strides,
              const std::array<int64_t, N>& itemsizes)
      : base(ptrs), itemsize(itemsizes) {
    for (int64_t s : shape) numel *= s;
    // Drop size-1 dims, then merge neighbours that are contiguous for every operand.
    for (size_t d = 0; d < shape.size(); d++) {
      if (shape[d] == 1) continue;
      bool merge = !sizes.empty();
      for (int k = 0; k < N && merge; k++)
        merge = strides[k].back() == elem_strides[k][d] * itemsizes[k] * shape[d];
      if (merge) {
        sizes.back() *= shape[d];
        for (int k = 0; k < N; k++) strides[k].back() = elem_strides[k][d] * itemsizes[k];
      } else {
        sizes.push_back(shape[d]);
        for (int k = 0; k < N; k++) strides[k].push_back(elem_strides[k][d] * itemsizes[k]);
      }
    }
    if (sizes.empty()) {
      sizes.push_back(1);
      for (int k = 0; k < N; k++) strides[k].push_back(0);
    }
  }

  // Runs inner over the linear index range [begin, end) of the iteration space.
  template <class F>
  void run_range(int64_t begin, int64_t end, F&& inner) const {
    if (begin >= end) return;  // an empty range (numel 0): sizes may hold a 0 to divide by
    const int nd = static_cast<int>(sizes.size());
    const int64_t inner_size = sizes[nd - 1];
    std::array<int64_t, N> inner_stride;
    for (int k = 0; k < N; k++) inner_stride[k] = strides[k][nd - 1];
    // Multi-index of `begin` over the outer dims.
    InlineVec<int64_t, kLoopInlineDims> idx;
    for (int d = 0; d < nd; d++) idx.push_back(0);
    int64_t rem = begin;
    for (int d = nd - 1; d >= 0; d--) {
      idx[d] = rem % sizes[d];
      rem /= sizes[d];
    }
    int64_t pos = begin;
    while (pos < end) {
      std::array<char*, N> p;
      for (int k = 0; k < N; k++) {
        char* q = base[k];
        for (int d = 0; d < nd; d++) q += idx[d] * strides[k][d];
        p[k] = q;
      }
      int64_t n = std::min(inner_size - idx[nd - 1], end - pos);
      inner(p.data(), inner_stride.data(), n);
      pos += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] >= sizes[d]; d--) {
        idx[d] = 0;
        idx[d - 1]++;
      }
    }
  }

  // True when some operand steps through memory faster along the second-innermost dim than
  // along the innermost one (a transposed view, e.g. a.T + b): row-by-row runs would then
  // touch a new cache line per element of that operand, so the last two dims go in tiles.
  bool wants_tiles() const {
    const size_t nd = sizes.size();
    if (nd < 2 || sizes[nd - 1] < 2 * kTile || sizes[nd - 2] < 2 * kTile) return false;
    for (int k = 0; k < N; k++) {
      const int64_t outer = strides[k][nd - 2] < 0 ? -strides[k][nd - 2] : strides[k][nd - 2];
      const int64_t inner = strides[k][nd - 1] < 0 ? -strides[k][nd - 1] : strides[k][nd - 1];
      if (outer != 0 && outer < inner) return true;
    }
    return false;
  }

  // The last two dims in kTile x kTile tiles. A transposed operand's part of a tile is
  // gathered (read along its own contiguous direction) into a small row-major buffer, so each
  // row of the tile reaches the kernel as an all-contiguous run (its vectorised path); a
  // transposed output is written to its buffer and scattered back. Tasks are bands of kTile
  // rows of one [rows, cols] matrix of the outer dims.
  template <class F>
  void run_tiled(F&& inner, int64_t grain) const {
    const int nd = static_cast<int>(sizes.size());
    const int64_t R = sizes[nd - 2], C = sizes[nd - 1];
    const int64_t bands_per = (R + kTile - 1) / kTile;
    const int64_t tasks = numel / (R * C) * bands_per;
    std::array<int64_t, N> rs, cs;
    std::array<bool, N> tr;
    for (int k = 0; k < N; k++) {
      rs[k] = strides[k][nd - 2], cs[k] = strides[k][nd - 1];
      const int64_t ar = rs[k] < 0 ? -rs[k] : rs[k], ac = cs[k] < 0 ? -cs[k] : cs[k];
      tr[k] = ar != 0 && ar < ac && (itemsize[k] == 1 || itemsize[k] == 2 || itemsize[k] == 4 || itemsize[k] == 8);
    }
    auto band = [&](int64_t t0, int64_t t1) {
      alignas(64) char buf[N][kTile * kTile * 8];
      std::array<int64_t, N> st;
      for (int k = 0; k < N; k++) st[k] = tr[k] ? itemsize[k] : cs[k];
      for (int64_t t = t0; t < t1; t++) {
        int64_t o = t / bands_per;
        const int64_t r0 = (t % bands_per) * kTile, r1 = std::min(R, r0 + kTile);
        std::array<char*, N> mat = base;
        for (int d = nd - 3; d >= 0; d--) {
          const int64_t i = o % sizes[d];
          o /= sizes[d];
          for (int k = 0; k < N; k++) mat[k] += i * strides[k][d];
        }
        for (int64_t c0 = 0; c0 < C; c0 += kTile) {
          const int64_t n = std::min(kTile, C - c0);
          for (int k = 1; k < N; k++)
            if (tr[k]) move_tile(buf[k], mat[k] + r0 * rs[k] + c0 * cs[k], rs[k], cs[k], r1 - r0, n, itemsize[k], true);
          for (int64_t r = r0; r < r1; r++) {
            std::array<char*, N> p;
            for (int k = 0; k < N; k++)
              p[k] = tr[k] ? buf[k] + (r - r0) * kTile * itemsize[k] : mat[k] + r * rs[k] + c0 * cs[k];
            inner(p.data(), st.data(), n);
          }
          if (tr[0]) move_tile(buf[0], mat[0] + r0 * rs[0] + c0 * cs[0], rs[0], cs[0], r1 - r0, n, itemsize[0], false);
        }
      }
    };
    const int64_t per_task = kTile * C;
    if (numel < 2 * grain) return band(0, tasks);
    parallel_for(tasks, std::max<int64_t>(1, grain / per_task), band);
  }

  // Copies a rows x cols tile between a matrix (byte strides rs, cs) and a row-major buffer
  // of kTile columns; the matrix is walked column by column, its contiguous direction.
  static void move_tile(char* buf, char* m, int64_t rs, int64_t cs, int64_t rows, int64_t cols, int64_t isz,
                        bool gather) {
    auto go = [&](auto tag) {
      using E = decltype(tag);
      E* b = reinterpret_cast<E*>(buf);
      for (int64_t c = 0; c < cols; c++)
        for (int64_t r = 0; r < rows; r++) {
          E* e = reinterpret_cast<E*>(m + r * rs + c * cs);
          if (gather) b[r * kTile + c] = *e;
          else *e = b[r * kTile + c];
        }
    };
    if (isz == 1) go(uint8_t());
    else if (isz == 2) go(uint16_t());
    else if (isz == 4) go(uint32_t());
    else go(uint64_t());
  }

  // Runs the whole space, split across threads when it is large.
  template <class F>
  void run(F&& inner, int64_t grain = kElementwiseGrain) const {
    if (numel == 0) return;
    if (wants_tiles()) return run_tiled(inner, grain);
    if (numel < 2 * grain) {
      run_range(0, numel, inner);
      return;
    }
    parallel_for(numel, grain, [&](int64_t b, int64_t e) { run_range(b, e, inner); });
  }
};

// The fast path: when every operand either is contiguous with exactly the iteration shape
// (stride = its itemsize) or holds a single element (stride 0, broadcast), the space is one
// flat run and inner is called on it directly (split across threads when large). Returns
// false, having done nothing, otherwise; the caller then builds a StridedLoop.
template <int N, class F>
bool run_flat(const Dims& shape, const std::array<const Tensor*, N>& ts, const std::array<int64_t, N>& itemsizes,
              F&& inner, int64_t grain = kElementwiseGrain) {
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  std::array<char*, N> p;
  std::array<int64_t, N> st;
  for (int k = 0; k < N; k++) {
    const Tensor& t = *ts[k];
    if (t.shape() == shape && t.is_contiguous()) st[k] = itemsizes[k];
    else if (t.numel() == 1) st[k] = 0;
    else return false;
    p[k] = t.raw();
  }
  if (numel == 0) return true;
  if (numel < 2 * grain) {
    inner(p.data(), st.data(), numel);
    return true;
  }
  parallel_for(numel, grain, [&](int64_t b, int64_t e) {
    std::array<char*, N> q;
    for (int k = 0; k < N; k++) q[k] = p[k] + b * st[k];
    inner(q.data(), st.data(), e - b);
  });
  return true;
}

}  // namespace tg
