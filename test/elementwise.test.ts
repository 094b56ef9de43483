// Elementwise ops against PyTorch 1.13 (test/fixtures/elementwise.json, made by
// scripts/fixtures/elementwise.py): values, result dtypes, grad_fn names, error texts,
// broadcasting, and gradients checked twice — against PyTorch's and against central finite
// differences in float64 — with broadcast, non-contiguous and 0-d operands, and PyTorch's
// choices at ties and boundaries.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, expectClose, fromEnc, flat, Encoded } from './helpers';
import { Case, decodeArg, label, Operand, runCase } from './elementwise_cases';

type Tensor = torch.Tensor;
const fixture = loadFixture<Case>('elementwise.json');
const forward = fixture.cases.filter((c) => c.kind === 'forward');
const grads = fixture.cases.filter((c) => c.kind === 'grad');

function decodeNum(v: number | boolean | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Number(v);
}

/** Tolerances: float64 results to 1e-12 relative; float32 to 1e-6 (the SIMD kernels' bound). */
function tol(e: Encoded, accuracy = false): { rtol: number; atol: number } {
  if (e.dtype === 'float64') return { rtol: 1e-12, atol: 1e-300 };
  if (e.dtype === 'float32') return accuracy ? { rtol: 1e-6, atol: 1e-44 } : { rtol: 1e-6, atol: 1e-30 };
  return { rtol: 0, atol: 0 };
}

// Ops whose sign of a zero result PyTorch itself varies with the tensor's size (its SIMD path
// returns the other operand of a tie than its scalar path): maximum(-0, 0), gelu(-0), clamp
// with tensor bounds. Their zeros are compared by value only.
const SIGNED_ZERO_VARIES = new Set(['maximum', 'minimum', 'gelu']);

/** Like expectClose, and also asserts the sign of every zero (relu(-0) is -0, sign(-0) is +0). */
function expectSame(t: Tensor, e: Encoded, accuracy = false, c?: Case): void {
  expectClose(t, e, tol(e, accuracy));
  if (c && (SIGNED_ZERO_VARIES.has(c.op) || (c.op === 'clamp' && c.args.some((a) => a.t && a !== c.args[0])))) return;
  const got = flat(t);
  e.data.forEach((w, i) => {
    if (w === 0 && !Object.is(got[i], decodeNum(w))) throw new Error(`element ${i}: expected ${Object.is(w, -0) ? '-0' : '+0'}, got ${Object.is(got[i], -0) ? '-0' : got[i]}`);
  });
}

function expectError(err: Error | undefined, message: string): void {
  expect(err, `expected the error "${message}"`).toBeDefined();
  expect(err!.message).toBe(message);
}

/** The args with every float tensor made a leaf that requires grad (as the fixture script does). */
function withGrad(c: Case): Operand[] {
  return c.args.map((a) => {
    const v = decodeArg(a);
    return v instanceof torch.Tensor && v.isFloatingPoint() ? decodeArg(a, { requiresGrad: true }) : v;
  });
}

describe('elementwise forward vs PyTorch', () => {
  it('has a fixture', () => {
    expect(fixture.torch.startsWith('1.13')).toBe(true);
    expect(forward.length).toBeGreaterThan(400);
  });
  forward.forEach((c, i) => {
    it(label(c, i), () => {
      const { out, error } = runCase(c, c.args.map((a) => decodeArg(a)));
      if (c.error !== undefined) return expectError(error, c.error);
      if (error) throw error;
      expectSame(out!, c.out!, c.accuracy, c);
      const g = runCase(c, withGrad(c));
      if (g.error) throw g.error;
      expect(g.out!.gradFn?.name ?? null).toBe(c.grad_fn ?? null);
    });
  });
});

// ---------------------------------------------------------------- gradients

/** sum(op(args) * gradOut) with the k-th argument's storage replaced by `data`. */
function objective(c: Case, k: number, data: number[], go: number[]): number {
  const args = c.args.map((a, j) => (j === k ? decodeArg({ ...a, t: { ...a.t!, data } }) : decodeArg(a)));
  const out = torch.noGrad(() => runCase(c, args));
  if (out.error) throw out.error;
  const y = flat(out.out!);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * go[i];
  return s;
}

/** Central differences of `objective` over the storage of argument k (storage order). */
function finiteDifferences(c: Case, k: number, go: number[], eps = 1e-6): number[] {
  const base = c.args[k].t!.data.map(decodeNum);
  return base.map((_, j) => {
    const plus = base.slice(), minus = base.slice();
    plus[j] += eps;
    minus[j] -= eps;
    return (objective(c, k, plus, go) - objective(c, k, minus, go)) / (2 * eps);
  });
}

describe('elementwise gradients vs PyTorch and finite differences', () => {
  it('has gradient cases', () => {
    expect(grads.length).toBeGreaterThan(100);
    expect(grads.filter((c) => c.fd).length).toBeGreaterThan(80);
  });
  grads.forEach((c, i) => {
    it(`${label(c, i)}${c.note ? ` — ${c.note}` : ''}`, () => {
      const args = c.args.map((a) => decodeArg(a, { requiresGrad: a.grad === true }));
      const { out, error } = runCase(c, args);
      if (error) throw error;
      expect(out!.gradFn?.name ?? null).toBe(c.grad_fn);
      if (c.out) expectSame(out!, c.out, false, c);
      out!.backward(fromEnc(c.grad_out!));
      c.args.forEach((a, k) => {
        const want = c.grads![k];
        if (!a.grad) return expect(want).toBeNull();
        const leaf = args[k] as Tensor;
        expect(leaf.isLeaf).toBe(true);
        if (a.T) expect(leaf.isContiguous()).toBe(false);
        expectClose(leaf.grad!, want!, want!.dtype === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-6 });
        if (!c.fd) return;
        // Finite differences run over the storage, so compare in storage order.
        const numeric = finiteDifferences(c, k, flat(fromEnc(c.grad_out!)));
        const analytic = flat(a.T ? leaf.grad!.transpose(-2, -1) : leaf.grad!);
        numeric.forEach((n, j) => {
          if (!(Math.abs(n - analytic[j]) <= 1e-6 + 1e-5 * Math.abs(analytic[j])))
            throw new Error(`${c.op}: d/d arg${k}[${j}]: finite differences ${n}, backward ${analytic[j]}`);
        });
      });
    });
  });

  it('second derivatives through the formulas (create_graph)', () => {
    const x = torch.tensor([0.3, -0.7, 1.2], { dtype: 'float64', requiresGrad: true });
    const cases: [string, (t: Tensor) => Tensor, (v: number) => number][] = [
      ['tanh', (t) => t.tanh(), (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
      ['sigmoid', (t) => t.sigmoid(), (v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s) * (1 - 2 * s); }],
      ['exp', (t) => t.exp(), (v) => Math.exp(v)],
      ['pow 3', (t) => t.pow(3), (v) => 6 * v],
      ['sin', (t) => t.sin(), (v) => -Math.sin(v)],
      ['reciprocal', (t) => t.reciprocal(), (v) => 2 / v ** 3],
      ['mul self', (t) => t.mul(t), () => 2],
      ['div', (t) => torch.div(1, t), (v) => 2 / v ** 3],
      ['rsqrt of square', (t) => t.square().add(1).rsqrt(), (v) => (2 * v * v - 1) / (v * v + 1) ** 2.5],
    ];
    for (const [name, f, d2] of cases) {
      x.grad = null;
      f(x).sum().backward({ createGraph: true });
      const g = x.grad!;
      expect(g.requiresGrad).toBe(true);
      x.grad = null;
      g.sum().backward();
      const h = x.grad!;
      const want = (x.tolist() as number[]).map(d2);
      flat(h).forEach((v, j) => {
        if (!(Math.abs(v - want[j]) <= 1e-9 * (1 + Math.abs(want[j])))) throw new Error(`${name}[${j}]: ${v} vs ${want[j]}`);
      });
    }
  });
});

// ---------------------------------------------------------------- grad_fn names

describe('grad_fn names as PyTorch records them', () => {
  it('names every elementwise op', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = torch.tensor([3, 2, 1], { requiresGrad: true });
    const c = x.gt(1.5);
    const names: [string, Tensor][] = [
      ['AddBackward0', x.add(y)], ['AddBackward0', x.add(2, { alpha: 3 })], ['AddBackward0', torch.add(2, x)],
      ['SubBackward0', x.sub(y)], ['SubBackward0', x.sub(2)], ['RsubBackward1', torch.sub(2, x)],
      ['MulBackward0', x.mul(y)], ['MulBackward0', torch.mul(2, x)],
      ['DivBackward0', x.div(y)], ['DivBackward0', x.div(2)], ['MulBackward0', torch.div(2, x)],  // 2 / x = x.reciprocal() * 2
      ['PowBackward1', x.pow(y)], ['PowBackward0', x.pow(2)], ['PowBackward0', x.pow(2.5)], ['PowBackward2', torch.pow(2, x)],
      ['PowBackward1', x.pow(torch.tensor(2))], ['PowBackward0', x.square()],
      ['NegBackward0', x.neg()], ['AbsBackward0', x.abs()], ['SqrtBackward0', x.sqrt()], ['RsqrtBackward0', x.rsqrt()],
      ['ExpBackward0', x.exp()], ['LogBackward0', x.log()], ['Log1PBackward0', x.log1p()], ['SinBackward0', x.sin()],
      ['CosBackward0', x.cos()], ['TanBackward0', x.tan()], ['TanhBackward0', x.tanh()], ['SigmoidBackward0', x.sigmoid()],
      ['ReluBackward0', x.relu()], ['ReciprocalBackward0', x.reciprocal()], ['SignBackward0', x.sign()],
      ['GeluBackward0', x.gelu()], ['GeluBackward0', x.gelu('tanh')],
      ['ClampBackward1', x.clamp(1, 2)], ['ClampBackward1', x.clamp(1)], ['ClampBackward1', x.clamp(null, 2)],
      ['ClampBackward0', x.clamp(y)], ['ClampBackward0', x.clamp(null, y)], ['ClampBackward0', x.clamp(torch.tensor(1), torch.tensor(2))],
      ['MaximumBackward0', x.maximum(y)], ['MinimumBackward0', x.minimum(y)], ['MaximumBackward0', x.max(y)],
      ['WhereBackward0', torch.where(c, x, y)], ['WhereBackward0', torch.where(c, x, 0)], ['WhereBackward0', x.where(c, 0.5)],
      ['CloneBackward0', x.clone()], ['ToCopyBackward0', x.to('float64')],
    ];
    for (const [name, t] of names) expect(t.gradFn?.name).toBe(name);
    expect(x.to('float32')).toBe(x);  // PyTorch returns self when the dtype is unchanged
    expect(x.to('int64').gradFn).toBeNull();
    expect(x.eq(y).gradFn).toBeNull();
    expect(x.to('int64').requiresGrad).toBe(false);
  });
});

// ---------------------------------------------------------------- arguments from JS

describe('bad input from JS', () => {
  const x = torch.tensor([1, 2, 3]);
  it('throws TypeError for operands that are not tensors or numbers', () => {
    for (const bad of ['a', null, undefined, {}, [1], 1n, Symbol('s'), () => 1]) {
      expect(() => x.add(bad as any)).toThrow(TypeError);
      expect(() => x.mul(bad as any)).toThrow(TypeError);
      expect(() => x.pow(bad as any)).toThrow(TypeError);
      expect(() => x.maximum(bad as any)).toThrow(TypeError);
      expect(() => x.lt(bad as any)).toThrow(TypeError);
      expect(() => torch.add(bad as any, x)).toThrow(TypeError);
      expect(() => torch.div(bad as any, x)).toThrow(TypeError);
      expect(() => torch.where(x.gt(1), bad as any, x)).toThrow(TypeError);
    }
    expect(() => x.add('a' as any)).toThrow('Expected a Tensor or a number for other but received string');
    expect(() => x.clamp('1' as any)).toThrow(TypeError);
    expect(() => x.clamp(0, {} as any)).toThrow(TypeError);
    expect(() => torch.where([true] as any, x, x)).toThrow(TypeError);
    expect(() => x.add(1, { alpha: '2' as any })).toThrow(TypeError);
    expect(() => x.add(1, 3 as any)).toThrow(TypeError);
    expect(() => x.to('float16' as any)).toThrow(TypeError);
    expect(() => torch.exp('a' as any)).toThrow(TypeError);
  });
  it("uses PyTorch's texts for value errors", () => {
    expect(() => x.gelu('exact' as any)).toThrow('approximate argument must be either none or tanh.');
    expect(() => x.clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    expect(() => x.clamp(null, null)).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    expect(() => x.add(torch.ones(4))).toThrow('The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0');
    expect(() => torch.ones(2, 3).add(torch.ones(2, 4))).toThrow('The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1');
  });
  it('throws (not crashes) on a disposed tensor', () => {
    const d = torch.tensor([1, 2]);
    d.dispose();
    expect(() => x.add(d)).toThrow('disposed');
    expect(() => d.exp()).toThrow('disposed');
  });
  it('treats integers beyond int64 as floats, other numbers by their kind', () => {
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    expect(i.add(2).dtype).toBe('int64');
    expect(i.add(2.5).dtype).toBe('float32');
    expect(i.add(1e300).dtype).toBe('float32');
    expect(i.add(NaN).dtype).toBe('float32');
    expect(i.add(Infinity).tolist()).toEqual([Infinity, Infinity]);
    expect(i.add(true).dtype).toBe('int64');
    expect(torch.tensor([true, false]).add(true).dtype).toBe('bool');
    expect(i.mul(-0).tolist()).toEqual([0, 0]);
  });
});

// ---------------------------------------------------------------- integers, layouts, threads

describe('integer and layout behaviour', () => {
  it('wraps int64 arithmetic around like PyTorch', () => {
    const max = torch.tensor(BigInt64Array.from([9223372036854775807n, -9223372036854775808n]));
    expect(max.dtype).toBe('int64');
    expect(Array.from(max.add(1).toTypedArray() as BigInt64Array)).toEqual([-9223372036854775808n, -9223372036854775807n]);
    expect(Array.from(max.neg().toTypedArray() as BigInt64Array)).toEqual([-9223372036854775807n, -9223372036854775808n]);
    expect(Array.from(max.mul(2).toTypedArray() as BigInt64Array)).toEqual([-2n, 0n]);
  });

  it('gives the same values for contiguous, transposed and broadcast operands, across threads', () => {
    const n = 300;  // 90,000 elements: above the threading grain
    const a = torch.randn(n, n);
    const b = torch.randn(n);
    const at = a.t().contiguous();  // same values as a.t(), contiguous
    for (const f of [(t: Tensor) => t.exp(), (t: Tensor) => t.tanh(), (t: Tensor) => t.sigmoid(),
      (t: Tensor) => t.abs().add(0.1).log(), (t: Tensor) => t.add(b), (t: Tensor) => t.mul(b).sub(t),
      (t: Tensor) => t.maximum(b), (t: Tensor) => t.clamp(-0.5, 0.5), (t: Tensor) => t.pow(2), (t: Tensor) => t.gt(b)]) {
      const viaView = f(a.t());
      const viaCopy = f(at);
      expect(flat(viaView)).toEqual(flat(viaCopy));
    }
    torch.setNumThreads(1);
    try {
      const one = flat(a.exp().add(b));
      torch.setNumThreads(2);
      expect(flat(a.exp().add(b))).toEqual(one);
    } finally {
      torch.setNumThreads(require('node:os').cpus().length);
    }
  });

  it('handles zero-size tensors', () => {
    const e = torch.zeros(0, 3);
    expect(e.exp().shape).toEqual([0, 3]);
    expect(e.add(torch.ones(3)).shape).toEqual([0, 3]);
    expect(torch.where(e.gt(0), e, 1).shape).toEqual([0, 3]);
    expect(e.clamp(0, 1).shape).toEqual([0, 3]);
  });

  it('keeps the float32 fast kernels within 1e-6 of float64 on a dense sweep, on both builds', () => {
    const xs = torch.linspace(-30, 30, 60001);
    const ref = xs.to('float64');
    const pos = xs.abs().add(1e-3);
    const pairs: [Tensor, Tensor][] = [[xs.exp(), ref.exp()], [xs.tanh(), ref.tanh()], [xs.sigmoid(), ref.sigmoid()],
      [pos.log(), pos.to('float64').log()]];
    for (const [got, want] of pairs) {
      const g = flat(got), w = flat(want.to('float32'));
      for (let i = 0; i < g.length; i++) {
        if (!(Math.abs(g[i] - w[i]) <= 1e-6 * Math.abs(w[i]) + 1e-38)) throw new Error(`x=${flat(xs)[i]}: ${g[i]} vs ${w[i]}`);
      }
    }
  });

  it('honours TG_SIMD=baseline and gives the same values within 1e-6', () => {
    const { N } = require('../dist/cjs/native.js');
    expect(['avx2', 'baseline']).toContain(N.simdIsa());
    const script = `
      const t = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cjs', 'index.js'))});
      const { N } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cjs', 'native.js'))});
      const x = t.linspace(-20, 20, 4001);
      process.stdout.write(JSON.stringify({ isa: N.simdIsa(), v: [x.exp(), x.tanh(), x.sigmoid(), x.abs().add(0.01).log()].map((y) => y.tolist()) }));`;
    const run = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env } }).toString());
    const base = run({ TG_SIMD: 'baseline' });
    const best = run({ TG_SIMD: '' });
    expect(base.isa).toBe('baseline');
    // An unforced child picks what this process picked, unless this process was itself forced.
    if (!process.env.TG_SIMD) expect(best.isa).toBe(N.simdIsa());
    else expect(['avx2', 'baseline']).toContain(best.isa);
    base.v.forEach((arr: number[], k: number) => arr.forEach((v, i) => {
      const w = best.v[k][i];
      if (!(Math.abs(v - w) <= 1e-6 * Math.abs(w) + 1e-38)) throw new Error(`kernel ${k}, element ${i}: ${v} vs ${w}`);
    }));
  });
});
