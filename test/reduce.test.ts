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
