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
#include "elementwise.h"
#include "reduce_engine.h"
#include "reducers.h"

namespace tg {

using namespace red;

namespace {

template <class R>
void run(const Tensor& out, const Tensor& a, const ReducePlan& plan, const R& r) {
  run_reduction(plan, r, a.data<typename R::in_t>(), out.data<typename R::out_t>());
}

// Sum and prod fold In into Out. The pairs compiled are In == Out and the integer
// widenings (bool, int32 -> int64); any other pair (the dtype= option) converts the input
// to Out first, which gives the same result with far fewer template instantiations.
template <template <class, class> class Fold, class Setup>
void widening_fold(const Tensor& out, const Tensor& in, const std::vector<bool>& mask, Setup setup) {
  const DType from = in.dtype(), to = out.dtype();
  const bool widen = to == DType::Int64 && (from == DType::Bool || from == DType::Int32);
  Tensor a = in;
  if (from != to && !widen) {
    a = Tensor::empty(in.shape(), to);
    copy_kernel(a, in);
  }
  ReducePlan plan = plan_reduction(a, mask);
  if (widen) {
    if (from == DType::Bool) {
      Fold<bool, int64_t> r;
      setup(r);
      run(out, a, plan, r);
    } else {
      Fold<int32_t, int64_t> r;
      setup(r);
      run(out, a, plan, r);
    }
    return;
  }
  TG_DISPATCH_ALL(to, [&] {
    Fold<scalar_t, scalar_t> r;
    setup(r);
    run(out, a, plan, r);
  });
}

}  // namespace

void sum_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask, double divisor) {
  widening_fold<SumR>(out, a, mask, [&](auto& r) { r.divisor = divisor; });
}

void prod_kernel(const Tensor& out, const Tensor& a, const std::vector<bool>& mask) {
  widening_fold<ProdR>(out, a, mask, [](auto&) {});
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
