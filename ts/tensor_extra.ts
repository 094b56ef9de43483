// More Tensor methods (PyTorch's names in camelCase): rounding and special functions,
// predicates, more binary arithmetic, in-place unary forms, scans, sorting, and
// shape/index ops. They are added to Tensor.prototype here (and declared on the class by
// module augmentation) so that each area's methods live in its own file.
// Native side: native/ops/ops_extra.h, bound in native/binding/bind_extra.cc.
import { N } from './native';
import { Tensor, TensorLike, adoptPending, tensorArg, kindOf, valOf } from './tensor';
import { DType, toDType } from './dtype';
import { expectInt, expectNumber, shapeFrom, typeName } from './errors';
import { full } from './creation';

type ValuesIndices = { values: Tensor; indices: Tensor };

declare module './tensor' {
  interface Tensor {
    floor(): Tensor; ceil(): Tensor; round(decimals?: number | { decimals?: number }): Tensor; trunc(): Tensor; fix(): Tensor;
    frac(): Tensor; expm1(): Tensor; exp2(): Tensor; log2(): Tensor; log10(): Tensor;
    asin(): Tensor; acos(): Tensor; atan(): Tensor; arcsin(): Tensor; arccos(): Tensor; arctan(): Tensor;
    sinh(): Tensor; cosh(): Tensor; erf(): Tensor; erfc(): Tensor; erfinv(): Tensor;
    isnan(): Tensor; isinf(): Tensor; isfinite(): Tensor; logicalNot(): Tensor;
    floor_(): this; ceil_(): this; round_(): this; trunc_(): this; frac_(): this; expm1_(): this; exp2_(): this;
    log2_(): this; log10_(): this; asin_(): this; acos_(): this; atan_(): this; sinh_(): this; cosh_(): this;
    erf_(): this; erfc_(): this; erfinv_(): this;
    exp_(): this; log_(): this; sqrt_(): this; abs_(): this; neg_(): this; relu_(): this; sigmoid_(): this;
    tanh_(): this; sin_(): this; cos_(): this; rsqrt_(): this; reciprocal_(): this; log1p_(): this; square_(): this;
    sign_(): this; pow_(exponent: TensorLike): this;
    atan2(other: TensorLike): Tensor; arctan2(other: TensorLike): Tensor; fmod(other: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor; floorDivide(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor; logicalOr(other: TensorLike): Tensor; logicalXor(other: TensorLike): Tensor;
    lerp(end: Tensor, weight: TensorLike): Tensor; lerp_(end: Tensor, weight: TensorLike): this;
    addcmul(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor;
    addcdiv(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor;
    addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this;
    addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): this;
    isclose(other: Tensor, rtol?: number, atol?: number, equalNan?: boolean): Tensor;
    allclose(other: Tensor, rtol?: number, atol?: number, equalNan?: boolean): boolean;
    equal(other: Tensor): boolean;
    any(dim?: number | null, keepdim?: boolean): Tensor; all(dim?: number | null, keepdim?: boolean): Tensor;
    countNonzero(dim?: number | number[] | null): Tensor;
    cumsum(dim: number, opts?: { dtype?: DType }): Tensor; cumprod(dim: number, opts?: { dtype?: DType }): Tensor;
    sort(dim?: number | SortOptions, descending?: boolean): ValuesIndices;
    argsort(dim?: number | SortOptions, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    median(): Tensor; median(dim: number, keepdim?: boolean): ValuesIndices;
    kthvalue(k: number, dim?: number, keepdim?: boolean): ValuesIndices;
    cummax(dim: number): ValuesIndices; cummin(dim: number): ValuesIndices;
    flip(...dims: (number | number[])[]): Tensor; fliplr(): Tensor; flipud(): Tensor;
    roll(shifts: number | number[], dims?: number | number[] | null): Tensor;
    repeat(...sizes: (number | number[])[]): Tensor; tile(...dims: (number | number[])[]): Tensor;
    tril(diagonal?: number): Tensor; triu(diagonal?: number): Tensor;
    maskedFill(mask: Tensor, value: TensorLike): Tensor; maskedFill_(mask: Tensor, value: TensorLike): this;
    maskedSelect(mask: Tensor): Tensor; nonzero(): Tensor;
    diag(diagonal?: number): Tensor; diagonal(offset?: number, dim1?: number, dim2?: number): Tensor; trace(): Tensor;
    unbind(dim?: number): Tensor[];
    movedim(source: number | number[], destination: number | number[]): Tensor;
    moveaxis(source: number | number[], destination: number | number[]): Tensor;
    scatter(dim: number, index: Tensor, src: TensorLike): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    scatter_(dim: number, index: Tensor, src: TensorLike): this;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this;
    typeAs(other: Tensor): Tensor;
    newZeros(...size: (number | number[])[]): Tensor; newOnes(...size: (number | number[])[]): Tensor;
    newFull(size: number[], value: number | boolean): Tensor;
  }
}

export interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}

const proto = Tensor.prototype as any;

// ------------------------------------------------------------------ unary
// Codes of ops::UnaryOp (native/ops/ops_extra.h), in its order.
const UNARY = ['floor', 'ceil', 'round', 'trunc', 'frac', 'expm1', 'exp2', 'log2', 'log10', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'erf', 'erfc', 'erfinv', 'exp', 'log', 'sqrt', 'abs', 'neg', 'relu', 'sigmoid', 'tanh', 'sin', 'cos',
  'rsqrt', 'reciprocal', 'log1p', 'square', 'sign'];
const FIRST_INPLACE_ONLY = UNARY.indexOf('exp');

UNARY.forEach((name, code) => {
  if (code < FIRST_INPLACE_ONLY && name !== 'round') {
    proto[name] = function (this: Tensor): Tensor {
      const o = new Tensor();
      o._id = N.unaryExtra(o, this._id, code);
      return o;
    };
  }
  proto[`${name}_`] = function (this: Tensor) {
    N.unaryInplace(this._id, code);
    return this;
  };
});
proto.round = function (this: Tensor, decimals?: number | { decimals?: number }): Tensor {
  const d = typeof decimals === 'object' && decimals !== null ? decimals.decimals ?? 0 : decimals ?? 0;
  const o = new Tensor();
  o._id = d === 0 ? N.unaryExtra(o, this._id, UNARY.indexOf('round')) : N.roundDecimals(o, this._id, expectInt(d, 'decimals'));
  return o;
};
proto.fix = proto.trunc;
proto.arcsin = proto.asin;
proto.arccos = proto.acos;
proto.arctan = proto.atan;

const PREDICATES = ['isnan', 'isinf', 'isfinite', 'logicalNot'];
PREDICATES.forEach((name, code) => {
  proto[name] = function (this: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.predicate(o, this._id, code);
    return o;
  };
});

// ------------------------------------------------------------------ binary
function binaryMethod(fn: (...a: any[]) => number) {
  return function (this: Tensor, other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = fn(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  };
}
proto.atan2 = binaryMethod(N.atan2);
proto.arctan2 = proto.atan2;
proto.fmod = binaryMethod(N.fmod);
proto.remainder = binaryMethod(N.remainder);
proto.floorDivide = binaryMethod(N.floorDivide);
['logicalAnd', 'logicalOr', 'logicalXor'].forEach((name, code) => {
  proto[name] = function (this: Tensor, other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.logical(o, code, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  };
});
proto.pow_ = function (this: Tensor, exponent: TensorLike) {
  N.powInplace(this._id, valOf(exponent), kindOf(exponent, 'exponent'));
  return this;
};

function valueOf(opts: { value?: number } | undefined): number {
  if (opts === undefined || opts === null) return 1;
  if (typeof opts !== 'object') throw new TypeError(`Expected an options object { value } but received ${typeName(opts)}`);
  return opts.value === undefined ? 1 : expectNumber(opts.value, 'value');
}
proto.lerp = function (this: Tensor, end: Tensor, weight: TensorLike): Tensor {
  const o = new Tensor();
  o._id = N.lerp(o, this._id, tensorArg(end, 'end')._id, valOf(weight), kindOf(weight, 'weight'));
  return o;
};
proto.addcmul = function (this: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor {
  const o = new Tensor();
  o._id = N.addcmul(o, this._id, tensorArg(t1, 'tensor1')._id, tensorArg(t2, 'tensor2')._id, valueOf(opts));
  return o;
};
proto.addcdiv = function (this: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor {
  const o = new Tensor();
  o._id = N.addcdiv(o, this._id, tensorArg(t1, 'tensor1')._id, tensorArg(t2, 'tensor2')._id, valueOf(opts));
  return o;
};
proto.addcmul_ = function (this: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }) {
  N.ternaryInplace(this._id, 0, tensorArg(t1, 'tensor1')._id, tensorArg(t2, 'tensor2')._id, 0, valueOf(opts));
  return this;
};
proto.addcdiv_ = function (this: Tensor, t1: Tensor, t2: Tensor, opts?: { value?: number }) {
  N.ternaryInplace(this._id, 1, tensorArg(t1, 'tensor1')._id, tensorArg(t2, 'tensor2')._id, 0, valueOf(opts));
  return this;
};
proto.lerp_ = function (this: Tensor, end: Tensor, weight: TensorLike) {
  N.ternaryInplace(this._id, 2, tensorArg(end, 'end')._id, valOf(weight), kindOf(weight, 'weight'), 1);
  return this;
};
proto.isclose = function (this: Tensor, other: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor {
  const o = new Tensor();
  o._id = N.isclose(o, this._id, tensorArg(other, 'other')._id, expectNumber(rtol, 'rtol'), expectNumber(atol, 'atol'), !!equalNan);
  return o;
};
proto.allclose = function (this: Tensor, other: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false): boolean {
  const close = this.isclose(other, rtol, atol, equalNan);
  const r = close.all().item() as boolean;
  close.dispose();
  return r;
};
proto.equal = function (this: Tensor, other: Tensor): boolean {
  return N.equal(this._id, tensorArg(other, 'other')._id);
};

// ------------------------------------------------------------------ reductions, scans, sorting
function optDim(dim: unknown): number | null {
  return dim === undefined || dim === null ? null : expectInt(dim, 'dim');
}
proto.any = function (this: Tensor, dim?: number | null, keepdim = false): Tensor {
  const o = new Tensor();
  o._id = N.any(o, this._id, optDim(dim), keepdim);
  return o;
};
proto.all = function (this: Tensor, dim?: number | null, keepdim = false): Tensor {
  const o = new Tensor();
  o._id = N.all(o, this._id, optDim(dim), keepdim);
  return o;
};
proto.countNonzero = function (this: Tensor, dim?: number | number[] | null): Tensor {
  const dims = dim === undefined || dim === null ? [] : Array.isArray(dim) ? dim.map((d) => expectInt(d, 'dim')) : [expectInt(dim, 'dim')];
  const o = new Tensor();
  o._id = N.countNonzero(o, this._id, dims);
  return o;
};
proto.cumsum = function (this: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
  const o = new Tensor();
  o._id = N.cumsum(o, this._id, expectInt(dim, 'dim'), opts?.dtype ? toDType(opts.dtype) : undefined);
  return o;
};
proto.cumprod = function (this: Tensor, dim: number, opts?: { dtype?: DType }): Tensor {
  const o = new Tensor();
  o._id = N.cumprod(o, this._id, expectInt(dim, 'dim'), opts?.dtype ? toDType(opts.dtype) : undefined);
  return o;
};
function sortArgs(dim: number | SortOptions | undefined, descending: boolean | undefined): [number, boolean, boolean] {
  if (typeof dim === 'object' && dim !== null) return [expectInt(dim.dim ?? -1, 'dim'), !!dim.descending, dim.stable !== undefined];
  return [expectInt(dim ?? -1, 'dim'), !!descending, false];
}
// Sorting is always stable; passing `stable` picks PyTorch's sort.stable overload (SortBackward1).
proto.sort = function (this: Tensor, dim?: number | SortOptions, descending?: boolean): ValuesIndices {
  const [d, desc, stable] = sortArgs(dim, descending);
  const [v, i]: number[] = N.sort(this._id, d, desc, stable);
  return { values: adoptPending(v), indices: adoptPending(i) };
};
proto.argsort = function (this: Tensor, dim?: number | SortOptions, descending?: boolean): Tensor {
  const [d, desc] = sortArgs(dim, descending);
  const o = new Tensor();
  o._id = N.argsort(o, this._id, d, desc);
  return o;
};
proto.topk = function (this: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  const [v, i]: number[] = N.topk(this._id, expectInt(k, 'k'), expectInt(dim, 'dim'), largest, sorted);
  return { values: adoptPending(v), indices: adoptPending(i) };
};
proto.median = function (this: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined || dim === null) {
    const o = new Tensor();
    o._id = N.medianAll(o, this._id);
    return o;
  }
  const [v, i]: number[] = N.medianDim(this._id, expectInt(dim, 'dim'), keepdim);
  return { values: adoptPending(v), indices: adoptPending(i) };
};

proto.kthvalue = function (this: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  const [v, i]: number[] = N.kthvalue(this._id, expectInt(k, 'k'), expectInt(dim, 'dim'), keepdim);
  return { values: adoptPending(v), indices: adoptPending(i) };
};
proto.cummax = function (this: Tensor, dim: number): ValuesIndices {
  const [v, i]: number[] = N.cumExtreme(this._id, expectInt(dim, 'dim'), true);
  return { values: adoptPending(v), indices: adoptPending(i) };
};
proto.cummin = function (this: Tensor, dim: number): ValuesIndices {
  const [v, i]: number[] = N.cumExtreme(this._id, expectInt(dim, 'dim'), false);
  return { values: adoptPending(v), indices: adoptPending(i) };
};

// ------------------------------------------------------------------ shape and indexing
function unary1(fn: (...a: any[]) => number, t: Tensor, ...rest: unknown[]): Tensor {
  const o = new Tensor();
  o._id = fn(o, t._id, ...rest);
  return o;
}
function dimsOf(v: number | number[], what: string): number[] {
  return Array.isArray(v) ? v.map((d) => expectInt(d, what)) : [expectInt(v, what)];
}
proto.flip = function (this: Tensor, ...dims: (number | number[])[]): Tensor {
  return unary1(N.flip, this, shapeFrom(dims, 'dims'));
};
proto.fliplr = function (this: Tensor): Tensor {
  if (this.ndim < 2) throw new Error('Input must be >= 2-d.');
  return this.flip(1);
};
proto.flipud = function (this: Tensor): Tensor {
  if (this.ndim < 1) throw new Error('Input must be >= 1-d.');
  return this.flip(0);
};
proto.roll = function (this: Tensor, shifts: number | number[], dims?: number | number[] | null): Tensor {
  return unary1(N.roll, this, dimsOf(shifts, 'shifts'), dims === undefined || dims === null ? [] : dimsOf(dims, 'dims'));
};
proto.repeat = function (this: Tensor, ...sizes: (number | number[])[]): Tensor {
  return unary1(N.repeat, this, shapeFrom(sizes, 'repeats'));
};
proto.tile = function (this: Tensor, ...dims: (number | number[])[]): Tensor {
  return unary1(N.tile, this, shapeFrom(dims, 'dims'));
};
proto.tril = function (this: Tensor, diagonal = 0): Tensor {
  return unary1(N.tril, this, expectInt(diagonal, 'diagonal'));
};
proto.triu = function (this: Tensor, diagonal = 0): Tensor {
  return unary1(N.triu, this, expectInt(diagonal, 'diagonal'));
};
proto.maskedFill = function (this: Tensor, mask: Tensor, value: TensorLike): Tensor {
  return unary1(N.maskedFill, this, tensorArg(mask, 'mask')._id, valOf(value), kindOf(value, 'value'));
};
proto.maskedFill_ = function (this: Tensor, mask: Tensor, value: TensorLike) {
  N.maskedFillInplace(this._id, tensorArg(mask, 'mask')._id, valOf(value), kindOf(value, 'value'));
  return this;
};
proto.maskedSelect = function (this: Tensor, mask: Tensor): Tensor {
  return unary1(N.maskedSelect, this, tensorArg(mask, 'mask')._id);
};
proto.nonzero = function (this: Tensor): Tensor {
  return unary1(N.nonzero, this);
};
proto.diag = function (this: Tensor, diagonal = 0): Tensor {
  return unary1(N.diag, this, expectInt(diagonal, 'diagonal'));
};
proto.diagonal = function (this: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  return unary1(N.diagonal, this, expectInt(offset, 'offset'), expectInt(dim1, 'dim1'), expectInt(dim2, 'dim2'));
};
proto.trace = function (this: Tensor): Tensor {
  return unary1(N.trace, this);
};
proto.unbind = function (this: Tensor, dim = 0): Tensor[] {
  const ids: number[] = N.unbind(this._id, expectInt(dim, 'dim'));
  return ids.map(adoptPending);
};
proto.movedim = function (this: Tensor, source: number | number[], destination: number | number[]): Tensor {
  return unary1(N.movedim, this, dimsOf(source, 'source'), dimsOf(destination, 'destination'));
};
proto.moveaxis = proto.movedim;
proto.scatter = function (this: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  return unary1(N.scatter, this, expectInt(dim, 'dim'), tensorArg(index, 'index')._id, valOf(src), kindOf(src, 'src'));
};
proto.scatterAdd = function (this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return unary1(N.scatterAdd, this, expectInt(dim, 'dim'), tensorArg(index, 'index')._id, tensorArg(src, 'src')._id);
};

proto.indexAdd = function (this: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha === undefined ? 1 : expectNumber(opts.alpha, 'alpha');
  return unary1(N.indexAdd, this, expectInt(dim, 'dim'), tensorArg(index, 'index')._id, tensorArg(source, 'source')._id, alpha);
};

proto.scatter_ = function (this: Tensor, dim: number, index: Tensor, src: TensorLike) {
  N.scatterInplace(this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id, valOf(src), kindOf(src, 'src'));
  return this;
};
proto.scatterAdd_ = function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  N.scatterAddInplace(this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id, tensorArg(src, 'src')._id);
  return this;
};
proto.indexAdd_ = function (this: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) {
  const alpha = opts?.alpha === undefined ? 1 : expectNumber(opts.alpha, 'alpha');
  N.indexAddInplace(this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id, tensorArg(source, 'source')._id, alpha);
  return this;
};

// ------------------------------------------------------------------ utilities
proto.typeAs = function (this: Tensor, other: Tensor): Tensor {
  return this.to(tensorArg(other, 'other').dtype);
};
proto.newZeros = function (this: Tensor, ...size: (number | number[])[]): Tensor {
  return full(shapeFrom(size, 'size'), 0, { dtype: this.dtype });
};
proto.newOnes = function (this: Tensor, ...size: (number | number[])[]): Tensor {
  return full(shapeFrom(size, 'size'), 1, { dtype: this.dtype });
};
proto.newFull = function (this: Tensor, size: number[], value: number | boolean): Tensor {
  return full(shapeFrom([size], 'size'), value, { dtype: this.dtype });
};

export {};
