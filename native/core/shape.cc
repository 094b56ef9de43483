#include "shape.h"
#include <algorithm>
#include <cstdint>
#include "error.h"

namespace tg {

Dims contiguous_strides(const Dims& shape) {
  Dims st(shape.size());
  int64_t acc = 1;
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; i--) {
    st[i] = acc;
    // Saturates instead of overflowing (undefined behaviour): a shape that large is refused
    // by checked_numel before any memory is touched.
    int64_t s = std::max<int64_t>(shape[i], 1);
    acc = acc > INT64_MAX / s ? INT64_MAX : acc * s;
  }
  return st;
}

int64_t checked_numel(const Dims& shape) {
  int64_t n = 1;
  for (int64_t s : shape) {
    TG_CHECK_RANGE(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", shape_str(shape));
    if (s != 0 && n > (int64_t(1) << 62) / s) fail(ErrorKind::RangeError, str("out of memory: shape ", shape_str(shape), " is too large"));
    n *= s;
  }
  return n;
}

Dims broadcast_shapes(const Dims& a, const Dims& b) {
  size_t n = std::max(a.size(), b.size());
  Dims out(n);
  // From the last dim backwards, as PyTorch's infer_size: the error names the last mismatch.
  for (size_t i = n; i-- > 0;) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da == db || db == 1) out[i] = da;
    else if (da == 1) out[i] = db;
    else
      fail(ErrorKind::Error, str("The size of tensor a (", da, ") must match the size of tensor b (", db,
                                 ") at non-singleton dimension ", i));
  }
  return out;
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = ndim <= 0 ? 1 : ndim;  // a 0-d tensor accepts dims -1 and 0
  TG_CHECK_RANGE(dim >= -n && dim < n, "Dimension out of range (expected to be in range of [", -n, ", ", n - 1,
                 "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

std::vector<bool> dim_mask(const Dims& dims, int64_t ndim) {
  std::vector<bool> mask(static_cast<size_t>(ndim), dims.empty());
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, ndim);
    if (ndim == 0) continue;
    TG_CHECK(!mask[w] || dims.empty(), "dim ", w, " appears multiple times in the list of dims");
    mask[w] = true;
  }
  return mask;
}

Dims broadcast_strides(const Tensor& t, const Dims& shape) {
  Dims st(shape.size(), 0);
  size_t off = shape.size() - t.shape().size();
  for (size_t i = 0; i < t.shape().size(); i++)
    st[off + i] = t.shape()[i] == 1 && shape[off + i] != 1 ? 0 : t.strides()[i];
  return st;
}

std::string shape_str(const Dims& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); i++) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace tg
