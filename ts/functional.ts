// The namespace form of every op: torch.add(x, y) is x.add(y). A number where a tensor is
// expected becomes a 0-d tensor (PyTorch accepts Python scalars in most of these).
import { N } from './native';
import { Tensor, TensorLike, IndexItem, adoptPending, tensorArg, where, kindOf, valOf, alphaOf } from './tensor';
import { expectInt, mapEach } from './errors';
import type { DType } from './dtype';
import { typeName } from './errors';

export { where };

function T(x: TensorLike, what = 'input'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number' || typeof x === 'boolean') {
    // A number used as `input`: a 0-d wrapped tensor, as torch.add(2, x) does.
    const o = new Tensor();
    o._id = N.full(o, [], Number(x), typeof x === 'boolean' ? 'bool' : Number.isInteger(x) ? 'int64' : 'float32');
    return o;
  }
  throw new TypeError(`Expected a Tensor for ${what} but received ${typeName(x)}`);
}

type Dim = number | number[] | null;

// Binary ops take a number on either side. A number becomes a "wrapped number" operand, so
// torch.add(2, x) promotes exactly like x.add(2) (PyTorch's 2 + x).
type NativeBinary = (o: Tensor, a: number | boolean, ak: number, b: number | boolean, bk: number, ...rest: unknown[]) => number;
function binary(fn: NativeBinary, a: TensorLike, b: TensorLike, ...rest: unknown[]): Tensor {
  const ak = kindOf(a, 'input'), bk = kindOf(b, 'other');
  const o = new Tensor();
  o._id = fn(o, valOf(a), ak, valOf(b), bk, ...rest);
  return o;
}
function compare(op: number, a: TensorLike, b: TensorLike): Tensor {
  const ak = kindOf(a, 'input'), bk = kindOf(b, 'other');
  const o = new Tensor();
  o._id = N.compare(o, op, valOf(a), ak, valOf(b), bk);
  return o;
}

type AlphaOpts = {
  /** The multiplier of the second operand: `a + alpha * b`. */
  alpha?: number | boolean;
};
/** `torch.add(input, ...)`: the namespace form of {@link Tensor.add}; a number is accepted for a tensor operand. */
export const add = (a: TensorLike, b: TensorLike, opts?: AlphaOpts) => binary(N.add, a, b, alphaOf(opts));
/** a - alpha * b; with a number for a it is PyTorch's `2 - x` (RsubBackward1). */
export const sub = (a: TensorLike, b: TensorLike, opts?: AlphaOpts) => binary(N.sub, a, b, alphaOf(opts));
/** `torch.mul(input, ...)`: the namespace form of {@link Tensor.mul}; a number is accepted for a tensor operand. */
export const mul = (a: TensorLike, b: TensorLike) => binary(N.mul, a, b);
/** True division. A number divided by a tensor is PyTorch's `2 / x`: x.reciprocal() * 2. */
export const div = (a: TensorLike, b: TensorLike): Tensor => {
  if (!(a instanceof Tensor) && b instanceof Tensor) {
    kindOf(a, 'input');
    return b.reciprocal().mul(a);
  }
  return binary(N.div, a, b);
};
/** pow(tensor, tensor | number) and pow(number, tensor) (PowBackward1 / 0 / 2). */
export const pow = (a: TensorLike, b: TensorLike) => binary(N.pow, a, b);
/** `torch.neg(input, ...)`: the namespace form of {@link Tensor.neg}; a number is accepted for a tensor operand. */
export const neg = (a: TensorLike) => T(a).neg();
/** `torch.abs(input, ...)`: the namespace form of {@link Tensor.abs}; a number is accepted for a tensor operand. */
export const abs = (a: TensorLike) => T(a).abs();
/** `torch.sqrt(input, ...)`: the namespace form of {@link Tensor.sqrt}; a number is accepted for a tensor operand. */
export const sqrt = (a: TensorLike) => T(a).sqrt();
/** `torch.rsqrt(input, ...)`: the namespace form of {@link Tensor.rsqrt}; a number is accepted for a tensor operand. */
export const rsqrt = (a: TensorLike) => T(a).rsqrt();
/** `torch.exp(input, ...)`: the namespace form of {@link Tensor.exp}; a number is accepted for a tensor operand. */
export const exp = (a: TensorLike) => T(a).exp();
/** `torch.log(input, ...)`: the namespace form of {@link Tensor.log}; a number is accepted for a tensor operand. */
export const log = (a: TensorLike) => T(a).log();
/** `torch.log1p(input, ...)`: the namespace form of {@link Tensor.log1p}; a number is accepted for a tensor operand. */
export const log1p = (a: TensorLike) => T(a).log1p();
/** `torch.sin(input, ...)`: the namespace form of {@link Tensor.sin}; a number is accepted for a tensor operand. */
export const sin = (a: TensorLike) => T(a).sin();
/** `torch.cos(input, ...)`: the namespace form of {@link Tensor.cos}; a number is accepted for a tensor operand. */
export const cos = (a: TensorLike) => T(a).cos();
/** `torch.tan(input, ...)`: the namespace form of {@link Tensor.tan}; a number is accepted for a tensor operand. */
export const tan = (a: TensorLike) => T(a).tan();
/** `torch.tanh(input, ...)`: the namespace form of {@link Tensor.tanh}; a number is accepted for a tensor operand. */
export const tanh = (a: TensorLike) => T(a).tanh();
/** `torch.sigmoid(input, ...)`: the namespace form of {@link Tensor.sigmoid}; a number is accepted for a tensor operand. */
export const sigmoid = (a: TensorLike) => T(a).sigmoid();
/** `torch.relu(input, ...)`: the namespace form of {@link Tensor.relu}; a number is accepted for a tensor operand. */
export const relu = (a: TensorLike) => T(a).relu();
/** `torch.square(input, ...)`: the namespace form of {@link Tensor.square}; a number is accepted for a tensor operand. */
export const square = (a: TensorLike) => T(a).square();
/** `torch.reciprocal(input, ...)`: the namespace form of {@link Tensor.reciprocal}; a number is accepted for a tensor operand. */
export const reciprocal = (a: TensorLike) => T(a).reciprocal();
/** `torch.sign(input, ...)`: the namespace form of {@link Tensor.sign}; a number is accepted for a tensor operand. */
export const sign = (a: TensorLike) => T(a).sign();
/** `torch.clamp(input, ...)`: the namespace form of {@link Tensor.clamp}; a number is accepted for a tensor operand. */
export const clamp = (a: TensorLike, min?: TensorLike | null, max?: TensorLike | null) => T(a).clamp(min, max);
/** Alias of {@link clamp}. */
export const clip = clamp;
/** `torch.maximum(input, ...)`: the namespace form of {@link Tensor.maximum}; a number is accepted for a tensor operand. */
export const maximum = (a: TensorLike, b: TensorLike) => binary(N.maximum, a, b);
/** `torch.minimum(input, ...)`: the namespace form of {@link Tensor.minimum}; a number is accepted for a tensor operand. */
export const minimum = (a: TensorLike, b: TensorLike) => binary(N.minimum, a, b);

/** `torch.eq(input, ...)`: the namespace form of {@link Tensor.eq}; a number is accepted for a tensor operand. */
export const eq = (a: TensorLike, b: TensorLike) => compare(0, a, b);
/** `torch.ne(input, ...)`: the namespace form of {@link Tensor.ne}; a number is accepted for a tensor operand. */
export const ne = (a: TensorLike, b: TensorLike) => compare(1, a, b);
/** `torch.lt(input, ...)`: the namespace form of {@link Tensor.lt}; a number is accepted for a tensor operand. */
export const lt = (a: TensorLike, b: TensorLike) => compare(2, a, b);
/** `torch.le(input, ...)`: the namespace form of {@link Tensor.le}; a number is accepted for a tensor operand. */
export const le = (a: TensorLike, b: TensorLike) => compare(3, a, b);
/** `torch.gt(input, ...)`: the namespace form of {@link Tensor.gt}; a number is accepted for a tensor operand. */
export const gt = (a: TensorLike, b: TensorLike) => compare(4, a, b);
/** `torch.ge(input, ...)`: the namespace form of {@link Tensor.ge}; a number is accepted for a tensor operand. */
export const ge = (a: TensorLike, b: TensorLike) => compare(5, a, b);

/** `torch.matmul(input, ...)`: the namespace form of {@link Tensor.matmul}; a number is accepted for a tensor operand. */
export const matmul = (a: Tensor, b: Tensor) => T(a).matmul(b);
/** `torch.mm(input, ...)`: the namespace form of {@link Tensor.mm}; a number is accepted for a tensor operand. */
export const mm = (a: Tensor, b: Tensor) => T(a).mm(b);
/** `torch.bmm(input, ...)`: the namespace form of {@link Tensor.bmm}; a number is accepted for a tensor operand. */
export const bmm = (a: Tensor, b: Tensor) => T(a).bmm(b);
/** `torch.addmm(input, mat1, mat2, { beta, alpha })`: beta * input + alpha * (mat1 @ mat2). */
export const addmm = (input: Tensor, mat1: Tensor, mat2: Tensor, opts: { beta?: number; alpha?: number } = {}) => T(input).addmm(mat1, mat2, opts);
/** `torch.mv(input, ...)`: the namespace form of {@link Tensor.mv}; a number is accepted for a tensor operand. */
export const mv = (a: Tensor, b: Tensor) => T(a).mv(b);
/** `torch.dot(input, ...)`: the namespace form of {@link Tensor.dot}; a number is accepted for a tensor operand. */
export const dot = (a: Tensor, b: Tensor) => T(a).dot(b);
/** `torch.outer(input, ...)`: the namespace form of {@link Tensor.outer}; a number is accepted for a tensor operand. */
export const outer = (a: Tensor, b: Tensor) => T(a).outer(b);

/** `torch.sum(input, ...)`: the namespace form of {@link Tensor.sum}; a number is accepted for a tensor operand. */
export const sum = (a: Tensor, dim?: Dim | { dtype?: DType }, keepdim?: boolean, opts?: { dtype?: DType }) => T(a).sum(dim, keepdim, opts);
/** `torch.mean(input, ...)`: the namespace form of {@link Tensor.mean}; a number is accepted for a tensor operand. */
export const mean = (a: Tensor, dim?: Dim, keepdim?: boolean) => T(a).mean(dim, keepdim);
/** `torch.prod(input, ...)`: the namespace form of {@link Tensor.prod}; a number is accepted for a tensor operand. */
export const prod = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).prod(dim, keepdim);
/** `torch.max(input)`: the largest value; `torch.max(input, dim, keepdim?)`: `{ values, indices }`; `torch.max(input, other)`: {@link maximum}. */
export function max(a: Tensor): Tensor;
export function max(a: Tensor, other: Tensor): Tensor;
export function max(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function max(a: Tensor, dim?: number | Tensor, keepdim?: boolean): any {
  return (T(a).max as any)(dim, keepdim);
}
/** `torch.min(input)`: the smallest value; `torch.min(input, dim, keepdim?)`: `{ values, indices }`; `torch.min(input, other)`: {@link minimum}. */
export function min(a: Tensor): Tensor;
export function min(a: Tensor, other: Tensor): Tensor;
export function min(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function min(a: Tensor, dim?: number | Tensor, keepdim?: boolean): any {
  return (T(a).min as any)(dim, keepdim);
}
/** `torch.amax(input, ...)`: the namespace form of {@link Tensor.amax}; a number is accepted for a tensor operand. */
export const amax = (a: Tensor, dim?: Dim, keepdim?: boolean) => T(a).amax(dim, keepdim);
/** `torch.amin(input, ...)`: the namespace form of {@link Tensor.amin}; a number is accepted for a tensor operand. */
export const amin = (a: Tensor, dim?: Dim, keepdim?: boolean) => T(a).amin(dim, keepdim);
/** `torch.argmax(input, ...)`: the namespace form of {@link Tensor.argmax}; a number is accepted for a tensor operand. */
export const argmax = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).argmax(dim, keepdim);
/** `torch.argmin(input, ...)`: the namespace form of {@link Tensor.argmin}; a number is accepted for a tensor operand. */
export const argmin = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).argmin(dim, keepdim);
/** `torch.norm(input, ...)`: the namespace form of {@link Tensor.norm}; a number is accepted for a tensor operand. */
export const norm = (a: Tensor, p?: number | 'fro', dim?: Dim, keepdim?: boolean) => T(a).norm(p, dim, keepdim);
/** Variance over all elements or `dim` (exported as `var`); the namespace form of {@link Tensor.var}. */
export const var_ = (a: Tensor, dim?: Dim, unbiased?: any, keepdim?: boolean) => T(a).var(dim, unbiased, keepdim);
export { var_ as var };
/** `torch.std(input, ...)`: the namespace form of {@link Tensor.std}; a number is accepted for a tensor operand. */
export const std = (a: Tensor, dim?: Dim, unbiased?: any, keepdim?: boolean) => T(a).std(dim, unbiased, keepdim);
/** `torch.logsumexp(input, ...)`: the namespace form of {@link Tensor.logsumexp}; a number is accepted for a tensor operand. */
export const logsumexp = (a: Tensor, dim: number | number[], keepdim?: boolean) => T(a).logsumexp(dim, keepdim);
/** `torch.softmax(input, ...)`: the namespace form of {@link Tensor.softmax}; a number is accepted for a tensor operand. */
export const softmax = (a: Tensor, dim: number) => T(a).softmax(dim);
/** `torch.logSoftmax(input, ...)`: the namespace form of {@link Tensor.logSoftmax}; a number is accepted for a tensor operand. */
export const logSoftmax = (a: Tensor, dim: number) => T(a).logSoftmax(dim);

/** `torch.reshape(input, ...)`: the namespace form of {@link Tensor.reshape}; a number is accepted for a tensor operand. */
export const reshape = (a: Tensor, ...shape: (number | number[])[]) => T(a).reshape(...shape);
/** `torch.flatten(input, ...)`: the namespace form of {@link Tensor.flatten}; a number is accepted for a tensor operand. */
export const flatten = (a: Tensor, startDim?: number, endDim?: number) => T(a).flatten(startDim, endDim);
/** `torch.squeeze(input, ...)`: the namespace form of {@link Tensor.squeeze}; a number is accepted for a tensor operand. */
export const squeeze = (a: Tensor, dim?: number) => T(a).squeeze(dim);
/** `torch.unsqueeze(input, ...)`: the namespace form of {@link Tensor.unsqueeze}; a number is accepted for a tensor operand. */
export const unsqueeze = (a: Tensor, dim: number) => T(a).unsqueeze(dim);
/** `torch.transpose(input, ...)`: the namespace form of {@link Tensor.transpose}; a number is accepted for a tensor operand. */
export const transpose = (a: Tensor, d0: number, d1: number) => T(a).transpose(d0, d1);
/** The namespace form of {@link Tensor.t}: 2-D transpose. */
export const t = (a: Tensor) => T(a).t();
/** `torch.permute(input, ...)`: the namespace form of {@link Tensor.permute}; a number is accepted for a tensor operand. */
export const permute = (a: Tensor, ...dims: (number | number[])[]) => T(a).permute(...dims);
/** `torch.narrow(input, ...)`: the namespace form of {@link Tensor.narrow}; a number is accepted for a tensor operand. */
export const narrow = (a: Tensor, dim: number, start: number, length: number) => T(a).narrow(dim, start, length);
/** `torch.select(input, ...)`: the namespace form of {@link Tensor.select}; a number is accepted for a tensor operand. */
export const select = (a: Tensor, dim: number, index: number) => T(a).select(dim, index);
/** `torch.index(input, ...)`: the namespace form of {@link Tensor.index}; a number is accepted for a tensor operand. */
export const index = (a: Tensor, ...items: IndexItem[]) => T(a).index(...items);
/** `torch.split(input, ...)`: the namespace form of {@link Tensor.split}; a number is accepted for a tensor operand. */
export const split = (a: Tensor, sizes: number | number[], dim?: number) => T(a).split(sizes, dim);
/** `torch.chunk(input, ...)`: the namespace form of {@link Tensor.chunk}; a number is accepted for a tensor operand. */
export const chunk = (a: Tensor, chunks: number, dim?: number) => T(a).chunk(chunks, dim);
/** `torch.gather(input, ...)`: the namespace form of {@link Tensor.gather}; a number is accepted for a tensor operand. */
export const gather = (a: Tensor, dim: number, idx: Tensor) => T(a).gather(dim, idx);
/** `torch.indexSelect(input, ...)`: the namespace form of {@link Tensor.indexSelect}; a number is accepted for a tensor operand. */
export const indexSelect = (a: Tensor, dim: number, idx: Tensor) => T(a).indexSelect(dim, idx);
/** `torch.clone(input, ...)`: the namespace form of {@link Tensor.clone}; a number is accepted for a tensor operand. */
export const clone = (a: Tensor) => T(a).clone();
/** `torch.detach(input, ...)`: the namespace form of {@link Tensor.detach}; a number is accepted for a tensor operand. */
export const detach = (a: Tensor) => T(a).detach();

/** Concatenates tensors along an existing dim `dim` (torch.cat); shapes must match elsewhere. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError(`cat() expects an array of tensors, got ${typeName(tensors)}`);
  const ids = mapEach(tensors, (x, i) => tensorArg(x, `tensors[${i}]`)._id);
  const o = new Tensor();
  o._id = N.cat(o, ids, expectInt(dim, 'dim'));
  return o;
}
/** Alias of {@link cat}. */
export const concat = cat;
/** Stacks same-shape tensors along a new dim `dim` (torch.stack). */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError(`stack() expects an array of tensors, got ${typeName(tensors)}`);
  const ids = mapEach(tensors, (x, i) => tensorArg(x, `tensors[${i}]`)._id);
  const o = new Tensor();
  o._id = N.stack(o, ids, expectInt(dim, 'dim'));
  return o;
}

void adoptPending;
export * from './functional_extra';
