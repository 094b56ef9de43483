// THE table of derivatives: one case per OpKind (ops/ops.def), like PyTorch's
// derivatives.yaml. Formulas are written in tensorgrad's own ops so that, with
// create_graph, backward records a graph of its own (higher derivatives for free).
//
// Conventions:
//   g                 the gradient of output 0 (grads[1] etc. for more outputs)
//   saved_at(i)       the i-th saved tensor, version-checked
//   needs_input_grad(i) whether input i wants a gradient (skip the work otherwise)
// Return one tensor per input (next edge); an undefined Tensor means "no gradient".
// Never undo broadcasting here: the engine sums each gradient to its input's shape.
#include <algorithm>
#include <cmath>
#include "grad_mode.h"
#include "op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../kernels/fused_backward.h"
#include "../ops/ops.h"
#include "../ops/ops_extra.h"

namespace tg {

using namespace ops;

namespace {

Tensor sc(double v) { return scalar_tensor(Scalar{v, false, false}); }

// A float mask (1 where cond) in g's dtype.
Tensor mask_of(const Tensor& cond, const Tensor& like) { return to_dtype(cond, like.dtype()); }

// A reduction's result (or its gradient) with the reduced dims put back as size 1, so that
// it broadcasts against the input (PyTorch's unsqueeze_multiple).
Tensor restore_dims(const Tensor& t, const Dims& shape, const Dims& dims, bool keepdim) {
  Tensor r = t;
  if (!keepdim && !shape.empty()) {
    std::vector<bool> mask = dim_mask(dims, static_cast<int64_t>(shape.size()));
    for (size_t i = 0; i < shape.size(); i++)
      if (mask[i]) r = unsqueeze(r, static_cast<int64_t>(i));
  }
  return r;
}

// Gradient of a reduction over `dims` of an input of `shape`: g broadcast back.
Tensor unreduce(const Tensor& g, const Dims& shape, const Dims& dims, bool keepdim) {
  return expand(restore_dims(g, shape, dims, keepdim), shape);
}

// 1 where t is NaN, in `like`'s dtype.
Tensor nan_mask(const Tensor& t, const Tensor& like) { return mask_of(compare(CmpOp::Ne, t, t), like); }

// Whether any element of a bool tensor is set (a plain read; not part of any graph).
bool any_true(const Tensor& b) {
  Tensor n = sum(b, {}, false);
  return *n.data<int64_t>() != 0;
}

Tensor transpose_last(const Tensor& t) { return transpose(t, -2, -1); }

// ---- elementwise helpers
// A 0-d zero of g's dtype: where(cond, g, zero) keeps g's dtype and, unlike a multiply by
// a mask, gives 0 (not NaN) where g is inf or NaN, as PyTorch's formulas do.
Tensor zeros_like_0d(const Tensor& g) { return Tensor::zeros({}, g.dtype()); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return mul(a, b); }      // bool * bool
Tensor logical_or(const Tensor& a, const Tensor& b) { return maximum(a, b); }   // bool max
// Phi(x) = (1 + erf(x / sqrt 2)) / 2, computed directly (not recorded).
Tensor normal_cdf(const Tensor& x) {
  Tensor xc = clone_detached(x);
  TG_DISPATCH_FLOAT(x.dtype(), [&] {
    scalar_t* p = xc.data<scalar_t>();
    for (int64_t i = 0; i < xc.numel(); i++) p[i] = scalar_t(0.5) * (1 + std::erf(p[i] * scalar_t(M_SQRT1_2)));
  });
  return xc;
}

}  // namespace

// d(a @ b)/da = g @ b.T and d(a @ b)/db = a.T @ g. An operand that was column-major (a
// transposed view, e.g. W.T in x @ W.T) gets its gradient computed transposed so that it
// comes out column-major too (PyTorch's mm_mat1_backward / mm_mat2_backward): after
// TBackward it then arrives contiguous, with no copy into .grad.
static Tensor mm_mat1_backward(const Tensor& g, const Tensor& b, bool a_column_major) {
  return a_column_major ? transpose(mm(b, transpose(g, 0, 1)), 0, 1) : mm(g, transpose(b, 0, 1));
}
static Tensor mm_mat2_backward(const Tensor& g, const Tensor& a, bool b_column_major) {
  return b_column_major ? transpose(mm(transpose(g, 0, 1), a), 0, 1) : mm(transpose(a, 0, 1), g);
}

GradList OpNode::apply(GradList&& grads) {
  const Tensor& g = grads[0];
  switch (kind) {
    // ------------------------------------------------------------ arithmetic
    // (PyTorch's formulas from derivatives.yaml, with its choices at ties and boundaries.)
    case OpKind::Add:
      return {g, needs_input_grad(1) && s0 != 1 ? mul(g, sc(s0)) : g};
    case OpKind::Sub:
      return {g, needs_input_grad(1) ? (s0 == 1 ? neg(g) : mul(neg(g), sc(s0))) : Tensor()};
    case OpKind::Mul: {
      size_t i = 0;
      Tensor a = b0 ? saved_at(i++) : Tensor();
      Tensor b = needs_input_grad(0) ? saved_at(i++) : Tensor();
      return {needs_input_grad(0) ? mul(g, b) : Tensor(), needs_input_grad(1) ? mul(g, a) : Tensor()};
    }
    case OpKind::Div: {
      // self: grad / other; other: -grad * ((self / other) / other)
      Tensor a = saved_at(0), b = saved_at(1);
      Tensor ga = needs_input_grad(0) ? div(g, b) : Tensor();
      Tensor gb = needs_input_grad(1) ? mul(neg(g), div(div(a, b), b)) : Tensor();
      return {ga, gb};
    }
    case OpKind::Pow: {
      // self: where(exponent == 0, 0, grad * exponent * self^(exponent - 1))
      // exponent: grad * where(self == 0 & exponent >= 0, 0, result * log(self))
      Tensor a = saved_at(0), b = saved_at(1), out = saved_at(2);
      Tensor ga, gb;
      if (needs_input_grad(0)) {
        Tensor d = mul(g, mul(b, pow(a, sub(b, sc(1)))));
        ga = where(compare(CmpOp::Eq, b, sc(0)), zeros_like_0d(g), d);
      }
      if (needs_input_grad(1)) {
        Tensor base_zero = logical_and(compare(CmpOp::Eq, a, sc(0)), compare(CmpOp::Ge, b, sc(0)));
        Tensor ap = to_dtype(a, result_type(a, b));
        gb = mul(g, where(base_zero, zeros_like_0d(g), mul(out, log(ap))));
      }
      return {ga, gb};
    }
    case OpKind::PowScalar: {
      // grad * exponent * self^(exponent - 1), the new exponent a float; 0 for exponent 0.
      Tensor a = saved_at(0);
      if (s0 == 0) return {zeros_like(a)};
      return {mul(g, mul(pow_scalar(a, Scalar{s0 - 1, false, false}), sc(s0)))};
    }
    case OpKind::ScalarPow: {
      // grad * result * log(base); at base 0: 0 where exponent >= 0 (result * -inf elsewhere).
      Tensor out = saved_at(0);
      Tensor d = mul(out, sc(std::log(s0)));
      if (s0 == 0) d = where(compare(CmpOp::Ge, saved_at(1), sc(0)), zeros_like_0d(g), d);
      return {mul(g, d)};
    }
    case OpKind::Neg:
      return {neg(g)};
    case OpKind::Abs:
      return {mul(g, sign(saved_at(0)))};
    case OpKind::Sqrt:
      return {div(g, mul(saved_at(0), sc(2)))};
    case OpKind::Rsqrt:
      return {mul(mul(g, pow_scalar(saved_at(0), Scalar{3, true, false})), sc(-0.5))};
    case OpKind::Exp:
      return {mul(g, saved_at(0))};
    case OpKind::Log:
      return {div(g, saved_at(0))};
    case OpKind::Log1p:
      return {div(g, add(saved_at(0), sc(1)))};
    case OpKind::Sin:
      return {mul(g, cos(saved_at(0)))};
    case OpKind::Cos:
      return {mul(g, neg(sin(saved_at(0))))};
    case OpKind::Tan: {
      Tensor out = saved_at(0);
      return {mul(g, add(pow_scalar(out, Scalar{2, true, false}), sc(1)))};
    }
    case OpKind::Tanh: {
      Tensor out = saved_at(0);
      return {mul(g, sub(sc(1), mul(out, out)))};
    }
    case OpKind::Sigmoid: {
      Tensor out = saved_at(0);
      return {mul(mul(g, sub(sc(1), out)), out)};
    }
    case OpKind::Relu: {
      // threshold_backward(grad, result, 0): no gradient where the result is <= 0.
      Tensor y = saved_at(0);
      if (!GradMode::enabled() && fused_backward_applies(g, y)) return {relu_backward_fused(g, y)};
      return {where(compare(CmpOp::Le, y, sc(0)), zeros_like_0d(g), g)};
    }
    case OpKind::Square:
      return {mul(g, mul(saved_at(0), sc(2)))};
    case OpKind::Reciprocal: {
      Tensor out = saved_at(0);
      return {mul(neg(g), mul(out, out))};
    }
    case OpKind::Sign:
      return {zeros_like(g)};
    case OpKind::Clamp: {
      // Gradient flows where min <= x <= max (both ends included), as PyTorch's clamp_backward.
      Tensor a = saved_at(0);
      Tensor keep;
      if (b0) keep = compare(CmpOp::Ge, a, sc(s0));
      if (b1) {
        Tensor le = compare(CmpOp::Le, a, sc(s1));
        keep = keep.defined() ? logical_and(keep, le) : le;
      }
      return {where(keep, g, zeros_like_0d(g))};
    }
    case OpKind::ClampTensor: {
      // clamp_backward_min_max: x gets the gradient inside [min, max]; min where x < min (and
      // min < max); max where x > max (or max < min, where the result is max).
      Tensor x = saved_at(0), lo = saved_at(1), hi = saved_at(2);
      Tensor z = zeros_like_0d(g);
      Tensor gx, glo, ghi;
      if (b0 && b1) {
        if (needs_input_grad(0))
          gx = where(logical_and(compare(CmpOp::Ge, x, lo), compare(CmpOp::Le, x, hi)), g, z);
        if (needs_input_grad(1))
          glo = where(logical_and(compare(CmpOp::Lt, x, lo), compare(CmpOp::Lt, lo, hi)), g, z);
        if (needs_input_grad(2))
          ghi = where(logical_or(compare(CmpOp::Gt, x, hi), compare(CmpOp::Lt, hi, lo)), g, z);
      } else if (b0) {
        if (needs_input_grad(0)) gx = where(compare(CmpOp::Ge, x, lo), g, z);
        if (needs_input_grad(1)) glo = where(compare(CmpOp::Lt, x, lo), g, z);
      } else {
        if (needs_input_grad(0)) gx = where(compare(CmpOp::Le, x, hi), g, z);
        if (needs_input_grad(2)) ghi = where(compare(CmpOp::Gt, x, hi), g, z);
      }
      return {gx, glo, ghi};
    }
    case OpKind::Maximum:
    case OpKind::Minimum: {
      // where(a == b, grad / 2, grad), zeroed where the other side wins. With a NaN neither
      // side "wins", so both get the full gradient (as in PyTorch).
      Tensor a = saved_at(0), b = saved_at(1);
      Tensor shared = where(compare(CmpOp::Eq, a, b), div(g, sc(2)), g);
      Tensor z = zeros_like_0d(g);
      CmpOp a_loses = kind == OpKind::Maximum ? CmpOp::Lt : CmpOp::Gt;
      CmpOp b_loses = kind == OpKind::Maximum ? CmpOp::Gt : CmpOp::Lt;
      Tensor ga = needs_input_grad(0) ? where(compare(a_loses, a, b), z, shared) : Tensor();
      Tensor gb = needs_input_grad(1) ? where(compare(b_loses, a, b), z, shared) : Tensor();
      return {ga, gb};
    }
    case OpKind::Where: {
      Tensor cond = saved_at(0);
      Tensor z = zeros_like_0d(g);
      return {needs_input_grad(0) ? where(cond, g, z) : Tensor(), needs_input_grad(1) ? where(cond, z, g) : Tensor()};
    }
    case OpKind::Gelu: {
      Tensor x = saved_at(0);
      if (!b0) {
        // d/dx x * Phi(x) = Phi(x) + x * phi(x). Phi needs erf, a kernel rather than an op,
        // so it is a constant for double backward (only x * phi(x) is differentiated again).
        Tensor phi = mul(exp(mul(mul(x, x), sc(-0.5))), sc(0.3989422804014327));
        return {mul(g, add(normal_cdf(x), mul(x, phi)))};
      }
      const double k = 0.7978845608028654, c = 0.044715;
      Tensor x2 = mul(x, x);
      Tensor inner = mul(add(x, mul(mul(x2, x), sc(c))), sc(k));
      Tensor t = tanh(inner);
      Tensor dinner = mul(add(sc(1), mul(x2, sc(3 * c))), sc(k));
      Tensor left = mul(add(t, sc(1)), sc(0.5));
      Tensor right = mul(mul(mul(x, sc(0.5)), sub(sc(1), mul(t, t))), dinner);
      return {mul(g, add(left, right))};
    }
    case OpKind::Clone:
      return {g};
    case OpKind::ToDtype:
      return {to_dtype(g, dtype)};
    // (ops_extra.h: math_extra.cc)
    case OpKind::ZeroGrad:
      return {zeros_like(g)};
    case OpKind::Expm1:
      return {mul(g, add(saved_at(0), sc(1)))};
    case OpKind::Exp2:
      return {mul(g, mul(saved_at(0), sc(M_LN2)))};
    case OpKind::Log2:
      return {div(g, mul(saved_at(0), sc(M_LN2)))};
    case OpKind::Log10:
      return {div(g, mul(saved_at(0), sc(M_LN10)))};
    case OpKind::Asin: {
      Tensor x = saved_at(0);
      return {mul(g, rsqrt(sub(sc(1), mul(x, x))))};
    }
    case OpKind::Acos: {
      Tensor x = saved_at(0);
      return {mul(neg(g), rsqrt(sub(sc(1), mul(x, x))))};
    }
    case OpKind::Atan: {
      Tensor x = saved_at(0);
      return {div(g, add(mul(x, x), sc(1)))};
    }
    case OpKind::Sinh:
      return {mul(g, unary(UnaryOp::Cosh, saved_at(0)))};
    case OpKind::Cosh:
      return {mul(g, unary(UnaryOp::Sinh, saved_at(0)))};
    case OpKind::Erf:
    case OpKind::Erfc: {
      // d/dx erf(x) = 2 / sqrt(pi) * exp(-x^2); erfc is its negative.
      Tensor x = saved_at(0);
      Tensor d = mul(exp(neg(mul(x, x))), sc(kind == OpKind::Erf ? M_2_SQRTPI : -M_2_SQRTPI));
      return {mul(g, d)};
    }
    case OpKind::Erfinv: {
      Tensor out = saved_at(0);
      return {mul(g, mul(exp(mul(out, out)), sc(0.5 * std::sqrt(M_PI))))};
    }
    case OpKind::Atan2: {
      Tensor a = saved_at(0), b = saved_at(1);
      Tensor r = reciprocal(add(mul(a, a), mul(b, b)));
      return {needs_input_grad(0) ? mul(g, mul(b, r)) : Tensor(), needs_input_grad(1) ? mul(g, mul(neg(a), r)) : Tensor()};
    }
    case OpKind::Fmod:
    case OpKind::Remainder: {
      // self: grad; other: -grad * trunc(self / other) (fmod) or floor(self / other) (remainder).
      if (!b0 || !needs_input_grad(1)) return {g, Tensor()};
      Tensor q = div(saved_at(0), saved_at(1));
      q = unary(kind == OpKind::Fmod ? UnaryOp::Trunc : UnaryOp::Floor, q);
      return {g, mul(neg(g), q)};
    }
    case OpKind::Lerp: {
      if (!b0) return {mul(g, sc(1 - s0)), needs_input_grad(1) ? mul(g, sc(s0)) : Tensor()};
      Tensor a = saved_at(0), end = saved_at(1), w = saved_at(2);
      return {needs_input_grad(0) ? mul(g, sub(sc(1), w)) : Tensor(), needs_input_grad(1) ? mul(g, w) : Tensor(),
              needs_input_grad(2) ? mul(g, sub(end, a)) : Tensor()};
    }
    case OpKind::Addcmul: {
      Tensor t1 = saved_at(0), t2 = saved_at(1);
      return {g, needs_input_grad(1) ? mul(mul(g, t2), sc(s0)) : Tensor(),
              needs_input_grad(2) ? mul(mul(g, t1), sc(s0)) : Tensor()};
    }
    case OpKind::Addcdiv: {
      Tensor t1 = saved_at(0), t2 = saved_at(1);
      return {g, needs_input_grad(1) ? div(mul(g, sc(s0)), t2) : Tensor(),
              needs_input_grad(2) ? mul(mul(neg(g), sc(s0)), div(t1, mul(t2, t2))) : Tensor()};
    }

    // ------------------------------------------------------------ reductions
    case OpKind::Sum:
      return {unreduce(g, shape, dims, b0)};
    case OpKind::Mean:
      return {div(unreduce(g, shape, dims, b0), sc(s0))};
    case OpKind::Prod: {
      // d/dx_i prod(x) = product of the other elements. Without zeros that is out / x_i;
      // with zeros it is rebuilt from the product of the nonzero elements (prod_nz) and
      // of the zero ones (zero_prod, 0 but differentiable): an element that is zero gets
      // prod_nz when it is the only zero, else 0.
      Tensor x = saved_at(0), out = saved_at(1);
      if (x.dim() == 0) return {g};
      Tensor gu = restore_dims(g, shape, dims, b0);
      Tensor is0 = compare(CmpOp::Eq, x, sc(0));
      if (!any_true(is0)) return {mul(gu, div(restore_dims(out, shape, dims, b0), x))};
      std::optional<int64_t> dim;
      if (!dims.empty()) dim = dims[0];
      Tensor nz = where(is0, sc(1), x);
      Tensor prod_nz = prod(nz, dim, true);
      Tensor zero_prod = prod(where(is0, x, sc(1)), dim, true);
      Tensor zeros = sum(is0, dims, true);
      Tensor at_zero = where(compare(CmpOp::Eq, zeros, sc(1)), prod_nz, zeros_like(prod_nz));
      Tensor at_nonzero = div(mul(prod_nz, zero_prod), nz);
      return {mul(gu, where(is0, at_zero, at_nonzero))};
    }
    case OpKind::MaxAll: {
      // max()/min()/amax/amin: the gradient is split evenly among the elements equal to the
      // result, as PyTorch does. b1 (max()/min()): a NaN input counts as equal to a NaN
      // result; amax/amin compare with == only, so a NaN result gives NaN gradients.
      Tensor x = saved_at(0), out = restore_dims(saved_at(1), shape, dims, b0);
      Tensor hit = mask_of(compare(CmpOp::Eq, x, out), g);
      if (b1) hit = add(hit, mul(nan_mask(x, g), nan_mask(out, g)));
      Tensor count = sum(hit, dims, true);
      return {mul(div(restore_dims(g, shape, dims, b0), count), hit)};
    }
    case OpKind::MaxDim: {
      // max(dim)/min(dim): the gradient goes to the index chosen (a one-hot along i0).
      if (shape.empty()) return {g};
      Tensor idx = saved_at(0);
      Tensor gu = b0 ? g : unsqueeze(g, i0);
      Tensor iu = b0 ? idx : unsqueeze(idx, i0);
      Dims along(shape.size(), 1);
      along[i0] = shape[i0];
      Tensor pos = view(arange(0, static_cast<double>(shape[i0]), 1, DType::Int64), along);
      return {mul(mask_of(compare(CmpOp::Eq, pos, iu), g), gu)};
    }
    case OpKind::Norm: {
      // PyTorch's norm_backward, case by case in p; where the norm is 0 the gradient is 0.
      Tensor x = saved_at(0);
      Tensor nu = restore_dims(saved_at(1), shape, dims, b0);
      Tensor gu = restore_dims(g, shape, dims, b0);
      const double p = s0;
      Tensor zero = zeros_like(nu);
      Tensor norm_is0 = compare(CmpOp::Eq, nu, sc(0));
      if (p == 0) return {zeros_like(x)};
      if (p == 1) return {mul(sign(x), gu)};
      if (p == 2) return {mul(gu, where(norm_is0, zero, div(x, nu)))};
      if (std::isinf(p)) {
        Tensor ax = abs(x);
        // The elements where |x| reaches the norm, or NaN, share the gradient.
        Tensor hit = add(mask_of(compare(CmpOp::Eq, ax, nu), g), nan_mask(ax, g));
        return {mul(sign(x), mul(div(gu, sum(hit, dims, true)), hit))};
      }
      const bool int_exp = false;
      if (p < 1) {
        Tensor powed = pow_scalar(abs(x), Scalar{p - 1, int_exp, false});
        Tensor scaled = mul(sign(x), where(compare(CmpOp::Eq, x, sc(0)), zeros_like(x), powed));
        return {mul(mul(scaled, gu), pow_scalar(nu, Scalar{1 - p, int_exp, false}))};
      }
      Tensor scaled = p < 2 ? mul(sign(x), pow_scalar(abs(x), Scalar{p - 1, int_exp, false}))
                            : mul(x, pow_scalar(abs(x), Scalar{p - 2, int_exp, false}));
      Tensor scale = where(norm_is0, zero, div(gu, pow_scalar(nu, Scalar{p - 1, int_exp, false})));
      return {mul(scaled, scale)};
    }
    case OpKind::Var: {
      // var: 2 / (n - correction) * g * (x - mean(x)); std: the same with g / (2 * std),
      // 0 where std is 0 (PyTorch's var_backward / std_backward).
      Tensor x = saved_at(0);
      Tensor gv = g;
      if (b1) {
        Tensor out = saved_at(1);
        gv = where(compare(CmpOp::Eq, out, sc(0)), zeros_like(out), div(g, mul(out, sc(2))));
      }
      const double dof = s0 - static_cast<double>(i0);
      // A 0-d input with no degrees of freedom: PyTorch 1.13 gives g * inf (not inf * 0).
      if (shape.empty() && dof <= 0) return {mul(gv, sc(INFINITY))};
      gv = restore_dims(gv, shape, dims, b0);
      Tensor centered = sub(x, mean(x, dims, true));
      return {mul(mul(gv, sc(2.0 / dof)), centered)};
    }
    case OpKind::LogSumExp: {
      Tensor x = saved_at(0), out = restore_dims(saved_at(1), shape, dims, b0);
      return {mul(restore_dims(g, shape, dims, b0), exp(sub(x, out)))};
    }
    case OpKind::Softmax: {
      // (g - sum(g * y)) * y along the softmax dim.
      Tensor y = saved_at(0);
      return {mul(sub(g, sum(mul(g, y), {i0}, true)), y)};
    }
    case OpKind::LogSoftmax: {
      // g - exp(y) * sum(g) along the dim.
      Tensor y = saved_at(0);
      if (!GradMode::enabled() && y.dim() > 0 && fused_backward_applies(g, y))
        return {log_softmax_backward_fused(g, y, i0)};
      return {sub(g, mul(exp(y), sum(g, {i0}, true)))};
    }

    case OpKind::NotImplemented:
      fail(ErrorKind::Error, "derivative for aten::floor_divide is not implemented");
    // (ops_extra.h: sort.cc)
    case OpKind::Cumsum:
      // The reversed cumulative sum of g.
      return {to_dtype(flip(cumsum(flip(g, {i0}), i0, std::nullopt), {i0}), dtype)};
    case OpKind::Cumprod: {
      // Without zeros: sum_{j >= i} g_j out_j / x_i. With zeros, a direct kernel (whose
      // result is not itself differentiable).
      Tensor x = saved_at(0), out = saved_at(1);
      if (x.dim() == 0) return {to_dtype(g, dtype)};
      if (any_true(compare(CmpOp::Eq, x, sc(0)))) return {to_dtype(cumprod_backward_zeros(g, x, i0), dtype)};
      Tensor rev = flip(cumsum(flip(mul(g, out), {i0}), i0, std::nullopt), {i0});
      return {to_dtype(div(rev, x), dtype)};
    }
    case OpKind::SortValues:
      return {scatter_add_zeros(shape, i0, saved_at(0), g)};

    // ------------------------------------------------------------ shape and views
    case OpKind::View:  // also AliasBackward0, UnsafeViewBackward0, Squeeze/Unsqueeze
      return {reshape(g, shape)};
    case OpKind::Permute: {  // i2: 0 permute, 1 transpose, 2 t (each is its own inverse's op)
      if (i2 == 2) return {ops::t(g)};
      if (i2 == 1) {
        Dims swapped;  // the two dims exchanged (none when a dim was swapped with itself)
        for (size_t i = 0; i < dims.size(); i++)
          if (dims[i] != static_cast<int64_t>(i)) swapped.push_back(static_cast<int64_t>(i));
        return {swapped.empty() ? transpose(g, 0, 0) : transpose(g, swapped[0], swapped[1])};
      }
      Dims inv(dims.size());
      for (size_t i = 0; i < dims.size(); i++) inv[dims[i]] = static_cast<int64_t>(i);
      return {permute(g, inv)};
    }
    case OpKind::Expand:
      return {sum_to(g, shape)};
    case OpKind::Slice:
      return {slice_backward(g, shape, i0, i1, i2, static_cast<int64_t>(s0))};
    case OpKind::Select:
      return {select_backward(g, shape, i0, i1)};
    case OpKind::AsStrided:
      return {as_strided_scatter_zeros(g, Geometry{shape, strides, i2}, Geometry{dims, shapes[0], i1})};
    case OpKind::Cat: {
      GradList out(shapes.size());
      int64_t offset = 0;
      for (size_t i = 0; i < shapes.size(); i++) {
        bool skipped = shapes[i].size() == 1 && shapes[i][0] == 0 && g.dim() != 1;  // legacy empty input
        int64_t len = skipped ? 0 : shapes[i][i0];
        if (needs_input_grad(i)) out[i] = skipped ? Tensor::zeros(shapes[i], g.dtype()) : narrow(g, i0, offset, len);
        offset += len;
      }
      return out;
    }
    case OpKind::Stack: {
      GradList out(next_edges.size());
      for (size_t i = 0; i < out.size(); i++)
        if (needs_input_grad(i)) out[i] = select(g, i0, static_cast<int64_t>(i));
      return out;
    }
    case OpKind::Split: {
      // Pieces that got no gradient count as zeros.
      std::vector<Tensor> parts(grads.size());
      for (size_t i = 0; i < grads.size(); i++)
        parts[i] = grads[i].defined() ? grads[i] : Tensor::zeros(input_meta[i].shape, input_meta[i].dtype);
      return {cat(parts, i0)};
    }
    case OpKind::Gather:
      return {scatter_add_zeros(shape, i0, saved_at(0), g)};
    case OpKind::IndexSelect:
      return {index_add_zeros(shape, i0, saved_at(0), g)};
    case OpKind::SliceScatter:
      return {slice(g, i0, i1, i2, static_cast<int64_t>(s0))};
    case OpKind::SelectScatter:
      return {select(g, i0, i1)};
    case OpKind::ScatterAdd:
      return {gather(g, i0, saved_at(0))};
    case OpKind::IndexAdd:
      return {index_select(g, i0, saved_at(0))};
    // (ops_extra.h: shape_extra.cc)
    case OpKind::Flip:
      return {flip(g, dims)};
    case OpKind::Roll: {
      Dims back;
      for (int64_t s : strides) back.push_back(-s);
      return {roll(g, back, dims)};
    }
    case OpKind::Repeat: {
      // g as [r0, s0, r1, s1, ...], summed over the repeats, back to the input's shape.
      size_t k = dims.size();
      Dims padded(k - shape.size(), 1);
      padded.insert(padded.end(), shape.begin(), shape.end());
      Dims pairs, rdims;
      for (size_t i = 0; i < k; i++) {
        pairs.push_back(dims[i]);
        pairs.push_back(padded[i]);
        rdims.push_back(static_cast<int64_t>(2 * i));
      }
      return {reshape(sum(reshape(g, pairs), rdims, false), shape)};
    }
    case OpKind::Tril:
      return {b0 ? triu(g, i0) : tril(g, i0)};
    case OpKind::MaskedFill: {
      Tensor mask = saved_at(0), z = zeros_like_0d(g);
      return {needs_input_grad(0) ? where(mask, z, g) : Tensor(),
              b0 && needs_input_grad(1) ? sum(where(mask, g, z), {}, false) : Tensor()};
    }
    case OpKind::MaskedSelect: {
      int64_t total = 1;
      for (int64_t s : shape) total *= s;
      return {reshape(index_add_zeros({total}, 0, saved_at(0), g), shape)};
    }
    case OpKind::Diagonal:
      return {diagonal_backward(g, shape, i0, i1, i2)};
    case OpKind::DiagonalBackward:
      return {diagonal(g, i0, i1, i2)};
    case OpKind::Diag:
      return {shape.size() == 1 ? diagonal(g, i0, 0, 1) : diagonal_backward(g, shape, i0, 0, 1)};
    case OpKind::Trace:
      return {diagonal_backward(expand(g, {std::min(shape[0], shape[1])}), shape, 0, 0, 1)};
    case OpKind::Unbind: {
      // Pieces that got no gradient count as zeros.
      std::vector<Tensor> parts(grads.size());
      for (size_t i = 0; i < grads.size(); i++)
        parts[i] = grads[i].defined() ? grads[i] : Tensor::zeros(input_meta[i].shape, input_meta[i].dtype);
      return {stack(parts, i0)};
    }
    case OpKind::Scatter: {
      Tensor idx = saved_at(0);
      return {needs_input_grad(0) ? scatter(g, i0, idx, scalar_tensor(Scalar{0, true, false})) : Tensor(),
              b0 && needs_input_grad(1) ? gather(g, i0, idx) : Tensor()};
    }
    case OpKind::IndexAddSelf: {
      // self: grad; source: grad.index_select(dim, index) * alpha, in the source's shape.
      if (!needs_input_grad(1)) return {g, Tensor()};
      Tensor gs = index_select(g, i0, saved_at(0));
      if (s0 != 1) gs = mul(gs, sc(s0));
      return {g, reshape(gs, shape)};
    }
    case OpKind::ScatterAddSelf:
      return {g, needs_input_grad(1) ? gather(g, i0, saved_at(0)) : Tensor()};
    case OpKind::CopySlices: {
      // g is the gradient of the whole base after the write. Outside the view's region it
      // passes through; inside, the in-place op's own derivative (inner) applies. Inner's
      // other inputs (the value written, ...) are this node's other inputs.
      Geometry base{shape, strides, i2}, view{dims, shapes[0], i1};
      GradList res;
      Tensor result;
      if (GradMode::enabled() && strides == contiguous_strides(shape)) {
        // create_graph: the same steps as recorded ops (PyTorch's way), so that this
        // gradient is itself differentiable. clone(g) has the base's (contiguous) layout.
        result = clone(g);
        Tensor region = as_strided_view(result, view.shape, view.strides, view.offset - base.offset);
        res = inner->apply({clone(region)});
        if (!res.empty() && res[0].defined())
          copy_(region, res[0]);
        else
          zero_(region);
      } else {
        result = as_strided_scatter_zeros(g, base, base);  // g, laid out like the base
        Tensor region = result.alias(view.shape, view.strides, view.offset - base.offset);
        res = inner->apply({clone_detached(region)});
        if (!res.empty() && res[0].defined())
          copy_kernel(region, res[0]);
        else
          fill_kernel(region, 0);
      }
      GradList out(next_edges.size());
      out[0] = result;
      for (size_t i = 1; i < out.size() && i < res.size(); i++) out[i] = res[i];
      return out;
    }
    case OpKind::Fill:  // fill_/zero_ (one input) or fill_ with a 0-d tensor value (b0)
      if (b0) return {zeros_like(g), needs_input_grad(1) ? sum(g, {}, false) : Tensor()};
      return {zeros_like(g)};
    case OpKind::Copy:
      return {needs_input_grad(0) ? zeros_like(g) : Tensor(), needs_input_grad(1) ? to_dtype(g, dtype) : Tensor()};

    // ------------------------------------------------------------ linear algebra
    // Saved: slot 0 = the first operand (kept only if the second wants a gradient),
    // slot 1 = the second (kept only if the first does); see save_operands in linalg.cc.
    // Transposes are views: the GEMM reads them in place.
    case OpKind::Mm:
      return {needs_input_grad(0) ? mm_mat1_backward(g, saved_at(1), b0) : Tensor(),
              needs_input_grad(1) ? mm_mat2_backward(g, saved_at(0), b1) : Tensor()};
    case OpKind::Addmm:
      // The bias gets g itself (the engine sums it down to the bias's shape).
      return {needs_input_grad(0) ? g : Tensor(),
              needs_input_grad(1) ? mm_mat1_backward(g, saved_at(1), b0) : Tensor(),
              needs_input_grad(2) ? mm_mat2_backward(g, saved_at(0), b1) : Tensor()};
    case OpKind::Bmm: {
      Tensor a = saved_at(0), b = saved_at(1);
      return {needs_input_grad(0) ? bmm(g, transpose_last(b)) : Tensor(),
              needs_input_grad(1) ? bmm(transpose_last(a), g) : Tensor()};
    }
    case OpKind::Mv: {
      Tensor a = saved_at(0), v = saved_at(1);
      return {needs_input_grad(0) ? outer(g, v) : Tensor(), needs_input_grad(1) ? mv(transpose(a, 0, 1), g) : Tensor()};
    }
    case OpKind::Dot: {
      Tensor a = saved_at(0), b = saved_at(1);
      return {needs_input_grad(0) ? mul(g, b) : Tensor(), needs_input_grad(1) ? mul(g, a) : Tensor()};
    }
  }
  return {};
}

}  // namespace tg
