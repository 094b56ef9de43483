// Linear algebra: dot, mv, mm, bmm, outer, matmul.
//  1. every fixture case (scripts/fixtures/linalg.py, real PyTorch 1.13): values, dtype,
//     grad_fn graph, gradients of the base tensors (transposed / strided views included);
//  2. gradients vs float64 central differences (and one second derivative);
//  3. PyTorch's error texts;
//  4. the packed GEMM against a plain JS reference over shapes that cross every block and
//     tile edge, transposed operands, thread counts and forced instruction sets.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Encoded, expectClose, flat, fromEnc, loadFixture, torch } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { N } = require('../dist/cjs/native.js');

type View = ['T'] | ['mT'] | ['permute', number[]] | ['slice'] | null;
interface Case {
  name: string;
  op: 'dot' | 'mv' | 'mm' | 'bmm' | 'outer' | 'matmul';
  a: Encoded;
  b: Encoded;
  aView: View;
  bView: View;
  out: Encoded;
  gradFn: string;
  g?: Encoded;
  gradA?: Encoded;
  gradB?: Encoded;
}
interface ErrorCase {
  op: Case['op'];
  a: { shape: number[]; dtype: torch.DType };
  b: { shape: number[]; dtype: torch.DType };
  message: string;
}

const fixture = loadFixture('linalg.json');
const cases: Case[] = fixture.cases.filter((c: any) => !c.errors);
const errorCases: ErrorCase[] = fixture.cases.find((c: any) => c.errors).errors;

function applyView(t: torch.Tensor, view: View): torch.Tensor {
  if (!view) return t;
  switch (view[0]) {
    case 'T':
      return t.transpose(0, 1);
    case 'mT':
      return t.mT;
    case 'permute':
      return t.permute(view[1]);
    case 'slice':
      return t.index('...', '::2');
  }
}

function call(op: Case['op'], a: torch.Tensor, b: torch.Tensor): torch.Tensor {
  return (torch as any)[op](a, b);
}

/** The grad_fn graph as the fixture script prints it: Name(child, child). */
function chain(fn: torch.GradFn | null): string {
  if (!fn) return 'None';
  const kids = fn.nextFunctions.filter(([f]) => f !== null).map(([f]) => chain(f));
  return fn.name + (kids.length ? `(${kids.join(', ')})` : '');
}

const isFloat = (e: Encoded) => e.dtype === 'float32' || e.dtype === 'float64';

describe('linalg vs PyTorch fixtures', () => {
  for (const c of cases) {
    it(c.name, () => {
      const grad = c.g !== undefined;
      const a = fromEnc(c.a, { requiresGrad: grad && isFloat(c.a) });
      const b = fromEnc(c.b, { requiresGrad: grad && isFloat(c.b) });
      const out = call(c.op, applyView(a, c.aView), applyView(b, c.bView));
      expectClose(out, c.out);
      expect(chain(out.gradFn)).toBe(c.gradFn);
      if (grad) {
        out.backward(fromEnc(c.g!));
        expectClose(a.grad!, c.gradA!);
        expectClose(b.grad!, c.gradB!);
      }
    });
  }
});

// ---------------------------------------------------------------- finite differences

function float64(e: Encoded): { shape: number[]; data: Float64Array } {
  return { shape: e.shape, data: Float64Array.from(e.data as number[]) };
}

function make(x: { shape: number[]; data: Float64Array }, requiresGrad = false): torch.Tensor {
  const t = torch.tensor(x.data, { dtype: 'float64' }).reshape(x.shape);
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/** Max |analytic - numeric| over every input element, for f = sum(op(a, b) * w). */
function fdCheck(c: Case): number {
  const ax = float64(c.a), bx = float64(c.b);
  const probe = call(c.op, applyView(make(ax), c.aView), applyView(make(bx), c.bView));
  const w = torch.randn(probe.shape, { dtype: 'float64' });
  const f = (a: torch.Tensor, b: torch.Tensor) => call(c.op, applyView(a, c.aView), applyView(b, c.bView)).mul(w).sum();
  const a = make(ax, true), b = make(bx, true);
  f(a, b).backward();
  const analytic = [flat(a.grad!), flat(b.grad!)];
  const eps = 1e-6;
  let worst = 0;
  [ax, bx].forEach((x, which) => {
    for (let i = 0; i < x.data.length; i++) {
      const keep = x.data[i];
      x.data[i] = keep + eps;
      const up = (which === 0 ? f(make(x), make(bx)) : f(make(ax), make(x))).item() as number;
      x.data[i] = keep - eps;
      const down = (which === 0 ? f(make(x), make(bx)) : f(make(ax), make(x))).item() as number;
      x.data[i] = keep;
      const numeric = (up - down) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - analytic[which][i]) / Math.max(1, Math.abs(numeric)));
    }
  });
  return worst;
}

describe('linalg gradients vs float64 finite differences', () => {
  for (const c of cases.filter((c) => c.g !== undefined)) {
    it(c.name, () => {
      expect(fdCheck(c)).toBeLessThan(1e-6);
    });
  }

  it('mm second derivative (createGraph) matches differences of the first', () => {
    const ax = { shape: [3, 4], data: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)) };
    const bx = { shape: [4, 2], data: Float64Array.from({ length: 8 }, (_, i) => Math.cos(i + 2)) };
    const v = torch.tensor(Float64Array.from({ length: 12 }, (_, i) => (i % 5) - 2), { dtype: 'float64' }).reshape(3, 4);
    // h(b) = sum(dL/da * v) with L = sum(sin(a @ b)); compare dh/db with differences of h.
    const h = (b: torch.Tensor, create: boolean) => {
      const a = make(ax, true);
      const [ga] = torch.autograd.grad(a.mm(b).sin().sum(), a, { createGraph: create });
      return ga!.mul(v).sum();
    };
    const b = make(bx, true);
    const [gb] = torch.autograd.grad(h(b, true), b);
    const analytic = flat(gb!);
    const eps = 1e-6;
    for (let i = 0; i < bx.data.length; i++) {
      const keep = bx.data[i];
      bx.data[i] = keep + eps;
      const up = h(make(bx), false).item() as number;
      bx.data[i] = keep - eps;
      const down = h(make(bx), false).item() as number;
      bx.data[i] = keep;
      expect(Math.abs((up - down) / (2 * eps) - analytic[i])).toBeLessThan(1e-6);
    }
  });
});

// ---------------------------------------------------------------- errors

describe('linalg errors (PyTorch texts)', () => {
  for (const e of errorCases) {
    it(`${e.op} ${JSON.stringify(e.a.shape)} ${e.a.dtype} @ ${JSON.stringify(e.b.shape)} ${e.b.dtype}`, () => {
      const a = torch.ones(e.a.shape, { dtype: e.a.dtype });
      const b = torch.ones(e.b.shape, { dtype: e.b.dtype });
      let message = '';
      try {
        call(e.op, a, b);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe(e.message);
    });
  }

  it('rejects non-tensor operands with a TypeError', () => {
    expect(() => torch.ones(2, 2).matmul(3 as any)).toThrow(TypeError);
  });

  it('huge results fail cleanly', () => {
    const one = torch.zeros(1, 1);
    // 2^40 float32 elements (4 TiB) and 2^62 elements (the byte count overflows).
    expect(() => one.expand(2 ** 20, 1).matmul(one.expand(1, 2 ** 20))).toThrow();
    expect(() => one.expand(2 ** 31, 1).matmul(one.expand(1, 2 ** 31))).toThrow();
  });
});

// ---------------------------------------------------------------- the GEMM itself

/** A deterministic pseudo-random matrix (values in [-1, 1)) as a flat row-major array. */
function values(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** C = A @ B in doubles, with |A| @ |B| for the error bound. */
function reference(a: Float64Array, b: Float64Array, m: number, n: number, k: number) {
  const c = new Float64Array(m * n), bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      for (let j = 0; j < n; j++) {
        c[i * n + j] += x * b[p * n + j];
        bound[i * n + j] += Math.abs(x * b[p * n + j]);
      }
    }
  return { c, bound };
}

/** a [m,k] and b [k,n] as tensors holding the given values, built transposed when asked. */
function operand(v: Float64Array, rows: number, cols: number, dtype: torch.DType, transposed: boolean): torch.Tensor {
  if (!transposed) return torch.tensor(v, { dtype }).reshape(rows, cols);
  const t = new Float64Array(v.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
  return torch.tensor(t, { dtype }).reshape(cols, rows).transpose(0, 1);
}

function checkGemm(m: number, n: number, k: number, dtype: torch.DType, ta: boolean, tb: boolean, seed: number) {
  const av = values(m * k, seed), bv = values(k * n, seed + 1);
  if (dtype === 'float32') {
    // Round the inputs to float32 first so the reference sees the same numbers.
    av.set(Float32Array.from(av));
    bv.set(Float32Array.from(bv));
  }
  const out = flat(operand(av, m, k, dtype, ta).matmul(operand(bv, k, n, dtype, tb)));
  const { c, bound } = reference(av, bv, m, n, k);
  const unit = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
  for (let i = 0; i < m * n; i++) {
    const tol = 2 * k * unit * bound[i] + 1e-30;
    if (!(Math.abs(out[i] - c[i]) <= tol))
      throw new Error(`${m}x${n}x${k} ${dtype} ta=${ta} tb=${tb}: element ${i} is ${out[i]}, expected ${c[i]}`);
  }
}

describe('packed GEMM vs a JS reference', () => {
  const threads = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(threads));

  // Edges of every tile (MR 4/6/12, NR 8/16/32) and block (KC 192/256, MC 64..144, NC 4096).
  const shapes: [number, number, number][] = [
    [2, 2, 2], [7, 13, 5], [6, 16, 256], [12, 32, 257], [13, 33, 300], [100, 5, 7], [5, 100, 7],
    [145, 70, 193], [97, 150, 520], [3, 4100, 20], [16, 16, 16], [17, 15, 14], [600, 100, 300],
  ];
  for (const dtype of ['float32', 'float64'] as torch.DType[]) {
    for (const [m, n, k] of shapes) {
      it(`${m}x${k} @ ${k}x${n} ${dtype}, all four transpositions`, () => {
        for (const ta of [false, true]) for (const tb of [false, true]) checkGemm(m, n, k, dtype, ta, tb, m * 31 + n * 7 + k);
      });
    }
  }

  it('gives the same bits on 1 and 2 threads (slabs, shared B panel, vectors)', () => {
    const pairs = [
      [torch.randn(263, 301), torch.randn(301, 259)],  // shared B panel, row blocks claimed dynamically
      [torch.randn(90, 70), torch.randn(70, 80)],      // one slab per thread
      [torch.randn(600, 40), torch.randn(40, 30)],
      [torch.randn(3000, 40), torch.randn(40)],        // matrix @ vector
      [torch.randn(40), torch.randn(40, 3000)],        // vector @ matrix
    ];
    torch.setNumThreads(1);
    const one = pairs.map(([a, b]) => flat(a.matmul(b)));
    torch.setNumThreads(2);
    pairs.forEach(([a, b], i) => expect(flat(a.matmul(b))).toEqual(one[i]));
  });

  it('bmm of many small matrices matches one mm per batch', () => {
    const a = torch.randn(64, 9, 7), b = torch.randn(64, 7, 5);
    const r = a.bmm(b);
    for (const i of [0, 17, 63]) expect(flat(r.select(0, i))).toEqual(flat(a.select(0, i).mm(b.select(0, i))));
  });

  it('k = 0 gives zeros, m = 0 or n = 0 gives empty', () => {
    expect(torch.ones(3, 0).matmul(torch.ones(0, 4)).tolist()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(torch.ones(0, 3).matmul(torch.ones(3, 4)).shape).toEqual([0, 4]);
    expect(torch.ones(3, 2).matmul(torch.ones(2, 0)).shape).toEqual([3, 0]);
    expect(torch.ones(0).dot(torch.ones(0)).item()).toBe(0);
    expect(torch.ones(2, 3, 0).bmm(torch.ones(2, 0, 5)).sum().item()).toBe(0);
  });

  it('integer products wrap around like PyTorch', () => {
    const a = torch.tensor([[65536]], { dtype: 'int32' });
    expect(a.matmul(a).tolist()).toEqual([[0]]);
    expect(torch.tensor([[1, 2], [3, 4]], { dtype: 'int64' }).matmul(torch.tensor([5, 6], { dtype: 'int64' })).tolist()).toEqual([17, 39]);
  });

  it('reports its instruction set and honours TG_SIMD', () => {
    const isa: string = N.gemmIsa();
    expect(['avx512', 'avx2', 'portable']).toContain(isa);
    // A child process with TG_SIMD forced: same answers (to rounding) from the portable kernels.
    const script = `
      const torch = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cjs', 'index.js'))});
      const { N } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cjs', 'native.js'))});
      const a = torch.arange(0, 1, 1 / 4800, { dtype: 'float64' }).reshape(60, 80);
      const b = a.transpose(0, 1).cos();
      process.stdout.write(JSON.stringify({ isa: N.gemmIsa(), sum: a.matmul(b).sum().item() }));`;
    const run = (simd: string) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TG_SIMD: simd } }).toString());
    const base = run('baseline');
    expect(base.isa).toBe('portable');
    const avx2 = run('avx2');
    expect(['avx2', 'portable']).toContain(avx2.isa);
    const a = torch.arange(0, 1, 1 / 4800, { dtype: 'float64' }).reshape(60, 80);
    const here = a.matmul(a.transpose(0, 1).cos()).sum().item() as number;
    expect(Math.abs(base.sum - here)).toBeLessThan(1e-9 * Math.abs(here));
    expect(Math.abs(avx2.sum - here)).toBeLessThan(1e-9 * Math.abs(here));
  });
});
