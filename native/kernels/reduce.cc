// Fold-style reductions: the dispatch of each Reducer (reducers.h) over a ReducePlan.
// FP exceptions are never observed: let GCC turn float compare-and-select into vector
// blends (without this, comparisons that could trap on NaN stay branches).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "reduce.h"
#include <cmath>
#include <limits>
#include <type_traits>
#include "reduce_engine.h"
#include "reducers.h"

namespace tg {

using namespace red;

namespace {

template <class R>
void run(const Tensor& out, const Tensor& a, const ReducePlan& plan, const R& r) {
  run_reduction(plan, r, a.data<typename R::in_t>(), out.data<typename R::out_t>());
}

}  // namespace

void sum_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, double divisor) {
  ReducePlan plan = plan_reduction(a, mask);
  TG_DISPATCH_ALL(out.dtype(), [&] {
    using O = scalar_t;
    TG_DISPATCH_ALL(a.dtype(), [&] {
      SumR<scalar_t, O> r;
      r.divisor = divisor;
      run(out, a, plan, r);
    });
  });
}

void prod_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask) {
  ReducePlan plan = plan_reduction(a, mask);
  TG_DISPATCH_ALL(out.dtype(), [&] {
    using O = scalar_t;
    TG_DISPATCH_ALL(a.dtype(), [&] { run(out, a, plan, ProdR<scalar_t, O>{}); });
  });
}

void minmax_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, bool is_max) {
  ReducePlan plan = plan_reduction(a, mask);
  TG_DISPATCH_ALL(a.dtype(), [&] {
    if (is_max)
      run(out, a, plan, MinMaxR<scalar_t, true>{});
    else
      run(out, a, plan, MinMaxR<scalar_t, false>{});
  });
}

void norm_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, double p) {
  ReducePlan plan = plan_reduction(a, mask);
  TG_DISPATCH_FLOAT(a.dtype(), [&] {
    using T = scalar_t;
    if (p == 0) run(out, a, plan, NormR<T, NormKind::L0>{});
    else if (p == 1) run(out, a, plan, NormR<T, NormKind::L1>{});
    else if (p == 2) run(out, a, plan, NormR<T, NormKind::L2>{});
    else if (std::isinf(p) && p > 0) run(out, a, plan, NormR<T, NormKind::Inf>{});
    else if (std::isinf(p)) run(out, a, plan, NormR<T, NormKind::NegInf>{});
    else {
      NormR<T, NormKind::Lp> r;
      r.p = p;
      run(out, a, plan, r);
    }
  });
}

void var_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, int64_t correction, bool take_sqrt) {
  ReducePlan plan = plan_reduction(a, mask);
  std::vector<double> mean(static_cast<size_t>(plan.outputs));
  const double n = static_cast<double>(plan.length);
  TG_DISPATCH_FLOAT(a.dtype(), [&] {
    SumR<scalar_t, double> m;
    m.divisor = n;
    run_reduction(plan, m, a.data<scalar_t>(), mean.data());
    SqDevR<scalar_t> r;
    r.mean = mean.data();
    r.divisor = std::max(0.0, n - static_cast<double>(correction));
    r.take_sqrt = take_sqrt;
    run(out, a, plan, r);
  });
}

void logsumexp_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask) {
  ReducePlan plan = plan_reduction(a, mask);
  std::vector<double> shift(static_cast<size_t>(plan.outputs));
  TG_DISPATCH_FLOAT(a.dtype(), [&] {
    using T = scalar_t;
    std::vector<T> mx(static_cast<size_t>(plan.outputs));
    if (plan.length > 0) run_reduction(plan, MinMaxR<T, true>{}, a.data<T>(), mx.data());
    for (size_t o = 0; o < mx.size(); o++) shift[o] = std::isinf(mx[o]) || plan.length == 0 ? 0.0 : double(mx[o]);
    SumExpR<T> r;
    r.shift = shift.data();
    run(out, a, plan, r);
  });
}

}  // namespace tg
