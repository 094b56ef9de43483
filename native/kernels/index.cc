#include "index.h"
#include <cstring>

namespace tg {

namespace {

// Walks every position of `shape` (row-major), giving the element offsets of `a` (strides
// sa) and `b` (strides sb) with dim `dim` left out of b's offset: the caller adds it.
template <class F>
void walk(const Dims& shape, const Dims& sa, const Dims& sb, int64_t dim, F f) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  if (n == 0) return;
  std::vector<int64_t> idx(nd, 0);
  int64_t oa = 0, ob = 0;
  for (int64_t p = 0; p < n; p++) {
    f(oa, ob);
    for (int64_t d = nd - 1; d >= 0; d--) {
      idx[d]++;
      oa += sa[d];
      if (d != dim) ob += sb[d];
      if (idx[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      if (d != dim) ob -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void index_select_kernel(const Tensor& out, const Tensor& self, const int64_t* index, int64_t k, int64_t outer,
                         int64_t inner) {
  const int64_t self_dim = outer == 0 || inner == 0 ? 0 : self.numel() / (outer * inner);
  const size_t block = static_cast<size_t>(inner) * out.itemsize();
  const char* src = self.raw();
  char* dst = out.raw();
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < k; i++)
      std::memcpy(dst + (o * k + i) * block, src + (o * self_dim + index[i]) * block, block);
}

void index_add_kernel(const Tensor& out, const Tensor& src, const int64_t* index, int64_t k, int64_t outer,
                      int64_t inner) {
  const int64_t out_dim = outer == 0 || inner == 0 ? 0 : out.numel() / (outer * inner);
  TG_DISPATCH_ALL(out.dtype(), [&] {
    scalar_t* o = out.data<scalar_t>();
    const scalar_t* s = src.data<scalar_t>();
    for (int64_t a = 0; a < outer; a++)
      for (int64_t i = 0; i < k; i++) {
        scalar_t* row = o + (a * out_dim + index[i]) * inner;
        const scalar_t* in = s + (a * k + i) * inner;
        for (int64_t n = 0; n < inner; n++) row[n] = static_cast<scalar_t>(row[n] + in[n]);
      }
  });
}

void gather_kernel(const Tensor& out, const Tensor& self, const Tensor& index, int64_t dim) {
  const int64_t* ix = index.data<int64_t>();
  const int64_t step = self.strides()[dim];
  TG_DISPATCH_ALL(out.dtype(), [&] {
    scalar_t* o = out.data<scalar_t>();
    const scalar_t* s = self.data<scalar_t>();
    walk(index.shape(), index.strides(), self.strides(), dim,
         [&](int64_t oi, int64_t os) { o[oi] = s[os + ix[oi] * step]; });
  });
}

void scatter_add_kernel(const Tensor& out, const Tensor& src, const Tensor& index, int64_t dim) {
  const int64_t* ix = index.data<int64_t>();
  const int64_t step = out.strides()[dim];
  TG_DISPATCH_ALL(out.dtype(), [&] {
    scalar_t* o = out.data<scalar_t>();
    const scalar_t* s = src.data<scalar_t>();
    walk(index.shape(), index.strides(), out.strides(), dim, [&](int64_t ii, int64_t oo) {
      scalar_t& dst = o[oo + ix[ii] * step];
      dst = static_cast<scalar_t>(dst + s[ii]);
    });
  });
}

}  // namespace tg
