// Every op of the core, as plain functions over Tensors. Each checks shapes and dtypes,
// promotes types, runs its kernel, and records its autograd node (see ops.def).
// Derivatives (autograd/derivatives.cc) are written in these same functions, so with
// create_graph the backward pass is itself recorded.
#pragma once
#include <functional>
#include <optional>
#include <vector>
#include "../core/tensor.h"

namespace tg {
namespace ops {

// A JS number operand: is_int marks an integer-valued number (behaves like a Python int).
struct Scalar {
  double v = 0;
  bool is_int = false;
  bool is_bool = false;
};

// ---- creation (creation.cc) ----
Tensor scalar_tensor(Scalar s);                    // 0-d "wrapped number" tensor
Tensor full(const Dims& shape, double v, DType dt);
Tensor ones_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor arange(double start, double end, double step, DType dt);
Tensor linspace(double start, double end, int64_t steps, DType dt);
Tensor eye(int64_t n, int64_t m, DType dt);
Tensor from_buffer(const void* data, const Dims& shape, DType src, DType dt);  // copies

// ---- random (random.cc): PyTorch's CPU generator, value for value ----
// A generator's whole state as plain data (a torch.Generator keeps one in a Uint8Array).
// Ops draw from `g`, or from the thread's default generator when it is null.
struct GeneratorState {
  uint32_t mt[624];
  uint32_t index;
  uint32_t has_normal;  // normal_distribution<double> keeps its second value
  uint64_t seed;
  double next_normal;
};
void generator_seed(GeneratorState& g, uint64_t seed);
GeneratorState& default_generator();
void manual_seed(uint64_t seed);
uint64_t initial_seed();
uint64_t seed();  // reseeds the default generator from the OS, returns the new seed
int64_t random_int63(GeneratorState* g);  // int64 random_(): one 64-bit draw mod 2^63
void uniform_(Tensor& self, double from, double to, GeneratorState* g = nullptr);
void normal_(Tensor& self, double mean, double std, GeneratorState* g = nullptr);
void bernoulli_(Tensor& self, double p, GeneratorState* g = nullptr);
Tensor rand(const Dims& shape, DType dt, GeneratorState* g = nullptr);
Tensor randn(const Dims& shape, DType dt, GeneratorState* g = nullptr);
Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dt, GeneratorState* g = nullptr);
Tensor randperm(int64_t n, DType dt, GeneratorState* g = nullptr);
Tensor bernoulli_mask(const Dims& shape, double keep_prob, DType dt);  // dropout

// ---- type promotion (elementwise.cc) ----
// PyTorch's result_type over operands (null entries are skipped); wrapped numbers (made by
// scalar_tensor) rank below 0-d tensors, which rank below tensors with dims.
DType result_type(const Tensor& a, const Tensor& b);
DType result_type(std::initializer_list<const Tensor*> operands);

// ---- elementwise (elementwise.cc) ----
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha);
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha);  // a wrapped-number a records RsubBackward1
Tensor add(const Tensor& a, const Tensor& b, double alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, double alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow_scalar(const Tensor& a, Scalar exponent);
Tensor scalar_pow(Scalar base, const Tensor& a);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor rsqrt(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor log1p(const Tensor& a);
Tensor sin(const Tensor& a);
Tensor cos(const Tensor& a);
Tensor tan(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);
Tensor gelu(const Tensor& a, bool tanh_approx);
Tensor square(const Tensor& a);
Tensor reciprocal(const Tensor& a);
Tensor sign(const Tensor& a);
// clamp.Scalar; bounds join type promotion as wrapped numbers (clamp(int64, 0.5) is float32).
Tensor clamp_scalar(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi);
// The same with numbers: an integral value acts like a Python int.
Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi);
Tensor clamp_tensor(const Tensor& a, const Tensor* lo, const Tensor* hi);  // null: no bound
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// comparisons: bool results, not differentiable
enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge };
Tensor compare(CmpOp op, const Tensor& a, const Tensor& b);
Tensor clone(const Tensor& a);               // differentiable copy (CloneBackward0)
Tensor clone_detached(const Tensor& a);      // contiguous copy, no graph
Tensor to_dtype(const Tensor& a, DType dt);  // differentiable for float -> float
Tensor contiguous(const Tensor& a);          // itself if already contiguous
Tensor detach(const Tensor& a);              // shares storage, no graph

// ---- reductions (reduce.cc) ----  dims empty = all dims
Tensor sum(const Tensor& a, const Dims& dims, bool keepdim, std::optional<DType> dt = std::nullopt);
Tensor sum_to(const Tensor& a, const Dims& shape);  // undo broadcasting (engine)
Tensor mean(const Tensor& a, const Dims& dims, bool keepdim);
Tensor prod(const Tensor& a, std::optional<int64_t> dim, bool keepdim);
Tensor amax(const Tensor& a, const Dims& dims, bool keepdim);
Tensor amin(const Tensor& a, const Dims& dims, bool keepdim);
Tensor max_all(const Tensor& a);  // max() without a dim
Tensor min_all(const Tensor& a);
std::pair<Tensor, Tensor> max_dim(const Tensor& a, int64_t dim, bool keepdim);  // values, indices
std::pair<Tensor, Tensor> min_dim(const Tensor& a, int64_t dim, bool keepdim);
Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim);
Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim);
Tensor norm(const Tensor& a, double p, const Dims& dims, bool keepdim);
Tensor var(const Tensor& a, const Dims& dims, int64_t correction, bool keepdim);
Tensor std(const Tensor& a, const Dims& dims, int64_t correction, bool keepdim);
Tensor logsumexp(const Tensor& a, const Dims& dims, bool keepdim);
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);

// ---- shape and views (shape.cc) ----
Tensor view(const Tensor& a, const Dims& shape);     // -1 allowed; error if not viewable
Tensor reshape(const Tensor& a, const Dims& shape);  // view when possible, else copy
Tensor flatten(const Tensor& a, int64_t start, int64_t end);
Tensor squeeze(const Tensor& a, std::optional<int64_t> dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1);
Tensor permute(const Tensor& a, const Dims& perm);
Tensor expand(const Tensor& a, const Dims& shape);   // -1 keeps a size
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t end, int64_t step);
Tensor as_strided_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset);
Tensor t(const Tensor& a);      // 2-D transpose (TBackward0); 0-D and 1-D come back as views of themselves
Tensor alias(const Tensor& a);  // a view with the same geometry (AliasBackward0), as x[...] gives

// How a view was made (PyTorch's CreationMeta). Recorded in-place writes through a view made
// under no_grad, or through one of several views returned by one op (split, chunk), are errors.
enum class ViewCreation : uint8_t { Default = 0, NoGradMode = 1, MultiOutput = 2 };

// Where a tensor sits in its storage. Gradients of views made from raw geometry (the
// AsStridedBackward0 of a view whose base was written in place) use it.
struct Geometry {
  Dims shape, strides;
  int64_t offset = 0;
};
Geometry geometry_of(const Tensor& t);
// Zeros laid out like `base`, with g written into the region `view` covers (raw kernels:
// not itself differentiable).
Tensor as_strided_scatter_zeros(const Tensor& g, const Geometry& base, const Geometry& view);
// The gradients of slice and select: zeros of the input's shape with g written into the
// slice (differentiable: their own derivatives are slice and select again).
Tensor slice_backward(const Tensor& g, const Dims& input_shape, int64_t dim, int64_t start, int64_t end,
                      int64_t step);
Tensor select_backward(const Tensor& g, const Dims& input_shape, int64_t dim, int64_t index);

// ---- joining and indexing (index.cc) ----
Tensor cat(const std::vector<Tensor>& ts, int64_t dim);
Tensor stack(const std::vector<Tensor>& ts, int64_t dim);
// split, split_size, chunk live in shape.cc: their results are views.
std::vector<Tensor> split(const Tensor& a, const Dims& sizes, int64_t dim);  // views
std::vector<Tensor> split_size(const Tensor& a, int64_t size, int64_t dim);
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim);
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
// Gradients of gather and index_select (differentiable): zeros of `shape` with src summed in.
Tensor scatter_add_zeros(const Dims& shape, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_add_zeros(const Dims& shape, int64_t dim, const Tensor& index, const Tensor& src);

// Python-style indexing, t[...]: an integer selects, None adds an axis, a slice (parts
// optional) narrows, an ellipsis fills the dims not named. `single`: the index was one item
// rather than a tuple (PyTorch treats x[a] and x[(a,)] slightly differently).
struct TensorIndex {
  enum Kind : uint8_t { Int, None, Slice, Ellipsis };
  Kind kind = None;
  int64_t i = 0;  // Int
  std::optional<int64_t> start, stop, step;  // Slice
};
Tensor index(const Tensor& a, const std::vector<TensorIndex>& items, bool single);
// t[items] = value: a number arrives as a 0-d tensor (converted to self's dtype).
void index_put_(Tensor& self, const std::vector<TensorIndex>& items, bool single, const Tensor& value);

// ---- in-place (inplace.cc): bump the version counter, rebase history when recording ----
enum class InplaceOp { Add, Sub, Mul, Div };
void binary_(InplaceOp op, Tensor& self, const Tensor& other, double alpha = 1);
void fill_(Tensor& self, double v);
// PyTorch's check that a number fits an integer dtype ("value cannot be converted to type
// int64_t without overflow"); used wherever a JS number is written into a tensor.
void check_fill_value(DType dt, double v);
void fill_tensor_(Tensor& self, const Tensor& value);  // value: a 0-d tensor (FillBackward3)
void zero_(Tensor& self);
void copy_(Tensor& self, const Tensor& src);
void clamp_(Tensor& self, std::optional<double> lo, std::optional<double> hi);
void add_inplace_raw(Tensor& self, const Tensor& other);  // no checks, no graph (grad accumulation)
// An in-place overwrite whose derivative w.r.t. self is zero (the random fills: PyTorch's
// UniformBackward0, NormalBackward0, ...): checks, runs `write`, bumps, records `node_name`.
void overwrite_(Tensor& self, const char* node_name, const std::function<void(Tensor&)>& write);

// ---- linear algebra (linalg.cc) ----
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);  // bias + a @ b (nn.Linear)
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);

}  // namespace ops
}  // namespace tg
