// nn.Linear and torch.addmm: values, gradients and graph nodes equal PyTorch 1.13's
// (test/fixtures/linear.json from scripts/fixtures/linear.py): one fused addmm
// (AddmmBackward0) for 2-D input with a bias, under a view for contiguous 3-D input.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, fromEnc, expectClose } from './helpers';

const fixture = loadFixture('linear.json');
const tol = { rtol: 1e-5, atol: 1e-5 };

describe('nn.Linear equals PyTorch', () => {
  it.each(fixture.cases.filter((c: any) => c.shape).map((c: any) => [JSON.stringify(c.shape), c.bias, c]))(
    'input %s bias %s', (_s, _b, c: any) => {
      const lin = new torch.nn.Linear(4, 3, { bias: c.bias });
      lin.weight.data.copy_(fromEnc(c.weight));
      if (c.bias) lin.bias!.data.copy_(fromEnc(c.b));
      const x = fromEnc(c.x, { requiresGrad: true });
      const y = lin.forward(x);
      expect(y.gradFn!.name).toBe(c.grad_fn);
      expect(y.gradFn!.nextFunctions.map(([f]) => (f ? f.name : null))).toEqual(c.next);
      expectClose(y, c.y, tol);
      y.mul(fromEnc(c.upstream)).sum().backward();
      expectClose(x.grad!, c.grad_x, tol);
      expectClose(lin.weight.grad!, c.grad_w, tol);
      if (c.bias) expectClose(lin.bias!.grad!, c.grad_b, tol);
      // The weight's gradient arrives contiguous, as PyTorch's (no copy into .grad).
      expect(lin.weight.grad!.isContiguous()).toBe(true);
    });
});

describe('torch.addmm', () => {
  const c = fixture.cases.find((k: any) => k.addmm);
  it('equals PyTorch, with and without beta/alpha', () => {
    const [inp, m1, m2] = [fromEnc(c.input), fromEnc(c.m1), fromEnc(c.m2)];
    expectClose(torch.addmm(inp, m1, m2), c.out, tol);
    expectClose(inp.addmm(m1, m2, { beta: 0.5, alpha: 2 }), c.out_beta, tol);
  });
  it('gradcheck in float64 (bias broadcast, column-major operands)', () => {
    const f64 = (...s: number[]) => torch.randn(s, { dtype: 'float64' }).requiresGrad_(true);
    expect(torch.autograd.gradcheck((b, a, w) => torch.addmm(b, a, w.t()), [f64(3), f64(4, 5), f64(3, 5)])).toBe(true);
    expect(torch.autograd.gradcheck((b, a, w) => torch.addmm(b, a.t(), w), [f64(2, 3), f64(5, 2), f64(5, 3)])).toBe(true);
  });
  it('checks shapes and dtypes', () => {
    expect(() => torch.addmm(torch.zeros(3), torch.zeros(2, 4), torch.zeros(5, 3))).toThrow('mat1 and mat2 shapes cannot be multiplied (2x4 and 5x3)');
    expect(() => torch.addmm(torch.zeros(4), torch.zeros(2, 5), torch.zeros(5, 3))).toThrow(/expanded size/);
    expect(() => torch.addmm(torch.zeros(3), torch.zeros(5), torch.zeros(5, 3))).toThrow('mat1 must be a matrix, got 1-D tensor');
  });
});
