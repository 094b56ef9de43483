// Creation functions: torch.tensor and the factories. Each takes a trailing options object
// { dtype?, requiresGrad? }; shapes may be varargs or one array.
import { N } from './native';
import { Generator, generatorArg } from './generator';
import { DType, toDType, isFloating } from './dtype';
import { expectInt, expectNumber, shapeFrom, splitOptions, typeName } from './errors';
import { Tensor } from './tensor';

/** The trailing options object of every creation function. */
export interface TensorOptions {
  /** The element type (default float32, or int64/bool where the data or function implies it). */
  dtype?: DType;
  /** Make a leaf that records operations for autograd (floating-point dtypes only). */
  requiresGrad?: boolean;
}

/** Options of the random creation functions: a torch.Generator to draw from. */
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

// The options object at the end of varargs, if any (without removing it).
function trailingOptions<T>(args: unknown[]): T {
  const last = args[args.length - 1];
  return (last !== null && typeof last === 'object' && !Array.isArray(last) ? last : {}) as T;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) {
    if (!isFloating(t.dtype)) throw new Error('Only Tensors of floating point and complex dtype can require gradients');
    N.setRequiresGrad(t._id, true);
  }
  return t;
}

function dtypeOf(opts: TensorOptions, fallback: DType): DType {
  return opts.dtype === undefined ? fallback : toDType(opts.dtype);
}

type Nested = number | boolean | Nested[];

/** Walks nested arrays: fills `out`, returns the shape; PyTorch's errors for ragged data. */
function flatten(data: Nested, shape: number[], depth: number, out: number[], kinds: { bool: boolean; num: boolean }): void {
  if (Array.isArray(data)) {
    if (depth === shape.length) shape.push(data.length);
    else if (shape[depth] !== data.length)
      throw new Error(`expected sequence of length ${shape[depth]} at dim ${depth} (got ${data.length})`);
    for (const x of data) flatten(x, shape, depth + 1, out, kinds);
    return;
  }
  if (depth < shape.length) throw new TypeError(`expected a sequence at dim ${depth} but got ${typeName(data)}`);
  if (typeof data === 'number') {
    kinds.num = true;
    out.push(data);
  } else if (typeof data === 'boolean') {
    kinds.bool = true;
    out.push(data ? 1 : 0);
  } else if (typeof data === 'bigint') {
    kinds.num = true;
    out.push(Number(data));
  } else {
    throw new TypeError(`Could not infer dtype of ${typeName(data)}`);
  }
}

/** A tensor from a number, a boolean, nested arrays or a TypedArray (copied), as torch.tensor; JS numbers give float32 unless `dtype` says otherwise. */
export function tensor(data: Nested | ArrayBufferView | Tensor, opts: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) {
    const c = data.detach().clone();
    return finish(opts.dtype ? c.to(opts.dtype) : c, opts);
  }
  const t = new Tensor();
  if (ArrayBuffer.isView(data)) {
    let src: ArrayBufferView = data;
    let dt: DType;
    if (data instanceof Float32Array) dt = 'float32';
    else if (data instanceof Float64Array) dt = 'float64';
    else if (data instanceof Int32Array) dt = 'int32';
    else if (data instanceof BigInt64Array) dt = 'int64';
    else if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Uint16Array || data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
      src = Int32Array.from(data as unknown as ArrayLike<number>);
      dt = data instanceof Uint8Array ? 'int32' : 'int32';
    } else if (data instanceof Uint32Array) {
      src = Float64Array.from(data);
      dt = 'int64';
    } else throw new TypeError(`unsupported TypedArray ${typeName(data)}`);
    const n = (src as unknown as ArrayLike<number>).length;
    t._id = N.fromData(t, src, [n], dtypeOf(opts, dt));
    return finish(t, opts);
  }
  if (typeof data === 'number') {
    // A float scalar (W5/W7 make one per loop) skips the typed array, which V8 would have to
    // externalise for native code to read it. Values past float32's range keep the general
    // path: they round to inf there, where a fill would reject them.
    const dt = dtypeOf(opts, 'float32');
    if ((dt === 'float32' || dt === 'float64') && !(Math.abs(data) > 3.4028234663852886e38)) {
      t._id = N.full(t, [], data, dt);
      return finish(t, opts);
    }
  }
  const shape: number[] = [];
  const flat: number[] = [];
  const kinds = { bool: false, num: false };
  flatten(data as Nested, shape, 0, flat, kinds);
  const inferred: DType = kinds.bool && !kinds.num ? 'bool' : 'float32';
  const dt = dtypeOf(opts, inferred);
  t._id = N.fromData(t, Float64Array.from(flat), shape, dt);
  return finish(t, opts);
}

function factory(args: unknown[], make: (o: Tensor, shape: number[], dt: DType) => number, fallback: DType = 'float32'): Tensor {
  const [rest, opts] = splitOptions<TensorOptions>(args);
  const shape = shapeFrom(rest);
  const t = new Tensor();
  t._id = make(t, shape, dtypeOf(opts, fallback));
  return finish(t, opts);
}

/** A tensor of zeros; the shape as varargs or one array: `zeros(2, 3)`, `zeros([2, 3])`. */
export function zeros(...args: (number | number[] | TensorOptions)[]): Tensor {
  return factory(args, (o, s, d) => N.full(o, s, 0, d));
}
/** A tensor of ones; the shape as varargs or one array. */
export function ones(...args: (number | number[] | TensorOptions)[]): Tensor {
  return factory(args, (o, s, d) => N.full(o, s, 1, d));
}
/** An uninitialized tensor (its contents are whatever the memory held); the shape as varargs or one array. */
export function empty(...args: (number | number[] | TensorOptions)[]): Tensor {
  return factory(args, (o, s, d) => N.empty(o, s, d));
}
/** A tensor of `shape` filled with `value`. */
export function full(shape: number | number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  const s = shapeFrom([shape]);
  // As torch.full infers from the fill value: a bool gives bool, an integer int64 (a JS
  // integer is a Python int, as for arange), anything else the default float32.
  const fallback: DType = typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int64' : 'float32';
  const t = new Tensor();
  t._id = N.full(t, s, typeof value === 'boolean' ? Number(value) : expectNumber(value, 'fill_value'), dtypeOf(opts, fallback));
  return finish(t, opts);
}
/** The n x m identity matrix (m defaults to n). */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const t = new Tensor();
  t._id = N.eye(t, expectInt(n, 'n'), m === undefined ? n : expectInt(m, 'm'), dtypeOf(opts, 'float32'));
  return finish(t, opts);
}
/** arange(end) or arange(start, end, step?): integer arguments give int64, like PyTorch. */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  const [rest, opts] = splitOptions<TensorOptions>(args);
  const nums = rest.map((v, i) => expectNumber(v, ['start', 'end', 'step'][i] ?? 'argument'));
  let start = 0, end: number, step = 1;
  if (nums.length === 1) end = nums[0];
  else if (nums.length === 2 || nums.length === 3) {
    start = nums[0];
    end = nums[1];
    if (nums.length === 3) step = nums[2];
  } else throw new TypeError('arange() takes 1 to 3 positional arguments');
  const allInt = nums.every((v) => Number.isInteger(v));
  const t = new Tensor();
  t._id = N.arange(t, start, end, step, dtypeOf(opts, allInt ? 'int64' : 'float32'));
  return finish(t, opts);
}
/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  const t = new Tensor();
  t._id = N.linspace(t, expectNumber(start, 'start'), expectNumber(end, 'end'), expectInt(steps, 'steps'), dtypeOf(opts, 'float32'));
  return finish(t, opts);
}
/** Uniform random values in [0, 1); the shape as varargs or one array. Seeded by {@link manualSeed}. */
export function rand(...args: (number | number[] | RandomOptions)[]): Tensor {
  const opts = trailingOptions<RandomOptions>(args);
  return factory(args, (o, s, d) => N.rand(o, s, d, generatorArg(opts.generator)));
}
/** Standard normal random values; the shape as varargs or one array. Seeded by {@link manualSeed}. */
export function randn(...args: (number | number[] | RandomOptions)[]): Tensor {
  const opts = trailingOptions<RandomOptions>(args);
  return factory(args, (o, s, d) => N.randn(o, s, d, generatorArg(opts.generator)));
}
/** randint(low, high, shape) or randint(high, shape). */
export function randint(low: number, high: number | number[], shape?: number[] | RandomOptions, opts: RandomOptions = {}): Tensor {
  if (Array.isArray(high)) {
    if (shape && !Array.isArray(shape)) opts = shape;
    shape = high;
    high = low;
    low = 0;
  }
  const t = new Tensor();
  t._id = N.randint(t, expectInt(low, 'low'), expectInt(high, 'high'), shapeFrom([shape as number[]]), dtypeOf(opts, 'int64'),
    generatorArg(opts.generator));
  return finish(t, opts);
}
/**
 * Seeds this thread's generator. The streams are PyTorch's: after the same seed, rand, randn,
 * randint, randperm, dropout and nn.init draw the same numbers as PyTorch 1.13 on the CPU.
 */
export function manualSeed(seed: number): void {
  N.manualSeed(expectInt(seed, 'seed'));
}
/** The seed of the current stream (random per process until manualSeed, as in PyTorch). */
export function initialSeed(): bigint {
  return N.initialSeed();
}
/** Reseeds from the operating system's entropy and returns the new seed. */
export function seed(): bigint {
  return N.seed();
}
/** A random permutation of 0 .. n-1 (int64 unless a dtype is given). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  const t = new Tensor();
  t._id = N.randperm(t, expectInt(n, 'n'), dtypeOf(opts, 'int64'), generatorArg(opts.generator));
  return finish(t, opts);
}

function likeOpts(t: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: opts.dtype ?? t.dtype, requiresGrad: opts.requiresGrad };
}
/** Zeros with the shape (and, unless `opts` says otherwise, dtype) of `t`. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, likeOpts(t, opts));
}
/** Ones with the shape and dtype of `t`. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, likeOpts(t, opts));
}
/** An uninitialized tensor with the shape and dtype of `t`. */
export function emptyLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return empty(t.shape, likeOpts(t, opts));
}
/** `value` everywhere, with the shape and dtype of `t`. */
export function fullLike(t: Tensor, value: number | boolean, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, likeOpts(t, opts));
}
/** Uniform random values in [0, 1) with the shape and dtype of `t`. */
export function randLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return rand(t.shape, likeOpts(t, opts));
}
/** Standard normal random values with the shape and dtype of `t`. */
export function randnLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return randn(t.shape, likeOpts(t, opts));
}
