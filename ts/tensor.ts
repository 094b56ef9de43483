/// <reference lib="esnext.disposable" preserve="true" />
// The Tensor class: a thin facade over a native tensor handle.
//
// Every method validates its JS arguments, then makes exactly one native call. Results are
// written into a fresh Tensor that the call itself adopts (see native/binding/handles.h):
//     const o = new Tensor(); o._id = N.exp(o, this._id); return o;
// Operands that may be numbers travel as (value, kind) pairs: kind 0 is a tensor id,
// 1 a float, 2 an integer (a JS number with no fraction acts like a Python int), 3 a boolean.
import { N } from './native';
import { Generator, generatorArg } from './generator';
import { DType, toDType, isFloating } from './dtype';
import { expectInt, expectNumber, mapEach, shapeFrom, typeName } from './errors';
import { scopes } from './scope';
import { formatTensor } from './print';
import { RemovableHandle, warnNonLeafGrad } from './hooks';

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;
/** A slice `[start, end, step]` (missing or null parts are open), or Python slice text. */
export type IndexItem = number | null | string | (number | null | undefined)[];

// Python ints are at most 64-bit: an integral JS number outside that range acts as a float.
const INT64_LIMIT = 9223372036854775808;

/** The operand kind of a JS value (0 tensor, 1 float, 2 integer, 3 boolean); TypeError otherwise. */
export function kindOf(x: unknown, what: string): number {
  if (x instanceof Tensor) return 0;
  if (typeof x === 'number') return Number.isInteger(x) && x < INT64_LIMIT && x >= -INT64_LIMIT ? 2 : 1;
  if (typeof x === 'boolean') return 3;
  throw new TypeError(`Expected a Tensor or a number for ${what} but received ${typeName(x)}`);
}

/** The value half of an operand pair: a tensor's slot id, or the number/boolean itself. */
export function valOf(x: TensorLike): number | boolean {
  return x instanceof Tensor ? x._id : x;
}

/** add/sub's alpha: a number or a boolean (PyTorch's Scalar), 1 when absent. */
export function alphaOf(opts: { alpha?: number | boolean } | undefined): number | boolean {
  if (opts === undefined || opts === null) return 1;
  if (typeof opts !== 'object') throw new TypeError(`Expected an options object { alpha } but received ${typeName(opts)}`);
  const a = opts.alpha;
  if (a === undefined) return 1;
  if (typeof a !== 'number' && typeof a !== 'boolean') throw new TypeError(`Expected a number for alpha but received ${typeName(a)}`);
  return a;
}

/** A clamp bound as an operand pair; kind -1 is a missing bound (undefined or null). */
function boundOf(x: unknown, what: string): [number | boolean | null, number] {
  if (x === undefined || x === null) return [null, -1];
  return [valOf(x as TensorLike), kindOf(x, what)];
}

function dimList(dim: unknown, what = 'dim'): number[] {
  if (dim === undefined || dim === null) return [];
  if (Array.isArray(dim)) return mapEach(dim, (d) => expectInt(d, what));
  return [expectInt(dim, what)];
}

/** The node that produced a tensor, seen from backward (PyTorch's grad_fn). */
export class GradFn {
  _id = -1;
  /** PyTorch's node name, e.g. 'PowBackward0' or 'AccumulateGrad'. */
  get name(): string {
    return N.nodeName(this._id);
  }
  /** [node, inputNr] per input of the op; node is null where no gradient flows. */
  get nextFunctions(): [GradFn | null, number][] {
    const raw: [number, number][] = N.nodeNext(this._id);
    return raw.map(([slot, nr]) => {
      if (slot < 0) return [null, nr];
      const g = new GradFn();
      N.adoptNode(g, slot);
      g._id = slot;
      return [g, nr];
    });
  }
  /** For AccumulateGrad: the leaf tensor it accumulates into. */
  get variable(): Tensor | null {
    const o = new Tensor();
    const id = N.nodeVariable(o, this._id);
    if (id < 0) return null;
    o._id = id;
    return o;
  }
  /** PyTorch's repr, e.g. `tensor([1., 2., 3.], requires_grad=True)`; also what `console.log` and `util.inspect` print. */
  toString(): string {
    return `<${this.name} object>`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** An n-dimensional array of float32, float64, int32, int64 or bool values in native memory, with PyTorch's autograd: `requiresGrad`, `gradFn`, `backward()` and `grad`. Made by creation functions such as {@link tensor} and by ops; every op is a method here and a namespace function. */
export class Tensor {
  /**
   * Slot of the native tensor (internal). -1: none yet (also "no tensor" in id lists sent
   * to native code); -2: disposed, which every native function rejects.
   */
  _id = -1;
  private _shape: number[] | undefined = undefined;
  /** The JS object last returned by `grad` (see there). */
  private _grad: Tensor | null = null;
  /** The JS object last returned by `gradFn` (see there). */
  private _gradFn: GradFn | null = null;

  /** Internal: tensors are made by ops and creation functions, e.g. torch.tensor(). */
  constructor() {
    if (scopes.length) scopes[scopes.length - 1].push(this);
  }

  // ------------------------------------------------------------------ geometry
  /** The size of each dimension (frozen array), PyTorch's `t.shape`. */
  get shape(): number[] {
    if (this._shape === undefined) this._shape = Object.freeze(N.shape(this._id)) as number[];
    return this._shape;
  }
  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of dimensions (PyTorch's `t.dim()`). */
  dim(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  numel(): number {
    return N.numel(this._id);
  }
  /** `size()`: the shape; `size(dim)`: the size of one dimension (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape;
    const nd = this.ndim;
    expectInt(dim, 'dim');
    const n = Math.max(nd, 1);
    if (dim < -n || dim >= n) throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    return this.shape[dim < 0 ? dim + nd : dim];
  }
  /** `stride()`: the step in elements between neighbours along each dimension; `stride(dim)`: one of them. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    const s: number[] = N.strides(this._id);
    if (dim === undefined) return s;
    return s[dim < 0 ? dim + s.length : dim];
  }
  /** The element type: 'float32', 'float64', 'int32', 'int64' or 'bool'. */
  get dtype(): DType {
    return N.dtype(this._id);
  }
  /** Always 'cpu'. */
  get device(): 'cpu' {
    return 'cpu';
  }
  /** Offset of the first element in the storage, in elements. */
  storageOffset(): number {
    return N.storageOffset(this._id);
  }
  /** The storage's version counter: in-place writes to the tensor or any view of it bump it. */
  get _version(): number {
    return N.version(this._id);
  }
  /** Whether the elements lie in row-major order with no gaps. */
  isContiguous(): boolean {
    return N.isContiguous(this._id);
  }
  /** Whether the dtype is float32 or float64. */
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }

  // ------------------------------------------------------------------ autograd state
  /** Whether autograd records operations on this tensor (PyTorch's `requires_grad`). */
  get requiresGrad(): boolean {
    return N.requiresGrad(this._id);
  }
  /** Only on leaves; PyTorch's texts for non-leaf and non-float tensors. */
  set requiresGrad(flag: boolean) {
    if (typeof flag !== 'boolean') throw new TypeError(`requiresGrad must be a boolean, not ${typeName(flag)}`);
    N.setRequiresGrad(this._id, flag, false);
  }
  /** requiresGrad_(true) is also allowed on a non-leaf (which requires grad already). */
  requiresGrad_(flag = true): this {
    if (typeof flag !== 'boolean') throw new TypeError(`requiresGrad_(): argument 'requires_grad' must be bool, not ${typeName(flag)}`);
    N.setRequiresGrad(this._id, flag, true);
    return this;
  }
  /** The gradient accumulated by backward(): leaves, retainGrad() tensors and backward inputs. */
  get grad(): Tensor | null {
    // The same JS object while the native gradient is the same tensor (PyTorch: `x.grad is
    // x.grad`); it also spares a training loop a new handle per read.
    const c = this._grad;
    if (c !== null && c._id >= 0 && N.gradIs(this._id, c._id)) return c;
    const o = new Tensor();
    const id = N.grad(o, this._id);
    if (id < 0) {
      this._grad = null;
      if (!this.isLeaf && !this.retainsGrad) warnNonLeafGrad();
      return null;
    }
    o._id = id;
    this._grad = o;
    return o;
  }
  set grad(g: Tensor | null) {
    if (g !== null && g !== undefined && !(g instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${typeName(g)}`);
    N.setGrad(this._id, g ? g._id : null);
    this._grad = g ?? null;
  }
  /** The backward node of the op that made this tensor (`null` for leaves), e.g. `gradFn.name === 'MulBackward0'`. */
  get gradFn(): GradFn | null {
    // The same JS object while the node is the same (PyTorch: `y.grad_fn is y.grad_fn`). A
    // view's node can be regenerated after an in-place write to its base: then a new one.
    const c = this._gradFn;
    if (c !== null && N.gradFnIs(this._id, c._id)) return c;
    const g = new GradFn();
    const id = N.gradFn(g, this._id);
    if (id < 0) {
      this._gradFn = null;
      return null;
    }
    g._id = id;
    this._gradFn = g;
    return g;
  }
  /** Whether this tensor was made by the user rather than by an op that requires grad (PyTorch's `is_leaf`). */
  get isLeaf(): boolean {
    return N.isLeaf(this._id);
  }
  /** Whether `retainGrad()` was called on this non-leaf (PyTorch's `retains_grad`). */
  get retainsGrad(): boolean {
    return N.retainsGrad(this._id);
  }
  /** Makes backward() fill this non-leaf's .grad (a no-op on leaves, which always get one). */
  retainGrad(): void {
    N.retainGrad(this._id);
  }
  /**
   * Registers a hook called with this tensor's gradient each time it is computed. The hook
   * may return a replacement gradient (same shape and dtype) or nothing. Hooks run in
   * registration order; on a leaf, before the gradient is added into .grad.
   * Note: a hook that captures this very tensor keeps it alive as long as the tensor lives.
   */
  registerHook(hook: (grad: Tensor) => Tensor | void | null | undefined): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`registerHook expects a function, but got ${typeName(hook)}`);
    const name = hook.name || '<lambda>';
    const handle = new RemovableHandle(this);
    const closure = (slot: number): Tensor | undefined => {
      const g = adoptPending(slot);
      if (handle.removed) return undefined;
      const r = hook(g);
      if (r === undefined || r === null) return undefined;
      if (!(r instanceof Tensor)) throw new TypeError(`hook '${name}' returned ${typeName(r)}; expected a Tensor or undefined`);
      return r;
    };
    handle.id = N.registerHook(this._id, closure, name);
    return handle;
  }
  /** A tensor sharing storage, detached from the graph. */
  get data(): Tensor {
    return this.detach();
  }
  set data(v: Tensor) {
    throw new TypeError('setting .data is not supported; use copy_() under noGrad()');
  }
  /** A tensor sharing storage with this one, cut off from the graph (requiresGrad false). */
  detach(): Tensor {
    const o = new Tensor();
    o._id = N.detach(o, this._id);
    return o;
  }
  /** Cuts this tensor off from the graph in place, making it a leaf. */
  detach_(): this {
    N.detachInplace(this._id);
    return this;
  }

  // ------------------------------------------------------------------ lifetime
  /**
   * Frees the native tensor now (idempotent). Any later use throws "Tensor has been
   * disposed". Graphs that saved this tensor keep their own reference, so a backward
   * through them still works.
   */
  dispose(): void {
    if (this._id >= 0) {
      const id = this._id;
      this._id = -2;
      this._shape = undefined;
      N.dispose(id);
    }
  }
  /** `using t = torch.ones(2)` disposes t at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** True once dispose() ran (or tidy() disposed this tensor). */
  get isDisposed(): boolean {
    return this._id < 0;
  }

  // ------------------------------------------------------------------ data out
  /** The value of a one-element tensor: a number, or a boolean for bool tensors. */
  item(): number | boolean {
    return N.item(this._id);
  }
  /** A copy of the elements in row-major order: Float32Array, Float64Array, Int32Array, BigInt64Array (int64) or Uint8Array (bool). */
  toTypedArray(): Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array {
    return N.toTypedArray(this._id);
  }
  /** The elements as nested arrays of numbers (booleans for bool tensors); a 0-d tensor gives one number. */
  tolist(): any {
    const flat: Float64Array = N.toFloat64(this._id);
    const shape = this.shape;
    const isBool = this.dtype === 'bool';
    if (shape.length === 0) return isBool ? flat[0] !== 0 : flat[0];
    let pos = 0;
    const build = (d: number): any[] => {
      const n = shape[d];
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        if (d === shape.length - 1) {
          const v = flat[pos++];
          out[i] = isBool ? v !== 0 : v;
        } else out[i] = build(d + 1);
      }
      return out;
    };
    return build(0);
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this._id < 0 ? 'tensor(<disposed>)' : formatTensor(this);
  }

  // ------------------------------------------------------------------ arithmetic
  /** `this + alpha * other`, broadcasting (torch.add); `other` may be a number. */
  add(other: TensorLike, opts?: { alpha?: number | boolean }): Tensor {
    const o = new Tensor();
    o._id = N.add(o, this._id, 0, valOf(other), kindOf(other, 'other'), alphaOf(opts));
    return o;
  }
  /** `this - alpha * other`, broadcasting (torch.sub). */
  sub(other: TensorLike, opts?: { alpha?: number | boolean }): Tensor {
    const o = new Tensor();
    o._id = N.sub(o, this._id, 0, valOf(other), kindOf(other, 'other'), alphaOf(opts));
    return o;
  }
  /** other - alpha * this (PyTorch's rsub; `2 - x` records RsubBackward1). */
  rsub(other: TensorLike, opts?: { alpha?: number | boolean }): Tensor {
    const o = new Tensor();
    o._id = N.sub(o, valOf(other), kindOf(other, 'other'), this._id, 0, alphaOf(opts));
    return o;
  }
  /** Element-wise product, broadcasting (torch.mul, `a * b`). */
  mul(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.mul(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  /** True division: integer inputs give a float result. */
  div(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.div(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  /** `this ** exponent`, element-wise, broadcasting (torch.pow). */
  pow(exponent: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.pow(o, this._id, 0, valOf(exponent), kindOf(exponent, 'exponent'));
    return o;
  }
  /** The element-wise larger of two tensors, broadcasting (torch.maximum). */
  maximum(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.maximum(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  /** The element-wise smaller of two tensors, broadcasting (torch.minimum). */
  minimum(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.minimum(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  private unary(fn: (o: Tensor, id: number) => number): Tensor {
    const o = new Tensor();
    o._id = fn(o, this._id);
    return o;
  }
  /** `-this`, element-wise. */
  neg(): Tensor { return this.unary(N.neg); }
  /** Absolute value, element-wise. */
  abs(): Tensor { return this.unary(N.abs); }
  /** Square root, element-wise. */
  sqrt(): Tensor { return this.unary(N.sqrt); }
  /** `1 / sqrt(this)`, element-wise. */
  rsqrt(): Tensor { return this.unary(N.rsqrt); }
  /** `e ** this`, element-wise. */
  exp(): Tensor { return this.unary(N.exp); }
  /** Natural logarithm, element-wise. */
  log(): Tensor { return this.unary(N.log); }
  /** `log(1 + this)`, element-wise, accurate near 0. */
  log1p(): Tensor { return this.unary(N.log1p); }
  /** Sine, element-wise. */
  sin(): Tensor { return this.unary(N.sin); }
  /** Cosine, element-wise. */
  cos(): Tensor { return this.unary(N.cos); }
  /** Tangent, element-wise. */
  tan(): Tensor { return this.unary(N.tan); }
  /** Hyperbolic tangent, element-wise. */
  tanh(): Tensor { return this.unary(N.tanh); }
  /** `1 / (1 + exp(-this))`, element-wise. */
  sigmoid(): Tensor { return this.unary(N.sigmoid); }
  /** `max(this, 0)`, element-wise. */
  relu(): Tensor { return this.unary(N.relu); }
  /** `this * this`, element-wise. */
  square(): Tensor { return this.unary(N.square); }
  /** `1 / this`, element-wise. */
  reciprocal(): Tensor { return this.unary(N.reciprocal); }
  /** -1, 0 or 1 by the sign of each element. */
  sign(): Tensor { return this.unary(N.sign); }
  /** The Gaussian error linear unit; `'tanh'` uses the tanh approximation (torch.nn.functional.gelu). */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error('approximate argument must be either none or tanh.');
    const o = new Tensor();
    o._id = N.gelu(o, this._id, approximate === 'tanh');
    return o;
  }
  /** clamp(min, max?) with null for a missing bound; bounds may be numbers or tensors. */
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor {
    const [lo, lk] = boundOf(min, 'min');
    const [hi, hk] = boundOf(max, 'max');
    const o = new Tensor();
    o._id = N.clamp(o, this._id, lo, lk, hi, hk);
    return o;
  }
  /** Alias of {@link Tensor.clamp}. */
  clip(min?: TensorLike | null, max?: TensorLike | null): Tensor {
    return this.clamp(min, max);
  }
  /** this where cond, other elsewhere (PyTorch's Tensor.where). */
  where(condition: Tensor, other: TensorLike): Tensor {
    return where(condition, this, other);
  }

  // ------------------------------------------------------------------ comparison
  private cmp(op: number, other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.compare(o, op, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  /** `this == other`, element-wise, as a bool tensor (broadcasting). */
  eq(other: TensorLike): Tensor { return this.cmp(0, other); }
  /** `this != other`, element-wise, as a bool tensor. */
  ne(other: TensorLike): Tensor { return this.cmp(1, other); }
  /** `this < other`, element-wise, as a bool tensor. */
  lt(other: TensorLike): Tensor { return this.cmp(2, other); }
  /** `this <= other`, element-wise, as a bool tensor. */
  le(other: TensorLike): Tensor { return this.cmp(3, other); }
  /** `this > other`, element-wise, as a bool tensor. */
  gt(other: TensorLike): Tensor { return this.cmp(4, other); }
  /** `this >= other`, element-wise, as a bool tensor. */
  ge(other: TensorLike): Tensor { return this.cmp(5, other); }

  // ------------------------------------------------------------------ linear algebra
  private mat(fn: (o: Tensor, a: number, b: number) => number, other: Tensor, what: string): Tensor {
    if (!(other instanceof Tensor)) throw new TypeError(`${what}(): argument 'other' must be Tensor, not ${typeName(other)}`);
    const o = new Tensor();
    o._id = fn(o, this._id, other._id);
    return o;
  }
  /** Matrix product with all of PyTorch's rank rules: dot, matrix-vector, matrix-matrix and batched with broadcasting (`a @ b`). */
  matmul(other: Tensor): Tensor { return this.mat(N.matmul, other, 'matmul'); }
  /** Product of two 2-D matrices. */
  mm(other: Tensor): Tensor { return this.mat(N.mm, other, 'mm'); }
  /** Batched product of two 3-D tensors, [b, n, m] x [b, m, p]. */
  bmm(other: Tensor): Tensor { return this.mat(N.bmm, other, 'bmm'); }
  /**
   * beta * this + alpha * (mat1 @ mat2), this broadcast to the product's shape (torch.addmm).
   * With beta = alpha = 1 it is one fused GEMM (AddmmBackward0, as nn.Linear records).
   */
  addmm(mat1: Tensor, mat2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
    for (const [t, name] of [[mat1, 'mat1'], [mat2, 'mat2']] as const)
      if (!(t instanceof Tensor)) throw new TypeError(`addmm(): argument '${name}' must be Tensor, not ${typeName(t)}`);
    const beta = opts.beta ?? 1, alpha = opts.alpha ?? 1;
    if (beta !== 1 || alpha !== 1) return this.mul(beta).add(mat1.mm(mat2).mul(alpha));
    const o = new Tensor();
    o._id = N.addmm(o, this._id, mat1._id, mat2._id);
    return o;
  }
  /** Product of a 2-D matrix and a 1-D vector. */
  mv(other: Tensor): Tensor { return this.mat(N.mv, other, 'mv'); }
  /** Inner product of two 1-D tensors. */
  dot(other: Tensor): Tensor { return this.mat(N.dot, other, 'dot'); }
  /** Outer product of two 1-D tensors. */
  outer(other: Tensor): Tensor { return this.mat(N.outer, other, 'outer'); }

  // ------------------------------------------------------------------ reductions
  /** sum(dim?, keepdim?, { dtype }?); sum({ dtype }) sums everything into that dtype. */
  sum(dim?: number | number[] | null | { dtype?: DType }, keepdim = false, opts?: { dtype?: DType }): Tensor {
    if (dim !== null && typeof dim === 'object' && !Array.isArray(dim)) [dim, opts] = [null, dim];
    const o = new Tensor();
    o._id = N.sum(o, this._id, dimList(dim), keepdim, opts?.dtype ? toDType(opts.dtype) : undefined);
    return o;
  }
  /** The mean over all elements, or over `dim` (a number or an array), keeping reduced dims with `keepdim`. */
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.mean(o, this._id, dimList(dim), keepdim);
    return o;
  }
  /** The product over all elements, or over one `dim`. */
  prod(dim?: number | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.prod(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'), keepdim);
    return o;
  }
  /** max() → the largest value; max(dim, keepdim?) → { values, indices }; max(other) → maximum. */
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number | Tensor, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim instanceof Tensor) return this.maximum(dim);
    if (dim === undefined || dim === null) return this.unary(N.maxAll);
    return this.minmaxDim(N.maxDim, dim, keepdim);
  }
  min(): Tensor;
  min(other: Tensor): Tensor;
  /** `min()`: the smallest value; `min(dim, keepdim?)`: `{ values, indices }`; `min(other)`: {@link Tensor.minimum}. */
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number | Tensor, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim instanceof Tensor) return this.minimum(dim);
    if (dim === undefined || dim === null) return this.unary(N.minAll);
    return this.minmaxDim(N.minDim, dim, keepdim);
  }
  private minmaxDim(fn: any, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
    const [v, i]: number[] = fn(this._id, expectInt(dim, 'dim'), keepdim);
    return { values: adoptPending(v), indices: adoptPending(i) };
  }
  /** The largest value over `dim` (all dims by default); gradient split evenly between ties. */
  amax(dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.amax(o, this._id, dimList(dim), keepdim);
    return o;
  }
  /** The smallest value over `dim` (all dims by default); gradient split evenly between ties. */
  amin(dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.amin(o, this._id, dimList(dim), keepdim);
    return o;
  }
  /** The index of the largest value (of the flattened tensor, or along `dim`), as int64. */
  argmax(dim?: number | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.argmax(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'), keepdim);
    return o;
  }
  /** The index of the smallest value (of the flattened tensor, or along `dim`), as int64. */
  argmin(dim?: number | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.argmin(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'), keepdim);
    return o;
  }
  /** The p-norm (default 2, or 'fro') over all elements or over `dim`. */
  norm(p: number | 'fro' = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.norm(o, this._id, p === 'fro' ? 2 : expectNumber(p, 'p'), dimList(dim), keepdim);
    return o;
  }
  /**
   * var(dim?, unbiased = true, keepdim = false); the second argument may be
   * { unbiased, correction, keepdim }, and var(unbiased) alone works as in PyTorch.
   */
  var(dim?: number | number[] | null | boolean, unbiased: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean } = true, keepdim = false): Tensor {
    if (typeof dim === 'boolean') [dim, unbiased] = [null, dim];
    const [corr, kd] = varArgs(unbiased, keepdim);
    const o = new Tensor();
    o._id = N.var(o, this._id, dimList(dim), corr, kd);
    return o;
  }
  /** Standard deviation over all elements or `dim`; unbiased (Bessel's correction) unless `unbiased` is false or `correction` says otherwise. */
  std(dim?: number | number[] | null | boolean, unbiased: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean } = true, keepdim = false): Tensor {
    if (typeof dim === 'boolean') [dim, unbiased] = [null, dim];
    const [corr, kd] = varArgs(unbiased, keepdim);
    const o = new Tensor();
    o._id = N.std(o, this._id, dimList(dim), corr, kd);
    return o;
  }
  /** `log(sum(exp(this), dim))`, computed stably. */
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.logsumexp(o, this._id, dimList(dim), keepdim);
    return o;
  }
  /** Softmax along `dim`: `exp(x) / sum(exp(x))`. */
  softmax(dim: number): Tensor {
    const o = new Tensor();
    o._id = N.softmax(o, this._id, expectInt(dim, 'dim'));
    return o;
  }
  /** `log(softmax(this, dim))`, computed stably (PyTorch's log_softmax). */
  logSoftmax(dim: number): Tensor {
    const o = new Tensor();
    o._id = N.logSoftmax(o, this._id, expectInt(dim, 'dim'));
    return o;
  }

  // ------------------------------------------------------------------ shape and views
  /** The same elements in a new shape (one size may be -1): a view where possible, else a copy. */
  reshape(...shape: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.reshape(o, this._id, shapeFrom(shape, 'shape'));
    return o;
  }
  /** A view with a new shape over the same storage; throws PyTorch's error where strides do not allow one. */
  view(...shape: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.view(o, this._id, shapeFrom(shape, 'shape'));
    return o;
  }
  /** `view(other.shape)`. */
  viewAs(other: Tensor): Tensor {
    return this.view(other.shape);
  }
  /** `reshape(other.shape)`. */
  reshapeAs(other: Tensor): Tensor {
    return this.reshape(other.shape);
  }
  /** Merges dims `startDim`..`endDim` into one (a view where possible). */
  flatten(startDim = 0, endDim = -1): Tensor {
    const o = new Tensor();
    o._id = N.flatten(o, this._id, expectInt(startDim, 'start_dim'), expectInt(endDim, 'end_dim'));
    return o;
  }
  /** Removes dims of size 1 (all of them, or only `dim`); a view. */
  squeeze(dim?: number): Tensor {
    const o = new Tensor();
    o._id = N.squeeze(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'));
    return o;
  }
  /** Inserts a dim of size 1 at `dim`; a view. */
  unsqueeze(dim: number): Tensor {
    const o = new Tensor();
    o._id = N.unsqueeze(o, this._id, expectInt(dim, 'dim'));
    return o;
  }
  /** Swaps two dims; a view. */
  transpose(dim0: number, dim1: number): Tensor {
    const o = new Tensor();
    o._id = N.transpose(o, this._id, expectInt(dim0, 'dim0'), expectInt(dim1, 'dim1'));
    return o;
  }
  /** 2-D transpose (0-D and 1-D tensors come back as views of themselves). */
  t(): Tensor {
    const o = new Tensor();
    o._id = N.t(o, this._id);
    return o;
  }
  /** All dims reversed (a view); PyTorch's `t.T`. */
  get T(): Tensor {
    const nd = this.ndim;
    const perm: number[] = [];
    for (let i = nd - 1; i >= 0; i--) perm.push(i);
    return this.permute(perm);
  }
  /** The last two dims swapped (a view); PyTorch's `t.mT`. */
  get mT(): Tensor {
    if (this.ndim < 2) throw new Error(`tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`);
    return this.transpose(-2, -1);
  }
  /** Reorders the dims; a view. */
  permute(...dims: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.permute(o, this._id, shapeFrom(dims, 'dims'));
    return o;
  }
  /** Broadcasts size-1 dims to a larger shape without copying (-1 keeps a size); a view. */
  expand(...shape: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.expand(o, this._id, shapeFrom(shape, 'size'));
    return o;
  }
  /** `expand(other.shape)`. */
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  /** This tensor if its elements are in row-major order, else a row-major copy. */
  contiguous(): Tensor {
    const o = new Tensor();
    o._id = N.contiguous(o, this._id);
    return o;
  }
  /** A copy with its own storage; differentiable (CloneBackward0). */
  clone(): Tensor {
    const o = new Tensor();
    o._id = N.clone(o, this._id);
    return o;
  }
  /** Elements `start`..`start + length - 1` along `dim`; a view. */
  narrow(dim: number, start: number, length: number): Tensor {
    const o = new Tensor();
    o._id = N.narrow(o, this._id, expectInt(dim, 'dim'), expectInt(start, 'start'), expectInt(length, 'length'));
    return o;
  }
  /** The slice at `index` along `dim`, removing that dim; a view. */
  select(dim: number, index: number): Tensor {
    const o = new Tensor();
    o._id = N.select(o, this._id, expectInt(dim, 'dim'), expectInt(index, 'index'));
    return o;
  }
  /** PyTorch's t[...] : integers select, null adds an axis, [start, end, step] or 'a:b:c' slice, '...' fills. */
  index(...items: IndexItem[]): Tensor {
    return applyIndex(this, items);
  }
  /** Views of consecutive pieces along `dim`: of `splitSize` elements each (the last may be smaller), or of the given sizes. */
  split(splitSizeOrSections: number | number[], dim = 0): Tensor[] {
    const ids: number[] = Array.isArray(splitSizeOrSections)
      ? N.split(this._id, shapeFrom([splitSizeOrSections], 'split_sizes'), expectInt(dim, 'dim'))
      : N.splitSize(this._id, expectInt(splitSizeOrSections, 'split_size'), expectInt(dim, 'dim'));
    return ids.map(adoptPending);
  }
  /** Splits into `chunks` views of (nearly) equal size along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    const ids: number[] = N.chunk(this._id, expectInt(chunks, 'chunks'), expectInt(dim, 'dim'));
    return ids.map(adoptPending);
  }
  /** Picks values along `dim` at the int64 positions of `index` (torch.gather). */
  gather(dim: number, index: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.gather(o, this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id);
    return o;
  }
  /** The slices along `dim` at the positions of a 1-D int64 `index` (PyTorch's index_select); a copy. */
  indexSelect(dim: number, index: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.indexSelect(o, this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id);
    return o;
  }

  // ------------------------------------------------------------------ dtype conversion
  /** This tensor converted to `dtype` (itself when it already has that dtype). */
  to(dtype: DType): Tensor {
    if (toDType(dtype) === this.dtype) return this;  // PyTorch returns self when nothing changes
    const o = new Tensor();
    o._id = N.toDtype(o, this._id, toDType(dtype));
    return o;
  }
  /** `to('float32')`. */
  float(): Tensor { return this.to('float32'); }
  /** `to('float64')`. */
  double(): Tensor { return this.to('float64'); }
  /** `to('int64')`. */
  long(): Tensor { return this.to('int64'); }
  /** `to('int32')`. */
  int(): Tensor { return this.to('int32'); }
  /** `to('bool')`. */
  bool(): Tensor { return this.to('bool'); }

  // ------------------------------------------------------------------ in-place
  private binaryInplace(op: number, other: TensorLike, alpha: number): this {
    N.binaryInplace(this._id, op, valOf(other), kindOf(other, 'other'), alpha);
    return this;
  }
  /** In-place `this += alpha * other` (PyTorch's rules: no in-place on a leaf that requires grad, and the result dtype must fit). */
  add_(other: TensorLike, opts?: { alpha?: number }): this { return this.binaryInplace(0, other, opts?.alpha ?? 1); }
  /** In-place `this -= alpha * other`. */
  sub_(other: TensorLike, opts?: { alpha?: number }): this { return this.binaryInplace(1, other, opts?.alpha ?? 1); }
  /** In-place `this *= other`. */
  mul_(other: TensorLike): this { return this.binaryInplace(2, other, 1); }
  /** In-place `this /= other` (true division; needs a floating-point tensor). */
  div_(other: TensorLike): this { return this.binaryInplace(3, other, 1); }
  /** Fills with zeros in place. */
  zero_(): this {
    N.zeroInplace(this._id);
    return this;
  }
  /** Fills with a number, or with the value of a 0-d tensor (which then gets a gradient). */
  fill_(value: number | boolean | Tensor): this {
    if (value instanceof Tensor) N.fillTensorInplace(this._id, value._id);
    else N.fillInplace(this._id, typeof value === 'boolean' ? Number(value) : expectNumber(value, 'value'));
    return this;
  }
  /** Copies `src` (broadcast, converted to this dtype) into this tensor in place; differentiable. */
  copy_(src: Tensor): this {
    N.copyInplace(this._id, tensorArg(src, 'src')._id);
    return this;
  }
  /** Fills with U[from, to) draws: the same numbers as PyTorch after the same manualSeed. */
  uniform_(from = 0, to = 1, opts: { generator?: Generator } = {}): this {
    N.uniform_(this._id, expectNumber(from, 'from'), expectNumber(to, 'to'), generatorArg(opts.generator));
    return this;
  }
  /** Fills with N(mean, std²) draws: the same numbers as PyTorch after the same manualSeed. */
  normal_(mean = 0, std = 1, opts: { generator?: Generator } = {}): this {
    N.normal_(this._id, expectNumber(mean, 'mean'), expectNumber(std, 'std'), generatorArg(opts.generator));
    return this;
  }
  /** Fills with 1 (probability p) or 0. */
  bernoulli_(p = 0.5, opts: { generator?: Generator } = {}): this {
    N.bernoulli_(this._id, expectNumber(p, 'p'), generatorArg(opts.generator));
    return this;
  }
  /** In-place {@link Tensor.clamp}. */
  clamp_(min?: number | null, max?: number | null): this {
    if (min !== undefined && min !== null) expectNumber(min, 'min');
    if (max !== undefined && max !== null) expectNumber(max, 'max');
    N.clampInplace(this._id, min ?? null, max ?? null);
    return this;
  }
  /** PyTorch's t[index] = value. */
  set(index: IndexItem | IndexItem[], value: TensorLike): this {
    // An array is a tuple of index items (t[0, 1] is set([0, 1], v)); a slice inside it is
    // itself an array or a string: set([[1, 3]], v) or set('1:3', v).
    const single = !Array.isArray(index);
    const items = single ? [index as IndexItem] : (index as IndexItem[]);
    N.indexPut(this._id, encodeIndex(items), single, valOf(value), kindOf(value, 'value'));
    return this;
  }

  // ------------------------------------------------------------------ autograd calls
  /**
   * Computes the gradient of this tensor with respect to the graph's leaves and adds it into
   * their .grad: backward(gradient?, { retainGraph, createGraph, inputs }), also
   * backward({ retainGraph }). `gradient` is required unless this tensor has one element.
   */
  backward(gradient?: Tensor | BackwardOptions | null, opts?: BackwardOptions): void {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      if (typeof gradient !== 'object') throw new TypeError(`backward(): gradient must be a Tensor, not ${typeName(gradient)}`);
      opts = gradient;
      gradient = undefined;
    }
    let inputs: Tensor[] = [];
    if (opts?.inputs !== undefined && opts.inputs !== null) {
      inputs = Array.isArray(opts.inputs) ? opts.inputs : [opts.inputs];
      if (inputs.length === 0) throw new Error("'inputs' argument to backward() cannot be empty.");
    }
    N.backward([this._id], [gradient instanceof Tensor ? gradient._id : -1], mapEach(inputs, (t, i) => tensorArg(t, `inputs[${i}]`)._id),
      opts?.retainGraph, opts?.createGraph ?? false);
  }
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors after backward, so that backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order derivatives. */
  createGraph?: boolean;
  /** Accumulate gradients only into these tensors. */
  inputs?: Tensor | Tensor[];
}

/** Wraps a pending result slot (from multi-result ops) in a Tensor that owns it. */
export function adoptPending(slot: number): Tensor {
  const t = new Tensor();
  N.adopt(t, slot);
  t._id = slot;
  return t;
}

export function tensorArg(t: unknown, what: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`Expected a Tensor for ${what} but received ${typeName(t)}`);
  return t;
}

function varArgs(unbiased: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean }, keepdim: boolean): [number, boolean] {
  if (typeof unbiased === 'object' && unbiased !== null) {
    const corr = unbiased.correction ?? (unbiased.unbiased === false ? 0 : 1);
    return [expectInt(corr, 'correction'), unbiased.keepdim ?? keepdim];
  }
  return [unbiased === false ? 0 : 1, keepdim];
}

// ------------------------------------------------------------------ indexing
//
// Index items travel to the native side as four numbers each in one Float64Array,
// [kind, a, b, c]: kind 0 an integer a; 1 null (a new axis); 2 a slice a:b:c with NaN for an
// absent part; 3 '...'.
// PyTorch's rules (native/ops/index.cc) do the rest in one call.

const BAD_INDEX = 'only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices';

function sliceBound(v: unknown): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`slice indices must be integers or null, but got ${typeName(v)} ${String(v)}`);
  }
  return v;
}

// Parsed slice strings, kept because the same few (':', '1:') recur in loops.
const sliceCache = new Map<string, [number, number, number]>();

function parseSlice(s: string): [number, number, number] {
  const hit = sliceCache.get(s);
  if (hit) return hit;
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`${BAD_INDEX} (got string '${s}')`);
  const num = (p: string): number => {
    const q = p.trim();
    if (q === '') return NaN;
    if (!/^[+-]?\d+$/.test(q)) throw new TypeError(`invalid slice '${s}': parts must be integers`);
    return Number(q);
  };
  const r: [number, number, number] = [num(parts[0]), num(parts[1]), parts.length === 3 ? num(parts[2]) : NaN];
  if (sliceCache.size < 256) sliceCache.set(s, r);
  return r;
}

function encodeIndex(items: IndexItem[]): Float64Array {
  const out = new Float64Array(4 * items.length);  // zero-filled: only the used parts are set
  for (let i = 0, k = 0; i < items.length; i++, k += 4) {
    const it = items[i] as unknown;
    if (typeof it === 'number') {
      if (!Number.isInteger(it)) throw new TypeError(`${BAD_INDEX} (got number ${it})`);
      out[k + 1] = it;  // kind 0
    } else if (it === null) out[k] = 1;
    else if (it === '...') out[k] = 3;
    else if (typeof it === 'string' || Array.isArray(it)) {
      let bounds: [number, number, number];
      if (typeof it === 'string') bounds = parseSlice(it);
      else if (it.length > 3) throw new TypeError(`a slice is [start, end, step], but got an array of length ${it.length}`);
      else bounds = [sliceBound(it[0]), sliceBound(it[1]), sliceBound(it[2])];
      out[k] = 2;
      out[k + 1] = bounds[0];
      out[k + 2] = bounds[1];
      out[k + 3] = bounds[2];
    } else if (it instanceof Tensor) {
      throw new TypeError('indexing with a Tensor is not supported; use indexSelect() or gather()');
    } else throw new TypeError(`${BAD_INDEX} (got ${typeName(it)})`);
  }
  return out;
}

function applyIndex(t: Tensor, items: IndexItem[]): Tensor {
  const o = new Tensor();
  const first = items[0];
  // t[i], the commonest form, skips the item encoding.
  if (items.length === 1 && typeof first === 'number' && Number.isInteger(first)) o._id = N.indexInt(o, t._id, first);
  else o._id = N.index(o, t._id, encodeIndex(items), items.length === 1);
  return o;
}

// ------------------------------------------------------------------ functions used above

export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  tensorArg(condition, 'condition');
  const o = new Tensor();
  o._id = N.where(o, condition._id, valOf(input), kindOf(input, 'input'), valOf(other), kindOf(other, 'other'));
  return o;
}

