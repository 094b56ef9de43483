// The Tensor class: a thin facade over a native tensor handle.
//
// Every method validates its JS arguments, then makes exactly one native call. Results are
// written into a fresh Tensor that the call itself adopts (see native/binding/handles.h):
//     const o = new Tensor(); o._id = N.exp(o, this._id); return o;
// Operands that may be numbers travel as (value, kind) pairs: kind 0 is a tensor id,
// 1 a float, 2 an integer (a JS number with no fraction acts like a Python int), 3 a boolean.
import { N } from './native';
import { DType, toDType, isFloating } from './dtype';
import { expectInt, expectNumber, shapeFrom, typeName } from './errors';
import { scopes } from './scope';
import { formatTensor } from './print';

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;
/** A slice `[start, end, step]` (missing or null parts are open), or Python slice text. */
export type IndexItem = number | null | string | (number | null | undefined)[];

const INT_MAX = Number.MAX_SAFE_INTEGER;

function kindOf(x: unknown, what: string): number {
  if (x instanceof Tensor) return 0;
  if (typeof x === 'number') return Number.isInteger(x) ? 2 : 1;
  if (typeof x === 'boolean') return 3;
  throw new TypeError(`Expected a Tensor or a number for ${what} but received ${typeName(x)}`);
}

function valOf(x: TensorLike): number | boolean {
  return x instanceof Tensor ? x._id : x;
}

function dimList(dim: unknown, what = 'dim'): number[] {
  if (dim === undefined || dim === null) return [];
  if (Array.isArray(dim)) return dim.map((d) => expectInt(d, what));
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
  toString(): string {
    return `<${this.name} object>`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export class Tensor {
  /**
   * Slot of the native tensor (internal). -1: none yet (also "no tensor" in id lists sent
   * to native code); -2: disposed, which every native function rejects.
   */
  _id = -1;
  private _shape: number[] | undefined = undefined;

  /** Internal: tensors are made by ops and creation functions, e.g. torch.tensor(). */
  constructor() {
    if (scopes.length) scopes[scopes.length - 1].push(this);
  }

  // ------------------------------------------------------------------ geometry
  get shape(): number[] {
    if (this._shape === undefined) this._shape = Object.freeze(N.shape(this._id)) as number[];
    return this._shape;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return N.numel(this._id);
  }
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
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number | number[] {
    const s: number[] = N.strides(this._id);
    if (dim === undefined) return s;
    return s[dim < 0 ? dim + s.length : dim];
  }
  get dtype(): DType {
    return N.dtype(this._id);
  }
  get device(): 'cpu' {
    return 'cpu';
  }
  isContiguous(): boolean {
    return N.isContiguous(this._id);
  }
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }

  // ------------------------------------------------------------------ autograd state
  get requiresGrad(): boolean {
    return N.requiresGrad(this._id);
  }
  set requiresGrad(flag: boolean) {
    if (typeof flag !== 'boolean') throw new TypeError(`requiresGrad must be a boolean, not ${typeName(flag)}`);
    N.setRequiresGrad(this._id, flag);
  }
  requiresGrad_(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }
  get grad(): Tensor | null {
    const o = new Tensor();
    const id = N.grad(o, this._id);
    if (id < 0) return null;
    o._id = id;
    return o;
  }
  set grad(g: Tensor | null) {
    if (g !== null && g !== undefined && !(g instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${typeName(g)}`);
    N.setGrad(this._id, g ? g._id : null);
  }
  get gradFn(): GradFn | null {
    const g = new GradFn();
    const id = N.gradFn(g, this._id);
    if (id < 0) return null;
    g._id = id;
    return g;
  }
  get isLeaf(): boolean {
    return N.isLeaf(this._id);
  }
  get retainsGrad(): boolean {
    return N.retainsGrad(this._id);
  }
  retainGrad(): void {
    N.retainGrad(this._id);
  }
  /** A tensor sharing storage, detached from the graph. */
  get data(): Tensor {
    return this.detach();
  }
  set data(v: Tensor) {
    throw new TypeError('setting .data is not supported; use copy_() under noGrad()');
  }
  detach(): Tensor {
    const o = new Tensor();
    o._id = N.detach(o, this._id);
    return o;
  }
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
  item(): number | boolean {
    return N.item(this._id);
  }
  toTypedArray(): Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array {
    return N.toTypedArray(this._id);
  }
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
  add(other: TensorLike, opts?: { alpha?: number }): Tensor {
    const alpha = opts?.alpha ?? 1;
    const o = new Tensor();
    o._id = N.add(o, this._id, 0, valOf(other), kindOf(other, 'other'), alpha);
    return o;
  }
  sub(other: TensorLike, opts?: { alpha?: number }): Tensor {
    const alpha = opts?.alpha ?? 1;
    const o = new Tensor();
    o._id = N.sub(o, this._id, 0, valOf(other), kindOf(other, 'other'), alpha);
    return o;
  }
  /** other - this (PyTorch's rsub). */
  rsub(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.sub(o, valOf(other), kindOf(other, 'other'), this._id, 0, 1);
    return o;
  }
  mul(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.mul(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  div(other: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.div(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  pow(exponent: TensorLike): Tensor {
    const o = new Tensor();
    o._id = N.pow(o, this._id, 0, valOf(exponent), kindOf(exponent, 'exponent'));
    return o;
  }
  maximum(other: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.maximum(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  minimum(other: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.minimum(o, this._id, 0, valOf(other), kindOf(other, 'other'));
    return o;
  }
  private unary(fn: (o: Tensor, id: number) => number): Tensor {
    const o = new Tensor();
    o._id = fn(o, this._id);
    return o;
  }
  neg(): Tensor { return this.unary(N.neg); }
  abs(): Tensor { return this.unary(N.abs); }
  sqrt(): Tensor { return this.unary(N.sqrt); }
  rsqrt(): Tensor { return this.unary(N.rsqrt); }
  exp(): Tensor { return this.unary(N.exp); }
  log(): Tensor { return this.unary(N.log); }
  log1p(): Tensor { return this.unary(N.log1p); }
  sin(): Tensor { return this.unary(N.sin); }
  cos(): Tensor { return this.unary(N.cos); }
  tan(): Tensor { return this.unary(N.tan); }
  tanh(): Tensor { return this.unary(N.tanh); }
  sigmoid(): Tensor { return this.unary(N.sigmoid); }
  relu(): Tensor { return this.unary(N.relu); }
  square(): Tensor { return this.unary(N.square); }
  reciprocal(): Tensor { return this.unary(N.reciprocal); }
  sign(): Tensor { return this.unary(N.sign); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    const o = new Tensor();
    o._id = N.gelu(o, this._id, approximate === 'tanh');
    return o;
  }
  /** clamp(min, max?) with null for a missing bound; bounds may be numbers or tensors. */
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor {
    const o = new Tensor();
    if (min instanceof Tensor || max instanceof Tensor) {
      o._id = N.clampTensor(o, this._id, min instanceof Tensor ? min._id : null, max instanceof Tensor ? max._id : null);
      return o;
    }
    if (min !== undefined && min !== null) expectNumber(min, 'min');
    if (max !== undefined && max !== null) expectNumber(max, 'max');
    o._id = N.clamp(o, this._id, min ?? null, max ?? null);
    return o;
  }
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
  eq(other: TensorLike): Tensor { return this.cmp(0, other); }
  ne(other: TensorLike): Tensor { return this.cmp(1, other); }
  lt(other: TensorLike): Tensor { return this.cmp(2, other); }
  le(other: TensorLike): Tensor { return this.cmp(3, other); }
  gt(other: TensorLike): Tensor { return this.cmp(4, other); }
  ge(other: TensorLike): Tensor { return this.cmp(5, other); }

  // ------------------------------------------------------------------ linear algebra
  private mat(fn: (o: Tensor, a: number, b: number) => number, other: Tensor, what: string): Tensor {
    if (!(other instanceof Tensor)) throw new TypeError(`${what}(): argument 'other' must be Tensor, not ${typeName(other)}`);
    const o = new Tensor();
    o._id = fn(o, this._id, other._id);
    return o;
  }
  matmul(other: Tensor): Tensor { return this.mat(N.matmul, other, 'matmul'); }
  mm(other: Tensor): Tensor { return this.mat(N.mm, other, 'mm'); }
  bmm(other: Tensor): Tensor { return this.mat(N.bmm, other, 'bmm'); }
  mv(other: Tensor): Tensor { return this.mat(N.mv, other, 'mv'); }
  dot(other: Tensor): Tensor { return this.mat(N.dot, other, 'dot'); }
  outer(other: Tensor): Tensor { return this.mat(N.outer, other, 'outer'); }

  // ------------------------------------------------------------------ reductions
  sum(dim?: number | number[] | null, keepdim = false, opts?: { dtype?: DType }): Tensor {
    const o = new Tensor();
    o._id = N.sum(o, this._id, dimList(dim), keepdim, opts?.dtype ? toDType(opts.dtype) : undefined);
    return o;
  }
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.mean(o, this._id, dimList(dim), keepdim);
    return o;
  }
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
  amax(dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.amax(o, this._id, dimList(dim), keepdim);
    return o;
  }
  amin(dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.amin(o, this._id, dimList(dim), keepdim);
    return o;
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.argmax(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'), keepdim);
    return o;
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.argmin(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'), keepdim);
    return o;
  }
  norm(p: number | 'fro' = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.norm(o, this._id, p === 'fro' ? 2 : expectNumber(p, 'p'), dimList(dim), keepdim);
    return o;
  }
  /** var(dim?, unbiased = true, keepdim = false); the second argument may be { unbiased, correction, keepdim }. */
  var(dim?: number | number[] | null, unbiased: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean } = true, keepdim = false): Tensor {
    const [corr, kd] = varArgs(unbiased, keepdim);
    const o = new Tensor();
    o._id = N.var(o, this._id, dimList(dim), corr, kd);
    return o;
  }
  std(dim?: number | number[] | null, unbiased: boolean | { unbiased?: boolean; correction?: number; keepdim?: boolean } = true, keepdim = false): Tensor {
    const [corr, kd] = varArgs(unbiased, keepdim);
    const o = new Tensor();
    o._id = N.std(o, this._id, dimList(dim), corr, kd);
    return o;
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    const o = new Tensor();
    o._id = N.logsumexp(o, this._id, dimList(dim), keepdim);
    return o;
  }
  softmax(dim: number): Tensor {
    const o = new Tensor();
    o._id = N.softmax(o, this._id, expectInt(dim, 'dim'));
    return o;
  }
  logSoftmax(dim: number): Tensor {
    const o = new Tensor();
    o._id = N.logSoftmax(o, this._id, expectInt(dim, 'dim'));
    return o;
  }

  // ------------------------------------------------------------------ shape and views
  reshape(...shape: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.reshape(o, this._id, shapeFrom(shape, 'shape'));
    return o;
  }
  view(...shape: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.view(o, this._id, shapeFrom(shape, 'shape'));
    return o;
  }
  viewAs(other: Tensor): Tensor {
    return this.view(other.shape);
  }
  reshapeAs(other: Tensor): Tensor {
    return this.reshape(other.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    const o = new Tensor();
    o._id = N.flatten(o, this._id, expectInt(startDim, 'start_dim'), expectInt(endDim, 'end_dim'));
    return o;
  }
  squeeze(dim?: number): Tensor {
    const o = new Tensor();
    o._id = N.squeeze(o, this._id, dim === undefined || dim === null ? null : expectInt(dim, 'dim'));
    return o;
  }
  unsqueeze(dim: number): Tensor {
    const o = new Tensor();
    o._id = N.unsqueeze(o, this._id, expectInt(dim, 'dim'));
    return o;
  }
  transpose(dim0: number, dim1: number): Tensor {
    const o = new Tensor();
    o._id = N.transpose(o, this._id, expectInt(dim0, 'dim0'), expectInt(dim1, 'dim1'));
    return o;
  }
  /** 2-D transpose (0-D and 1-D tensors are returned as they are). */
  t(): Tensor {
    if (this.ndim > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    if (this.ndim < 2) return this.transpose(0, 0);
    return this.transpose(0, 1);
  }
  get T(): Tensor {
    const nd = this.ndim;
    const perm: number[] = [];
    for (let i = nd - 1; i >= 0; i--) perm.push(i);
    return this.permute(perm);
  }
  get mT(): Tensor {
    if (this.ndim < 2) throw new Error(`tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`);
    return this.transpose(-2, -1);
  }
  permute(...dims: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.permute(o, this._id, shapeFrom(dims, 'dims'));
    return o;
  }
  expand(...shape: (number | number[])[]): Tensor {
    const o = new Tensor();
    o._id = N.expand(o, this._id, shapeFrom(shape, 'size'));
    return o;
  }
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  contiguous(): Tensor {
    const o = new Tensor();
    o._id = N.contiguous(o, this._id);
    return o;
  }
  clone(): Tensor {
    const o = new Tensor();
    o._id = N.clone(o, this._id);
    return o;
  }
  narrow(dim: number, start: number, length: number): Tensor {
    const o = new Tensor();
    o._id = N.narrow(o, this._id, expectInt(dim, 'dim'), expectInt(start, 'start'), expectInt(length, 'length'));
    return o;
  }
  select(dim: number, index: number): Tensor {
    const o = new Tensor();
    o._id = N.select(o, this._id, expectInt(dim, 'dim'), expectInt(index, 'index'));
    return o;
  }
  /** PyTorch's t[...] : integers select, null adds an axis, [start, end, step] or 'a:b:c' slice, '...' fills. */
  index(...items: IndexItem[]): Tensor {
    return applyIndex(this, items);
  }
  split(splitSizeOrSections: number | number[], dim = 0): Tensor[] {
    const ids: number[] = Array.isArray(splitSizeOrSections)
      ? N.split(this._id, shapeFrom([splitSizeOrSections], 'split_sizes'), expectInt(dim, 'dim'))
      : N.splitSize(this._id, expectInt(splitSizeOrSections, 'split_size'), expectInt(dim, 'dim'));
    return ids.map(adoptPending);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    const ids: number[] = N.chunk(this._id, expectInt(chunks, 'chunks'), expectInt(dim, 'dim'));
    return ids.map(adoptPending);
  }
  gather(dim: number, index: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.gather(o, this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id);
    return o;
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    const o = new Tensor();
    o._id = N.indexSelect(o, this._id, expectInt(dim, 'dim'), tensorArg(index, 'index')._id);
    return o;
  }

  // ------------------------------------------------------------------ dtype conversion
  to(dtype: DType): Tensor {
    const o = new Tensor();
    o._id = N.toDtype(o, this._id, toDType(dtype));
    return o;
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }

  // ------------------------------------------------------------------ in-place
  private binaryInplace(op: number, other: TensorLike, alpha: number): this {
    N.binaryInplace(this._id, op, valOf(other), kindOf(other, 'other'), alpha);
    return this;
  }
  add_(other: TensorLike, opts?: { alpha?: number }): this { return this.binaryInplace(0, other, opts?.alpha ?? 1); }
  sub_(other: TensorLike, opts?: { alpha?: number }): this { return this.binaryInplace(1, other, opts?.alpha ?? 1); }
  mul_(other: TensorLike): this { return this.binaryInplace(2, other, 1); }
  div_(other: TensorLike): this { return this.binaryInplace(3, other, 1); }
  zero_(): this {
    N.zeroInplace(this._id);
    return this;
  }
  fill_(value: number | boolean): this {
    N.fillInplace(this._id, typeof value === 'boolean' ? Number(value) : expectNumber(value, 'value'));
    return this;
  }
  copy_(src: Tensor): this {
    N.copyInplace(this._id, tensorArg(src, 'src')._id);
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    N.clampInplace(this._id, min ?? null, max ?? null);
    return this;
  }
  /** PyTorch's t[index] = value. */
  set(index: IndexItem | IndexItem[], value: TensorLike): this {
    // An array is a tuple of index items (t[0, 1] is set([0, 1], v)); a slice inside it is
    // itself an array or a string: set([[1, 3]], v) or set('1:3', v).
    const items = Array.isArray(index) ? (index as IndexItem[]) : [index as IndexItem];
    const view = applyIndex(this, items);
    if (value instanceof Tensor) view.copy_(value);
    else view.fill_(value);
    return this;
  }

  // ------------------------------------------------------------------ autograd calls
  /** backward(gradient?, { retainGraph, createGraph, inputs }) — also backward({ retainGraph }). */
  backward(gradient?: Tensor | BackwardOptions | null, opts?: BackwardOptions): void {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      opts = gradient;
      gradient = undefined;
    }
    const inputs = opts?.inputs === undefined ? [] : Array.isArray(opts.inputs) ? opts.inputs : [opts.inputs];
    N.backward([this._id], [gradient instanceof Tensor ? gradient._id : -1], inputs.map((t) => tensorArg(t, 'inputs')._id),
      opts?.retainGraph, opts?.createGraph ?? false);
  }
}

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
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

function parseSlice(s: string): [number | null, number | null, number | null] {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`invalid slice '${s}'`);
  const num = (p: string): number | null => {
    const q = p.trim();
    if (q === '') return null;
    const v = Number(q);
    if (!Number.isInteger(v)) throw new TypeError(`invalid slice '${s}'`);
    return v;
  };
  return [num(parts[0]), num(parts[1]), parts.length === 3 ? num(parts[2]) : null];
}

function applyIndex(t: Tensor, items: IndexItem[]): Tensor {
  let consumed = 0;
  let ellipses = 0;
  for (const it of items) {
    if (it === '...') ellipses++;
    else if (it !== null) consumed++;
  }
  if (ellipses > 1) throw new Error('an index can only have a single ellipsis (\'...\')');
  if (consumed > t.ndim) throw new RangeError(`too many indices for tensor of dimension ${t.ndim}`);
  let out = t;
  let dim = 0;
  for (const it of items) {
    if (it === null) {
      out = out.unsqueeze(dim);
      dim++;
    } else if (it === '...') {
      dim += t.ndim - consumed;
    } else if (typeof it === 'number') {
      expectInt(it, 'index');
      const size = out.shape[dim];
      if (it < -size || it >= size) throw new RangeError(`index ${it} is out of bounds for dimension ${dim} with size ${size}`);
      out = out.select(dim, it);
    } else {
      const [s, e, st] = typeof it === 'string' ? parseSlice(it) : Array.isArray(it) ? [it[0] ?? null, it[1] ?? null, it[2] ?? null] : (() => { throw new TypeError(`unsupported index item of type ${typeName(it)}`); })();
      const step = st ?? 1;
      if (step <= 0) throw new RangeError('step must be greater than zero');
      const o = new Tensor();
      o._id = N.slice(o, out._id, dim, s ?? 0, e ?? INT_MAX, step);
      out = o;
      dim++;
    }
  }
  return out;
}

// ------------------------------------------------------------------ functions used above

export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  tensorArg(condition, 'condition');
  const o = new Tensor();
  o._id = N.where(o, condition._id, valOf(input), kindOf(input, 'input'), valOf(other), kindOf(other, 'other'));
  return o;
}

