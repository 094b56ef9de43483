// The random streams are PyTorch's: after the same manualSeed, the same sequence of calls
// gives the same tensors as PyTorch 1.13 (test/fixtures/rng.json, scripts/fixtures/rng.py).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { torch, loadFixture, fromEnc, flat } from './helpers';

const fixture = loadFixture('rng.json');
const { nn } = torch;
const F = nn.functional;

function call(c: any[]): torch.Tensor {
  const [kind, ...a] = c;
  switch (kind) {
    case 'randn': return torch.randn(a[0], { dtype: a[1] });
    case 'rand': return torch.rand(a[0], { dtype: a[1] });
    case 'randint': return torch.randint(a[0], a[1], a[2], { dtype: a[3] });
    case 'randperm': return torch.randperm(a[0]);
    case 'uniform_': return torch.empty(a[0], { dtype: a[3] }).uniform_(a[1], a[2]);
    case 'normal_': return torch.empty(a[0], { dtype: a[3] }).normal_(a[1], a[2]);
    case 'bernoulli_': return torch.empty(a[0]).bernoulli_(a[1]);
    case 'dropout': return F.dropout(torch.ones(a[0]), a[1]);
    case 'linear': {
      const m = new nn.Linear(a[0], a[1]);
      return torch.cat([m.weight.detach().reshape(-1), m.bias!.detach()]);
    }
    case 'conv2d': {
      const m = new nn.Conv2d(a[0], a[1], a[2]);
      return torch.cat([m.weight.detach().reshape(-1), m.bias!.detach()]);
    }
  }
  throw new Error(`unknown call ${kind}`);
}

// The float arithmetic of some distributions follows the CPU capability ATen dispatches to
// (native/ops/random.cc). On a machine whose capability is the fixture's, every value is
// exact except the emulated AVX2 float normals (about 1 in 1,000 off by one ulp); elsewhere
// values may differ in the last bits, float normals by up to ~2e-6.
const fixtureCap: string = fixture.cases.find((c: any) => c.name === 'capability').capability;
function machineCap(): string {
  let flags = '';
  try {
    flags = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags')) ?? '';
  } catch {
    return 'unknown';
  }
  const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
  if (has('avx512vl') && has('avx512bw') && has('avx512dq') && has('fma')) return 'AVX512';
  if (has('avx2') && has('fma')) return 'AVX2';
  return 'DEFAULT';
}
const sameCap = !process.env.ATEN_CPU_CAPABILITY && machineCap() === fixtureCap;
const floatNormals = (c: any[]) => (c[0] === 'randn' || c[0] === 'normal_') && c[c.length - 1] === 'float32' &&
  c[1].reduce((n: number, d: number) => n * d, 1) >= 16;

describe('manualSeed reproduces PyTorch 1.13 streams', () => {
  it.each(fixture.cases.filter((c: any) => c.calls).map((c: any) => [c.name, c]))('%s', (_n, c: any) => {
    torch.manualSeed(c.seed);
    c.calls.forEach((cl: any[], i: number) => {
      const got = call(cl), want = fromEnc(c.outs[i]);
      expect(got.shape).toEqual(want.shape);
      expect(got.dtype).toBe(want.dtype);
      const g = flat(got), w = flat(want);
      if (!sameCap || floatNormals(cl)) {
        const tol = floatNormals(cl) ? (sameCap ? 2.5e-7 : 4e-6) : 1e-6;
        g.forEach((v, k) => expect(Math.abs(v - w[k])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[k]))));
        if (sameCap) expect(g.filter((v, k) => v !== w[k]).length).toBeLessThanOrEqual(Math.ceil(g.length / 100));
      } else {
        expect(g).toEqual(w);
      }
    });
  });
});

describe('generator API', () => {
  it('initialSeed reports the seed; seed() reseeds from the OS', () => {
    torch.manualSeed(1234);
    expect(torch.initialSeed()).toBe(1234n);
    const s = torch.seed();
    expect(typeof s).toBe('bigint');
    expect(torch.initialSeed()).toBe(s);
  });
  it('re-seeding restarts the stream, including a cached normal', () => {
    torch.manualSeed(9);
    const a = torch.randn(3).tolist();
    torch.manualSeed(9);
    expect(torch.randn(3).tolist()).toEqual(a);
  });
  it("in-place fills check their arguments with PyTorch's messages", () => {
    expect(() => torch.zeros(3).uniform_(1, 0)).toThrow('uniform_ expects to return a [from, to) range, but found from=1 > to=0');
    expect(() => torch.zeros(3).normal_(0, -1)).toThrow('normal expects std >= 0.0, but found std -1');
    expect(() => torch.zeros(3).bernoulli_(1.5)).toThrow('bernoulli_ expects p to be in [0, 1], but got p=1.5');
    expect(() => torch.zeros(3, { dtype: 'int64' }).uniform_()).toThrow(`"check_uniform_bounds" not implemented for 'Long'`);
    expect(() => torch.zeros(3, { requiresGrad: true }).uniform_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => torch.randperm(-1)).toThrow('Trying to create tensor with negative dimension -1: [-1]');
  });
  it('a random fill in the graph passes a zero gradient (UniformBackward0)', () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.mul(2);
    y.uniform_();
    expect(y.gradFn!.name).toBe('UniformBackward0');
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  });
  it('fills a non-contiguous view element by element in row-major order', () => {
    torch.manualSeed(3);
    const want = torch.rand(6).tolist();
    const base = torch.zeros(3, 2);
    torch.manualSeed(3);
    base.t().uniform_();
    expect(base.t().reshape(6).tolist()).toEqual(want);
  });
});

describe('torch.Generator and torch.utils.data draw as PyTorch does', () => {
  const byName = (n: string) => fixture.cases.find((c: any) => c.name === n);
  const close = (got: torch.Tensor, want: any) => {
    const g = flat(got), w = flat(fromEnc(want));
    expect(got.shape).toEqual(fromEnc(want).shape);
    g.forEach((v, k) => expect(Math.abs(v - w[k])).toBeLessThanOrEqual(4e-6 * Math.max(1, Math.abs(w[k]))));
  };
  it('a Generator is an independent stream; the default one is untouched by it', () => {
    const c = byName('generator');
    expect(new torch.Generator().initialSeed()).toBe(BigInt(c.default_initial_seed));
    torch.manualSeed(0);
    const g = new torch.Generator().manualSeed(5);
    const outs = [torch.randn(5, { generator: g }), torch.randn(3), torch.rand(3, { generator: g }),
      torch.randint(0, 10, [4], { generator: g }), torch.randperm(8, { generator: g }),
      torch.empty(20).normal_(0, 1, { generator: g }), torch.empty(4).uniform_(-1, 1, { generator: g }),
      torch.empty(6).bernoulli_(0.5, { generator: g }), torch.randn(3)];
    outs.forEach((t, i) => close(t, c.outs[i]));
    expect(g.initialSeed()).toBe(5n);
  });
  it('getState / setState and getRngState / setRngState replay a stream', () => {
    const g = new torch.Generator().manualSeed(7);
    const s = g.getState();
    const a = torch.rand(4, { generator: g }).tolist();
    g.setState(s);
    expect(torch.rand(4, { generator: g }).tolist()).toEqual(a);
    const d = torch.getRngState();
    const b = torch.randn(20).tolist();
    torch.setRngState(d);
    expect(torch.randn(20).tolist()).toEqual(b);
    expect(() => g.setState(new Uint8Array(3))).toThrow(/setState expects a state/);
    expect(() => torch.rand(2, { generator: {} as any })).toThrow(/generator must be a torch.Generator/);
  });
  it('DataLoader batches, shuffles and consumes the default stream as PyTorch', () => {
    const c = byName('dataloader');
    const { DataLoader, TensorDataset, randomSplit } = torch.utils.data;
    const ds = new TensorDataset(torch.arange(10), torch.arange(10).mul(10));
    torch.manualSeed(0);
    for (const p of c.passes) {
      const loader = new DataLoader(ds, { batchSize: 4, shuffle: p.shuffle, dropLast: p.dropLast });
      expect(loader.length).toBe(p.batches.length);
      expect([...loader].map((b: torch.Tensor[]) => [b[0].tolist(), b[1].tolist()])).toEqual(p.batches);
    }
    close(torch.randn(3), c.after);
    const g = new torch.Generator().manualSeed(3);
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: g });
    expect([0, 1].map(() => [...loader].map((b: torch.Tensor[]) => b[0].tolist()))).toEqual(c.with_generator);
    const range = Array.from({ length: 10 }, (_, i) => i);
    torch.manualSeed(1);
    expect(randomSplit(range, [0.7, 0.3]).map((s) => s.indices)).toEqual(c.splits);
    expect(randomSplit(range, [5, 3, 2], { generator: new torch.Generator().manualSeed(4) }).map((s) => s.indices)).toEqual(c.splits_gen);
  });
  it('collates numbers, arrays and objects; checks its arguments', () => {
    const { DataLoader, defaultCollate } = torch.utils.data;
    const batch = defaultCollate([{ x: [1, 2.5], y: 3 }, { x: [4, 5], y: 6 }]);
    expect(batch.x[1].dtype).toBe('float64');
    expect(batch.y.dtype).toBe('int64');
    expect(batch.y.tolist()).toEqual([3, 6]);
    expect([...new DataLoader([10, 20, 30], { batchSize: null })]).toEqual([10, 20, 30]);
    expect(() => new DataLoader([1], { batchSize: 0 })).toThrow('batch_size should be a positive integer value, but got batch_size=0');
    expect(() => torch.utils.data.randomSplit([1, 2, 3], [1, 1])).toThrow('Sum of input lengths does not equal the length of the input dataset!');
  });
});
