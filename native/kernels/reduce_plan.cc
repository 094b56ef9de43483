#include "reduce_plan.h"
#include <algorithm>
#include <numeric>

namespace tg {

namespace {

// Merges neighbouring dims (in the order given) whose strides make them one run.
void coalesce(Dims* sizes, Dims* st_a, Dims* st_b) {
  Dims s, a, b;
  for (size_t d = 0; d < sizes->size(); d++) {
    int64_t n = (*sizes)[d];
    bool merge = !s.empty() && a.back() == (*st_a)[d] * n && (!st_b || b.back() == (*st_b)[d] * n);
    if (merge) {
      s.back() *= n;
      a.back() = (*st_a)[d];
      if (st_b) b.back() = (*st_b)[d];
    } else {
      s.push_back(n);
      a.push_back((*st_a)[d]);
      if (st_b) b.push_back((*st_b)[d]);
    }
  }
  *sizes = s;
  *st_a = a;
  if (st_b) *st_b = b;
}

// A stride of 0 (an expanded dim) is no help to locality: rank it as the largest.
int64_t locality_key(int64_t stride) { return stride == 0 ? INT64_MAX : (stride < 0 ? -stride : stride); }

// Reduced runs shorter than this are folded across outputs instead (vertical mode).
constexpr int64_t kMinInnerRun = 16;

}  // namespace

ReducePlan plan_reduction(const Tensor& a, const std::vector<bool>& mask) {
  ReducePlan p;
  const Dims& shape = a.shape();
  const Dims& st = a.strides();
  // Output strides: contiguous over the keepdim shape.
  Dims keep_shape(shape.size());
  for (size_t d = 0; d < shape.size(); d++) keep_shape[d] = mask[d] ? 1 : shape[d];
  Dims out_st(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; d--) out_st[d] = out_st[d + 1] * keep_shape[d + 1];

  for (size_t d = 0; d < shape.size(); d++) {
    if (mask[d]) {
      p.length *= shape[d];
      if (shape[d] != 1) {
        p.red_sizes.push_back(shape[d]);
        p.red_in.push_back(st[d]);
      }
    } else {
      p.outputs *= shape[d];
      if (shape[d] != 1) {
        p.keep_sizes.push_back(shape[d]);
        p.keep_in.push_back(st[d]);
        p.keep_out.push_back(out_st[d]);
      }
    }
  }
  coalesce(&p.keep_sizes, &p.keep_in, &p.keep_out);
  // Reduced dims: any order gives the same result, so walk them by decreasing stride.
  std::vector<size_t> order(p.red_sizes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return locality_key(p.red_in[x]) > locality_key(p.red_in[y]); });
  Dims rs, ri;
  for (size_t i : order) {
    rs.push_back(p.red_sizes[i]);
    ri.push_back(p.red_in[i]);
  }
  coalesce(&rs, &ri, nullptr);
  p.red_sizes = rs;
  p.red_in = ri;
  if (p.red_sizes.empty()) {
    p.red_sizes.push_back(1);
    p.red_in.push_back(0);
  }

  if (!p.keep_sizes.empty() && p.length > 1) {
    int best = 0;
    for (int d = 1; d < static_cast<int>(p.keep_sizes.size()); d++)
      if (locality_key(p.keep_in[d]) < locality_key(p.keep_in[best])) best = d;
    int64_t red_key = locality_key(p.red_in.back());
    bool inner = red_key < locality_key(p.keep_in[best]) && p.red_sizes.back() >= kMinInnerRun;
    if (!inner) p.vec = best;
  }
  return p;
}

DimSplit split_at(const Dims& shape, int64_t dim) {
  DimSplit s;
  if (dim < 0) {
    for (int64_t n : shape) s.len *= n;
    return s;
  }
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); d++) {
    if (d < dim) s.outer *= shape[d];
    else if (d == dim) s.len = shape[d];
    else s.inner *= shape[d];
  }
  return s;
}

}  // namespace tg
