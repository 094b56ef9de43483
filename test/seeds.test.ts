// The five seed tutorials (../shared/seeds), as code.
//
// 1. Each script in examples/seeds/ prints, snippet by snippet, exactly what the same code
//    prints in PyTorch 1.13 (test/fixtures/autograd.json, kind "seed", made by
//    scripts/fixtures/autograd.py, which holds each snippet's Python twin). Where a seed's
//    page shows something else, PyTorch wins and the script says why in a comment.
// 2. The values, gradients and errors behind those prints, asserted without going through
//    the printed repr.
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture, torch } from './helpers';
// @ts-ignore: plain .mjs examples
import { setSink } from '../examples/seeds/_python.mjs';

const fx = loadFixture('autograd.json');
const seedLines = new Map<string, string[]>(fx.cases.filter((c: any) => c.kind === 'seed').map((c: any) => [c.name, c.lines]));

const scripts = [
  '000_autograd_intro.mjs',
  '001_autograd_module.mjs',
  '002_d2l_autograd.mjs',
  '003_derivatives.mjs',
  '004_autograd_internals.mjs',
];

afterEach(() => setSink());

// Snippets whose numbers are compared with a relative tolerance instead of digit for digit.
// The regression at lr 0.1 diverges: every step multiplies the rounding differences of the
// float32 reductions (PyTorch's vectorized summation order is not reproduced bit for bit),
// so after 100 steps the ~1e28 loss agrees with PyTorch's to about 1e-6, not in every digit.
// seed004_graph prints z.item() at full precision: torch.dot runs OpenBLAS's sdot, whose
// vector-lane summation order is not reproduced here, so z differs in the last float32 bit
// (PyTorch 1.4000000953674316, tensorgrad 1.399999976158142); every 4-digit value agrees.
const numericTolerance: Record<string, number> = { seed001_regression: 1e-5, seed004_graph: 1e-6 };

function expectLinesClose(got: string[], want: string[], rtol: number): void {
  const num = /-?\d+(?:\.\d+)?(?:e[-+]\d+)?/g;
  expect(got.map((l) => l.replace(num, '#'))).toEqual(want.map((l) => l.replace(num, '#')));
  got.forEach((line, i) => {
    const g = (line.match(num) ?? []).map(Number), w = (want[i].match(num) ?? []).map(Number);
    g.forEach((v, k) => expect(Math.abs(v - w[k])).toBeLessThanOrEqual(rtol * Math.abs(w[k])));
  });
}

describe('the seed scripts print what PyTorch prints', async () => {
  const covered: string[] = [];
  for (const file of scripts) {
    const mod = await import(`../examples/seeds/${file}`);
    describe(file, () => {
      for (const [name, fn] of Object.entries(mod.snippets as Record<string, () => void>)) {
        covered.push(name);
        it(name, () => {
          const lines: string[] = [];
          setSink((l: string) => lines.push(...l.split('\n')));
          fn();
          if (name in numericTolerance) expectLinesClose(lines, seedLines.get(name)!, numericTolerance[name]);
          else expect(lines).toEqual(seedLines.get(name));
        });
      }
    });
  }
  it('every seed snippet of the fixture has its script', () => {
    expect(covered.sort()).toEqual([...seedLines.keys()].sort());
  });
});

// ---------------------------------------------------------------------------------------
// The same examples, asserted value by value.

const vals = (t: torch.Tensor | null) => t!.tolist();

describe('seed 000: derivative of x² at 3', () => {
  it('f(3) = 9 recorded as PowBackward0; f\'(3) = 6', () => {
    const x = torch.tensor(3.0, { requiresGrad: true });
    const f = x.pow(2);
    expect(f.item()).toBe(9);
    expect(f.gradFn!.name).toBe('PowBackward0');
    f.backward();
    expect(x.grad!.item()).toBe(6);
    expect(x.grad!.requiresGrad).toBe(false);
  });
});

describe('seed 001: torch.autograd step by step', () => {
  it('a leaf that requires grad refuses t[0] = 10; its detached alias writes through', () => {
    const t = torch.tensor([1, 2, 3], { requiresGrad: true });
    expect(() => t.set(0, 10)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
    const t1 = t.detach();
    t1.set(0, 10);
    expect(vals(t1)).toEqual([10, 2, 3]);
    expect(vals(t)).toEqual([10, 2, 3]);
    expect(t.requiresGrad).toBe(true);
    expect(t1.requiresGrad).toBe(false);
  });

  it('integer tensors cannot require grad', () => {
    expect(() => torch.tensor([1, 2, 3], { dtype: 'int64', requiresGrad: true })).toThrow(
      'Only Tensors of floating point and complex dtype can require gradients',
    );
  });

  it('gradients of x², mean, scalar and vector sums', () => {
    const x = torch.tensor(2.0, { requiresGrad: true });
    x.pow(2).backward();
    expect(x.grad!.item()).toBe(4);

    const m = torch.tensor([1, 2, 3], { requiresGrad: true });
    m.pow(2).mean().backward();
    const g = vals(m.grad);
    [2 / 3, 4 / 3, 2].forEach((w, i) => expect(g[i]).toBeCloseTo(w, 6));

    const x1 = torch.tensor(2, { requiresGrad: true });
    const x2 = torch.tensor(3, { requiresGrad: true });
    x1.pow(2).add(x2.pow(2)).backward();
    expect([x1.grad!.item(), x2.grad!.item()]).toEqual([4, 6]);

    const v1 = torch.tensor([1, 2, 3], { requiresGrad: true });
    const v2 = torch.tensor([2, 3, 4], { requiresGrad: true });
    v1.pow(2).add(torch.mul(2, v2)).sum().backward();
    expect(vals(v1.grad)).toEqual([2, 4, 6]);
    expect(vals(v2.grad)).toEqual([2, 2, 2]);
  });

  it('noGrad: results do not require grad', () => {
    const x = torch.tensor(5.0, { requiresGrad: true });
    expect(torch.noGrad(() => x.pow(2)).requiresGrad).toBe(false);
    expect(x.pow(2).requiresGrad).toBe(true);
  });

  it('zeroing the gradient each epoch gives [2, 4, 6] every time', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    for (let epoch = 0; epoch < 5; epoch++) {
      const z = x.pow(2).sum();
      if (x.grad !== null) x.grad.zero_();
      z.backward();
      expect(vals(x.grad)).toEqual([2, 4, 6]);
    }
  });

  it('gradient descent on x² shrinks x by 0.8 per step, in float32', () => {
    const x = torch.tensor(3.0, { requiresGrad: true });
    const want = Math.fround(3);
    let expected = want;
    for (let epoch = 0; epoch < 50; epoch++) {
      const y = x.pow(2);
      if (x.grad !== null) x.grad.zero_();
      y.backward();
      torch.noGrad(() => x.sub_(torch.mul(0.1, x.grad!)));
      expected = Math.fround(expected - Math.fround(Math.fround(0.1) * Math.fround(2 * expected)));
      expect(x.item()).toBe(expected);
    }
    expect(x.item()).toBe(4.2817431676667184e-5); // PyTorch's last printed value
  });

  it('the linear regression at lr 0.1 diverges, as it does in PyTorch (the seed claims a ≈ 2, b ≈ 1)', () => {
    const x = torch.tensor([1, 2, 3, 4, 5]);
    const y = torch.tensor([3, 5, 7, 9, 11]);
    const a = torch.tensor([1], { requiresGrad: true });
    const b = torch.tensor([1], { requiresGrad: true });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 100; epoch++) {
      const loss = a.mul(x).add(b).sub(y).pow(2).mean();
      if (a.grad !== null && b.grad !== null) {
        a.grad.zero_();
        b.grad.zero_();
      }
      loss.backward();
      torch.noGrad(() => {
        a.sub_(torch.mul(0.1, a.grad!));
        b.sub_(torch.mul(0.1, b.grad!));
      });
      if ((epoch + 1) % 10 === 0) losses.push(loss.item() as number);
    }
    // PyTorch: 3020.7896 after 10 epochs ... 7.449779870375595e27 after 100; a, b end at
    // -33038608105472 and -9151163924480.
    const pt = [3020.7896, 1550043.375, 795369408, 408125767680, 209420457869312, 107459239932329984,
      55140217861896667136, 28293929961149737992192, 14518387713533614273593344, 7449779870375595263567855616];
    losses.forEach((l, i) => expect(Math.abs(l - pt[i]) / pt[i]).toBeLessThan(1e-4));
    expect(Math.abs((a.item() as number) / -33038608105472 - 1)).toBeLessThan(1e-4);
    expect(Math.abs((b.item() as number) / -9151163924480 - 1)).toBeLessThan(1e-4);
  });

  it('with lr 0.01 the same loop does reach a ≈ 2, b ≈ 1', () => {
    const x = torch.tensor([1, 2, 3, 4, 5]);
    const y = torch.tensor([3, 5, 7, 9, 11]);
    const a = torch.tensor([1], { requiresGrad: true });
    const b = torch.tensor([1], { requiresGrad: true });
    for (let epoch = 0; epoch < 2000; epoch++) {
      a.grad = null;
      b.grad = null;
      a.mul(x).add(b).sub(y).pow(2).mean().backward();
      torch.noGrad(() => {
        a.sub_(a.grad!.mul(0.01));
        b.sub_(b.grad!.mul(0.01));
      });
    }
    expect(a.item()).toBeCloseTo(2, 2);
    expect(b.item()).toBeCloseTo(1, 1);
  });
});

describe('seed 002: d2l 2.5 automatic differentiation', () => {
  it('y = 2xᵀx: value, MulBackward0, gradient 4x, then accumulation rules', () => {
    const x = torch.arange(4, { dtype: 'float32' });
    expect(vals(x)).toEqual([0, 1, 2, 3]);
    x.requiresGrad_(true);
    expect(x.grad).toBeNull();
    let y = torch.mul(2, torch.dot(x, x));
    expect(y.item()).toBe(28);
    expect(y.gradFn!.name).toBe('MulBackward0');
    y.backward();
    expect(vals(x.grad)).toEqual([0, 4, 8, 12]);
    expect(vals(x.grad!.eq(torch.mul(4, x)))).toEqual([true, true, true, true]);
    x.grad!.zero_();
    x.sum().backward();
    expect(vals(x.grad)).toEqual([1, 1, 1, 1]);
    x.grad!.zero_();
    y = x.mul(x);
    y.sum().backward();
    expect(vals(x.grad)).toEqual([0, 2, 4, 6]);
    x.grad!.zero_();
    y = x.mul(x);
    const u = y.detach();
    u.mul(x).sum().backward();
    expect(vals(x.grad)).toEqual(vals(u));
    x.grad!.zero_();
    y.sum().backward();
    expect(vals(x.grad)).toEqual([0, 2, 4, 6]);
  });

  it('backward twice: freed-graph error, unless retainGraph (then gradients add up)', () => {
    let x = torch.arange(4, { dtype: 'float32', requiresGrad: true });
    let y = torch.mul(2, torch.dot(x, x));
    y.backward();
    expect(() => y.backward()).toThrow(
      'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
    );
    x = torch.arange(4, { dtype: 'float32', requiresGrad: true });
    y = torch.mul(2, torch.dot(x, x));
    y.backward({ retainGraph: true });
    expect(vals(x.grad)).toEqual([0, 4, 8, 12]);
    y.backward();
    expect(vals(x.grad)).toEqual([0, 8, 16, 24]);
  });

  // The seed's f needs b.norm() [depends on the reductions area].
  const f = (a: torch.Tensor) => {
    let b = a.mul(2);
    while ((b.norm().item() as number) < 1000) b = b.mul(2);
    return (b.sum().item() as number) > 0 ? b : torch.mul(100, b);
  };

  it('control flow: f(a) = k·a, so a.grad == d / a [needs norm]', () => {
    for (const v of [0.37, -0.4, -1.3, 0.9349, -0.123]) {
      const a = torch.tensor(v, { requiresGrad: true });
      const d = f(a);
      d.backward();
      expect(a.grad!.eq(d.div(a)).item()).toBe(true);
    }
  });

  it('a vector a: implicit-gradient error, then ones_like gives 51200 everywhere [needs norm]', () => {
    const a = torch.tensor([-1.2, 0.5, -1.5, 0.3], { requiresGrad: true });
    const d = f(a);
    expect(() => d.backward()).toThrow('grad can be implicitly created only for scalar outputs');
    d.backward(torch.onesLike(d));
    expect(vals(a.grad)).toEqual([51200, 51200, 51200, 51200]);
  });

  it('exercise 4: d = k·exp(a) has a.grad == d [needs norm]', () => {
    const a = torch.tensor(0.9349, { requiresGrad: true });
    let b = torch.exp(a);
    while ((b.norm().item() as number) < 100) b = b.mul(3);
    const d = b;
    d.backward(torch.onesLike(d));
    expect(a.grad!.eq(d).item()).toBe(true);
    expect(d.item()).toBeCloseTo(206.3036, 3);
  });

  it('exercise 5: the gradient of sin is cos', () => {
    const x = torch.arange(-10, 10, 0.1, { requiresGrad: true });
    torch.sin(x).backward(torch.onesLike(x));
    const g = vals(x.grad) as number[];
    const xs = vals(x) as number[];
    expect(g.length).toBe(200);
    g.forEach((v, i) => expect(Math.abs(v - Math.cos(xs[i]))).toBeLessThan(1e-6));
  });
});

describe('seed 003: derivatives in PyTorch', () => {
  it('3x² at 3: 27 (MulBackward0), derivative 18; the attributes of x and y', () => {
    const x = torch.tensor(3.0, { requiresGrad: true });
    const y = torch.mul(3, x.pow(2));
    expect(y.item()).toBe(27);
    expect(y.gradFn!.name).toBe('MulBackward0');
    y.backward();
    expect(x.grad!.item()).toBe(18);
    expect([x.data.item(), x.gradFn, x.isLeaf, x.requiresGrad]).toEqual([3, null, true, true]);
    expect([y.data.item(), y.grad, y.isLeaf, y.requiresGrad]).toEqual([27, null, false, true]);
  });

  it('6x² + 2x + 4 at 3: 64 (AddBackward0), derivative 38', () => {
    const x = torch.tensor(3.0, { requiresGrad: true });
    const y = torch.mul(6, x.pow(2)).add(torch.mul(2, x)).add(4);
    expect(y.item()).toBe(64);
    expect(y.gradFn!.name).toBe('AddBackward0');
    y.backward();
    expect(x.grad!.item()).toBe(38);
  });

  it('u³ + v² + 4uv at (3, 4): 91, ∂u = 43, ∂v = 20', () => {
    const u = torch.tensor(3, { requiresGrad: true });
    const v = torch.tensor(4, { requiresGrad: true });
    const f = u.pow(3).add(v.pow(2)).add(torch.mul(4, u).mul(v));
    expect(f.item()).toBe(91);
    f.backward();
    expect([u.grad!.item(), v.grad!.item()]).toEqual([43, 20]);
  });

  it('sum of x² over linspace(-20, 20, 20): the gradient is 2x', () => {
    const x = torch.linspace(-20, 20, 20, { requiresGrad: true });
    torch.sum(x.pow(2)).backward();
    const xs = vals(x) as number[];
    (vals(x.grad) as number[]).forEach((g, i) => expect(g).toBe(2 * xs[i]));
  });
});

describe('seed 004: the graph behind sigmoid(x·w + b)', () => {
  it('grad_fn names, values and the gradients of the leaves', () => {
    const x = torch.tensor([1.0, 2.0, 3.0], { requiresGrad: true });
    const w = torch.tensor([0.5, 0.1, 0.2], { requiresGrad: true });
    const b = torch.tensor(0.1, { requiresGrad: true });
    const z = torch.dot(x, w).add(b);
    const loss = torch.sigmoid(z);
    expect(z.gradFn!.name).toBe('AddBackward0');
    expect(z.gradFn!.nextFunctions.map(([n]) => n && n.name)).toEqual(['DotBackward0', 'AccumulateGrad']);
    expect(loss.gradFn!.name).toBe('SigmoidBackward0');
    expect(z.item()).toBeCloseTo(1.4, 6);
    expect(loss.item()).toBeCloseTo(0.8021839261054993, 6);
    loss.backward();
    const s = 0.8021839261054993 * (1 - 0.8021839261054993);
    (vals(x.grad) as number[]).forEach((g, i) => expect(g).toBeCloseTo(s * [0.5, 0.1, 0.2][i], 6));
    (vals(w.grad) as number[]).forEach((g, i) => expect(g).toBeCloseTo(s * [1, 2, 3][i], 6));
    expect(b.grad!.item()).toBeCloseTo(s, 6);
  });
});
