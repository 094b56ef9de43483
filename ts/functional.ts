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

type AlphaOpts = { alpha?: number | boolean };
export const add = (a: TensorLike, b: TensorLike, opts?: AlphaOpts) => binary(N.add, a, b, alphaOf(opts));
/** a - alpha * b; with a number for a it is PyTorch's `2 - x` (RsubBackward1). */
export const sub = (a: TensorLike, b: TensorLike, opts?: AlphaOpts) => binary(N.sub, a, b, alphaOf(opts));
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
export const neg = (a: TensorLike) => T(a).neg();
export const abs = (a: TensorLike) => T(a).abs();
export const sqrt = (a: TensorLike) => T(a).sqrt();
export const rsqrt = (a: TensorLike) => T(a).rsqrt();
export const exp = (a: TensorLike) => T(a).exp();
export const log = (a: TensorLike) => T(a).log();
export const log1p = (a: TensorLike) => T(a).log1p();
export const sin = (a: TensorLike) => T(a).sin();
export const cos = (a: TensorLike) => T(a).cos();
export const tan = (a: TensorLike) => T(a).tan();
export const tanh = (a: TensorLike) => T(a).tanh();
export const sigmoid = (a: TensorLike) => T(a).sigmoid();
export const relu = (a: TensorLike) => T(a).relu();
export const square = (a: TensorLike) => T(a).square();
export const reciprocal = (a: TensorLike) => T(a).reciprocal();
export const sign = (a: TensorLike) => T(a).sign();
export const clamp = (a: TensorLike, min?: TensorLike | null, max?: TensorLike | null) => T(a).clamp(min, max);
export const clip = clamp;
export const maximum = (a: TensorLike, b: TensorLike) => binary(N.maximum, a, b);
export const minimum = (a: TensorLike, b: TensorLike) => binary(N.minimum, a, b);

export const eq = (a: TensorLike, b: TensorLike) => compare(0, a, b);
export const ne = (a: TensorLike, b: TensorLike) => compare(1, a, b);
export const lt = (a: TensorLike, b: TensorLike) => compare(2, a, b);
export const le = (a: TensorLike, b: TensorLike) => compare(3, a, b);
export const gt = (a: TensorLike, b: TensorLike) => compare(4, a, b);
export const ge = (a: TensorLike, b: TensorLike) => compare(5, a, b);

export const matmul = (a: Tensor, b: Tensor) => T(a).matmul(b);
export const mm = (a: Tensor, b: Tensor) => T(a).mm(b);
export const bmm = (a: Tensor, b: Tensor) => T(a).bmm(b);
export const mv = (a: Tensor, b: Tensor) => T(a).mv(b);
export const dot = (a: Tensor, b: Tensor) => T(a).dot(b);
export const outer = (a: Tensor, b: Tensor) => T(a).outer(b);

export const sum = (a: Tensor, dim?: Dim | { dtype?: DType }, keepdim?: boolean, opts?: { dtype?: DType }) => T(a).sum(dim, keepdim, opts);
export const mean = (a: Tensor, dim?: Dim, keepdim?: boolean) => T(a).mean(dim, keepdim);
export const prod = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).prod(dim, keepdim);
export function max(a: Tensor): Tensor;
export function max(a: Tensor, other: Tensor): Tensor;
export function max(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function max(a: Tensor, dim?: number | Tensor, keepdim?: boolean): any {
  return (T(a).max as any)(dim, keepdim);
}
export function min(a: Tensor): Tensor;
export function min(a: Tensor, other: Tensor): Tensor;
export function min(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function min(a: Tensor, dim?: number | Tensor, keepdim?: boolean): any {
  return (T(a).min as any)(dim, keepdim);
}
export const amax = (a: Tensor, dim?: Dim, keepdim?: boolean) => T(a).amax(dim, keepdim);
export const amin = (a: Tensor, dim?: Dim, keepdim?: boolean) => T(a).amin(dim, keepdim);
export const argmax = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).argmax(dim, keepdim);
export const argmin = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).argmin(dim, keepdim);
export const norm = (a: Tensor, p?: number | 'fro', dim?: Dim, keepdim?: boolean) => T(a).norm(p, dim, keepdim);
export const var_ = (a: Tensor, dim?: Dim, unbiased?: any, keepdim?: boolean) => T(a).var(dim, unbiased, keepdim);
export { var_ as var };
export const std = (a: Tensor, dim?: Dim, unbiased?: any, keepdim?: boolean) => T(a).std(dim, unbiased, keepdim);
export const logsumexp = (a: Tensor, dim: number | number[], keepdim?: boolean) => T(a).logsumexp(dim, keepdim);
export const softmax = (a: Tensor, dim: number) => T(a).softmax(dim);
export const logSoftmax = (a: Tensor, dim: number) => T(a).logSoftmax(dim);

export const reshape = (a: Tensor, ...shape: (number | number[])[]) => T(a).reshape(...shape);
export const flatten = (a: Tensor, startDim?: number, endDim?: number) => T(a).flatten(startDim, endDim);
export const squeeze = (a: Tensor, dim?: number) => T(a).squeeze(dim);
export const unsqueeze = (a: Tensor, dim: number) => T(a).unsqueeze(dim);
export const transpose = (a: Tensor, d0: number, d1: number) => T(a).transpose(d0, d1);
export const t = (a: Tensor) => T(a).t();
export const permute = (a: Tensor, ...dims: (number | number[])[]) => T(a).permute(...dims);
export const narrow = (a: Tensor, dim: number, start: number, length: number) => T(a).narrow(dim, start, length);
export const select = (a: Tensor, dim: number, index: number) => T(a).select(dim, index);
export const index = (a: Tensor, ...items: IndexItem[]) => T(a).index(...items);
export const split = (a: Tensor, sizes: number | number[], dim?: number) => T(a).split(sizes, dim);
export const chunk = (a: Tensor, chunks: number, dim?: number) => T(a).chunk(chunks, dim);
export const gather = (a: Tensor, dim: number, idx: Tensor) => T(a).gather(dim, idx);
export const indexSelect = (a: Tensor, dim: number, idx: Tensor) => T(a).indexSelect(dim, idx);
export const clone = (a: Tensor) => T(a).clone();
export const detach = (a: Tensor) => T(a).detach();

export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError(`cat() expects an array of tensors, got ${typeName(tensors)}`);
  const ids = mapEach(tensors, (x, i) => tensorArg(x, `tensors[${i}]`)._id);
  const o = new Tensor();
  o._id = N.cat(o, ids, expectInt(dim, 'dim'));
  return o;
}
export const concat = cat;
export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError(`stack() expects an array of tensors, got ${typeName(tensors)}`);
  const ids = mapEach(tensors, (x, i) => tensorArg(x, `tensors[${i}]`)._id);
  const o = new Tensor();
  o._id = N.stack(o, ids, expectInt(dim, 'dim'));
  return o;
}

void adoptPending;
