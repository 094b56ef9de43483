// More of PyTorch's tensor ops: rounding and special functions, predicates, more binary
// arithmetic, the in-place forms of the common unary ops, scans, sorting, and shape/index
// ops (flip, roll, repeat, tril, masked_fill, diagonal, scatter, ...). Same conventions
// as ops.h: PyTorch 1.13's dtypes, grad_fn names and error texts.
#pragma once
#include <optional>
#include <vector>
#include "ops.h"

namespace tg {
struct OpNode;
}

namespace tg {
namespace ops {

// ---- unary (math_extra.cc) ----
enum class UnaryOp {
  Floor, Ceil, Round, Trunc, Frac, Expm1, Exp2, Log2, Log10, Asin, Acos, Atan, Sinh, Cosh, Erf, Erfc, Erfinv,
  // in-place only below: the existing ops' forms
  Exp, Log, Sqrt, Abs, Neg, Relu, Sigmoid, Tanh, Sin, Cos, Rsqrt, Reciprocal, Log1p, Square, Sign,
};
Tensor unary(UnaryOp op, const Tensor& a);     // out of place (the first group)
void unary_(UnaryOp op, Tensor& self);          // in place, any of them
Tensor round_decimals(const Tensor& a, int64_t decimals);
enum class PredicateOp { IsNan, IsInf, IsFinite, LogicalNot };
Tensor predicate(PredicateOp op, const Tensor& a);  // bool results

// ---- binary (math_extra.cc) ----
Tensor atan2(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Tensor& b);        // b a wrapped number: FmodBackward0
Tensor remainder(const Tensor& a, const Tensor& b);   // likewise RemainderBackward0
Tensor floor_divide(const Tensor& a, const Tensor& b);
enum class LogicalOp { And, Or, Xor };
Tensor logical(LogicalOp op, const Tensor& a, const Tensor& b);
Tensor lerp(const Tensor& a, const Tensor& end, const Tensor& weight);  // weight wrapped: LerpBackward0
Tensor addcmul(const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value);
Tensor addcdiv(const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value);
void pow_(Tensor& self, const Tensor& exponent);  // exponent a wrapped number: PowBackward0
enum class TernaryInplace { Addcmul, Addcdiv, Lerp };
void ternary_(TernaryInplace op, Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value);
// PyTorch's isclose/allclose/equal.
Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan);
bool equal(const Tensor& a, const Tensor& b);

// ---- scans, sorting, logical reductions (sort.cc) ----
Tensor cumsum(const Tensor& a, int64_t dim, std::optional<DType> dt);
Tensor cumprod(const Tensor& a, int64_t dim, std::optional<DType> dt);
// Always stable; `stable` names the overload (sort.stable records SortBackward1).
std::pair<Tensor, Tensor> sort(const Tensor& a, int64_t dim, bool descending, bool stable = false);
Tensor argsort(const Tensor& a, int64_t dim, bool descending);
std::pair<Tensor, Tensor> topk(const Tensor& a, int64_t k, int64_t dim, bool largest, bool sorted);
Tensor median_all(const Tensor& a);
std::pair<Tensor, Tensor> kthvalue(const Tensor& a, int64_t k, int64_t dim, bool keepdim);  // k from 1
std::pair<Tensor, Tensor> cum_extreme(const Tensor& a, int64_t dim, bool is_max);         // cummax/cummin
std::pair<Tensor, Tensor> median_dim(const Tensor& a, int64_t dim, bool keepdim);
Tensor any(const Tensor& a, std::optional<int64_t> dim, bool keepdim);
Tensor all(const Tensor& a, std::optional<int64_t> dim, bool keepdim);
Tensor count_nonzero(const Tensor& a, const Dims& dims);
// cumprod's gradient where the input has zeros (not itself differentiable).
Tensor cumprod_backward_zeros(const Tensor& g, const Tensor& x, int64_t dim);

// ---- shape and indexing (shape_extra.cc) ----
Tensor flip(const Tensor& a, const Dims& dims);
Tensor roll(const Tensor& a, const Dims& shifts, const Dims& dims);
Tensor repeat(const Tensor& a, const Dims& sizes);
Tensor tile(const Tensor& a, const Dims& sizes);
Tensor tril(const Tensor& a, int64_t diagonal);
Tensor triu(const Tensor& a, int64_t diagonal);
Tensor masked_fill(const Tensor& a, const Tensor& mask, const Tensor& value);  // value: 0-d (wrapped number or tensor)
void masked_fill_(Tensor& self, const Tensor& mask, const Tensor& value);
Tensor masked_select(const Tensor& a, const Tensor& mask);
Tensor nonzero(const Tensor& a);
Tensor diag(const Tensor& a, int64_t diagonal);
Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2);
// diagonal's gradient: zeros of `shape` with g on the diagonal (differentiable).
Tensor diagonal_backward(const Tensor& g, const Dims& shape, int64_t offset, int64_t dim1, int64_t dim2);
Tensor trace(const Tensor& a);
std::vector<Tensor> unbind(const Tensor& a, int64_t dim);
Tensor movedim(const Tensor& a, const Dims& source, const Dims& destination);
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);  // src wrapped: ScatterBackward1
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src, double alpha);
void scatter_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
void scatter_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
void index_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, double alpha);

// A view of `a` with other geometry, tracked as a view (defined in shape.cc).
Tensor view_of(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset);
// Gives the views of a multi-output op their shared node (shape.cc).
void set_multi_output_history(std::vector<Tensor>& outs, const Ref<OpNode>& n, int64_t dim, const Dims& input_shape);

}  // namespace ops
}  // namespace tg
