#include "reduce.h"
#include "loop.h"

namespace tg {

void sum_kernel(const Tensor& out, const Tensor& a) {
  // Iterate over a; out is seen through zero strides on the reduced dims, so each element
  // of a adds into its output slot. Single-threaded (threads would race on out).
  const Dims& shape = a.shape();
  Dims ost(shape.size());
  for (size_t i = 0; i < shape.size(); i++) ost[i] = out.shape()[i] == 1 && shape[i] != 1 ? 0 : out.strides()[i];
  TG_DISPATCH_ALL(out.dtype(), [&] {
    using O = scalar_t;
    TG_DISPATCH_ALL(a.dtype(), [&] {
      using A = scalar_t;
      StridedLoop<2> it(shape, {out.raw(), a.raw()}, {ost, a.strides()}, {int64_t(sizeof(O)), int64_t(sizeof(A))});
      it.run_range(0, it.numel, [&](char** p, const int64_t* s, int64_t n) {
        if (s[0] == 0) {
          O acc = *reinterpret_cast<O*>(p[0]);
          for (int64_t i = 0; i < n; i++) acc += static_cast<O>(*reinterpret_cast<const A*>(p[1] + i * s[1]));
          *reinterpret_cast<O*>(p[0]) = acc;
        } else {
          for (int64_t i = 0; i < n; i++)
            *reinterpret_cast<O*>(p[0] + i * s[0]) += static_cast<O>(*reinterpret_cast<const A*>(p[1] + i * s[1]));
        }
      });
    });
  });
}

}  // namespace tg
