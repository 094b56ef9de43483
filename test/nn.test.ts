// nn: modules, initialisers and nn.functional against PyTorch (scripts/fixtures/nn.py), and
// gradients of the composite layers against finite differences in float64.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, fromEnc, expectClose, flat, Encoded } from './helpers';

const { nn } = torch;
const F = nn.functional;
const fixture = loadFixture('nn.json');
const casesOf = (kind: string) => fixture.cases.filter((c: any) => c.kind === kind);
const errors: Record<string, string> = casesOf('errors')[0].errors;

const leaf = (e: Encoded) => fromEnc(e, { requiresGrad: true });

/** Asserts fn(...inputs) has the gradient finite differences give (inputs are float64 leaves). */
function gradcheck(fn: (...xs: torch.Tensor[]) => torch.Tensor, inputs: torch.Tensor[], eps = 1e-6, tol = 1e-5): void {
  const out = fn(...inputs);
  const gy = torch.randn(out.shape, { dtype: 'float64' });
  const analytic = torch.autograd.grad(out.mul(gy).sum(), inputs, { allowUnused: true });
  inputs.forEach((x, k) => {
    const base = flat(x);
    const num: number[] = [];
    for (let i = 0; i < base.length; i++) {
      const shifted = (d: number) => {
        const v = Float64Array.from(base);
        v[i] += d;
        const xs = inputs.slice();
        xs[k] = torch.tensor(v, { dtype: 'float64' }).reshape(x.shape);
        return fn(...xs).mul(gy).sum().item() as number;
      };
      num.push((shifted(eps) - shifted(-eps)) / (2 * eps));
    }
    const a = analytic[k] ? flat(analytic[k]!) : num.map(() => 0);
    for (let i = 0; i < num.length; i++) {
      if (Math.abs(a[i] - num[i]) > tol * (1 + Math.abs(num[i]))) throw new Error(`input ${k} element ${i}: analytic ${a[i]} vs numeric ${num[i]}`);
    }
  });
}
const f64 = (...shape: number[]) => torch.randn(shape, { dtype: 'float64' }).requiresGrad_(true);

// A model shaped like the fixture's Net, to compare names, state dict keys and repr.
class Net extends nn.Module {
  scale = new nn.Parameter(torch.ones(1));
  emb = new nn.Embedding(10, 4, { paddingIdx: 0 });
  body = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Dropout(0.1), new nn.LayerNorm(8), new nn.Linear(8, 3, { bias: false }));
  conv = new nn.Conv2d(1, 2, 3, { stride: 2, padding: 1 });
  loss = new nn.CrossEntropyLoss({ weight: torch.ones(3) });
  forward(x: torch.Tensor) {
    return this.body.forward(x);
  }
}

describe('nn.Module', () => {
  const names = casesOf('names')[0];

  it('names parameters, modules and state dict keys as PyTorch does', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(names.parameters);
    expect(Object.entries(net.stateDict()).map(([k, v]) => [k, v.shape])).toEqual(names.state_dict);
    expect(net.namedModules().map(([n]) => n)).toEqual(names.modules);
    expect(net.parameters().length).toBe(names.parameters.length);
    expect(net.children().length).toBe(4);
  });

  it('prints as PyTorch prints the same model', () => {
    expect(String(new Net())).toBe(names.repr);
  });

  it('registers parameters in assignment order and ignores plain tensors', () => {
    class M extends nn.Module {
      constructor() {
        super();
        (this as any).b = new nn.Parameter(torch.zeros(2));
        (this as any).plain = torch.zeros(3, { requiresGrad: true });
        (this as any).a = new nn.Parameter(torch.zeros(1));
        this.registerBuffer('running', torch.zeros(2));
        this.registerBuffer('scratch', torch.zeros(2), false);
        this.registerParameter('none', null);
      }
      forward() {}
    }
    const m = new M();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['b', 'a']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['running', 'scratch']);
    expect(Object.keys(m.stateDict())).toEqual(['b', 'a', 'running']);
    expect(() => m.registerParameter('x', torch.zeros(1) as any)).toThrow(/torch.nn.Parameter or None required/);
    expect(() => m.registerBuffer('a.b', torch.zeros(1))).toThrow(`buffer name can't contain "."`);
  });

  it('counts a shared parameter once in parameters() and under each name in stateDict()', () => {
    const lin = new nn.Linear(2, 2);
    const seq = new nn.Sequential(lin, new nn.ReLU(), lin);
    expect(seq.parameters().length).toBe(2);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('makes parameters leaves that require grad, sharing storage with the given tensor', () => {
    const t = torch.zeros(3);
    const p = new nn.Parameter(t);
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(p).toBeInstanceOf(torch.Tensor);
    torch.noGrad(() => p.add_(1));
    expect(t.tolist()).toEqual([1, 1, 1]);
    expect(new nn.Parameter(torch.zeros(1), false).requiresGrad).toBe(false);
    expect(String(new nn.Parameter(torch.tensor([1, 2])))).toBe('Parameter containing:\ntensor([1., 2.], requires_grad=True)');
  });

  it('returns detached tensors from stateDict() that share storage', () => {
    const lin = new nn.Linear(2, 3);
    const sd = lin.stateDict();
    expect(sd.weight.requiresGrad).toBe(false);
    expect(sd.weight).not.toBeInstanceOf(nn.Parameter);
    torch.noGrad(() => lin.weight.zero_());
    expect(flat(sd.weight)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(lin.stateDict({ keepVars: true }).weight).toBe(lin.weight);
  });

  it('loads a state dict, with PyTorch\'s errors for missing, unexpected and mis-shaped keys', () => {
    const make = () => new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const a = make(), b = make();
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(flat(b[2].weight)).toEqual(flat(a[2].weight));
    expect(b[2].weight.requiresGrad).toBe(true);

    const sd: Record<string, torch.Tensor> = { ...a.stateDict() };
    delete sd['2.bias'];
    sd['2.scale'] = torch.zeros(1);
    const withExtra = { extra: torch.zeros(1), ...sd };
    expect(() => b.loadStateDict(withExtra)).toThrow(errors.load_missing_unexpected);
    try {
      b.loadStateDict(withExtra);
    } catch (e) {
      expect((e as Error).message).toBe(errors.load_missing_unexpected);
    }
    const mis = { ...a.stateDict(), '0.weight': torch.zeros(4, 5) };
    expect(() => b.loadStateDict(mis)).toThrow(errors.load_size_mismatch);
    expect(() => b.loadStateDict(mis, false)).toThrow(/size mismatch for 0.weight/);

    const nonstrict = casesOf('errors')[0].nonstrict;
    const r = b.loadStateDict({ '0.weight': torch.zeros(4, 3), foo: torch.zeros(1) }, false);
    expect(r).toEqual({ missingKeys: nonstrict.missing, unexpectedKeys: nonstrict.unexpected });
    expect(flat(b[0].weight).every((v) => v === 0)).toBe(true);
  });

  it('switches train/eval recursively and zeroes gradients to null or zero', () => {
    const net = new Net();
    expect(net.training).toBe(true);
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.body[2].training).toBe(true);

    const lin = new nn.Linear(3, 2);
    lin.forward(torch.ones(1, 3)).sum().backward();
    expect(lin.weight.grad).not.toBeNull();
    lin.zeroGrad(false);
    expect(flat(lin.weight.grad!)).toEqual([0, 0, 0, 0, 0, 0]);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    expect(lin.bias!.grad).toBeNull();
  });

  it('converts to float64 and applies functions to every module', () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.LayerNorm(2)).double();
    expect(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(m.forward(torch.ones(1, 2, { dtype: 'float64' })).dtype).toBe('float64');
    const seen: string[] = [];
    m.apply((x) => seen.push(x.constructor.name));
    expect(seen).toEqual(['Linear', 'LayerNorm', 'Sequential']);
    m.requiresGrad_(false);
    expect(m.parameters().some((p) => p.requiresGrad)).toBe(false);
  });

  it('indexes, iterates and extends containers', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(seq.length).toBe(2);
    expect(seq.at(-1)).toBeInstanceOf(nn.ReLU);
    seq.append(new nn.Linear(3, 1));
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(seq.forward(torch.ones(4, 2)).shape).toEqual([4, 1]);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
    expect(Object.keys(named.stateDict())).toEqual(['fc.weight', 'fc.bias']);
    const list = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 1)]);
    expect(Object.keys(list.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(() => new nn.Sequential(3 as any)).toThrow(TypeError);
  });
});

describe('nn.init', () => {
  const within = (t: torch.Tensor, bound: number) => flat(t).every((v) => Math.abs(v) <= bound + 1e-7);
  const std = (t: torch.Tensor) => {
    const v = flat(t);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };

  it("initialises Linear and Conv2d as PyTorch: kaiming_uniform(a=√5), bias U(±1/√fan_in)", () => {
    torch.manualSeed(0);
    const lin = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    expect(within(lin.weight, bound)).toBe(true);
    expect(within(lin.bias!, bound)).toBe(true);
    // U(-b, b) has std b/√3; 120,000 samples pin it to within a percent.
    expect(std(lin.weight)).toBeCloseTo(bound / Math.sqrt(3), 3);
    const conv = new nn.Conv2d(3, 8, 5);
    expect(within(conv.weight, 1 / Math.sqrt(75))).toBe(true);
    expect(within(conv.bias!, 1 / Math.sqrt(75))).toBe(true);
  });

  it('gives the other layers their PyTorch defaults', () => {
    const ln = new nn.LayerNorm([2, 3]);
    expect(flat(ln.weight!)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(flat(ln.bias!)).toEqual([0, 0, 0, 0, 0, 0]);
    const emb = new nn.Embedding(200, 50, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(199);
    expect(flat(emb.weight.select(0, 199)).every((v) => v === 0)).toBe(true);
    expect(std(emb.weight)).toBeGreaterThan(0.95);
    expect(std(emb.weight)).toBeLessThan(1.05);
  });

  it('fills with the documented distributions and bounds', () => {
    const t = torch.empty(200, 100);
    nn.init.xavierUniform_(t, 2);
    const xb = 2 * Math.sqrt(6 / 300);
    expect(within(t, xb)).toBe(true);
    expect(std(t)).toBeCloseTo(xb / Math.sqrt(3), 2);
    nn.init.xavierNormal_(t);
    expect(std(t)).toBeCloseTo(Math.sqrt(2 / 300), 2);
    nn.init.kaimingNormal_(t, { mode: 'fan_out', nonlinearity: 'relu' });
    expect(std(t)).toBeCloseTo(Math.sqrt(2) / Math.sqrt(200), 2);
    nn.init.kaimingUniform_(t, 0, 'fan_in', 'relu');
    expect(within(t, Math.sqrt(6 / 100))).toBe(true);
    nn.init.uniform_(t, 2, 3);
    expect(flat(t).every((v) => v >= 2 && v <= 3)).toBe(true);
    nn.init.normal_(t, 5, 0.5);
    expect(std(t)).toBeCloseTo(0.5, 1);
    nn.init.constant_(t, 0.25);
    expect(flat(t).every((v) => v === 0.25)).toBe(true);
    nn.init.zeros_(t);
    nn.init.ones_(t.narrow(0, 0, 1));
    expect(flat(t).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('initialises a parameter in place without recording a graph', () => {
    const p = new nn.Parameter(torch.zeros(3, 3));
    nn.init.uniform_(p, -1, 1);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
  });

  it('computes gains and fans as PyTorch, with its errors', () => {
    expect(nn.init.calculateGain('linear')).toBe(1);
    expect(nn.init.calculateGain('conv2d')).toBe(1);
    expect(nn.init.calculateGain('sigmoid')).toBe(1);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(nn.init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12);
    expect(nn.init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(nn.init.calculateGain('selu')).toBe(0.75);
    expect(() => nn.init.calculateGain('swish')).toThrow(errors.gain);
    expect(nn.init.calculateFanInAndFanOut(torch.empty(8, 3, 5, 5))).toEqual([75, 200]);
    expect(() => nn.init.xavierUniform_(torch.empty(3))).toThrow(errors.fan);
    expect(() => nn.init.kaimingUniform_(torch.empty(3, 3), { mode: 'fan_avg' as any })).toThrow(errors.kaiming_mode);
  });
});

describe('nn.functional and layers vs PyTorch', () => {
  it('linear', () => {
    const c = casesOf('linear')[0];
    const [x, w, b] = [leaf(c.x), leaf(c.w), leaf(c.b)];
    const lin = new nn.Linear(3, 2);
    lin.loadStateDict({ weight: fromEnc(c.w), bias: fromEnc(c.b) });
    expectClose(lin.forward(fromEnc(c.x)), c.y);
    const y = F.linear(x, w, b);
    expectClose(y, c.y);
    y.backward(fromEnc(c.gy));
    [x, w, b].forEach((t, i) => expectClose(t.grad!, c.grads[i]));
  });

  it.each(casesOf('activation').map((c: any) => [c.name, c]))('%s', (name, c: any) => {
    const fns: Record<string, (t: torch.Tensor) => torch.Tensor> = {
      relu: F.relu, sigmoid: F.sigmoid, tanh: F.tanh, gelu: (t) => F.gelu(t), gelu_tanh: (t) => F.gelu(t, 'tanh'),
      silu: F.silu, leaky_relu: (t) => F.leakyRelu(t, 0.1),
    };
    const mods: Record<string, torch.nn.Module> = {
      relu: new nn.ReLU(), sigmoid: new nn.Sigmoid(), tanh: new nn.Tanh(), gelu: new nn.GELU(), gelu_tanh: new nn.GELU({ approximate: 'tanh' }),
      silu: new nn.SiLU(), leaky_relu: new nn.LeakyReLU(0.1),
    };
    const x = leaf(c.x);
    const y = fns[name as string](x);
    expectClose(y, c.y);
    expectClose(mods[name as string].forward(fromEnc(c.x)), c.y);
    y.backward(fromEnc(c.gy));
    expectClose(x.grad!, c.grads[0]);
  });

  it.each(casesOf('layer_norm').map((c: any) => [JSON.stringify(c.normalized_shape), c]))('layerNorm over %s', (_n, c: any) => {
    const [x, w, b] = [leaf(c.x), leaf(c.w), leaf(c.b)];
    const y = F.layerNorm(x, c.normalized_shape, w, b, 1e-5);
    expectClose(y, c.y);
    y.backward(fromEnc(c.gy));
    [x, w, b].forEach((t, i) => expectClose(t.grad!, c.grads[i], { atol: 1e-4 }));
    const ln = new nn.LayerNorm(c.normalized_shape);
    ln.loadStateDict({ weight: fromEnc(c.w), bias: fromEnc(c.b) });
    expectClose(ln.forward(fromEnc(c.x)), c.y);
  });

  it('layerNorm gradients match finite differences; wrong shapes give PyTorch\'s error', () => {
    gradcheck((x, w, b) => F.layerNorm(x, [4], w, b), [f64(2, 3, 4), f64(4), f64(4)]);
    expect(() => F.layerNorm(torch.randn(2, 3), [5])).toThrow(errors.layer_norm_shape);
  });

  it('embedding with a padding row that gets no gradient', () => {
    const c = casesOf('embedding')[0];
    const w = leaf(c.weight);
    const idx = fromEnc(c.idx);
    const y = F.embedding(idx, w, c.padding_idx);
    expectClose(y, c.y);
    y.backward(fromEnc(c.gy));
    expectClose(w.grad!, c.grads[0]);
    const emb = new nn.Embedding(6, 3, { paddingIdx: 1 });
    emb.loadStateDict({ weight: fromEnc(c.weight) });
    expectClose(emb.forward(idx), c.y);
    expect(() => F.embedding(torch.tensor([0]), w)).toThrow(errors.embedding_float);
  });

  it.each(casesOf('conv2d').map((c: any, i: number) => [i, c]))('conv2d config %i', (_i, c: any) => {
    const [x, w, b] = [leaf(c.x), leaf(c.w), leaf(c.b)];
    const y = F.conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
    expectClose(y, c.y, { atol: 1e-4 });
    y.backward(fromEnc(c.gy));
    [x, w, b].forEach((t, i) => expectClose(t.grad!, c.grads[i], { atol: 1e-4 }));
    const conv = new nn.Conv2d(c.w.shape[1] * c.groups, c.w.shape[0], [c.w.shape[2], c.w.shape[3]],
      { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
    conv.loadStateDict({ weight: fromEnc(c.w), bias: fromEnc(c.b) });
    expectClose(conv.forward(fromEnc(c.x)), c.y, { atol: 1e-4 });
  });

  it('conv2d gradients match finite differences; bad shapes give PyTorch\'s errors', () => {
    gradcheck((x, w, b) => F.conv2d(x, w, b, 2, 0), [f64(1, 2, 5, 5), f64(3, 2, 2, 2), f64(3)]);
    expect(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(8, 3, 3, 3))).toThrow(errors.conv_channels);
    expect(() => F.conv2d(torch.randn(4, 5), torch.randn(8, 3, 3, 3))).toThrow(errors.conv_rank);
    expect(() => F.conv2d(torch.randn(1, 3, 2, 2), torch.randn(8, 3, 3, 3))).toThrow(errors.conv_kernel);
  });

  it('unfold', () => {
    const c = casesOf('unfold')[0];
    const x = leaf(c.x);
    const y = F.unfold(x, c.kernel_size, { dilation: c.dilation, padding: c.padding, stride: c.stride });
    expectClose(y, c.y);
    y.backward(fromEnc(c.gy));
    expectClose(x.grad!, c.grads[0]);
  });

  it('im2col is differentiable twice (conv2d double backward matches finite differences)', () => {
    const w = f64(2, 2, 2, 2);
    gradcheck((x) => {
      const xr = x.requiresGrad ? x : x.detach().requiresGrad_(true);  // finite differences pass plain tensors
      const [g] = torch.autograd.grad(F.conv2d(xr, w, null, 1, 1).square().sum(), [xr], { createGraph: true });
      return g!;
    }, [f64(1, 2, 3, 3)]);
  });

  it('pad', () => {
    const c = casesOf('pad')[0];
    const x = leaf(c.x);
    const y = F.pad(x, c.pad, 'constant', c.value);
    expectClose(y, c.y);
    y.backward(fromEnc(c.gy));
    expectClose(x.grad!, c.grads[0]);
    expect(F.pad(torch.ones(2, 5), [-1, -2]).shape).toEqual([2, 2]);
  });

  it('dropout zeroes about p of the elements and rescales the rest; eval mode is the identity', () => {
    torch.manualSeed(3);
    const x = torch.ones(100, 100);
    const y = F.dropout(x, 0.3);
    const v = flat(y);
    const zeros = v.filter((e) => e === 0).length;
    expect(zeros / v.length).toBeGreaterThan(0.27);
    expect(zeros / v.length).toBeLessThan(0.33);
    expect(v.filter((e) => e !== 0).every((e) => Math.abs(e - 1 / 0.7) < 1e-6)).toBe(true);
    const d = new nn.Dropout(0.3);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, 0.3, false)).toBe(x);
    expect(flat(F.dropout(x, 1)).every((e) => e === 0)).toBe(true);
    const xg = torch.ones(4, { requiresGrad: true });
    const yg = F.dropout(xg, 0.5);
    yg.sum().backward();
    expect(flat(xg.grad!)).toEqual(flat(yg.detach()));
    expect(() => F.dropout(x, 1.5)).toThrow(errors.dropout_p);
    expect(() => new nn.Dropout(-0.1)).toThrow(/dropout probability/);
  });
});

describe('losses vs PyTorch', () => {
  it.each(casesOf('loss').map((c: any) => [c.name, c.opts.reduction, c]))('%s (%s)', (name, _r, c: any) => {
    const x = leaf(c.x);
    const fn = name === 'mse' ? F.mseLoss : F.l1Loss;
    const y = fn(x, fromEnc(c.t), c.opts);
    expectClose(y, c.y);
    y.sum().backward();
    expectClose(x.grad!, c.grads[0]);
    const mod = name === 'mse' ? new nn.MSELoss(c.opts) : new nn.L1Loss(c.opts);
    expectClose(mod.forward(fromEnc(c.x), fromEnc(c.t)), c.y);
  });

  it.each(casesOf('cross_entropy').map((c: any, i: number) => [i, JSON.stringify(c.opts), c]))('crossEntropy %i %s', (_i, _o, c: any) => {
    const x = leaf(c.x);
    const opts = { ...c.opts, weight: c.weight ? fromEnc(c.weight) : null };
    const y = F.crossEntropy(x, fromEnc(c.t), opts);
    expectClose(y, c.y);
    y.sum().backward();
    expectClose(x.grad!, c.grads[0]);
    expectClose(new nn.CrossEntropyLoss(opts).forward(fromEnc(c.x), fromEnc(c.t)), c.y);
  });

  it('nllLoss', () => {
    const c = casesOf('nll')[0];
    const x = leaf(c.x);
    const y = F.nllLoss(x.logSoftmax(1), fromEnc(c.t), c.opts);
    expectClose(y, c.y);
    y.backward();
    expectClose(x.grad!, c.grads[0]);
    expectClose(new nn.NLLLoss(c.opts).forward(fromEnc(c.x).logSoftmax(1), fromEnc(c.t)), c.y);
  });

  it('crossEntropy errors are PyTorch\'s', () => {
    const x = torch.randn(2, 3);
    expect(() => F.crossEntropy(x, torch.tensor([0, 3], { dtype: 'int64' }))).toThrow(errors.ce_out_of_bounds);
    expect(() => F.crossEntropy(x, torch.tensor([0, 1], { dtype: 'int32' }))).toThrow(errors.ce_int32_target);
    expect(() => F.crossEntropy(x, torch.tensor([0, 1, 1], { dtype: 'int64' }))).toThrow(errors.ce_batch_mismatch);
    expect(() => F.crossEntropy(x, torch.tensor([0, 1], { dtype: 'int64' }), { labelSmoothing: 1.5 })).toThrow(errors.label_smoothing);
    expect(() => F.mseLoss(torch.randn(2), torch.randn(2), { reduction: 'avg' as any })).toThrow(errors.bad_reduction);
  });

  it('crossEntropy with every target ignored is nan under mean, as PyTorch', () => {
    const y = F.crossEntropy(torch.randn(2, 3), torch.tensor([-100, -100], { dtype: 'int64' }));
    expect(Number.isNaN(y.item())).toBe(true);
  });

  it.each(casesOf('bce_logits').map((c: any, i: number) => [i, c]))('binaryCrossEntropyWithLogits %i', (_i, c: any) => {
    const x = leaf(c.x);
    const opts = { ...c.opts, weight: c.weight ? fromEnc(c.weight) : null, posWeight: c.pos_weight ? fromEnc(c.pos_weight) : null };
    const y = F.binaryCrossEntropyWithLogits(x, fromEnc(c.t), opts);
    expectClose(y, c.y);
    y.sum().backward();
    expectClose(x.grad!, c.grads[0]);
    expectClose(new nn.BCEWithLogitsLoss(opts).forward(fromEnc(c.x), fromEnc(c.t)), c.y);
  });

  it('binaryCrossEntropy', () => {
    const c = casesOf('bce')[0];
    const x = leaf(c.x);
    const y = F.binaryCrossEntropy(x, fromEnc(c.t));
    expectClose(y, c.y);
    y.backward();
    expectClose(x.grad!, c.grads[0]);
    expect(() => F.binaryCrossEntropyWithLogits(torch.randn(2, 3), torch.rand(3, 2))).toThrow(errors.bce_size);
  });

  it('loss gradients match finite differences in float64', () => {
    const t = torch.rand(3, 4, { dtype: 'float64' });
    gradcheck((x) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: torch.full([4], 2, { dtype: 'float64' }) }), [f64(3, 4)]);
    const cls = torch.tensor([0, 2, 1], { dtype: 'int64' });
    gradcheck((x) => F.crossEntropy(x, cls, { labelSmoothing: 0.1, weight: torch.tensor([1, 2, 0.5], { dtype: 'float64' }) }), [f64(3, 3)]);
  });

  it('registers class weights as buffers, so they are in the state dict', () => {
    expect(Object.keys(new nn.CrossEntropyLoss({ weight: torch.ones(3) }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    expect(Object.keys(new nn.BCEWithLogitsLoss({ posWeight: torch.ones(3) }).stateDict())).toEqual(['pos_weight']);
  });

  it('oneHot', () => {
    expect(F.oneHot(torch.tensor([0, 2, 1], { dtype: 'int64' })).tolist()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expect(F.oneHot(torch.tensor([1], { dtype: 'int64' }), 4).shape).toEqual([1, 4]);
  });
});
