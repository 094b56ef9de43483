// torch.utils.data: datasets, random splits and a DataLoader that batches and shuffles the
// way PyTorch's does (single process). With the same seed the order of samples is PyTorch's:
// each pass draws a base seed and, when shuffling without a generator, a sampler seed from
// the default generator, exactly as torch.utils.data does; so the random numbers drawn
// after an epoch (dropout, ...) also stay in step with PyTorch.
import { N } from '../native';
import { Tensor } from '../tensor';
import { tensor } from '../creation';
import { stack } from '../functional';
import { Generator, generatorArg } from '../generator';
import { randperm } from '../creation';
import { typeName } from '../errors';

/** A map-style dataset: `length` items, read with getItem(i). Plain arrays work too. */
export interface Dataset<T = unknown> {
  readonly length: number;
  getItem(index: number): T;
}
type DatasetLike<T> = Dataset<T> | ArrayLike<T>;

function itemOf<T>(ds: DatasetLike<T>, i: number): T {
  return typeof (ds as Dataset<T>).getItem === 'function' ? (ds as Dataset<T>).getItem(i) : (ds as ArrayLike<T>)[i];
}

/** Rows of equally long tensors: item i is [t0[i], t1[i], ...]. */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    for (const t of tensors) if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset expects tensors, got ${typeName(t)}`);
    if (tensors.length === 0 || tensors.some((t) => t.dim() === 0 || t.shape[0] !== tensors[0].shape[0]))
      throw new Error('Size mismatch between tensors');
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
  getItem(index: number): Tensor[] {
    return this.tensors.map((t) => t.select(0, index));
  }
}

/** The items of `dataset` at `indices`. */
export class Subset<T> implements Dataset<T> {
  constructor(readonly dataset: DatasetLike<T>, readonly indices: number[]) {}
  get length(): number {
    return this.indices.length;
  }
  getItem(index: number): T {
    return itemOf(this.dataset, this.indices[index]);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (or fractions
 * summing to 1), drawn with randperm from `generator` (default: the default generator).
 */
export function randomSplit<T>(dataset: DatasetLike<T>, lengths: number[], opts: { generator?: Generator } = {}): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths.slice();
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new Error(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) throw new Error('Sum of input lengths does not equal the length of the input dataset!');
  const perm = randperm(n, { generator: opts.generator }).tolist() as number[];
  let offset = 0;
  return sizes.map((len) => new Subset(dataset, perm.slice(offset, (offset += len))));
}

/** default_collate: tensors are stacked, numbers become a tensor, arrays and objects recurse. */
export function defaultCollate(batch: unknown[]): any {
  const first = batch[0];
  if (first instanceof Tensor) return stack(batch as Tensor[]);
  if (typeof first === 'number') {
    const ints = (batch as number[]).every((v) => Number.isInteger(v));
    return tensor(batch as number[], { dtype: ints ? 'int64' : 'float64' });
  }
  if (typeof first === 'boolean') return tensor(batch as boolean[]);
  if (Array.isArray(first)) {
    if (batch.some((b) => (b as unknown[]).length !== first.length)) throw new Error('each element in list of batch should be of equal size');
    return first.map((_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  return batch;
}

export interface DataLoaderOptions<T> {
  batchSize?: number | null;
  shuffle?: boolean;
  dropLast?: boolean;
  generator?: Generator;
  collateFn?: (batch: T[]) => any;
}

/**
 * Iterates a dataset in batches: `for (const [x, y] of new DataLoader(ds, { batchSize: 64, shuffle: true }))`.
 * batchSize null yields single items, uncollated batches of one as PyTorch does.
 */
export class DataLoader<T = unknown> implements Iterable<any> {
  readonly dataset: DatasetLike<T>;
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  readonly collateFn: (batch: T[]) => any;

  constructor(dataset: DatasetLike<T>, opts: DataLoaderOptions<T> = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.length !== 'number')
      throw new TypeError(`DataLoader expects a dataset with a length, got ${typeName(dataset)}`);
    this.dataset = dataset;
    this.batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    if (this.batchSize !== null && !(Number.isInteger(this.batchSize) && this.batchSize > 0))
      throw new Error(`batch_size should be a positive integer value, but got batch_size=${this.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator;
    generatorArg(this.generator);
    this.collateFn = opts.collateFn ?? (defaultCollate as (b: T[]) => any);
  }

  /** The number of batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  // The sampler of one pass: RandomSampler (and the generator it draws from) or sequential.
  private sampler(): { order: number[]; generator: Generator | null } {
    const n = this.dataset.length;
    if (!this.shuffle) return { order: Array.from({ length: n }, (_, i) => i), generator: null };
    let g = this.generator;
    if (!g) {
      // RandomSampler without a generator seeds a fresh one from the default generator.
      const seed: bigint = N.randomInt63(undefined);
      g = new Generator().manualSeed(Number(seed & 0xffffffffn));
    }
    return { order: randperm(n, { generator: g }).tolist() as number[], generator: g };
  }

  *[Symbol.iterator](): Iterator<any> {
    // _BaseDataLoaderIter draws its base seed first, from the loader's generator or the default.
    N.randomInt63(generatorArg(this.generator));
    const { order, generator } = this.sampler();
    // PyTorch's RandomSampler, run to its end, draws one more (empty) randperm: a pass that is
    // iterated to completion advances the generator as PyTorch's does.
    const finish = () => {
      if (generator) randperm(order.length, { generator });
    };
    const bs = this.batchSize;
    if (bs === null) {
      for (const i of order) yield itemOf(this.dataset, i);
      finish();
      return;
    }
    for (let start = 0; start < order.length; start += bs) {
      const idx = order.slice(start, start + bs);
      if (idx.length < bs && this.dropLast) break;
      yield this.collateFn(idx.map((i) => itemOf(this.dataset, i)));
    }
    finish();
  }
}
