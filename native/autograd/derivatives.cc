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
#include "op_node.h"
#include "../core/error.h"
#include "../core/shape.h"
#include "../kernels/elementwise.h"
#include "../ops/ops.h"

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

// Gradient of a view: zeros of the base's shape with g written through the same geometry.
// (Not itself differentiable; second derivatives through slicing are not supported yet.)
Tensor scatter_into_zeros(const Tensor& g, const Dims& base_shape, const Dims& view_shape, const Dims& view_strides,
                          int64_t view_offset) {
  Tensor z = Tensor::zeros(base_shape, g.dtype());
  Tensor v = z.alias(view_shape, view_strides, view_offset);
  copy_kernel(v, g);
  return z;
}

Tensor transpose_last(const Tensor& t) { return transpose(t, -2, -1); }

}  // namespace

std::vector<Tensor> OpNode::apply(std::vector<Tensor>&& grads) {
  const Tensor& g = grads[0];
  switch (kind) {
    // ------------------------------------------------------------ arithmetic
    case OpKind::Add:
      return {g, s0 == 1 ? g : mul(g, sc(s0))};
    case OpKind::Sub:
      return {g, s0 == 1 ? neg(g) : mul(g, sc(-s0))};
    case OpKind::Mul: {
      size_t i = 0;
      Tensor a = b0 ? saved_at(i++) : Tensor();
      Tensor b = needs_input_grad(0) ? saved_at(i++) : Tensor();
      return {needs_input_grad(0) ? mul(g, b) : Tensor(), needs_input_grad(1) ? mul(g, a) : Tensor()};
    }
    case OpKind::Div: {
      Tensor a = saved_at(0), b = saved_at(1);
      Tensor ga = needs_input_grad(0) ? div(g, b) : Tensor();
      Tensor gb = needs_input_grad(1) ? neg(div(mul(g, a), mul(b, b))) : Tensor();
      return {ga, gb};
    }
    case OpKind::Pow: {
      Tensor a = saved_at(0), b = saved_at(1), out = saved_at(2);
      Tensor ga, gb;
      if (needs_input_grad(0)) ga = mul(g, mul(b, pow(a, sub(b, sc(1)))));
      if (needs_input_grad(1)) {
        Tensor l = mul(out, log(a));
        Tensor zero_base = compare(CmpOp::Eq, a, sc(0));
        Tensor nonneg = compare(CmpOp::Ge, b, sc(0));
        Tensor bad = mul(zero_base, nonneg);  // bool * bool stays bool
        gb = mul(g, where(bad, zeros_like(l), l));
      }
      return {ga, gb};
    }
    case OpKind::PowScalar: {
      Tensor a = saved_at(0);
      if (s0 == 0) return {zeros_like(g)};
      bool int_exp = s0 == std::floor(s0);
      return {mul(g, mul(pow_scalar(a, Scalar{s0 - 1, int_exp, false}), sc(s0)))};
    }
    case OpKind::ScalarPow: {
      Tensor out = saved_at(0);
      if (s0 == 0) return {zeros_like(g)};
      return {mul(g, mul(out, sc(std::log(s0))))};
    }
    case OpKind::Neg:
      return {neg(g)};
    case OpKind::Abs:
      return {mul(g, sign(saved_at(0)))};
    case OpKind::Sqrt:
      return {div(g, mul(saved_at(0), sc(2)))};
    case OpKind::Rsqrt: {
      Tensor out = saved_at(0);
      return {mul(g, mul(pow_scalar(out, Scalar{3, true, false}), sc(-0.5)))};
    }
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
      return {mul(g, add(mul(out, out), sc(1)))};
    }
    case OpKind::Tanh: {
      Tensor out = saved_at(0);
      return {mul(g, sub(sc(1), mul(out, out)))};
    }
    case OpKind::Sigmoid: {
      Tensor out = saved_at(0);
      return {mul(g, mul(out, sub(sc(1), out)))};
    }
    case OpKind::Relu:
      return {mul(g, mask_of(compare(CmpOp::Gt, saved_at(0), sc(0)), g))};
    case OpKind::Square:
      return {mul(g, mul(saved_at(0), sc(2)))};
    case OpKind::Reciprocal: {
      Tensor out = saved_at(0);
      return {mul(g, neg(mul(out, out)))};
    }
    case OpKind::Sign:
      return {zeros_like(g)};
    case OpKind::Clamp: {
      Tensor a = saved_at(0);
      Tensor keep;
      if (b0) keep = compare(CmpOp::Ge, a, sc(s0));
      if (b1) {
        Tensor le = compare(CmpOp::Le, a, sc(s1));
        keep = keep.defined() ? mul(keep, le) : le;
      }
      return {mul(g, mask_of(keep, g))};
    }
    case OpKind::Maximum:
    case OpKind::Minimum: {
      // Ties split the gradient in half, as PyTorch does.
      Tensor a = saved_at(0), b = saved_at(1);
      CmpOp win = kind == OpKind::Maximum ? CmpOp::Gt : CmpOp::Lt;
      Tensor half = mul(mask_of(compare(CmpOp::Eq, a, b), g), sc(0.5));
      Tensor ga = needs_input_grad(0) ? mul(g, add(mask_of(compare(win, a, b), g), half)) : Tensor();
      Tensor gb = needs_input_grad(1) ? mul(g, add(mask_of(compare(win, b, a), g), half)) : Tensor();
      return {ga, gb};
    }
    case OpKind::Where: {
      Tensor cond = saved_at(0);
      Tensor z = zeros_like(g);
      return {needs_input_grad(0) ? where(cond, g, z) : Tensor(), needs_input_grad(1) ? where(cond, z, g) : Tensor()};
    }
    case OpKind::Gelu: {
      Tensor x = saved_at(0);
      if (!b0) {
        // d/dx x*Phi(x) = Phi(x) + x*phi(x)
        Tensor phi = mul(exp(mul(mul(x, x), sc(-0.5))), sc(0.3989422804014327));
        // Phi via erf is not an op of ours; compute it with a kernel (constant w.r.t. graph).
        Tensor Phi = Tensor::empty(x.shape(), x.dtype());
        TG_DISPATCH_FLOAT(x.dtype(), [&] {
          Tensor xc = contiguous(x);
          const scalar_t* px = xc.data<scalar_t>();
          scalar_t* pp = Phi.data<scalar_t>();
          for (int64_t i = 0; i < x.numel(); i++) pp[i] = scalar_t(0.5) * (1 + std::erf(px[i] * scalar_t(M_SQRT1_2)));
        });
        return {mul(g, add(Phi, mul(x, phi)))};
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
      return {sub(g, mul(exp(y), sum(g, {i0}, true)))};
    }

    // ------------------------------------------------------------ shape and views
    case OpKind::View:
      return {reshape(g, shape)};
    case OpKind::Permute: {
      Dims inv(dims.size());
      for (size_t i = 0; i < dims.size(); i++) inv[dims[i]] = static_cast<int64_t>(i);
      return {permute(g, inv)};
    }
    case OpKind::Expand:
      return {sum_to(g, shape)};
    case OpKind::Slice: {
      Dims vs = shape, vst = contiguous_strides(shape);
      int64_t step = static_cast<int64_t>(s0);
      vs[i0] = g.shape()[i0];
      int64_t off = i1 * vst[i0];
      vst[i0] *= step;
      return {scatter_into_zeros(g, shape, vs, vst, off)};
    }
    case OpKind::Select: {
      Dims vs = shape, vst = contiguous_strides(shape);
      int64_t off = i1 * vst[i0];
      vs.erase(vs.begin() + i0);
      vst.erase(vst.begin() + i0);
      return {scatter_into_zeros(g, shape, vs, vst, off)};
    }
    case OpKind::AsStrided: {
      // The view's geometry relative to a contiguous copy of the input (as index() builds it).
      Tensor z = Tensor::zeros(shape, g.dtype());
      Tensor v = z.alias(dims, shapes[0], i1);
      copy_kernel(v, g);
      return {z};
    }
    case OpKind::Cat:
    case OpKind::Stack:
    case OpKind::Gather:
    case OpKind::IndexSelect:
    case OpKind::CopySlices:
      fail(ErrorKind::Error, str("derivative for ", name_, " is not implemented yet"));
    case OpKind::Fill:
      return {zeros_like(g)};
    case OpKind::Copy:
      return {zeros_like(g), to_dtype(g, dtype)};

    // ------------------------------------------------------------ linear algebra
    case OpKind::Mm: {
      Tensor a = saved_at(0), b = saved_at(1);
      return {needs_input_grad(0) ? mm(g, b.defined() ? transpose(b, 0, 1) : b) : Tensor(),
              needs_input_grad(1) ? mm(transpose(a, 0, 1), g) : Tensor()};
    }
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
      return {needs_input_grad(0) ? mul(b, g) : Tensor(), needs_input_grad(1) ? mul(a, g) : Tensor()};
    }
  }
  return {};
}

}  // namespace tg
