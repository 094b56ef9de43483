// The fused training paths (test/fixtures/fused.json, made by scripts/fixtures/fused.py):
// relu and log_softmax backward in one pass (native/kernels/fused_backward.cc), mm's
// gradients for column-major operands computed transposed (PyTorch's mm_mat{1,2}_backward),
// and the W6 MLP step written as x @ W.T + b. Each is checked against PyTorch, against the
// composite formulas (taken when a graph of the backward is recorded), and the gradients'
// strides against PyTorch's (a parameter's .grad comes out contiguous, with no copy).
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, expectClose, expectTensorsClose, fromEnc, Encoded } from './helpers';

type Tensor = torch.Tensor;
const fx = loadFixture('fused.json');
const cases = (kind: string) => fx.cases.filter((c: any) => c.kind === kind);

function mlpStep(x: Tensor, y: Tensor, params: Tensor[], createGraph = false) {
  const [w1, b1, w2, b2, w3, b3] = params;
  const h1 = x.matmul(w1.T).add(b1).relu();
  const h2 = h1.matmul(w2.T).add(b2).relu();
  const logits = h2.matmul(w3.T).add(b3);
  const loss = logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
  const names = [h1.gradFn!.name, logits.gradFn!.name, loss.gradFn!.name];
  loss.backward(undefined, { createGraph });
  return { loss, names };
}

describe('fused MLP step (x @ W.T + b, relu, log_softmax, gather, mean)', () => {
  for (const c of cases('mlp')) {
    it(`matches PyTorch in ${c.x.dtype}: loss, gradients, their strides and grad_fn names`, () => {
      const params = c.params.map((p: Encoded) => fromEnc(p, { requiresGrad: true }));
      const { loss, names } = mlpStep(fromEnc(c.x), fromEnc(c.y), params);
      expect(names).toEqual(c.names);
      expectClose(loss, c.loss);
      params.forEach((p: Tensor, i: number) => {
        expectClose(p.grad!, c.grads[i]);
        expect(p.grad!.stride()).toEqual(c.grad_strides[i]);
      });
    });
    it(`gives the composite path's gradients (create_graph) in ${c.x.dtype}`, () => {
      const fused = c.params.map((p: Encoded) => fromEnc(p, { requiresGrad: true }));
      const composite = c.params.map((p: Encoded) => fromEnc(p, { requiresGrad: true }));
      mlpStep(fromEnc(c.x), fromEnc(c.y), fused);
      mlpStep(fromEnc(c.x), fromEnc(c.y), composite, true);
      fused.forEach((p: Tensor, i: number) => {
        expect(composite[i].grad!.requiresGrad).toBe(true);
        expectTensorsClose(p.grad!, composite[i].grad!.detach(), 1e-5, 1e-6);
      });
    });
  }
});

describe('mm with column-major operands', () => {
  for (const c of cases('mm')) {
    it(`column-major ${c.which}: gradients and their strides as PyTorch's`, () => {
      const pa = fromEnc(c.pa, { requiresGrad: true }), pb = fromEnc(c.pb, { requiresGrad: true });
      const a = c.which !== 'b' ? pa.T : pa, b = c.which !== 'a' ? pb.T : pb;
      expect(a.stride()).toEqual(c.a_strides);
      expect(b.stride()).toEqual(c.b_strides);
      a.mm(b).backward(fromEnc(c.g));
      expect(a.mm(b).gradFn!.name).toBe('MmBackward0');
      expectClose(pa.grad!, c.ga);
      expectClose(pb.grad!, c.gb);
      expect(pa.grad!.stride()).toEqual(c.ga_strides);
      expect(pb.grad!.stride()).toEqual(c.gb_strides);
    });
  }
});

describe('fused relu / log_softmax backward', () => {
  it('relu: zero gradient where the result is <= 0 (also -0), NaN and inf gradients pass through', () => {
    const c = cases('relu')[0];
    const x = fromEnc(c.x, { requiresGrad: true });
    x.relu().backward(fromEnc(c.g));
    expectClose(x.grad!, c.gx);
  });
  for (const c of cases('log_softmax')) {
    it(`log_softmax along dim ${c.dim}: as PyTorch and as the composite formula`, () => {
      const x = fromEnc(c.x, { requiresGrad: true });
      x.logSoftmax(c.dim).backward(fromEnc(c.g));
      expectClose(x.grad!, c.gx);
      const x2 = fromEnc(c.x, { requiresGrad: true });
      x2.logSoftmax(c.dim).backward(fromEnc(c.g), { createGraph: true });
      expectTensorsClose(x.grad!, x2.grad!.detach(), 1e-5, 1e-6);
    });
  }
  it('matches central finite differences in float64 (relu -> log_softmax chain)', () => {
    torch.manualSeed(1);
    const x0 = torch.randn([4, 6], { dtype: 'float64' });
    const w = torch.randn([4, 6], { dtype: 'float64' });
    const f = (x: Tensor) => x.relu().add(x.mul(0.3)).logSoftmax(1).mul(w).sum();
    const x = x0.clone().requiresGrad_();
    f(x).backward();
    const g = x.grad!.reshape(-1).tolist() as number[];
    const base = x0.reshape(-1).tolist() as number[];
    const eps = 1e-6;
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const v = base.slice();
        v[i] += d;
        return f(torch.tensor(v, { dtype: 'float64' }).reshape([4, 6])).item() as number;
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(fd - g[i])).toBeLessThan(1e-6);
    }
  });
  it('falls back to the composite formula for non-contiguous and broadcast gradients', () => {
    const x = torch.tensor([[-1, 2], [3, -4]], { requiresGrad: true });
    const y = x.relu();
    y.backward(torch.tensor([[1, 2], [3, 4]]).T);
    expect(x.grad!.tolist()).toEqual([[0, 3], [2, 0]]);
    const x2 = torch.tensor([[-1, 2], [3, -4]], { requiresGrad: true });
    x2.relu().sum().backward();
    expect(x2.grad!.tolist()).toEqual([[0, 1], [1, 0]]);
  });
});

describe('GEMM with a column-major right operand (x @ W.T, packed by in-register transposes)', () => {
  for (const [m, k, n] of [[64, 784, 512], [7, 9, 17], [33, 8, 16], [50, 300, 70], [6, 1000, 40]]) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${m}x${k} @ (${n}x${k}).T in ${dtype} equals the product with a contiguous copy`, () => {
        torch.manualSeed(m + k + n);
        const x = torch.randn([m, k], { dtype }), w = torch.randn([n, k], { dtype });
        const got = x.matmul(w.T), want = x.matmul(w.T.contiguous());
        expect(got.sub(want).abs().max().item()).toBeLessThanOrEqual(dtype === 'float32' ? 1e-4 : 1e-10);
        // and one value against a plain dot product
        const xr = x.select(0, m - 1).tolist() as number[], wr = w.select(0, n - 1).tolist() as number[];
        const dot = xr.reduce((s, v, i) => s + v * wr[i], 0);
        expect(Math.abs((got.select(0, m - 1).select(0, n - 1).item() as number) - dot)).toBeLessThan(1e-3);
      });
    }
  }
});

describe('.grad taken over from a transposed-back gradient (W.T in x @ W.T)', () => {
  it('is an ordinary tensor: a second backward accumulates into it, in-place ops touch only it', () => {
    const c = cases('mlp')[0];
    const params = c.params.map((p: Encoded) => fromEnc(p, { requiresGrad: true }));
    mlpStep(fromEnc(c.x), fromEnc(c.y), params);
    mlpStep(fromEnc(c.x), fromEnc(c.y), params);
    params.forEach((p: Tensor, i: number) => {
      const twice = { ...c.grads[i], data: c.grads[i].data.map((v: number) => 2 * v) };
      expectClose(p.grad!, twice);
    });
    const w1 = params[0];
    const before = w1.clone();
    w1.grad!.zero_();
    expect(w1.grad!.abs().sum().item()).toBe(0);
    expect(w1.sub(before).abs().max().item()).toBe(0);
    expect(w1.grad!.isContiguous()).toBe(true);
  });
});
