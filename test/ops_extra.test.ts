// The extra tensor ops (native/ops/ops_extra.h) against PyTorch 1.13
// (test/fixtures/ops_extra.json, made by scripts/fixtures/ops_extra.py): values and dtypes,
// grad_fn names, error texts, gradients vs PyTorch's, and gradients vs finite differences
// in float64 (torch.autograd.gradcheck). Then the view, in-place and autograd rules that a
// fixture cannot show: diagonal/unbind share storage, in-place writes bump versions and
// rebase history, leaves refuse in-place writes.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, expectClose, fromEnc, Encoded } from './helpers';

type Tensor = torch.Tensor;
type Arg = { t?: Encoded; i?: Encoded; s?: number; v?: any };
interface Case {
  op: string;
  args: Arg[];
  note: string;
  out?: Encoded | Encoded[];
  error?: string;
  grad_fn?: string | null;
  gout?: (Encoded | null)[];
  grads?: (Encoded | null)[];
}

const fixture = loadFixture<Case>('ops_extra.json');

// The tensor behind x for an in-place op: a recorded copy when x requires grad (as x * 1 in
// the fixture script), else a clone.
const fresh = (x: Tensor): Tensor => (x.requiresGrad ? x.mul(1) : x.clone());
type Result = Tensor | Tensor[] | { values: Tensor; indices: Tensor };
const INPLACE_UNARY = ['exp', 'log', 'sqrt', 'abs', 'neg', 'relu', 'sigmoid', 'tanh', 'sin', 'cos', 'rsqrt', 'reciprocal',
  'log1p', 'square', 'sign', 'floor', 'round', 'ceil', 'trunc', 'frac', 'expm1', 'erf', 'asin', 'atan', 'sinh', 'cosh',
  'log2', 'erfinv'];
const UNARY: Record<string, string> = {
  floor: 'floor', ceil: 'ceil', round: 'round', trunc: 'trunc', frac: 'frac', expm1: 'expm1', exp2: 'exp2', log2: 'log2',
  log10: 'log10', asin: 'asin', acos: 'acos', atan: 'atan', sinh: 'sinh', cosh: 'cosh', erf: 'erf', erfc: 'erfc',
  erfinv: 'erfinv', isnan: 'isnan', isinf: 'isinf', isfinite: 'isfinite', logical_not: 'logicalNot',
};

const OPS: Record<string, (...a: any[]) => Result> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([py, js]) => [py, (x: Tensor) => (torch as any)[js](x)])),
  ...Object.fromEntries(INPLACE_UNARY.map((n) => [`${n}_`, (x: Tensor) => (fresh(x) as any)[`${n}_`]()])),
  round_decimals: (x, d) => torch.round(x, { decimals: d }),
  pow_: (x, e) => fresh(x).pow_(e),
  atan2: (a, b) => torch.atan2(a, b),
  fmod: (a, b) => torch.fmod(a, b),
  remainder: (a, b) => torch.remainder(a, b),
  floor_divide: (a, b) => torch.floorDivide(a, b),
  floor_divide_grad: (a, b) => {
    const x = a.detach().requiresGrad_();
    return torch.autograd.grad(torch.floorDivide(x, b).sum(), x) as Tensor[];
  },
  logical_and: (a, b) => torch.logicalAnd(a, b),
  logical_or: (a, b) => torch.logicalOr(a, b),
  logical_xor: (a, b) => torch.logicalXor(a, b),
  lerp: (a, b, w) => torch.lerp(a, b, w),
  addcmul: (a, b, c, v) => torch.addcmul(a, b, c, { value: v }),
  addcdiv: (a, b, c, v) => torch.addcdiv(a, b, c, { value: v }),
  addcmul_: (a, b, c, v) => a.mul(1).addcmul_(b, c, { value: v }),
  addcdiv_: (a, b, c, v) => a.mul(1).addcdiv_(b, c, { value: v }),
  lerp_: (a, b, w) => a.mul(1).lerp_(b, w),
  isclose: (a, b, rtol, atol, en) => torch.isclose(a, b, rtol, atol, en),
  any: (x, d, k) => (d === null ? torch.any(x) : torch.any(x, d, k)),
  all: (x, d, k) => (d === null ? torch.all(x) : torch.all(x, d, k)),
  count_nonzero: (x, d) => torch.countNonzero(x, d),
  cumsum: (x, d) => torch.cumsum(x, d),
  cumsum_f64: (x, d) => torch.cumsum(x, d, { dtype: 'float64' }),
  cumprod: (x, d) => torch.cumprod(x, d),
  sort: (x, d, desc) => torch.sort(x, { dim: d, descending: desc, stable: true }),
  sort_default: (x, d) => torch.sort(x, d),
  argsort: (x, d, desc) => torch.argsort(x, d, desc),
  topk: (x, k, d, largest) => torch.topk(x, k, d, largest),
  median: (x) => torch.median(x),
  median_dim: (x, d, k) => torch.median(x, d, k),
  kthvalue: (x, k, d, kd) => torch.kthvalue(x, k, d, kd),
  cummax: (x, d) => torch.cummax(x, d),
  cummin: (x, d) => torch.cummin(x, d),
  flip: (x, d) => torch.flip(x, d),
  roll: (x, s, d) => torch.roll(x, s, d),
  repeat: (x, s) => x.repeat(...s),
  tile: (x, s) => torch.tile(x, s),
  tril: (x, k) => torch.tril(x, k),
  triu: (x, k) => torch.triu(x, k),
  masked_fill: (x, m, v) => torch.maskedFill(x, m, v),
  masked_fill_: (x, m, v) => fresh(x).maskedFill_(m, v),
  masked_select: (x, m) => torch.maskedSelect(x, m),
  nonzero: (x) => torch.nonzero(x),
  diag: (x, k) => torch.diag(x, k),
  diagonal: (x, o, d1, d2) => torch.diagonal(x, o, d1, d2),
  trace: (x) => torch.trace(x),
  unbind: (x, d) => torch.unbind(x, d),
  movedim: (x, s, d) => torch.movedim(x, s, d),
  scatter: (x, d, i, s) => x.scatter(d, i, s),
  scatter_add: (x, d, i, s) => x.scatterAdd(d, i, s),
  index_add: (x, d, i, s, a) => torch.indexAdd(x, d, i, s, { alpha: a }),
  scatter_: (x, d, i, s) => fresh(x).scatter_(d, i, s),
  scatter_add_: (x, d, i, s) => fresh(x).scatterAdd_(d, i, s),
  index_add_: (x, d, i, s, a) => fresh(x).indexAdd_(d, i, s, { alpha: a }),
};

function decode(a: Arg, grad: boolean): any {
  if (a.t) return fromEnc(a.t, { requiresGrad: grad && (a.t.dtype === 'float32' || a.t.dtype === 'float64') });
  if (a.i) return fromEnc(a.i);
  if (a.s !== undefined) return typeof a.s === 'string' ? Number(a.s) : a.s;
  return a.v;
}

function outputs(r: Result): Tensor[] {
  if (r instanceof torch.Tensor) return [r];
  if (Array.isArray(r)) return r;
  return [r.values, r.indices];
}

function label(c: Case, i: number): string {
  const shapes = c.args.map((a) => (a.t ? `${a.t.dtype}[${a.t.shape}]` : a.i ? `idx[${a.i.shape}]` : JSON.stringify(a.s ?? a.v)));
  return `#${i} ${c.op}(${shapes.join(', ')})${c.note ? ` ${c.note}` : ''}`;
}

function tol(e: Encoded): { rtol: number; atol: number } {
  return e.dtype === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 2e-6, atol: 1e-6 };
}

describe('extra ops forward vs PyTorch', () => {
  it('has a fixture from PyTorch 1.13', () => {
    expect(fixture.torch.startsWith('1.13')).toBe(true);
    expect(fixture.cases.length).toBeGreaterThan(400);
  });
  fixture.cases.forEach((c, i) => {
    it(label(c, i), () => {
      const fn = OPS[c.op];
      expect(fn, `no tensorgrad op for ${c.op}`).toBeDefined();
      const args = c.args.map((a) => decode(a, false));
      if (c.error !== undefined) {
        expect(() => fn(...args)).toThrow(c.error);
        return;
      }
      const outs = outputs(fn(...args));
      const want = Array.isArray(c.out) ? c.out : [c.out!];
      expect(outs.length).toBe(want.length);
      outs.forEach((o, k) => expectClose(o, want[k], tol(want[k])));
      const g = outputs(fn(...c.args.map((a) => decode(a, true))));
      expect(g[0].gradFn?.name ?? null).toBe(c.grad_fn ?? null);
    });
  });
});

describe('extra ops gradients vs PyTorch and finite differences', () => {
  fixture.cases.filter((c) => c.grads).forEach((c, i) => {
    it(label(c, i), () => {
      const fn = OPS[c.op];
      const args = c.args.map((a) => decode(a, true));
      const leaves = args.map((a, k) => (a instanceof torch.Tensor && a.requiresGrad ? k : -1)).filter((k) => k >= 0);
      const outs = outputs(fn(...args));
      const used = outs.map((o, k) => [o, c.gout![k]] as const).filter(([, go]) => go);
      const grads = torch.autograd.grad(used.map(([o]) => o), leaves.map((k) => args[k]), {
        gradOutputs: used.map(([, go]) => fromEnc(go!)),
        allowUnused: true,
      });
      leaves.forEach((k, j) => {
        const want = c.grads![k];
        if (want === null) expect(grads[j]).toBeNull();
        // float32 gradients (a float64 result of a float32 input) may differ in the last bit.
        else expectClose(grads[j]!, want, want.dtype === 'float64' ? { rtol: 1e-9, atol: 1e-10 } : { rtol: 1e-6, atol: 1e-7 });
      });
      // Finite differences: every differentiable output, each leaf in turn (not where the
      // function has no derivative: at ties, the median jumps), in float64 only.
      if (c.note.includes('ties') || leaves.some((k) => args[k].dtype !== 'float64')) return;
      const others = (xs: Tensor[]) => args.map((a, k) => (leaves.includes(k) ? xs[leaves.indexOf(k)] : a));
      const f = (...xs: Tensor[]) => outputs(fn(...others(xs))).filter((o) => o.isFloatingPoint());
      expect(torch.autograd.gradcheck(f, leaves.map((k) => args[k]))).toBe(true);
    });
  });
});

describe('extra ops: views, in-place rules, autograd details', () => {
  it('diagonal is a view: writes show through, and its gradient lands on the diagonal', () => {
    const x = torch.zeros(3, 3);
    const d = x.diagonal();
    d.fill_(2);
    expect(x.tolist()).toEqual([[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
    const a = torch.ones(2, 3, { requiresGrad: true });
    a.diagonal(1).sum().backward();
    expect(a.grad!.tolist()).toEqual([[0, 1, 0], [0, 0, 1]]);
  });

  it('unbind gives views from one node; an in-place write to one is refused as PyTorch does', () => {
    const x = torch.arange(6, { dtype: 'float64' }).reshape(2, 3).requiresGrad_();
    const y = x.mul(1);
    const parts = y.unbind(1);
    expect(parts.map((p) => p.gradFn!.name)).toEqual(['UnbindBackward0', 'UnbindBackward0', 'UnbindBackward0']);
    parts[1].sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 1, 0], [0, 1, 0]]);
    expect(() => parts[0].mul_(2)).toThrow(
      'Output 0 of UnbindBackward0 is a view and is being modified inplace. This view is the output of a function that returns multiple views.',
    );
  });

  it('in-place unary ops refuse a leaf that requires grad, and bump the version counter', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    expect(() => x.exp_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    const y = torch.tensor([1, 2]);
    const v = y._version;
    y.floor_();
    expect(y._version).toBe(v + 1);
  });

  it("exp_ saves its output: a later write makes backward fail with PyTorch's message", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(1);
    y.exp_();
    y.mul_(2);
    expect(() => y.sum().backward()).toThrow('one of the variables needed for gradient computation has been modified by an inplace operation');
  });

  it('in-place through a view rebases the base history (CopySlices)', () => {
    const x = torch.tensor([[0.5, 1], [2, 3]], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(1);
    y.index(0).exp_();
    expect(y.gradFn!.name).toBe('CopySlices');
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([[Math.exp(0.5), Math.exp(1)], [1, 1]]);
    const z = x.mul(1);
    z.index(1).maskedFill_(torch.tensor([true, false]), 0);
    z.sum().backward();
    expect(x.grad!.tolist()).toEqual([[Math.exp(0.5) + 1, Math.exp(1) + 1], [1, 2]]);
  });

  it('second derivatives through the new formulas (createGraph)', () => {
    const x = torch.tensor([0.3, -0.7], { dtype: 'float64', requiresGrad: true });
    for (const [f, d2] of [
      [(t: Tensor) => t.erf(), (v: number) => (-4 * v / Math.sqrt(Math.PI)) * Math.exp(-v * v)],
      [(t: Tensor) => t.sinh(), (v: number) => Math.sinh(v)],
      [(t: Tensor) => t.atan(), (v: number) => (-2 * v) / (1 + v * v) ** 2],
      [(t: Tensor) => t.cumprod(0).sum(), null],
    ] as const) {
      const [g] = torch.autograd.grad(f(x).sum(), x, { createGraph: true });
      const [gg] = torch.autograd.grad(g!.sum(), x);
      if (d2) (gg!.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(d2([0.3, -0.7][i]), 10));
      else expect(gg!.tolist()).toEqual([1, 1]);  // d2/dx0dx1 (x0 + x0 x1) = 1, symmetric
    }
  });

  it('namespace functions and aliases exist for every method', () => {
    const x = torch.tensor([[1.5, -2.5], [0.5, 3]]);
    expect(torch.fix(x).tolist()).toEqual(x.trunc().tolist());
    expect(torch.arcsin(x.mul(0.1)).tolist()).toEqual(x.mul(0.1).asin().tolist());
    expect(torch.moveaxis(x, 0, 1).shape).toEqual([2, 2]);
    expect(torch.fliplr(x).tolist()).toEqual([[-2.5, 1.5], [3, 0.5]]);
    expect(torch.flipud(x).tolist()).toEqual([[0.5, 3], [1.5, -2.5]]);
    expect(torch.allclose(x, x.add(1e-7))).toBe(true);
    expect(torch.allclose(x, x.add(1e-3))).toBe(false);
    expect(torch.equal(x, x.clone())).toBe(true);
    expect(torch.equal(x, x.reshape(4))).toBe(false);
    expect(x.typeAs(torch.tensor([1], { dtype: 'int64' })).dtype).toBe('int64');
    expect(x.double().newZeros(2, 3).dtype).toBe('float64');
    expect(x.newOnes([1]).tolist()).toEqual([1]);
    expect(x.newFull([2], 7).tolist()).toEqual([7, 7]);
  });

  it('bad arguments are TypeErrors or RangeErrors, never crashes', () => {
    const x = torch.ones(2, 3);
    expect(() => x.flip('a' as any)).toThrow(TypeError);
    expect(() => x.cumsum(5)).toThrow(RangeError);
    expect(() => x.topk(1.5)).toThrow(TypeError);
    expect(() => x.scatter(0, torch.tensor([[5]], { dtype: 'int64' }), 1)).toThrow(RangeError);
    expect(() => x.maskedFill(x as any, 'a' as any)).toThrow(TypeError);
    expect(() => x.roll([1, 2], [0])).toThrow('shifts and dimensions must align. shifts: 2, dims:1');
  });
});
