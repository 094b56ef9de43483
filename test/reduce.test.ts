// Reductions and the softmax family against PyTorch 1.13 (test/fixtures/reduce.json, made by
// scripts/fixtures/reduce.py): results, grad_fn names, gradients, second derivatives and
// error messages; gradients also against central finite differences in float64; large
// inputs (the threaded and column paths) under several thread counts.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, fromEnc, expectClose, flat, Encoded, Tensor } from './helpers';

interface Case {
  name: string;
  op: string;
  args: { dim?: number | number[]; keepdim?: boolean; dtype?: string; p?: number | string; unbiased?: boolean; correction?: number };
  input?: Encoded;
  gen?: { shape: number[]; dtype: torch.DType; scale: number; offset: number };
  view?: any[];
  out?: Encoded;
  outSample?: { shape: number[]; step: number; data: Encoded };
  values?: Encoded;
  indices?: Encoded;
  gradFn?: string;
  w?: Encoded;
  grad?: Encoded;
  v?: Encoded;
  grad2?: Encoded;
  error?: string;
  errorType?: 'Error' | 'RangeError' | 'TypeError';
}

const fixture = loadFixture<Case>('reduce.json');
const cases = fixture.cases;

/** The deterministic large input both sides build: sin(arange(n) * 0.37 + 0.1) * scale + offset. */
function generated(g: NonNullable<Case['gen']>): Tensor {
  const n = g.shape.reduce((a, b) => a * b, 1);
  return torch.arange(n, { dtype: 'float64' }).mul(0.37).add(0.1).sin().mul(g.scale).add(g.offset).reshape(g.shape).to(g.dtype);
}

function leafOf(c: Case, requiresGrad: boolean): Tensor {
  const x = c.input ? fromEnc(c.input) : generated(c.gen!);
  return requiresGrad ? x.detach().requiresGrad_(true) : x;
}

function applyView(x: Tensor, v: any[] | undefined): Tensor {
  if (!v) return x;
  switch (v[0]) {
    case 'permute': return x.permute(v[1]);
    case 'transpose': return x.transpose(v[1], v[2]);
    case 'slice': return x.index(...Array(v[1]).fill(':'), [v[2], v[3], v[4]]);
    case 'expand': return x.expand(v[1]);
  }
  throw new Error(`unknown view ${v[0]}`);
}

const pOf = (p: number | string | undefined) => (p === undefined ? 2 : p === 'inf' ? Infinity : p === '-inf' ? -Infinity : Number(p));

/** Calls the op as users would, through Tensor methods. */
function runMethod(op: string, x: Tensor, a: Case['args']): any {
  const dim = a.dim, kd = a.keepdim ?? false;
  switch (op) {
    case 'sum': return a.dtype ? x.sum(dim ?? null, kd, { dtype: a.dtype as torch.DType }) : dim === undefined && !kd ? x.sum() : x.sum(dim, kd);
    case 'mean': return dim === undefined ? x.mean() : x.mean(dim, kd);
    case 'prod': return dim === undefined ? x.prod() : x.prod(dim as number, kd);
    case 'max': return dim === undefined ? x.max() : x.max(dim as number, kd);
    case 'min': return dim === undefined ? x.min() : x.min(dim as number, kd);
    case 'amax': return x.amax(dim, kd);
    case 'amin': return x.amin(dim, kd);
    case 'argmax': return x.argmax(dim as number | undefined, kd);
    case 'argmin': return x.argmin(dim as number | undefined, kd);
    case 'norm': return x.norm(pOf(a.p), dim, kd);
    case 'var':
    case 'std': {
      const f = op === 'var' ? x.var.bind(x) : x.std.bind(x);
      return a.correction !== undefined ? f(dim, { correction: a.correction, keepdim: kd }) : f(dim, a.unbiased ?? true, kd);
    }
    case 'logsumexp': return x.logsumexp(dim!, kd);
    case 'softmax': return x.softmax(dim as number);
    case 'logSoftmax': return x.logSoftmax(dim as number);
  }
  throw new Error(`unknown op ${op}`);
}

/** The same through the torch.* namespace functions. */
function runFunctional(op: string, x: Tensor, a: Case['args']): any {
  const dim = a.dim, kd = a.keepdim ?? false;
  switch (op) {
    case 'sum': return a.dtype ? torch.sum(x, dim ?? null, kd, { dtype: a.dtype as torch.DType }) : torch.sum(x, dim, kd);
    case 'mean': return torch.mean(x, dim, kd);
    case 'prod': return torch.prod(x, dim as number | undefined, kd);
    case 'max': return dim === undefined ? torch.max(x) : torch.max(x, dim as number, kd);
    case 'min': return dim === undefined ? torch.min(x) : torch.min(x, dim as number, kd);
    case 'amax': return torch.amax(x, dim, kd);
    case 'amin': return torch.amin(x, dim, kd);
    case 'argmax': return torch.argmax(x, dim as number | undefined, kd);
    case 'argmin': return torch.argmin(x, dim as number | undefined, kd);
    case 'norm': return torch.norm(x, pOf(a.p), dim, kd);
    case 'var':
    case 'std': {
      const f = op === 'var' ? torch.var : torch.std;
      return a.correction !== undefined ? f(x, dim, { correction: a.correction, keepdim: kd }) : f(x, dim, a.unbiased ?? true, kd);
    }
    case 'logsumexp': return torch.logsumexp(x, dim!, kd);
    case 'softmax': return torch.softmax(x, dim as number);
    case 'logSoftmax': return torch.logSoftmax(x, dim as number);
  }
  throw new Error(`unknown op ${op}`);
}

// Float32 results of long folds differ from PyTorch's by accumulation order only.
function tolFor(c: Case): { rtol?: number; atol?: number } {
  if (c.gen && (c.gen.dtype === 'float32')) return { rtol: 2e-4, atol: 2e-4 };
  return {};
}

function checkResult(c: Case, y: any): void {
  const tol = tolFor(c);
  if (c.values) {
    expectClose(y.values, c.values, tol);
    expectClose(y.indices, c.indices!);
    return;
  }
  if (c.outSample) {
    expect(y.shape).toEqual(c.outSample.shape);
    const all = flat(y);
    const picked = all.filter((_, i) => i % c.outSample!.step === 0);
    expectClose(torch.tensor(picked, { dtype: 'float64' }).to(y.dtype), c.outSample.data, tol);
    return;
  }
  expectClose(y, c.out!, tol);
}

function expectThrows(f: () => unknown, c: Case): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `${c.name} should throw`).toBeInstanceOf(Error);
  const e = err as Error;
  expect(e.message).toBe(c.error);
  if (c.errorType === 'RangeError') expect(e).toBeInstanceOf(RangeError);
  else if (c.errorType === 'TypeError') expect(e).toBeInstanceOf(TypeError);
  else expect(e instanceof RangeError || e instanceof TypeError).toBe(false);
}

const errorCases = cases.filter((c) => c.error);
const valueCases = cases.filter((c) => !c.error);
const gradCases = cases.filter((c) => c.grad);
const bigCases = cases.filter((c) => c.gen);

describe('reductions: forward vs PyTorch', () => {
  it.each(valueCases.filter((c) => !c.gen).map((c) => [c.name, c] as const))('%s', (_, c) => {
    checkResult(c, runMethod(c.op, applyView(leafOf(c, false), c.view), c.args));
  });
});

describe('reductions: namespace functions', () => {
  it.each(valueCases.filter((c) => !c.gen).map((c) => [c.name, c] as const))('%s', (_, c) => {
    checkResult(c, runFunctional(c.op, applyView(leafOf(c, false), c.view), c.args));
  });
});

describe('reductions: large inputs (threaded, column and split paths)', () => {
  const before = torch.getNumThreads();
  for (const threads of [1, 2, 4]) {
    it.each(bigCases.map((c) => [c.name, c] as const))(`%s (threads ${threads})`, (_, c) => {
      torch.setNumThreads(threads);
      try {
        checkResult(c, runMethod(c.op, applyView(leafOf(c, false), c.view), c.args));
      } finally {
        torch.setNumThreads(before);
      }
    });
  }
});

describe('reductions: errors', () => {
  it.each(errorCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expectThrows(() => runMethod(c.op, applyView(leafOf(c, false), c.view), c.args), c);
  });
});

describe('reductions: grad_fn and gradients vs PyTorch', () => {
  it.each(gradCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const leaf = leafOf(c, true);
    const y = runMethod(c.op, applyView(leaf, c.view), c.args);
    const out: Tensor = c.values ? y.values : y;
    expect(out.gradFn?.name).toBe(c.gradFn);
    if (c.values) expect(y.indices.requiresGrad).toBe(false);
    const [gx] = torch.autograd.grad(out.mul(fromEnc(c.w!)).sum(), leaf, { createGraph: !!c.grad2, allowUnused: true });
    expectClose(gx ?? torch.zerosLike(leaf), c.grad!);
    if (c.grad2) {
      let g2: Tensor | null = null;
      if (gx && gx.requiresGrad) [g2] = torch.autograd.grad(gx.mul(fromEnc(c.v!)).sum(), leaf, { allowUnused: true });
      expectClose(g2 ?? torch.zerosLike(leaf), c.grad2);
    }
  });
});

// Central differences of f(x) = sum(op(x) * w) in float64, where op is smooth at x.
const nonSmooth = /ties|zeros|nan|inf|constant|big values/;
const fdCases = gradCases.filter(
  (c) => c.input?.dtype === 'float64' && !nonSmooth.test(c.name) && !c.grad!.data.some((v) => typeof v === 'string'),
);

describe('reductions: gradients vs finite differences (float64)', () => {
  it.each(fdCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const leaf = leafOf(c, true);
    const w = fromEnc(c.w!);
    const f = (x: Tensor): number => {
      const y = runMethod(c.op, applyView(x, c.view), c.args);
      return (c.values ? y.values : y).mul(w).sum().item() as number;
    };
    const y = runMethod(c.op, applyView(leaf, c.view), c.args);
    const [gx] = torch.autograd.grad((c.values ? y.values : y).mul(w).sum(), leaf, { allowUnused: true });
    const analytic = flat(gx ?? torch.zerosLike(leaf));
    const base = Float64Array.from(flat(leaf));
    const eps = 1e-6;
    torch.noGrad(() => {
      for (let i = 0; i < base.length; i++) {
        const plus = Float64Array.from(base), minus = Float64Array.from(base);
        plus[i] += eps;
        minus[i] -= eps;
        const xp = torch.tensor(plus, { dtype: 'float64' }).reshape(leaf.shape);
        const xm = torch.tensor(minus, { dtype: 'float64' }).reshape(leaf.shape);
        const numeric = (f(xp) - f(xm)) / (2 * eps);
        expect(Math.abs(numeric - analytic[i]), `${c.name} element ${i}: ${numeric} vs ${analytic[i]}`).toBeLessThan(1e-5 + 1e-4 * Math.abs(numeric));
      }
    });
  });
});

describe('reductions: behaviours', () => {
  it('max(dim) ties pick the first index, as PyTorch CPU does', () => {
    const x = torch.tensor([[1, 3, 3, 0], [2, 2, 1, 2]]);
    expect(x.max(1).indices.tolist()).toEqual([1, 0]);
    expect(x.min(1).indices.tolist()).toEqual([3, 2]);
    expect(x.argmax(1).tolist()).toEqual([1, 0]);
  });

  it('indices are int64 and values keep the dtype', () => {
    const r = torch.tensor([1, 2, 3], { dtype: 'int32' }).max(0);
    expect(r.values.dtype).toBe('int32');
    expect(r.indices.dtype).toBe('int64');
    expect(torch.tensor([[1, 2]]).argmax().dtype).toBe('int64');
  });

  it('integer sums are exact beyond float precision', () => {
    const big = 2 ** 40 + 1;
    const x = torch.tensor([big, big, 1], { dtype: 'int64' });
    expect(x.sum().item()).toBe(2 * big + 1);
  });

  it('sum(dtype) on a float tensor that requires grad casts the gradient back', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.sum(null, false, { dtype: 'float64' });
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.tolist()).toEqual([1, 1, 1]);
  });

  it('softmax second derivative through backward with createGraph', () => {
    const x = torch.tensor([[0.5, -1, 2]], { dtype: 'float64', requiresGrad: true });
    const y = x.softmax(1).mul(torch.tensor([[1, 2, 3]], { dtype: 'float64' })).sum();
    y.backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    const [h] = torch.autograd.grad(g.sum(), x);
    // sum of the softmax gradient is 0 for any weights, so is its derivative
    for (const v of flat(h!)) expect(Math.abs(v)).toBeLessThan(1e-12);
  });

  it('large softmax rows sum to one and match exp(x - logsumexp(x))', () => {
    const x = torch.randn(97, 3001);
    const s = x.softmax(1);
    for (const v of flat(s.sum(1))) expect(Math.abs(v - 1)).toBeLessThan(1e-5);
    const ref = x.sub(x.logsumexp(1, true)).exp();
    const a = flat(s), b = flat(ref);
    for (let i = 0; i < a.length; i += 101) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6);
    const ls = flat(x.logSoftmax(0)), lref = flat(x.sub(x.logsumexp(0, true)));
    for (let i = 0; i < ls.length; i += 101) expect(Math.abs(ls[i] - lref[i])).toBeLessThan(1e-5);
  });

  it('results do not depend on the thread count', () => {
    const x = torch.randn(512, 300);
    const before = torch.getNumThreads();
    const ref = [x.sum(), x.sum(0), x.sum(1), x.amax(0), x.argmax(), x.var(0), x.norm(2, 1)].map(flat);
    try {
      for (const n of [1, 3, 8]) {
        torch.setNumThreads(n);
        const got = [x.sum(), x.sum(0), x.sum(1), x.amax(0), x.argmax(), x.var(0), x.norm(2, 1)].map(flat);
        for (let k = 0; k < ref.length; k++)
          for (let i = 0; i < ref[k].length; i++) expect(Math.abs(got[k][i] - ref[k][i])).toBeLessThan(1e-3 + 1e-5 * Math.abs(ref[k][i]));
      }
    } finally {
      torch.setNumThreads(before);
    }
  });

  it('a full float32 sum of many values stays accurate', () => {
    const n = 1 << 22;
    const x = torch.full([n], 0.1);
    expect(Math.abs((x.sum().item() as number) - n * Math.fround(0.1))).toBeLessThan(1e-3 * n * 0.1 * 1e-3);
    expect(Math.abs((x.mean().item() as number) - Math.fround(0.1))).toBeLessThan(1e-7);
  });

  it('var(unbiased) and sum({ dtype }) overloads', () => {
    const x = torch.tensor([1, 2, 4], { dtype: 'float64' });
    expect(x.var(false).item()).toBeCloseTo(14 / 9, 12);
    expect(x.std(true).item()).toBeCloseTo(Math.sqrt(7 / 3), 12);
    expect(torch.var(x, false).item()).toBeCloseTo(14 / 9, 12);
    const s = torch.tensor([1, 2], { dtype: 'int32' }).sum({ dtype: 'float64' });
    expect(s.dtype).toBe('float64');
    expect(s.item()).toBe(3);
    expect(torch.sum(torch.tensor([true, true]), { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('bad argument types throw TypeError', () => {
    const x = torch.ones(2, 3);
    expect(() => x.sum('a' as any)).toThrow(TypeError);
    expect(() => x.softmax(1.5 as any)).toThrow(TypeError);
    expect(() => x.max('x' as any)).toThrow(TypeError);
  });
});

// Randomised check of the reduction engine (dims, keepdim, views, sizes that hit the vector,
// column and threaded paths) against plain JS loops over the same values.
describe('reductions: randomised against a JS reference', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  interface Config { shape: number[]; transpose: boolean; slice: boolean; dims: number[]; keepdim: boolean; dtype: torch.DType }
  const configs: Config[] = [];
  for (let k = 0; k < 120; k++) {
    const nd = randInt(1, 4);
    const shape = Array.from({ length: nd }, () => (rand() < 0.1 ? randInt(0, 1) : rand() < 0.2 ? randInt(40, 160) : randInt(2, 7)));
    if (shape.reduce((a, b) => a * b, 1) > 40000) continue;
    const dims = [...Array(nd).keys()].filter(() => rand() < 0.5).map((d) => (rand() < 0.5 ? d - nd : d));
    configs.push({ shape, transpose: nd >= 2 && rand() < 0.5, slice: rand() < 0.3, dims, keepdim: rand() < 0.5, dtype: rand() < 0.5 ? 'float32' : 'float64' });
  }

  /** The values folded into each output (in order), and the result shape. */
  function groupsOf(vals: number[], shape: number[], dims: number[], keepdim: boolean): { shape: number[]; groups: number[][] } {
    const nd = shape.length;
    const mask = shape.map((_, d) => dims.length === 0 || dims.some((x) => (x + nd) % nd === d));
    const keep = shape.map((n, d) => (mask[d] ? 1 : n));
    const outShape = keepdim ? keep : shape.filter((_, d) => !mask[d]);
    const M = keep.reduce((a, b) => a * b, 1);
    const groups: number[][] = Array.from({ length: M }, () => []);
    for (let i = 0; i < vals.length; i++) {
      let rem = i, o = 0, stride = 1;
      for (let d = nd - 1; d >= 0; d--) {
        const idx = rem % shape[d];
        rem = Math.floor(rem / shape[d]);
        if (!mask[d]) o += idx * stride;
        stride *= keep[d];
      }
      groups[o].push(vals[i]);
    }
    return { shape: outShape, groups };
  }
  function reference(vals: number[], shape: number[], dims: number[], keepdim: boolean, fold: (xs: number[]) => number): { shape: number[]; data: number[] } {
    const g = groupsOf(vals, shape, dims, keepdim);
    return { shape: g.shape, data: g.groups.map(fold) };
  }

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const folds: [string, (x: Tensor, c: Config) => Tensor, (xs: number[]) => number, boolean][] = [
    ['sum', (x, c) => x.sum(c.dims, c.keepdim), sum, true],
    ['mean', (x, c) => x.mean(c.dims, c.keepdim), (xs) => sum(xs) / xs.length, true],
    ['amax', (x, c) => x.amax(c.dims, c.keepdim), (xs) => xs.reduce((a, b) => Math.max(a, b), -Infinity), false],
    ['amin', (x, c) => x.amin(c.dims, c.keepdim), (xs) => xs.reduce((a, b) => Math.min(a, b), Infinity), false],
    ['var', (x, c) => x.var(c.dims, false, c.keepdim), (xs) => { const m = sum(xs) / xs.length; return sum(xs.map((v) => (v - m) ** 2)) / xs.length; }, true],
    ['norm', (x, c) => x.norm(2, c.dims, c.keepdim), (xs) => Math.sqrt(sum(xs.map((v) => v * v))), true],
    ['norm1', (x, c) => x.norm(1, c.dims, c.keepdim), (xs) => sum(xs.map(Math.abs)), true],
    ['logsumexp', (x, c) => x.logsumexp(c.dims, c.keepdim), (xs) => { const m = xs.reduce((a, b) => Math.max(a, b), -Infinity); return m + Math.log(sum(xs.map((v) => Math.exp(v - m)))); }, true],
  ];

  it.each(configs.map((c, i) => [i, JSON.stringify(c), c] as const))('config %i %s', (_, __, c) => {
    torch.manualSeed(7);
    let x = torch.randn(c.shape, { dtype: c.dtype });
    if (c.transpose) x = x.transpose(0, -1);
    if (c.slice && x.shape[0] > 2) x = x.index([1, null, 2]);
    const vals = flat(x);
    const numel = vals.length;
    const tol = c.dtype === 'float32' ? 2e-4 : 1e-9;
    let grouped: ReturnType<typeof groupsOf> | undefined;
    for (const [name, op, fold, emptyOk] of folds) {
      const nd = x.ndim;
      const reducedEmpty = x.shape.some((n, d) => n === 0 && (c.dims.length === 0 || c.dims.some((k) => (k + nd) % nd === d)));
      if (reducedEmpty && !emptyOk) continue;
      if (numel === 0) continue;
      const got = op(x, c);
      grouped ??= groupsOf(vals, x.shape, c.dims, c.keepdim);
      const want = { shape: grouped.shape, data: grouped.groups.map(fold) };
      expect(got.shape, name).toEqual(want.shape);
      const g = flat(got);
      for (let i = 0; i < g.length; i++)
        expect(Math.abs(g[i] - want.data[i]), `${name} element ${i}: ${g[i]} vs ${want.data[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want.data[i])));
    }
    if (numel > 0) {
      const d = randInt(0, x.ndim - 1);
      if (x.shape[d] > 0) {
        const r = x.max(d, c.keepdim);
        // groups hold the elements along d in order, so this is the first index of the max
        const want = reference(vals, x.shape, [d], c.keepdim, (xs) => xs.indexOf(xs.reduce((a, b) => Math.max(a, b), -Infinity)));
        expect(r.indices.shape).toEqual(want.shape);
        expect(flat(r.indices)).toEqual(want.data);
        expect(flat(x.argmax(d, c.keepdim))).toEqual(want.data);
        expect(flat(r.values)).toEqual(reference(vals, x.shape, [d], c.keepdim, (xs) => xs.reduce((a, b) => Math.max(a, b), -Infinity)).data);
        const sm = x.softmax(d);
        for (const v of flat(sm.sum(d))) expect(Math.abs(v - 1)).toBeLessThan(1e-5);
      }
    }
  });
});
