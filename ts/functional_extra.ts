// The namespace forms of the methods in tensor_extra.ts: torch.floor(x) is x.floor().
// Binary ops take a number on either side, as in functional.ts.
import { N } from './native';
import './tensor_extra';
import { Tensor, TensorLike, kindOf, valOf, tensorArg } from './tensor';
import type { DType } from './dtype';
import type { SortOptions } from './tensor_extra';
import { typeName } from './errors';

function T(x: unknown, what = 'input'): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`Expected a Tensor for ${what} but received ${typeName(x)}`);
}
type NativeBinary = (o: Tensor, a: number | boolean, ak: number, b: number | boolean, bk: number) => number;
function binary(fn: NativeBinary, a: TensorLike, b: TensorLike): Tensor {
  const ak = kindOf(a, 'input'), bk = kindOf(b, 'other');
  const o = new Tensor();
  o._id = fn(o, valOf(a), ak, valOf(b), bk);
  return o;
}

export const floor = (a: Tensor) => T(a).floor();
export const ceil = (a: Tensor) => T(a).ceil();
export const round = (a: Tensor, decimals?: number | { decimals?: number }) => T(a).round(decimals);
export const trunc = (a: Tensor) => T(a).trunc();
export const fix = trunc;
export const frac = (a: Tensor) => T(a).frac();
export const expm1 = (a: Tensor) => T(a).expm1();
export const exp2 = (a: Tensor) => T(a).exp2();
export const log2 = (a: Tensor) => T(a).log2();
export const log10 = (a: Tensor) => T(a).log10();
export const asin = (a: Tensor) => T(a).asin();
export const acos = (a: Tensor) => T(a).acos();
export const atan = (a: Tensor) => T(a).atan();
export const arcsin = asin;
export const arccos = acos;
export const arctan = atan;
export const sinh = (a: Tensor) => T(a).sinh();
export const cosh = (a: Tensor) => T(a).cosh();
export const erf = (a: Tensor) => T(a).erf();
export const erfc = (a: Tensor) => T(a).erfc();
export const erfinv = (a: Tensor) => T(a).erfinv();
export const isnan = (a: Tensor) => T(a).isnan();
export const isinf = (a: Tensor) => T(a).isinf();
export const isfinite = (a: Tensor) => T(a).isfinite();
export const logicalNot = (a: Tensor) => T(a).logicalNot();

export const atan2 = (a: TensorLike, b: TensorLike) => binary(N.atan2, a, b);
export const arctan2 = atan2;
export const fmod = (a: TensorLike, b: TensorLike) => binary(N.fmod, a, b);
export const remainder = (a: TensorLike, b: TensorLike) => binary(N.remainder, a, b);
export const floorDivide = (a: TensorLike, b: TensorLike) => binary(N.floorDivide, a, b);
function logical(code: number, a: TensorLike, b: TensorLike): Tensor {
  const ak = kindOf(a, 'input'), bk = kindOf(b, 'other');
  const o = new Tensor();
  o._id = N.logical(o, code, valOf(a), ak, valOf(b), bk);
  return o;
}
export const logicalAnd = (a: TensorLike, b: TensorLike) => logical(0, a, b);
export const logicalOr = (a: TensorLike, b: TensorLike) => logical(1, a, b);
export const logicalXor = (a: TensorLike, b: TensorLike) => logical(2, a, b);
export const lerp = (a: Tensor, end: Tensor, weight: TensorLike) => T(a).lerp(end, weight);
export const addcmul = (a: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }) => T(a).addcmul(t1, t2, opts);
export const addcdiv = (a: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }) => T(a).addcdiv(t1, t2, opts);
export const isclose = (a: Tensor, b: Tensor, rtol?: number, atol?: number, equalNan?: boolean) => T(a).isclose(b, rtol, atol, equalNan);
export const allclose = (a: Tensor, b: Tensor, rtol?: number, atol?: number, equalNan?: boolean) => T(a).allclose(b, rtol, atol, equalNan);
export const equal = (a: Tensor, b: Tensor) => T(a).equal(tensorArg(b, 'other'));

export const any = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).any(dim, keepdim);
export const all = (a: Tensor, dim?: number | null, keepdim?: boolean) => T(a).all(dim, keepdim);
export const countNonzero = (a: Tensor, dim?: number | number[] | null) => T(a).countNonzero(dim);
export const cumsum = (a: Tensor, dim: number, opts?: { dtype?: DType }) => T(a).cumsum(dim, opts);
export const cumprod = (a: Tensor, dim: number, opts?: { dtype?: DType }) => T(a).cumprod(dim, opts);
export const sort = (a: Tensor, dim?: number | SortOptions, descending?: boolean) => T(a).sort(dim, descending);
export const argsort = (a: Tensor, dim?: number | SortOptions, descending?: boolean) => T(a).argsort(dim, descending);
export const topk = (a: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean) => T(a).topk(k, dim, largest, sorted);
export function median(a: Tensor): Tensor;
export function median(a: Tensor, dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
export function median(a: Tensor, dim?: number, keepdim?: boolean): any {
  return (T(a).median as any)(dim, keepdim);
}

export const flip = (a: Tensor, ...dims: (number | number[])[]) => T(a).flip(...dims);
export const fliplr = (a: Tensor) => T(a).fliplr();
export const flipud = (a: Tensor) => T(a).flipud();
export const roll = (a: Tensor, shifts: number | number[], dims?: number | number[] | null) => T(a).roll(shifts, dims);
export const tile = (a: Tensor, ...dims: (number | number[])[]) => T(a).tile(...dims);
export const tril = (a: Tensor, diagonal?: number) => T(a).tril(diagonal);
export const triu = (a: Tensor, diagonal?: number) => T(a).triu(diagonal);
export const maskedFill = (a: Tensor, mask: Tensor, value: TensorLike) => T(a).maskedFill(mask, value);
export const maskedSelect = (a: Tensor, mask: Tensor) => T(a).maskedSelect(mask);
export const nonzero = (a: Tensor) => T(a).nonzero();
export const diag = (a: Tensor, diagonal?: number) => T(a).diag(diagonal);
export const diagonal = (a: Tensor, offset?: number, dim1?: number, dim2?: number) => T(a).diagonal(offset, dim1, dim2);
export const trace = (a: Tensor) => T(a).trace();
export const unbind = (a: Tensor, dim?: number) => T(a).unbind(dim);
export const movedim = (a: Tensor, source: number | number[], destination: number | number[]) => T(a).movedim(source, destination);
export const moveaxis = movedim;
export const scatter = (a: Tensor, dim: number, index: Tensor, src: TensorLike) => T(a).scatter(dim, index, src);
export const scatterAdd = (a: Tensor, dim: number, index: Tensor, src: Tensor) => T(a).scatterAdd(dim, index, src);
export const indexAdd = (a: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) =>
  T(a).indexAdd(dim, index, source, opts);
export const kthvalue = (a: Tensor, k: number, dim?: number, keepdim?: boolean) => T(a).kthvalue(k, dim, keepdim);
export const cummax = (a: Tensor, dim: number) => T(a).cummax(dim);
export const cummin = (a: Tensor, dim: number) => T(a).cummin(dim);
