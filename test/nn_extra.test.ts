// nn/optim beyond API.md: softplus, elu, smooth L1 / Huber, max/avg pooling, batch norm,
// gradient clipping, RMSprop and Adagrad — values and gradients against PyTorch 1.13
// (test/fixtures/nn_extra.json from scripts/fixtures/nn_extra.py) and finite differences.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, fromEnc, expectClose } from './helpers';

const { nn, optim } = torch;
const F = nn.functional as any;
const fixture = loadFixture('nn_extra.json');
const casesOf = (kind: string) => fixture.cases.filter((c: any) => c.kind === kind);
const errors: Record<string, string> = casesOf('errors')[0].errors;
const f64 = (...shape: number[]) => torch.randn(shape, { dtype: 'float64' }).requiresGrad_(true);
const gradcheck = (fn: (...xs: torch.Tensor[]) => torch.Tensor, inputs: torch.Tensor[]) =>
  expect(torch.autograd.gradcheck(fn, inputs, { eps: 1e-6, atol: 1e-5, rtol: 1e-4 })).toBe(true);

function callFunctional(c: any, x: torch.Tensor, target: torch.Tensor | null): torch.Tensor {
  const fn = F[c.name];
  if (target) return fn(x, target, c.opts);
  if (c.name.endsWith('Pool2d')) return fn(x, ...c.args, c.opts);
  return fn(x, ...c.args);
}

describe('nn.functional additions equal PyTorch', () => {
  it.each(casesOf('functional').map((c: any, i: number) => [i, c.name, JSON.stringify(c.args), JSON.stringify(c.opts), c]))(
    '%i %s %s %s', (_i, _n, _a, _o, c: any) => {
      const x = fromEnc(c.x, { requiresGrad: true });
      const target = c.target ? fromEnc(c.target) : null;
      const out = callFunctional(c, x, target);
      expectClose(out, c.out, { rtol: 1e-5, atol: 1e-6 });
      out.mul(fromEnc(c.upstream)).sum().backward();
      expectClose(x.grad!, c.grad, { rtol: 1e-5, atol: 1e-6 });
    });

  it('gradcheck in float64', () => {
    gradcheck((x) => F.softplus(x.mul(5)), [f64(3, 4)]);
    gradcheck((x) => F.softplus(x, 2, 3), [f64(3, 4)]);
    gradcheck((x) => F.elu(x, 0.7), [f64(3, 4)]);
    gradcheck((x, t) => F.smoothL1Loss(x, t, { beta: 0.5 }), [f64(3, 4), f64(3, 4)]);
    gradcheck((x, t) => F.huberLoss(x, t, { delta: 0.8, reduction: 'sum' }), [f64(3, 4), f64(3, 4)]);
    gradcheck((x) => F.maxPool2d(x, 2, { stride: 1 }), [f64(1, 2, 4, 4)]);
    gradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [f64(2, 1, 5, 5)]);
    gradcheck((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [f64(5, 3, 2), f64(3), f64(3)]);
  });

  it('no NaN gradient from the branch softplus / elu discard', () => {
    const x = torch.tensor([-200, -50, 0, 50, 200], { requiresGrad: true });
    F.softplus(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([0, expect.closeTo(0, 6), 0.5, 1, 1]);
    const y = torch.tensor([-200, 200], { requiresGrad: true });
    F.elu(y).sum().backward();
    expect(y.grad!.tolist()).toEqual([0, 1]);
  });
});

describe('BatchNorm1d / BatchNorm2d equal PyTorch', () => {
  it.each(casesOf('batchnorm').map((c: any, i: number) => [i, c.cls, JSON.stringify(c.opts), c]))('%i %s %s', (_i, cls, _o, c: any) => {
    const m = new (nn as any)[cls as string](3, c.opts);
    if (c.weight) {
      m.weight.data.copy_(fromEnc(c.weight));
      m.bias.data.copy_(fromEnc(c.bias));
    }
    let out!: torch.Tensor;
    for (const s of c.steps) {
      const x = fromEnc(s.x, { requiresGrad: true });
      out = m.forward(x);
      expectClose(out, s.out, { rtol: 1e-4, atol: 1e-5 });
      out.mul(fromEnc(s.upstream)).sum().backward();
      expectClose(x.grad!, s.grad, { rtol: 1e-4, atol: 1e-5 });
    }
    if (c.param_grads) {
      expectClose(m.weight.grad, c.param_grads[0], { rtol: 1e-4, atol: 1e-4 });
      expectClose(m.bias.grad, c.param_grads[1], { rtol: 1e-4, atol: 1e-4 });
    }
    const sd = m.stateDict();
    expect(Object.keys(sd).filter((k) => k !== 'weight' && k !== 'bias')).toEqual(Object.keys(c.state));
    for (const [k, v] of Object.entries(c.state)) expectClose(sd[k], v as any, { rtol: 1e-5, atol: 1e-6 });
    m.eval();
    expectClose(m.forward(fromEnc(c.eval_x)), c.eval_out, { rtol: 1e-4, atol: 1e-5 });
  });

  it('exposes the running statistics under camelCase names too, and resets them', () => {
    const bn = new nn.BatchNorm1d(2);
    bn.forward(torch.tensor([[1, 2], [3, 6]]));
    expect(bn.runningMean!.tolist()).toEqual([expect.closeTo(0.2, 6), expect.closeTo(0.4, 6)]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.resetRunningStats();
    expect(bn.runningMean!.tolist()).toEqual([0, 0]);
    expect(bn.runningVar!.tolist()).toEqual([1, 1]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
  });

  it("PyTorch's errors", () => {
    expect(() => new nn.BatchNorm1d(3).forward(torch.randn(2, 3, 4, 5))).toThrow(errors.bn1d_dim);
    expect(() => new nn.BatchNorm2d(3).forward(torch.randn(2, 3, 4))).toThrow(errors.bn2d_dim);
    expect(() => new nn.BatchNorm1d(3).forward(torch.randn(1, 3))).toThrow(errors.bn_one_value);
  });
});

describe('pooling modules and errors', () => {
  it('print as PyTorch', () => {
    expect(String(new nn.MaxPool2d(2))).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(String(new nn.MaxPool2d([2, 3], { stride: 1, padding: 1 }))).toBe('MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=1, ceil_mode=False)');
    expect(String(new nn.AvgPool2d(3, { stride: 1, padding: 1 }))).toBe('AvgPool2d(kernel_size=3, stride=1, padding=1)');
    expect(String(new nn.BatchNorm2d(4, { momentum: null, affine: false }))).toBe('BatchNorm2d(4, eps=1e-05, momentum=None, affine=False, track_running_stats=True)');
    expect(String(new nn.Softplus(2, 10))).toBe('Softplus(beta=2, threshold=10)');
    expect(String(new nn.ELU())).toBe('ELU(alpha=1.0)');
    expect(String(new nn.HuberLoss())).toBe('HuberLoss()');
  });
  it('modules compute what their functional forms do', () => {
    const x = torch.randn(2, 3, 6, 6);
    expect(new nn.MaxPool2d(2).forward(x).tolist()).toEqual(F.maxPool2d(x, 2).tolist());
    expect(new nn.AvgPool2d(3, { stride: 1, padding: 1 }).forward(x).tolist()).toEqual(F.avgPool2d(x, 3, { stride: 1, padding: 1 }).tolist());
    const t = torch.randn(2, 3, 6, 6);
    expect(new nn.SmoothL1Loss({ beta: 0.5 }).forward(x, t).item()).toBe(F.smoothL1Loss(x, t, { beta: 0.5 }).item());
  });
  it("PyTorch's errors", () => {
    expect(() => F.maxPool2d(torch.randn(1, 1, 4, 4), 2, { padding: 2 })).toThrow(errors.pool_pad);
    expect(() => F.avgPool2d(torch.randn(1, 1, 4, 4), 5)).toThrow(errors.pool_small);
    expect(() => F.maxPool2d(torch.randn(4, 4), 2)).toThrow(errors.pool_dim);
    expect(() => F.smoothL1Loss(torch.zeros(2), torch.zeros(2), { beta: -1 })).toThrow(errors.smooth_beta);
    expect(() => F.huberLoss(torch.zeros(2), torch.zeros(2), { delta: 0 })).toThrow(errors.huber_delta);
  });
});

describe('nn.utils: gradient clipping and parameter vectors', () => {
  it.each(casesOf('clip_norm').map((c: any, i: number) => [i, c.norm_type, c.max_norm, c]))('clipGradNorm_ %i norm %s max %s', (_i, _n, _m, c: any) => {
    const ps = c.grads.map((g: any) => {
      const p = torch.zeros(g.shape, { requiresGrad: true });
      p.grad = fromEnc(g);
      return p;
    });
    const total = nn.utils.clipGradNorm_(ps, c.max_norm, c.norm_type === 'inf' ? Infinity : c.norm_type);
    expectClose(total, c.total, { rtol: 1e-5, atol: 1e-6 });
    ps.forEach((p: torch.Tensor, i: number) => expectClose(p.grad!, c.after[i], { rtol: 1e-5, atol: 1e-6 }));
  });
  it('clipGradValue_', () => {
    const c = casesOf('clip_value')[0];
    const ps = c.grads.map((g: any) => {
      const p = torch.zeros(g.shape, { requiresGrad: true });
      p.grad = fromEnc(g);
      return p;
    });
    nn.utils.clipGradValue_(ps, c.clip);
    ps.forEach((p: torch.Tensor, i: number) => expectClose(p.grad!, c.after[i], { rtol: 0, atol: 0 }));
  });
  it('a non-finite norm throws only when asked to', () => {
    const p = torch.zeros(2, { requiresGrad: true });
    p.grad = torch.tensor([Infinity, 1]);
    expect(() => nn.utils.clipGradNorm_([p], 1, 2, { errorIfNonfinite: true })).toThrow(errors.clip_nonfinite);
    expect(nn.utils.clipGradNorm_(p, 1).item()).toBe(Infinity);
  });
  it('no gradients: total norm 0, nothing touched', () => {
    expect(nn.utils.clipGradNorm_([torch.zeros(2, { requiresGrad: true })], 1).item()).toBe(0);
  });
  it('parametersToVector / vectorToParameters round-trip', () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    expect(v.shape).toEqual([8]);
    nn.utils.vectorToParameters(torch.arange(8, { dtype: 'float32' }), m.parameters());
    expect(m.weight.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(m.bias!.tolist()).toEqual([6, 7]);
  });
});

describe('RMSprop and Adagrad: ten steps equal PyTorch', () => {
  const fixed = casesOf('fixed_model')[0];
  it.each(casesOf('optim').map((c: any, i: number) => [i, c.name, JSON.stringify(c.opts), c]))('%i %s %s', (_i, name, _o, c: any) => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
    const sd: Record<string, torch.Tensor> = {};
    for (const [k, v] of Object.entries(fixed.init)) sd[k] = fromEnc(v as any);
    model.loadStateDict(sd);
    const X = fromEnc(fixed.X), Y = fromEnc(fixed.Y);
    const opt = new (optim as any)[name as string](model.parameters(), c.opts);
    for (let i = 0; i < 10; i++) {
      opt.zeroGrad();
      const loss = F.mseLoss(model.forward(X), Y);
      loss.backward();
      opt.step();
      expect(Math.abs((loss.item() as number) - c.losses[i])).toBeLessThan(1e-5 * (1 + Math.abs(c.losses[i])));
    }
    const out = model.stateDict();
    for (const [k, v] of Object.entries(c.final)) expectClose(out[k], v as any, { rtol: 1e-4, atol: 1e-5 });
  });
  it("PyTorch's option errors", () => {
    const p = [torch.zeros(2, { requiresGrad: true })];
    expect(() => new optim.RMSprop(p, { alpha: -0.5 })).toThrow(errors.rmsprop_alpha);
    expect(() => new optim.RMSprop(p, { momentum: -0.5 })).toThrow(errors.rmsprop_momentum);
    expect(() => new optim.Adagrad(p, { lrDecay: -0.5 })).toThrow(errors.adagrad_lr_decay);
    expect(() => new optim.Adagrad(p, { initialAccumulatorValue: -1 })).toThrow(errors.adagrad_init);
  });
});

describe('learning-rate schedulers beyond API.md equal PyTorch', () => {
  const S = optim.lrScheduler as any;
  it.each(casesOf('schedule').map((c: any, i: number) => [i, c.name, JSON.stringify(c.args), JSON.stringify(c.opts), c]))(
    '%i %s %s %s', (_i, name, _a, _o, c: any) => {
      const ps = [0, 1].map(() => torch.zeros(1, { requiresGrad: true }));
      const extra = c.extra ?? {};
      const opt = new (optim as any)[c.optimizer]([0, 1].map((i) => ({ params: [ps[i]], lr: 0.1 * (i + 1) })), { lr: 0.1, ...extra });
      const sched = c.opts ? new S[name as string](opt, ...c.args, c.opts) : new S[name as string](opt, ...c.args);
      const mom = () => opt.paramGroups.map((g: any) => (c.optimizer === 'Adam' ? g.betas[0] : g.momentum));
      const lrs = [opt.paramGroups.map((g: any) => g.lr)], moms = [mom()];
      for (let i = 0; i < c.lrs.length - 1; i++) {
        opt.step();
        if (c.metrics) sched.step(c.metrics[i]);
        else sched.step();
        lrs.push(opt.paramGroups.map((g: any) => g.lr));
        moms.push(mom());
      }
      lrs.forEach((row, i) => row.forEach((v: number, j: number) => expect(v).toBeCloseTo(c.lrs[i][j], 12)));
      moms.forEach((row, i) => row.forEach((v: number, j: number) => expect(v).toBeCloseTo(c.momentum[i][j], 12)));
    });

  it('OneCycleLR refuses to step past totalSteps, as PyTorch', () => {
    const opt = new optim.SGD([torch.zeros(1, { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
    const s = new S.OneCycleLR(opt, 1.0, { totalSteps: 2 });
    s.step();
    s.step();
    expect(() => s.step()).toThrow('Tried to step 3 times. The specified number of total steps is 2');
  });
  it('ReduceLROnPlateau accepts a one-element tensor metric', () => {
    const opt = new optim.SGD([torch.zeros(1, { requiresGrad: true })], { lr: 1 });
    const s = new S.ReduceLROnPlateau(opt, { patience: 0 });
    s.step(torch.tensor(1.0));
    s.step(torch.tensor(2.0));
    expect(s.getLastLr()).toEqual([0.1]);
  });
});
