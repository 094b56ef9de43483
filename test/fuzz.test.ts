// Fuzzing the JS <-> native boundary, and property-based tests of broadcasting, reductions
// and views against a small reference written in plain TS.
//
// The two fuzz scripts run in child processes, so that a crash, an abort or a sanitizer
// report fails the test instead of taking the runner down:
//   test/fuzz/native.js  every function the addon exports, hostile arguments
//   test/fuzz/ts.js      every public TS function, method, getter and setter
// Each call must return or throw a JS Error; the counts are printed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '../dist/cjs/index.js';

function runFuzz(script: string, seed: number, perFunction: number): any {
  // In a scratch folder: hostile strings reach functions that write files (save('float64', ...)).
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-fuzz-'));
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fuzz', script), String(seed), String(perFunction)], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 110_000,
  });
  expect(r.signal, r.stderr.slice(-4000)).toBeNull();
  expect(r.status, r.stderr.slice(-4000)).toBe(0);
  fs.rmSync(cwd, { recursive: true, force: true });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('fuzzing (child processes)', () => {
  it('every native export survives hostile arguments', { timeout: 120_000 }, () => {
    const s = runFuzz('native.js', 1, 300);
    console.log(`native fuzz: ${s.calls} calls to ${s.exports} exports; returned ${s.returned}, threw ${JSON.stringify(s.byClass)}`);
    expect(s.exports).toBeGreaterThanOrEqual(100);
    expect(s.calls).toBeGreaterThanOrEqual(100_000);
    expect(s.nonErrorThrows).toBe(0);
  });

  it('every public TS function, method and accessor survives hostile arguments', { timeout: 120_000 }, () => {
    const s = runFuzz('ts.js', 1, 60);
    console.log(`TS fuzz: ${s.calls} calls to ${s.functions} functions; returned ${s.returned}, threw ${JSON.stringify(s.byClass)}`);
    expect(s.functions).toBeGreaterThanOrEqual(200);
    expect(s.calls).toBeGreaterThanOrEqual(80_000);
    expect(s.nonErrorThrows).toBe(0);
  });
});

// ---------------------------------------------------------------- the reference

type Shape = number[];
const numel = (s: Shape) => s.reduce((a, b) => a * b, 1);
const rowMajorStrides = (s: Shape) => {
  const st = new Array(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) st[i] = st[i + 1] * s[i + 1];
  return st;
};
/** Every multi-index of shape, row-major. */
function* indices(s: Shape): Generator<number[]> {
  const n = numel(s);
  const idx = new Array(s.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield idx.slice();
    for (let d = s.length - 1; d >= 0; d--) {
      if (++idx[d] < s[d]) break;
      idx[d] = 0;
    }
  }
}
function broadcastShapes(a: Shape, b: Shape): Shape | null {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}
/** Element of a (shape s, row-major data) at a multi-index of the broadcast shape. */
function at(data: number[], s: Shape, idx: number[]): number {
  const st = rowMajorStrides(s);
  let off = 0;
  for (let i = 0; i < s.length; i++) off += (s[i] === 1 ? 0 : idx[idx.length - s.length + i]) * st[i];
  return data[off];
}

const dim = fc.integer({ min: 0, max: 3 });
const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });
const values = (n: number) => fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n });

// Two shapes that broadcast: a common shape, then each side drops leading dims and turns
// some dims into 1.
const broadcastPair = shapeArb.chain((out) =>
  fc.tuple(
    fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
  ).map(([da, ma, db, mb]) => [out.slice(da).map((d, i) => (ma[i + da] ? 1 : d)), out.slice(db).map((d, i) => (mb[i + db] ? 1 : d))]),
);

describe('properties against a plain-TS reference', () => {
  it('add and mul broadcast like PyTorch', () => {
    fc.assert(
      fc.property(
        broadcastPair.chain(([sa, sb]) => fc.tuple(fc.constant(sa), fc.constant(sb), values(numel(sa)), values(numel(sb)))),
        ([sa, sb, da, db]) =>
          torch.tidy(() => {
            const a = torch.tensor(Float64Array.from(da), { dtype: 'float64' }).reshape(sa);
            const b = torch.tensor(Float64Array.from(db), { dtype: 'float64' }).reshape(sb);
            const out = broadcastShapes(sa, sb)!;
            const sum = a.add(b), prod = a.mul(b);
            expect(sum.shape).toEqual(out);
            const want = [...indices(out)];
            expect(Array.from(sum.toTypedArray() as Float64Array)).toEqual(want.map((i) => at(da, sa, i) + at(db, sb, i)));
            expect(Array.from(prod.toTypedArray() as Float64Array, (x) => x + 0)).toEqual(want.map((i) => at(da, sa, i) * at(db, sb, i) + 0));  // -0 == 0
          }),
      ),
      { numRuns: 200 },
    );
  });

  it('shapes that do not broadcast raise PyTorch\'s error', () => {
    fc.assert(
      fc.property(fc.tuple(shapeArb, shapeArb).filter(([a, b]) => broadcastShapes(a, b) === null), ([sa, sb]) =>
        torch.tidy(() => {
          expect(() => torch.zeros(sa).add(torch.zeros(sb))).toThrow(/The size of tensor a \(\d+\) must match the size of tensor b \(\d+\) at non-singleton dimension \d+/);
        }),
      ),
      { numRuns: 100 },
    );
  });

  it('sum over any dims, with and without keepdim', () => {
    const arb = shapeArb.chain((s) =>
      fc.tuple(
        fc.constant(s), values(numel(s)),
        fc.subarray([...s.keys()]).chain((dims) => fc.tuple(fc.constant(dims), fc.array(fc.boolean(), { minLength: dims.length, maxLength: dims.length }))),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(arb, ([s, data, [dims, negate], keepdim]) =>
        torch.tidy(() => {
          const t = torch.tensor(Float64Array.from(data), { dtype: 'float64' }).reshape(s);
          const given = dims.map((d, i) => (negate[i] ? d - s.length : d));  // negative dims too
          const r = t.sum(given.length ? given : null, keepdim);
          // Reference: accumulate every element into its reduced position.
          const all = dims.length === 0;
          const reduced = (d: number) => all || dims.includes(d);
          const keepShape = s.map((n, d) => (reduced(d) ? 1 : n));
          const outShape = keepdim ? keepShape : s.filter((_, d) => !reduced(d));
          const acc = new Array(numel(keepShape)).fill(0);
          const kst = rowMajorStrides(keepShape);
          for (const idx of indices(s)) {
            let off = 0;
            idx.forEach((v, d) => (off += (reduced(d) ? 0 : v) * kst[d]));
            acc[off] += at(data, s, idx);
          }
          expect(r.shape).toEqual(outShape);
          expect(Array.from(r.toTypedArray() as Float64Array)).toEqual(acc.map((x) => x + 0));
        }),
      ),
      { numRuns: 200 },
    );
  });

  // A view is modelled by the base offsets of its elements, row-major. Views of views of
  // views must read the right elements, and writing through them must reach the base.
  type Op = { kind: 'transpose'; a: number; b: number } | { kind: 'permute'; seed: number } | { kind: 'narrow'; d: number; start: number; len: number }
    | { kind: 'select'; d: number; i: number } | { kind: 'unsqueeze'; d: number } | { kind: 'reshape' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('transpose' as const), a: fc.nat(7), b: fc.nat(7) }),
    fc.record({ kind: fc.constant('permute' as const), seed: fc.nat() }),
    fc.record({ kind: fc.constant('narrow' as const), d: fc.nat(7), start: fc.nat(3), len: fc.nat(3) }),
    fc.record({ kind: fc.constant('select' as const), d: fc.nat(7), i: fc.nat(3) }),
    fc.record({ kind: fc.constant('unsqueeze' as const), d: fc.nat(7) }),
    fc.constant({ kind: 'reshape' as const }),
  );

  function applyRef(shape: Shape, map: number[], op: Op): [Shape, number[], boolean] | null {
    const nd = shape.length;
    const pick = (newShape: Shape, from: (idx: number[]) => number[]) => {
      const st = rowMajorStrides(shape);
      const out: number[] = [];
      for (const idx of indices(newShape)) out.push(map[from(idx).reduce((o, v, d) => o + v * st[d], 0)]);
      return out;
    };
    switch (op.kind) {
      case 'transpose': {
        if (nd === 0) return null;
        const a = op.a % nd, b = op.b % nd;
        const perm = [...shape.keys()];
        [perm[a], perm[b]] = [perm[b], perm[a]];
        const ns = perm.map((p) => shape[p]);
        return [ns, pick(ns, (idx) => { const o = new Array(nd); perm.forEach((p, i) => (o[p] = idx[i])); return o; }), true];
      }
      case 'permute': {
        const perm = [...shape.keys()];
        let r = op.seed;
        for (let i = nd - 1; i > 0; i--) { const j = r % (i + 1); r = Math.floor(r / (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
        const ns = perm.map((p) => shape[p]);
        return [ns, pick(ns, (idx) => { const o = new Array(nd); perm.forEach((p, i) => (o[p] = idx[i])); return o; }), true];
      }
      case 'narrow': {
        if (nd === 0) return null;
        const d = op.d % nd;
        if (op.start + op.len > shape[d]) return null;
        const ns = shape.slice();
        ns[d] = op.len;
        return [ns, pick(ns, (idx) => idx.map((v, i) => (i === d ? v + op.start : v))), true];
      }
      case 'select': {
        if (nd === 0) return null;
        const d = op.d % nd;
        if (op.i >= shape[d]) return null;
        const ns = shape.filter((_, i) => i !== d);
        return [ns, pick(ns, (idx) => [...idx.slice(0, d), op.i, ...idx.slice(d)]), true];
      }
      case 'unsqueeze': {
        const d = op.d % (nd + 1);
        const ns = [...shape.slice(0, d), 1, ...shape.slice(d)];
        return [ns, map.slice(), true];
      }
      case 'reshape': {
        const n = numel(shape);
        return [n === 0 ? [0] : [n], map.slice(), false];  // may copy: writes need not reach the base
      }
    }
  }

  function applyTensor(t: torch.Tensor, shape: Shape, op: Op): torch.Tensor {
    const nd = shape.length;
    switch (op.kind) {
      case 'transpose': return t.transpose(op.a % nd, op.b % nd);
      case 'permute': {
        const perm = [...shape.keys()];
        let r = op.seed;
        for (let i = nd - 1; i > 0; i--) { const j = r % (i + 1); r = Math.floor(r / (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
        return t.permute(perm);
      }
      case 'narrow': return t.narrow(op.d % nd, op.start, op.len);
      case 'select': return t.select(op.d % nd, op.i);
      case 'unsqueeze': return t.unsqueeze(op.d % (nd + 1));
      case 'reshape': return t.reshape(-1);
    }
  }

  it('chains of views read and write the right elements', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.array(opArb, { minLength: 1, maxLength: 6 }), (base, ops) =>
        torch.tidy(() => {
          const n = numel(base);
          const data = Array.from({ length: n }, (_, i) => i + 1);
          const t = torch.tensor(Float64Array.from(data), { dtype: 'float64' }).reshape(base);
          let shape: Shape = base, map = data.map((_, i) => i), v = t, aliased = true;
          for (const op of ops) {
            const r = applyRef(shape, map, op);
            if (!r) continue;
            v = applyTensor(v, shape, op);
            [shape, map] = [r[0], r[1]];
            aliased = aliased && r[2];
            expect(v.shape).toEqual(shape);
            expect(Array.from(v.contiguous().toTypedArray() as Float64Array)).toEqual(map.map((i) => data[i]));
          }
          if (aliased) {
            v.fill_(-1);
            const want = data.slice();
            for (const i of map) want[i] = -1;
            expect(Array.from(t.toTypedArray() as Float64Array)).toEqual(want);
          }
        }),
      ),
      { numRuns: 300 },
    );
  });
});
