// Shared test helpers: golden fixtures from real PyTorch (scripts/fixtures/*.py) and
// value comparison. Tests import tensorgrad from the compiled build, as users do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from "vitest";
import * as torch from '../dist/cjs/index.js';

export { torch };
export type Tensor = torch.Tensor;

export interface Encoded {
  shape: number[];
  dtype: torch.DType;
  data: (number | boolean | string)[];
}

export function loadFixture<T = any>(name: string): { torch: string; cases: T[] } {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));
}

function decodeNum(v: number | boolean | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Number(v);
}

/** A tensor from a fixture encoding. */
export function fromEnc(e: Encoded, opts: { requiresGrad?: boolean } = {}): torch.Tensor {
  const flat = Float64Array.from(e.data.map(decodeNum));
  let t = torch.tensor(flat, { dtype: e.dtype === 'bool' ? 'bool' : e.dtype }).reshape(e.shape);
  if (opts.requiresGrad) t = t.detach().requiresGrad_(true);
  return t;
}

/** Flat values of a tensor as plain numbers (bools as 0/1). */
export function flat(t: torch.Tensor): number[] {
  const l = t.reshape(-1).tolist() as (number | boolean)[];
  return l.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

/** Asserts shape, dtype and values (NaN matches NaN; infinities must match exactly). */
export function expectClose(t: torch.Tensor, e: Encoded, opts: { rtol?: number; atol?: number; dtype?: boolean } = {}): void {
  const rtol = opts.rtol ?? (e.dtype === 'float64' ? 1e-7 : 1e-4);
  const atol = opts.atol ?? (e.dtype === 'float64' ? 1e-9 : 1e-5);
  expect(t.shape).toEqual(e.shape);
  if (opts.dtype !== false) expect(t.dtype).toBe(e.dtype);
  const got = flat(t);
  const want = e.data.map(decodeNum);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) throw new Error(`element ${i}: expected NaN, got ${g}`);
    } else if (!Number.isFinite(w)) {
      if (g !== w) throw new Error(`element ${i}: expected ${w}, got ${g}`);
    } else if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`element ${i}: expected ${w}, got ${g} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Asserts two tensors hold the same values within tolerance. */
export function expectTensorsClose(a: torch.Tensor, b: torch.Tensor, rtol = 1e-5, atol = 1e-6): void {
  expect(a.shape).toEqual(b.shape);
  const x = flat(a), y = flat(b);
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(y[i]) && Number.isNaN(x[i])) continue;
    if (!(Math.abs(x[i] - y[i]) <= atol + rtol * Math.abs(y[i]))) throw new Error(`element ${i}: ${x[i]} vs ${y[i]}`);
  }
}
