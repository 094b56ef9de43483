// The memory-bound float32 kernels: the AVX2 +, -, *, / and exp, their streaming-store path
// for huge outputs (elementwise_simd.h), and the float32 sum's accuracy on long arrays.
// +, -, *, / are exact IEEE operations: computed in float64 and rounded once to float32 they
// give the correctly rounded float32 result, so the reference here is bit-exact.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from './helpers';

const dist = path.join(__dirname, '..', 'dist', 'cjs', 'index.js');

// A deterministic float32 array with specials sprinkled in (no RNG: the child process must
// build exactly the same one).
function values(n: number, seed: number, specials = true): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) / (1 << 24) - 0.5) * 8;
  }
  if (specials && n > 7) {
    out[1] = NaN;
    out[3] = Infinity;
    out[4] = -Infinity;
    out[5] = -0;
    out[6] = 3e38;
    out[n - 1] = 1e-40;  // subnormal
  }
  return out;
}

const ops: [string, (x: number, y: number) => number][] = [
  ['add', (x, y) => x + y],
  ['sub', (x, y) => x - y],
  ['mul', (x, y) => x * y],
  ['div', (x, y) => x / y],
];

function sameBits(got: Float32Array, want: Float32Array, what: string) {
  expect(got.length).toBe(want.length);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    // NaN payloads may differ; everything else must match bit for bit (-0 included).
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i])))
      throw new Error(`${what}: element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

const f32 = (t: any) => t.contiguous().toTypedArray() as Float32Array;

describe('float32 binary kernels', () => {
  it('match the correctly rounded result for every size, offset and broadcast side', () => {
    const base = values(70200, 1), other = values(70200, 2);
    const A = torch.tensor(base), B = torch.tensor(other);
    // from 4096 elements on, the kernels run the two halves of a range in lockstep
    for (const n of [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 131, 4095, 4096, 4099, 8207, 70001]) {
      for (const off of [0, 1, 3, 5]) {
        const a = A.narrow(0, off, n), b = B.narrow(0, 7 - off, n);
        for (const [name, f] of ops) {
          const want = new Float32Array(n);
          for (let i = 0; i < n; i++) want[i] = f(base[off + i], other[7 - off + i]);
          sameBits(f32((a as any)[name](b)), want, `${name} n=${n} off=${off}`);
          // one side a single element (broadcast), both ways; a 0-dim and a [1] tensor
          const s = other[11];
          const ws = new Float32Array(n), sw = new Float32Array(n);
          for (let i = 0; i < n; i++) {
            ws[i] = f(base[off + i], s);
            sw[i] = f(s, base[off + i]);
          }
          sameBits(f32((a as any)[name](B.narrow(0, 11, 1))), ws, `${name} scalar right n=${n}`);
          sameBits(f32((B.narrow(0, 11, 1).reshape([]) as any)[name](a)), sw, `${name} scalar left n=${n}`);
        }
      }
    }
  });

  it('match on strided and broadcast-row layouts', () => {
    const base = values(64 * 3, 3), other = values(64, 4);
    const m = torch.tensor(base).reshape([64, 3]);
    const v = torch.tensor(other);
    for (const [name, f] of ops) {
      const col = m.select(1, 1);  // stride 3
      const want = new Float32Array(64);
      for (let i = 0; i < 64; i++) want[i] = f(base[i * 3 + 1], other[i]);
      sameBits(f32((col as any)[name](v)), want, `${name} strided`);
      // [3, 64] (transposed view) op [64]: rows broadcast
      const t = m.t();
      const want2 = new Float32Array(3 * 64);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 64; c++) want2[r * 64 + c] = f(base[c * 3 + r], other[c]);
      sameBits(f32((t as any)[name](v)), want2, `${name} transposed`);
    }
  });

  it('keep alpha, in-place on an offset view, and integer/double dtypes on the portable loops', () => {
    const a = torch.tensor(values(40, 5, false)), b = torch.tensor(values(40, 6, false));
    const ar = a.toTypedArray() as Float32Array, br = b.toTypedArray() as Float32Array;
    const want = new Float32Array(40);
    for (let i = 0; i < 40; i++) want[i] = ar[i] + Math.fround(2 * br[i]);
    sameBits(f32(a.add(b, { alpha: 2 })), want, 'add alpha 2');
    const x = a.clone();
    x.narrow(0, 1, 37).add_(b.narrow(0, 2, 37));
    const w2 = Float32Array.from(ar);
    for (let i = 0; i < 37; i++) w2[1 + i] = ar[1 + i] + br[2 + i];
    sameBits(f32(x), w2, 'add_ on an offset view');
    expect(torch.tensor([1, 2, 3], { dtype: 'int32' }).add(torch.tensor([4, 5, 6], { dtype: 'int32' })).tolist()).toEqual([5, 7, 9]);
    expect(torch.tensor([0.1], { dtype: 'float64' }).add(0.2).tolist()[0]).toBe(0.1 + 0.2);
  });
});

describe('float32 exp kernel', () => {
  it('gives the same bits on long ranges (two halves in lockstep) as on short pieces', () => {
    for (const n of [4096, 4099, 8207, 70001]) {
      for (const off of [0, 1, 3]) {
        const x = torch.tensor(values(n + off, 14)).narrow(0, off, n);
        const whole = f32(x.exp());
        for (const start of [0, 5, (n >> 1) - 3, (n >> 1) + 8, n - 37]) sameBits(whole.subarray(start, start + 37), f32(x.narrow(0, start, 37).exp()), `exp n=${n} at ${start}`);
      }
    }
  });

  it('handles specials, overflow, underflow and subnormal results at every tail length', () => {
    const xs = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 88.5, 88.72, 88.73, 89, 100, 1e30, -87.3, -88, -95, -100,
      -103.9, -104, -110, -1e30, 1e-8, -1e-8, 0.34657359, -0.34657359, 20.5, -20.5];
    for (let n = 1; n <= xs.length; n++) {
      for (const off of [0, 1, 2]) {
        const src = new Float32Array(n + off);
        for (let i = 0; i < n; i++) src[off + i] = xs[i];
        const got = f32(torch.tensor(src).narrow(0, off, n).exp());
        for (let i = 0; i < n; i++) {
          const x = Math.fround(xs[i]);
          const w = Math.fround(Math.exp(x));
          if (Number.isNaN(w)) expect(got[i]).toBeNaN();
          else if (!Number.isFinite(w) || w === 0) expect(got[i]).toBe(w);
          else if (w < 1.1754944e-38) expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(2 * 1.401298464e-45);
          else expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-6 * w);
        }
      }
    }
  });
});

// The same computations in a child process whose streaming threshold is 1 byte (every float32
// add/sub/mul/div/exp output streams, from any alignment): the bits must equal the normal path.
describe('streaming stores', () => {
  const script = (sizes: number[]) => `
    const t = require(${JSON.stringify(dist)});
    ${values.toString()}
    const out = [];
    for (const n of ${JSON.stringify(sizes)}) {
      const A = t.tensor(values(n + 8, 7)), B = t.tensor(values(n + 8, 8));
      for (const off of [0, 1, 2, 3, 5, 7]) {
        const a = A.narrow(0, off, n), b = B.narrow(0, 8 - off, n);
        const rs = [a.add(b), a.sub(b), a.mul(b), a.div(b), a.exp(), a.add(B.narrow(0, 0, 1)), B.narrow(0, 0, 1).mul(a)];
        const x = A.clone(); x.narrow(0, off, n).add_(b); rs.push(x);  // an output that starts unaligned
        const y = A.clone(); y.narrow(0, off, n).exp_(); rs.push(y);
        for (const r of rs) out.push(Buffer.from(r.contiguous().toTypedArray().buffer).toString('base64'));
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  const run = (sizes: number[], env: NodeJS.ProcessEnv) =>
    JSON.parse(execFileSync(process.execPath, ['-e', script(sizes)], { env: { ...process.env, ...env }, maxBuffer: 1 << 28 }).toString()) as string[];

  it('give the same bits as normal stores for odd sizes, offsets and in-place outputs', () => {
    const sizes = [1, 5, 8, 13, 31, 64, 65, 1000, 4099, 70001];
    const streamed = run(sizes, { TG_STREAM_MIN_BYTES: '1' });
    const normal = run(sizes, { TG_STREAM_MIN_BYTES: '999999999999' });
    expect(streamed.length).toBe(normal.length);
    for (let i = 0; i < normal.length; i++) if (streamed[i] !== normal[i]) throw new Error(`result ${i} differs`);
  });

  it('computes a huge add and exp (over the default threshold, 2 x L3 = 64 MiB here) exactly', () => {
    const n = (17 << 20) + 3;
    const av = values(n, 9, false), bv = values(n, 10, false);
    const m = n - 3;  // views at offsets 1 and 2: unaligned inputs
    const a = torch.tensor(av).narrow(0, 1, m), b = torch.tensor(bv).narrow(0, 2, m);
    const s = f32(a.add(b));
    for (let i = 0; i < m; i++) if (s[i] !== Math.fround(av[1 + i] + bv[2 + i])) throw new Error(`add element ${i}`);
    // exp of the huge array equals exp of small pieces of it (which never stream)
    const e = f32(a.exp());
    for (const start of [0, 1, 4097, (5 << 20) + 11, m - 37]) {
      const piece = f32(a.narrow(0, start, 37).exp());
      sameBits(e.subarray(start, start + 37), piece, `exp piece at ${start}`);
    }
  });
});

// Cascade-quality accuracy: the error stays within the float32 rounding of the result plus
// two float32 epsilons of the sum of |x| (a plain float32 running sum is off by hundreds of
// those on 1M elements with a non-zero mean).
describe('float32 sum accuracy', () => {
  const bound = (ref: number, abs: number) => 2 ** -23 * Math.abs(ref) + 2 ** -22 * abs;
  it('stays close to the float64 sum on long arrays', () => {
    for (const n of [1, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025, 65537, 1 << 20, (1 << 22) + 5]) {
      const v = values(n, 11, false);
      for (let i = 0; i < n; i++) v[i] = v[i] + 1;  // a non-zero mean: naive float accumulation drifts
      let ref = 0, abs = 0;
      for (let i = 0; i < n; i++) ref += v[i], abs += Math.abs(v[i]);
      for (const off of [0, 1]) {
        if (off >= n) continue;
        let r = ref, ab = abs;
        if (off) r -= v[0], ab -= Math.abs(v[0]);
        const got = torch.tensor(v).narrow(0, off, n - off).sum().item() as number;
        if (!(Math.abs(got - r) <= bound(r, ab))) throw new Error(`n=${n} off=${off}: ${got} vs ${r}`);
      }
    }
  });
  it('stays close to the float64 sum along rows and columns', () => {
    for (const [rows, cols] of [[37, 4099], [4, 100000], [300, 64], [1, 5]]) {
      const v = values(rows * cols, 12, false);
      for (let i = 0; i < v.length; i++) v[i] = v[i] + 0.5;
      const m = torch.tensor(v).reshape([rows, cols]);
      const r1 = m.sum(1).toTypedArray() as Float32Array;
      for (let r = 0; r < rows; r++) {
        let ref = 0, abs = 0;
        for (let c = 0; c < cols; c++) ref += v[r * cols + c], abs += Math.abs(v[r * cols + c]);
        if (!(Math.abs(r1[r] - ref) <= bound(ref, abs))) throw new Error(`[${rows},${cols}].sum(1)[${r}]: ${r1[r]} vs ${ref}`);
      }
      const r0 = m.sum(0).toTypedArray() as Float32Array;
      for (let c = 0; c < cols; c++) {
        let ref = 0, abs = 0;
        for (let r = 0; r < rows; r++) ref += v[r * cols + c], abs += Math.abs(v[r * cols + c]);
        if (!(Math.abs(r0[c] - ref) <= bound(ref, abs))) throw new Error(`[${rows},${cols}].sum(0)[${c}]: ${r0[c]} vs ${ref}`);
      }
    }
  });
  it('keeps a NaN or an infinity in its own row when rows are summed 4 at a time', () => {
    const rows = 9, cols = 1000;
    const v = values(rows * cols, 13, false);
    v[2 * cols + 500] = NaN;
    v[5 * cols + 7] = Infinity;
    v[6 * cols + 999] = -Infinity;
    const got = torch.tensor(v).reshape([rows, cols]).sum(1).toTypedArray() as Float32Array;
    for (let r = 0; r < rows; r++) {
      if (r === 2) expect(got[r]).toBeNaN();
      else if (r === 5) expect(got[r]).toBe(Infinity);
      else if (r === 6) expect(got[r]).toBe(-Infinity);
      else expect(Number.isFinite(got[r])).toBe(true);
    }
  });
});
