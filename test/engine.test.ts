// The backward engine: graph shapes, accumulation, deep chains, execution order, hooks,
// higher-order derivatives, and staying consistent when JS code inside backward throws.
// Gradient values come from PyTorch (test/fixtures/autograd.json, kind "engine").
import { describe, expect, it } from 'vitest';
import { expectClose, fromEnc, loadFixture, torch } from './helpers';

const fx = loadFixture('autograd.json');
const engine = (name: string): any => {
  const c = fx.cases.find((k: any) => k.kind === 'engine' && k.name === name);
  if (!c) throw new Error(`no engine fixture '${name}'`);
  return c;
};
const leaf = (e: any) => fromEnc(e, { requiresGrad: true });

describe('graph shapes', () => {
  it('a diamond sums the gradients of both paths', () => {
    const c = engine('diamond');
    const x = leaf(c.x);
    const a = x.mul(2);
    const b = x.sin();
    const out = a.mul(b).mul(a.add(b)).sum();
    expectClose(out, c.out);
    out.backward();
    expectClose(x.grad!, c.grad);
  });

  it('a tensor used 51 times gets one summed gradient', () => {
    const c = engine('many uses');
    const x = leaf(c.x);
    let y = x;
    for (let i = 1; i <= 50; i++) y = y.add(x.mul(i));
    y.sum().backward();
    expectClose(x.grad!, c.grad);
  });

  it('broadcast gradients are reduced to each input shape', () => {
    const c = engine('broadcast');
    const x = leaf(c.x), w = leaf(c.w), s = leaf(c.s);
    x.mul(w).add(s).pow(2).sum().backward();
    expectClose(x.grad!, c.gx);
    expectClose(w.grad!, c.gw);
    expectClose(s.grad!, c.gs);
  });

  it('two roots in one autograd.backward call share the graph walk', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    torch.autograd.backward([y, y], [torch.ones(2), torch.ones(2)]);
    expect(x.grad!.tolist()).toEqual([4, 4]);
    // backward on a leaf itself
    const z = torch.tensor([1, 2], { requiresGrad: true });
    z.backward(torch.tensor([3, 4]));
    expect(z.grad!.tolist()).toEqual([3, 4]);
  });

  it('a gradient of another dtype is converted to the output dtype', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(2).backward(torch.tensor([1, 2], { dtype: 'int64' }));
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.tolist()).toEqual([2, 4]);
  });
});

describe('accumulation', () => {
  it('retainGraph lets backward run again, adding into .grad each time', () => {
    const c = engine('retain_graph accumulation');
    const x = leaf(c.x);
    const y = x.exp().mul(x).sum();
    for (const want of c.grads) {
      y.backward({ retainGraph: true });
      expectClose(x.grad!, want);
    }
  });

  it('gradients accumulate across graphs until zero_()', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    x.pow(2).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad!.tolist()).toEqual([5, 7, 9]);
    x.grad!.zero_();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    x.grad = null;
    expect(x.grad).toBeNull();
  });

  it('.grad is a tensor of its own, not an alias of the gradient passed in', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const g = torch.tensor([5, 6]);
    x.backward(g);
    g.add_(100);
    expect(x.grad!.tolist()).toEqual([5, 6]);
  });

  it('x.grad is the same object while the gradient is the same tensor (PyTorch: x.grad is x.grad)', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(2).sum().backward();
    const g = x.grad!;
    expect(x.grad).toBe(g);
    x.mul(3).sum().backward(); // accumulates in place: still the same tensor
    expect(x.grad).toBe(g);
    expect(g.tolist()).toEqual([5, 5]);
    const h = torch.tensor([7, 8]);
    x.grad = h; // assigned: the getter returns what was assigned
    expect(x.grad).toBe(h);
    x.grad = null;
    expect(x.grad).toBeNull();
    x.mul(1).sum().backward(); // a new gradient tensor: a new object
    expect(x.grad).not.toBe(h);
    expect(x.grad!.tolist()).toEqual([1, 1]);
    const k = x.grad!;
    k.dispose(); // a disposed handle is never handed back
    expect(x.grad).not.toBe(k);
    expect(x.grad!.tolist()).toEqual([1, 1]);
    // createGraph replaces the gradient with a new tensor (grad + new): a new object.
    const before = x.grad!;
    x.mul(x).sum().backward({ createGraph: true });
    expect(x.grad).not.toBe(before);
    expect(x.grad!.tolist()).toEqual([3, 5]);
  });

  it('y.gradFn is the same object while the node is the same (PyTorch: y.grad_fn is y.grad_fn)', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    expect(x.gradFn).toBeNull();
    const y = x.mul(2);
    const f = y.gradFn!;
    expect(y.gradFn).toBe(f);
    expect(f.name).toBe('MulBackward0');
    y.add_(1); // an in-place op gives y a new node
    expect(y.gradFn).not.toBe(f);
    expect(y.gradFn!.name).toBe('AddBackward0');
    expect(y.gradFn).toBe(y.gradFn);
    const v = y.view(2); // a view's node is regenerated after its base is written in place
    const vf = v.gradFn!;
    expect(v.gradFn).toBe(vf);
    y.mul_(3);
    expect(v.gradFn).not.toBe(vf);
    expect(v.gradFn!.name).toBe('AsStridedBackward0');
    y.detach_();
    expect(y.gradFn).toBeNull();
  });

  it('a grad read inside tidy() is disposed with the scope; the next read gives a live tensor', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.sum().backward();
    const inner = torch.tidy(() => {
      const g = x.grad!;
      expect(x.grad).toBe(g);
      return g.tolist();
    });
    expect(inner).toEqual([1, 1]);
    expect(x.grad!.tolist()).toEqual([1, 1]);
  });

  it('a graph without saved tensors can be walked twice (as in PyTorch)', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.add(2).sum();
    y.backward();
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
  });
});

describe('deep graphs', () => {
  it('a 100,000-node chain runs backward without overflowing the stack', () => {
    const x = torch.tensor(1.5, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.mul(1);
    y.backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('dropping a 1,000,000-node chain at once releases it iteratively', () => {
    // Recursive destruction (tensor -> node -> next node -> ...) overflowed the C++ stack here.
    const x = torch.tensor(1.0, { requiresGrad: true });
    let y = x.mul(1);
    for (let i = 0; i < 1_000_000; i++) {
      const z = y.mul(1); // each MulBackward0 saves its scalar operand: one storage per node
      y.dispose(); // only the newest JS tensor holds the chain
      y = z;
    }
    const held = torch.memory().storages;
    y.dispose(); // the whole chain is freed from this one release
    expect(torch.memory().storages).toBeLessThanOrEqual(held - 1_000_000);
    expect(x.requiresGrad).toBe(true);
  });

  it('a 100,000-node chain through a custom Function and hooks', () => {
    class Id extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, t: torch.Tensor) {
        return t.clone();
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return g;
      }
    }
    const x = torch.tensor(2, { requiresGrad: true });
    let y: torch.Tensor = x;
    let hooks = 0;
    for (let i = 0; i < 20_000; i++) {
      y = i % 2 ? Id.apply(y) : y.mul(1);
      if (i % 1000 === 0) y.registerHook(() => void hooks++);
    }
    y.backward();
    expect(x.grad!.item()).toBe(1);
    expect(hooks).toBe(20);
  });
});

describe('execution order and hooks', () => {
  it('runs nodes in PyTorch order: the most recently recorded ready node first', () => {
    const c = engine('execution order');
    const order: string[] = [];
    const a = torch.tensor(1, { requiresGrad: true });
    const b = a.mul(2);
    b.registerHook(() => void order.push('b'));
    const cc = a.mul(3);
    cc.registerHook(() => void order.push('c'));
    const d = b.add(cc);
    d.registerHook(() => void order.push('d'));
    const e = b.mul(cc);
    e.registerHook(() => void order.push('e'));
    d.add(e).backward();
    expect(order).toEqual(c.order);
    expect(a.grad!.item()).toBe(c.grad);
  });

  it('tensor hooks run in registration order, each seeing the previous result', () => {
    // PyTorch prints: h1 [6, 12], h2 [12, 24], xh1 [36, 72], xh2 [37, 73]; x.grad [37, 73].
    const log: [string, number[]][] = [];
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.retainGrad();
    y.registerHook((g) => {
      log.push(['h1', g.tolist()]);
      return g.mul(2);
    });
    y.registerHook((g) => void log.push(['h2', g.tolist()]));
    x.registerHook((g) => {
      log.push(['xh1', g.tolist()]);
      return g.add(1);
    });
    x.registerHook((g) => void log.push(['xh2', g.tolist()]));
    y.mul(y).sum().backward();
    expect(log).toEqual([['h1', [6, 12]], ['h2', [12, 24]], ['xh1', [36, 72]], ['xh2', [37, 73]]]);
    expect(x.grad!.tolist()).toEqual([37, 73]);
    // retainGrad sees the gradient after every hook, as in PyTorch 2.x (1.13 gave it the
    // value at the point retain_grad() was called among the hooks: [6, 12] here).
    expect(y.grad!.tolist()).toEqual([12, 24]);
  });

  it('a leaf hook sees the summed gradient once, before accumulation', () => {
    const seen: number[][] = [];
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.registerHook((g) => void seen.push(g.tolist()));
    x.mul(x).add(x).sum().backward();
    expect(seen).toEqual([[3, 5]]);
  });

  it('hooks may call backward themselves (reentrant backward)', () => {
    const x = torch.tensor(3, { requiresGrad: true });
    const w = torch.tensor(2, { requiresGrad: true });
    const y = x.mul(w);
    y.registerHook((g) => {
      // Hooks run with grad mode as createGraph sets it (off here), as in PyTorch.
      expect(torch.isGradEnabled()).toBe(false);
      const [gw] = torch.enableGrad(() => torch.autograd.grad(w.pow(3), w)); // 3w² = 12
      return g.mul(gw!);
    });
    y.backward();
    expect(x.grad!.item()).toBe(24);
  });

  it('removed hooks stop running; handles also work as `using` guards', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const h = x.registerHook((g) => g.mul(100));
    h.remove();
    h.remove(); // idempotent
    x.mul(1).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1]);
    const y = torch.tensor([1, 2], { requiresGrad: true });
    {
      using _h = y.registerHook((g) => g.mul(10));
      y.sum().backward();
    }
    y.sum().backward();
    expect(y.grad!.tolist()).toEqual([11, 11]);
  });

  it('autograd.grad and hooks on its inputs (PyTorch 2.x rules)', () => {
    // A leaf's hooks run before its gradient is returned. (PyTorch 1.13 returned it unhooked.)
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.registerHook((g) => g.mul(2));
    expect(torch.autograd.grad(x.mul(x).sum(), x)[0]!.tolist()).toEqual([4, 8]);
    expect(x.grad).toBeNull();
    // A non-leaf whose node still runs (x lies below it) is captured before its hooks, which
    // then act on the gradient flowing on: as in PyTorch 1.13 and 2.x.
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const y = a.mul(3);
    y.registerHook((g) => g.mul(2));
    const [gy, ga] = torch.autograd.grad(y.mul(y).sum(), [y, a]);
    expect(gy!.tolist()).toEqual([6, 12]);
    expect(ga!.tolist()).toEqual([36, 72]);
    // Alone, the non-leaf is captured after its hooks (2.x).
    const b = torch.tensor([1, 2], { requiresGrad: true });
    const z = b.mul(3);
    z.registerHook((g) => g.mul(2));
    expect(torch.autograd.grad(z.mul(z).sum(), z)[0]!.tolist()).toEqual([12, 24]);
  });

  it('a hook registered on a non-leaf affects only gradients flowing through it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.registerHook((g) => g.mul(0));
    y.add(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1]);
  });
});

describe('higher-order derivatives (createGraph)', () => {
  for (const [name, fn] of [
    ['x^3', (x: torch.Tensor) => x.pow(3)],
    ['sin', (x: torch.Tensor) => x.sin()],
    ['exp', (x: torch.Tensor) => x.exp()],
  ] as const) {
    it(`first, second and third derivatives of ${name}`, () => {
      const c = engine(name);
      const x = torch.tensor(c.at, { dtype: 'float64', requiresGrad: true });
      const y = fn(x);
      const [g1] = torch.autograd.grad(y, x, { createGraph: true });
      const [g2] = torch.autograd.grad(g1!, x, { createGraph: true });
      const [g3] = torch.autograd.grad(g2!, x);
      expect(y.item()).toBeCloseTo(c.y, 12);
      expect(g1!.item()).toBeCloseTo(c.g1, 12);
      expect(g2!.item()).toBeCloseTo(c.g2, 12);
      expect(g3!.item()).toBeCloseTo(c.g3, 12);
      expect([y.gradFn!.name, g1!.gradFn!.name, g2!.gradFn!.name]).toEqual(c.names);
      expect(g3!.requiresGrad).toBe(false);
    });
  }

  it('second derivative of softmax (Hessian-vector product) [needs softmax from the reductions area]', () => {
    const c = engine('softmax second derivative');
    const x = leaf(c.x);
    const v = fromEnc(c.v);
    const s = x.softmax(0).mul(v).sum();
    const [g] = torch.autograd.grad(s, x, { createGraph: true });
    expectClose(g!, c.g);
    const [hv] = torch.autograd.grad(g!.mul(v).sum(), x);
    expectClose(hv!, c.hv);
  });

  it('backward({ createGraph }) leaves a differentiable .grad (CopyBackwards, then AddBackward0)', () => {
    const x = torch.tensor(2, { requiresGrad: true });
    x.pow(3).backward({ createGraph: true });
    const g = x.grad!;
    expect(g.item()).toBe(12);
    expect(g.gradFn!.name).toBe('CopyBackwards');
    x.grad = null;
    g.backward();
    expect(x.grad!.item()).toBe(12); // d(3x²)/dx at 2
    const z = torch.tensor(2, { requiresGrad: true });
    z.pow(2).backward();
    z.pow(3).backward({ createGraph: true });
    expect(z.grad!.item()).toBe(16);
    expect(z.grad!.gradFn!.name).toBe('AddBackward0');
  });

  it('createGraph retains the graph by default; an explicit retainGraph: false frees it', () => {
    const x = torch.tensor(2, { requiresGrad: true });
    const y = x.pow(3);
    torch.autograd.grad(y, x, { createGraph: true });
    expect(torch.autograd.grad(y, x)[0]!.item()).toBe(12);
    expect(() => torch.autograd.grad(y, x)).toThrow('Trying to backward through the graph a second time');
  });
});

describe('autograd.grad and backward(inputs)', () => {
  it('gradOutputs weight the outputs (vector-Jacobian product)', () => {
    const c = engine('grad_outputs');
    const x = leaf(c.x), w = leaf(c.w);
    const y = x.pow(2).mul(w);
    const [gx, gw] = torch.autograd.grad(y, [x, w], { gradOutputs: fromEnc(c.v) });
    expectClose(gx!, c.gx);
    expectClose(gw!, c.gw);
    expect(x.grad).toBeNull(); // returned, not accumulated
  });

  it('several outputs: their gradients are summed; null gradOutputs mean ones for scalars', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    expect(torch.autograd.grad([x.sum(), x.mul(x).sum()], x)[0]!.tolist()).toEqual([3, 5, 7]);
    const r = torch.autograd.grad([x.mul(2).sum(), x.mul(x)], x, { gradOutputs: [null, torch.ones(3)] });
    expect(r[0]!.tolist()).toEqual([4, 6, 8]);
  });

  it('allowUnused returns null for inputs the outputs do not depend on', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const z = torch.tensor(1, { requiresGrad: true });
    const [gx, gz] = torch.autograd.grad(x.mul(2).sum(), [x, z], { allowUnused: true });
    expect(gx!.tolist()).toEqual([2, 2, 2]);
    expect(gz).toBeNull();
  });

  it('gradients with respect to a non-leaf, and of a leaf by itself', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const [gy, gx] = torch.autograd.grad(y.mul(y).sum(), [y, x]);
    expect(gy!.tolist()).toEqual([6, 12]);
    expect(gx!.tolist()).toEqual([18, 36]);
    const s = torch.tensor(1, { requiresGrad: true });
    expect(torch.autograd.grad(s, s)[0]!.item()).toBe(1);
  });

  it('autograd.grad also fills retainGrad() tensors on the way (as PyTorch does)', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.retainGrad();
    expect(torch.autograd.grad(y.mul(y).sum(), x)[0]!.tolist()).toEqual([18, 36]);
    expect(y.grad!.tolist()).toEqual([6, 12]);
  });

  it('backward(inputs) accumulates only into the listed tensors', () => {
    const c = engine('backward inputs');
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const w = torch.tensor([3, -1], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(w);
    y.retainGrad();
    const z = y.mul(2);
    z.mul(z).sum().backward({ inputs: [x] });
    expectClose(x.grad!, c.gx);
    expect(w.grad === null).toBe(c.w_grad_is_none);
    expectClose(y.grad!, c.gy); // on the path to x, so its retained grad is filled
  });

  it('backward(inputs) with a non-leaf fills its .grad once', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.mul(y).sum().backward({ inputs: [y] });
    expect(y.grad!.tolist()).toEqual([4, 8]);
    expect(x.grad).toBeNull();
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(3);
    b.retainGrad();
    b.mul(b).sum().backward({ inputs: [b] });
    expect(b.grad!.tolist()).toEqual([6, 12]);
  });

  it('autograd.backward takes inputs too', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const w = torch.tensor([3, 4], { requiresGrad: true });
    torch.autograd.backward(x.mul(w).sum(), null, { inputs: [w] });
    expect(w.grad!.tolist()).toEqual([1, 2]);
    expect(x.grad).toBeNull();
  });
});

describe('errors inside backward leave the engine usable', () => {
  it("a hook's exception reaches the caller as itself; grad mode is restored", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    class Boom extends Error {}
    const h = y.registerHook(() => {
      throw new Boom('boom');
    });
    const z = y.sum();
    expect(() => z.backward({ retainGraph: true, createGraph: true })).toThrow(Boom);
    expect(torch.isGradEnabled()).toBe(true);
    expect(x.grad).toBeNull();
    h.remove();
    z.backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('a version error in the middle of backward keeps other graphs working', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const a = x.exp();
    a.add_(1);
    expect(() => a.sum().backward()).toThrow('modified by an inplace operation');
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });
});
