// optim: ten steps of each optimizer on a fixed model equal PyTorch's parameters; learning
// rate schedules equal PyTorch's sequences; groups, state dicts, zeroGrad and the errors.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, fromEnc, expectClose, flat } from './helpers';

const { nn, optim } = torch;
const F = nn.functional;
const fixture = loadFixture('nn.json');
const casesOf = (kind: string) => fixture.cases.filter((c: any) => c.kind === kind);
const errors: Record<string, string> = casesOf('errors')[0].errors;
const fixed = casesOf('fixed_model')[0];

function fixedModel() {
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
  const sd: Record<string, torch.Tensor> = {};
  for (const [k, v] of Object.entries(fixed.init)) sd[k] = fromEnc(v as any);
  model.loadStateDict(sd);
  return model;
}

function makeOptimizer(name: string, params: any, opts: any) {
  const Cls = (optim as any)[name];
  return new Cls(params, opts);
}

describe('optimizers: ten steps equal PyTorch', () => {
  const runs = casesOf('optim');
  it.each(runs.map((c: any, i: number) => [i, c.name, JSON.stringify(c.opts), c.groups ? 'groups' : c.scheduler?.name ?? '', c]))(
    '%i %s %s %s', (_i, name, _o, _g, c: any) => {
      const model = fixedModel();
      const X = fromEnc(fixed.X), Y = fromEnc(fixed.Y);
      const params = c.groups
        ? [{ params: model[0].parameters(), lr: c.opts.lr * 5 }, { params: model[2].parameters() }]
        : model.parameters();
      const opt = makeOptimizer(name as string, params, c.opts);
      let sched: any = null;
      if (c.scheduler) sched = new (optim.lrScheduler as any)[c.scheduler.name](opt, ...c.scheduler.args);
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) {
        opt.zeroGrad();
        const loss = F.mseLoss(model.forward(X), Y);
        loss.backward();
        opt.step();
        sched?.step();
        losses.push(loss.item() as number);
      }
      losses.forEach((l, i) => expect(Math.abs(l - c.losses[i])).toBeLessThan(1e-5 * (1 + Math.abs(c.losses[i]))));
      const sd = model.stateDict();
      for (const [k, v] of Object.entries(c.final)) expectClose(sd[k], v as any, { rtol: 1e-4, atol: 1e-5 });
    });
});

describe('optimizer mechanics', () => {
  it('zeroGrad sets gradients to null by default, or zeroes them', () => {
    const p = torch.ones(3, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.sum().backward();
    opt.zeroGrad(false);
    expect(flat(p.grad!)).toEqual([0, 0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('skips parameters without gradients and keeps parameters leaves', () => {
    const a = torch.ones(2, { requiresGrad: true }), b = torch.ones(2, { requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.mul(2).sum().backward();
    opt.step();
    expect(flat(b)).toEqual([1, 1]);
    expect(flat(a).every((v) => v < 1)).toBe(true);
    expect(a.isLeaf && a.gradFn === null).toBe(true);
    expect(opt.state.has(b)).toBe(false);
  });

  it('fills group options from the defaults; groups keep their own lr', () => {
    const a = torch.zeros(1, { requiresGrad: true }), b = torch.zeros(1, { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a], lr: 1 }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups[0].lr).toBe(1);
    expect(opt.paramGroups[1].lr).toBe(0.1);
    expect(opt.paramGroups[1].momentum).toBe(0.9);
    a.grad = torch.ones(1);
    b.grad = torch.ones(1);
    opt.step();
    expect(a.item()).toBeCloseTo(-1, 6);
    expect(b.item()).toBeCloseTo(-0.1, 6);
    const c = torch.zeros(1, { requiresGrad: true });
    opt.addParamGroup({ params: [c], lr: 0.5 });
    expect(opt.paramGroups.length).toBe(3);
    expect(opt.paramGroups[2].nesterov).toBe(false);
  });

  it('saves and restores its state: a restored optimizer continues identically', () => {
    const run = (restoreAt: number | null) => {
      const model = fixedModel();
      let opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
      const X = fromEnc(fixed.X), Y = fromEnc(fixed.Y);
      for (let i = 0; i < 6; i++) {
        if (i === restoreAt) {
          const sd = opt.stateDict();
          opt = new optim.Adam(model.parameters(), { lr: 0.5 });
          opt.loadStateDict(sd);
        }
        opt.zeroGrad();
        F.mseLoss(model.forward(X), Y).backward();
        opt.step();
      }
      return flat(model[0].weight);
    };
    expect(run(3)).toEqual(run(null));
  });

  it('has a state dict in PyTorch\'s shape: state by index, groups with param indices', () => {
    const model = fixedModel();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    F.mseLoss(model.forward(fromEnc(fixed.X)), fromEnc(fixed.Y)).backward();
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([{ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [0, 1, 2, 3] }]);
    expect(Object.keys(sd.state)).toEqual(['0', '1', '2', '3']);
    expect((sd.state[0].momentumBuffer as torch.Tensor).shape).toEqual([4, 3]);
    const other = new optim.SGD([torch.zeros(1, { requiresGrad: true })], { lr: 0.1 });
    expect(() => other.loadStateDict(sd)).toThrow("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    expect(() => other.loadStateDict({ state: {}, paramGroups: [] })).toThrow('loaded state dict has a different number of parameter groups');
  });

  it('keeps its state alive across torch.tidy()', () => {
    const p = torch.ones(2, { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      torch.tidy(() => {
        opt.zeroGrad();
        p.mul(p).sum().backward();
        opt.step();
      });
    }
    expect(opt.state.get(p)!.step).toBe(3);
    expect(flat(opt.state.get(p)!.expAvg as torch.Tensor).length).toBe(2);
  });

  it('runs a closure that recomputes the loss', () => {
    const p = torch.tensor([2.0], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = p.mul(p).sum();
      l.backward();
      return l;
    }) as torch.Tensor;
    expect(loss.item()).toBe(4);
    expect(p.item()).toBe(1);
  });

  it('rejects bad hyperparameters and parameters with PyTorch\'s messages', () => {
    const p = [torch.zeros(2, { requiresGrad: true })];
    expect(() => new optim.SGD(p, { lr: -0.1 })).toThrow(errors.sgd_lr);
    expect(() => new optim.SGD(p, { lr: 0.1, momentum: -0.5 })).toThrow(errors.sgd_momentum);
    expect(() => new optim.SGD(p, { lr: 0.1, nesterov: true })).toThrow(errors.sgd_nesterov);
    expect(() => new optim.SGD(p, {} as any)).toThrow(errors.sgd_no_lr);
    expect(() => new optim.Adam(p, { betas: [1.0, 0.999] })).toThrow(errors.adam_beta);
    expect(() => new optim.Adam(p, { eps: -1e-8 })).toThrow(errors.adam_eps);
    expect(() => new optim.AdamW(p, { weightDecay: -0.5 })).toThrow(errors.adam_wd);
    expect(() => new optim.Adam([])).toThrow(errors.empty_params);
    expect(() => new optim.Adam([p[0].mul(2)])).toThrow(errors.non_leaf);
    expect(() => new optim.Adam([{ params: p }, { params: p }])).toThrow(errors.duplicate_group);
    expect(() => new optim.Adam(p[0] as any)).toThrow(/iterable of Tensors or dicts/);
  });
});

describe('learning-rate schedulers equal PyTorch', () => {
  it.each(casesOf('schedule').map((c: any) => [c.name, JSON.stringify(c.args), c]))('%s %s', (name, _a, c: any) => {
    const groups = c.lrs[0].length;
    const ps = Array.from({ length: groups }, () => torch.zeros(1, { requiresGrad: true }));
    const opt = new optim.SGD(ps.map((p, i) => ({ params: [p], lr: 0.1 * (i + 1) })), { lr: 0.1 });
    const sched = new (optim.lrScheduler as any)[name as string](opt, ...c.args);
    const seq = [opt.paramGroups.map((g) => g.lr)];
    for (let i = 1; i < c.lrs.length; i++) {
      opt.step();
      sched.step();
      seq.push(opt.paramGroups.map((g) => g.lr));
    }
    seq.forEach((lrs, i) => lrs.forEach((lr, j) => expect(Math.abs(lr - c.lrs[i][j])).toBeLessThan(1e-12)));
    expect(sched.getLastLr()).toEqual(seq[seq.length - 1]);
  });

  it('accepts options objects, records initialLr, and saves its state', () => {
    const p = torch.zeros(1, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const s = new optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    expect(opt.paramGroups[0].initialLr).toBe(1);
    s.step();
    s.step();
    expect(opt.paramGroups[0].lr).toBe(0.5);
    const sd = s.stateDict();
    expect(sd.lastEpoch).toBe(2);
    expect(sd.baseLrs).toEqual([1]);
    const s2 = new optim.lrScheduler.CosineAnnealingLR(new optim.SGD([p], { lr: 1 }), { tMax: 10 });
    s2.loadStateDict({ ...s2.stateDict(), lastEpoch: 5 });
    expect(s2.lastEpoch).toBe(5);
    const lam = new optim.lrScheduler.LambdaLR(new optim.SGD([p], { lr: 2 }), (e) => 1 / (e + 1));
    lam.step();
    expect(lam.getLastLr()).toEqual([1]);
  });
});
