// The autograd API around the engine: requiresGrad rules, leaves, detach, grad mode, the
// graph seen from JS (gradFn / nextFunctions), retainGrad, custom Functions and gradcheck.
import { describe, expect, it } from 'vitest';
import { expectClose, fromEnc, loadFixture, torch } from './helpers';

const fx = loadFixture('autograd.json');
const engine = (name: string): any => fx.cases.find((k: any) => k.kind === 'engine' && k.name === name);

describe('requiresGrad and leaves', () => {
  it('propagates through ops; results are non-leaves with a gradFn', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const c = torch.tensor([3, 4]);
    expect(x.isLeaf).toBe(true);
    expect(c.isLeaf).toBe(true);
    const y = x.mul(c);
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn!.name).toBe('MulBackward0');
    const z = c.mul(2);
    expect(z.requiresGrad).toBe(false);
    expect(z.isLeaf).toBe(true);
    expect(z.gradFn).toBeNull();
  });

  it('the setter works on leaves, in both directions', () => {
    const x = torch.tensor([1, 2]);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad = false;
    expect(x.requiresGrad).toBe(false);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad_(false);
    expect(x.requiresGrad).toBe(false);
  });

  it('requiresGrad_(true) on a non-leaf is allowed (it already requires grad); the setter is not', () => {
    const y = torch.tensor([1, 2], { requiresGrad: true }).mul(2);
    expect(y.requiresGrad_(true)).toBe(y);
    expect(() => {
      y.requiresGrad = true;
    }).toThrow('you can only change requires_grad flags of leaf variables.');
  });

  it('float64 and int tensors: only floating point may require grad', () => {
    expect(torch.tensor([1], { dtype: 'float64', requiresGrad: true }).requiresGrad).toBe(true);
    const i = torch.tensor([1], { dtype: 'int32' });
    i.requiresGrad = false; // turning it off is always fine
    expect(() => i.requiresGrad_()).toThrow('only Tensors of floating point dtype can require gradients');
  });

  it('nextFunctions ends in AccumulateGrad nodes that know their leaf', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const next = y.gradFn!.nextFunctions;
    expect(next.length).toBe(2);
    expect(next[0][0]!.name).toBe('AccumulateGrad');
    expect(next[0][1]).toBe(0);
    expect(next[1][0]).toBeNull(); // the number 2 needs no gradient
    const leaf = next[0][0]!.variable!;
    expect(leaf.tolist()).toEqual([1, 2]);
    expect(leaf.requiresGrad).toBe(true);
    const z = y.add(x).sum();
    expect(z.gradFn!.name).toBe('SumBackward0');
    expect(z.gradFn!.nextFunctions[0][0]!.name).toBe('AddBackward0');
    expect(String(z.gradFn)).toBe('<SumBackward0 object>');
  });
});

describe('retainGrad', () => {
  it('fills a non-leaf .grad; leaves ignore it; retainsGrad reports it', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    y.retainGrad(); // twice is fine
    x.retainGrad();
    expect(y.retainsGrad).toBe(true);
    expect(x.retainsGrad).toBe(false);
    y.sum().backward({ retainGraph: true });
    expect(y.grad!.tolist()).toEqual([1, 1, 1]);
    y.sum().backward();
    expect(y.grad!.tolist()).toEqual([2, 2, 2]); // accumulates like a leaf's
  });

  it('a non-leaf without retainGrad has no .grad (PyTorch warns)', () => {
    const x = torch.tensor(2, { requiresGrad: true });
    const y = x.mul(2);
    y.backward();
    expect(y.grad).toBeNull();
  });
});

describe('detach', () => {
  it('detach() shares storage and version counter, without history', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.exp();
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    d.set(0, 10);
    expect(y.tolist()[0]).toBe(10); // same storage
    // and the same version counter: backward sees the in-place write
    expect(() => y.sum().backward()).toThrow('is at version 1; expected version 0 instead');
  });

  it('.data is detach()', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    expect(x.data.requiresGrad).toBe(false);
    expect(x.data.tolist()).toEqual([1, 2]);
  });

  it('detach_() makes a non-leaf a leaf that does not require grad', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    expect(y.detach_()).toBe(y);
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
    expect(y.gradFn).toBeNull();
    expect(y.retainsGrad).toBe(false);
    expect(y.tolist()).toEqual([2, 4]);
  });
});

describe('grad mode', () => {
  it('noGrad records nothing and returns the result; modes nest and restore', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = torch.noGrad(() => {
      expect(torch.isGradEnabled()).toBe(false);
      const inner = torch.enableGrad(() => {
        expect(torch.isGradEnabled()).toBe(true);
        return x.mul(2);
      });
      expect(inner.requiresGrad).toBe(true);
      expect(torch.isGradEnabled()).toBe(false);
      return x.mul(3);
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('restores the mode when the function throws', () => {
    expect(() =>
      torch.noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(torch.isGradEnabled()).toBe(true);
    torch.setGradEnabled(false);
    try {
      expect(() =>
        torch.enableGrad(() => {
          throw new Error('inside');
        }),
      ).toThrow('inside');
      expect(torch.isGradEnabled()).toBe(false);
    } finally {
      torch.setGradEnabled(true);
    }
  });

  it('noGrad() / enableGrad() / setGradEnabled() without a function are `using` guards', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    {
      using _g = torch.noGrad();
      expect(x.mul(2).requiresGrad).toBe(false);
      {
        using _e = torch.enableGrad();
        expect(x.mul(2).requiresGrad).toBe(true);
      }
      expect(torch.isGradEnabled()).toBe(false);
    }
    expect(torch.isGradEnabled()).toBe(true);
    {
      using _s = torch.setGradEnabled(false);
      expect(torch.isGradEnabled()).toBe(false);
    }
    expect(torch.isGradEnabled()).toBe(true);
    const g = torch.noGrad();
    g.restore();
    g.restore(); // once only
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('in-place updates of parameters under noGrad (the training-loop idiom)', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    torch.noGrad(() => w.sub_(w.grad!.mul(0.5)));
    expect(w.tolist()).toEqual([0, 0]);
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad).toBe(true);
  });
});

class Square extends torch.autograd.Function {
  static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
    ctx.saveForBackward(x);
    return x.mul(x);
  }
  static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
    const [x] = ctx.savedTensors;
    return g.mul(x!).mul(2);
  }
}

class MulAdd extends torch.autograd.Function {
  static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor, y: torch.Tensor, k: number) {
    ctx.saveForBackward(x, y);
    return x.mul(y).add(k);
  }
  static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
    const [x, y] = ctx.savedTensors;
    return [ctx.needsInputGrad[0] ? g.mul(y!) : null, ctx.needsInputGrad[1] ? g.mul(x!) : null, null];
  }
}

describe('custom autograd.Function', () => {
  it('matches PyTorch for a chain of two custom Functions', () => {
    const c = engine('custom functions');
    const x = fromEnc(c.x, { requiresGrad: true });
    const y = fromEnc(c.y, { requiresGrad: true });
    const out = Square.apply(MulAdd.apply(x, y, 2));
    expectClose(out, c.out);
    out.sum().backward();
    expectClose(x.grad!, c.gx);
    expectClose(y.grad!, c.gy);
    expect([out.gradFn!.name, out.gradFn!.nextFunctions[0][0]!.name]).toEqual(c.names);
  });

  it('forward runs without recording; backward with grad mode as createGraph says', () => {
    const modes: boolean[] = [];
    class Probe extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        modes.push(torch.isGradEnabled());
        const y = x.mul(3);
        expect(y.requiresGrad).toBe(false);
        return y;
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        modes.push(torch.isGradEnabled());
        return g.mul(3);
      }
    }
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = Probe.apply(x);
    expect(y.requiresGrad).toBe(true);
    y.sum().backward({ retainGraph: true });
    y.sum().backward({ createGraph: true });
    expect(modes).toEqual([false, false, true]);
  });

  it('second derivatives flow through a custom backward written in differentiable ops', () => {
    const x = torch.tensor(3, { dtype: 'float64', requiresGrad: true });
    const y = Square.apply(x).mul(x); // x³
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    expect(g!.item()).toBe(27);
    const [g2] = torch.autograd.grad(g!, x);
    expect(g2!.item()).toBe(18);
  });

  it('needsInputGrad, non-tensor arguments and null gradients', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = torch.tensor([3, 4]);
    let seen: boolean[] = [];
    class Probe extends MulAdd {
      static forward(ctx: torch.autograd.FunctionCtx, a: torch.Tensor, b: torch.Tensor, k: number) {
        seen = ctx.needsInputGrad.slice();
        return super.forward(ctx, a, b, k);
      }
    }
    Probe.apply(x, y, 1).sum().backward();
    expect(seen).toEqual([true, false, false]);
    expect(x.grad!.tolist()).toEqual([3, 4]);
  });

  it('no input requires grad: forward runs, nothing is recorded', () => {
    const out = Square.apply(torch.tensor([2, 3]));
    expect(out.tolist()).toEqual([4, 9]);
    expect(out.requiresGrad).toBe(false);
    expect(torch.noGrad(() => Square.apply(torch.tensor([2], { requiresGrad: true }))).requiresGrad).toBe(false);
  });

  it('several outputs; an output that got no gradient is materialized as zeros', () => {
    const got: (number[] | null)[] = [];
    class Split extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        return [x.mul(2), x.mul(3)];
      }
      static backward(ctx: torch.autograd.FunctionCtx, ga: torch.Tensor | null, gb: torch.Tensor | null) {
        got.push(ga && ga.tolist(), gb && gb.tolist());
        return ga!.mul(2).add(gb!.mul(3));
      }
    }
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const [a, b] = Split.apply(x);
    expect(a.gradFn!.name).toBe('SplitBackward');
    expect(b.gradFn!.name).toBe('SplitBackward');
    a.sum().backward();
    expect(got).toEqual([[1, 1], [0, 0]]);
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('setMaterializeGrads(false) passes null for outputs without a gradient', () => {
    let second: unknown = 'unset';
    class Split extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        ctx.setMaterializeGrads(false);
        return [x.clone(), x.clone()];
      }
      static backward(ctx: torch.autograd.FunctionCtx, ga: torch.Tensor | null, gb: torch.Tensor | null) {
        second = gb;
        return ga;
      }
    }
    const x = torch.tensor([1, 2], { requiresGrad: true });
    Split.apply(x)[0].sum().backward();
    expect(second).toBeNull();
    expect(x.grad!.tolist()).toEqual([1, 1]);
  });

  it('returning an input unchanged gives a new tensor sharing its storage', () => {
    class Ident extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        return x;
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return g.mul(5);
      }
    }
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = Ident.apply(x);
    expect(y).not.toBe(x);
    expect(x.isLeaf).toBe(true);
    expect(y.gradFn!.name).toBe('IdentBackward');
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([5, 5]);
  });

  it('markDirty: an input modified in place takes the new history', () => {
    class AddOne extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        x.add_(1);
        ctx.markDirty(x);
        return x;
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return g;
      }
    }
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const a = x.mul(1);
    const b = AddOne.apply(a);
    expect(b).toBe(a);
    expect(a.gradFn!.name).toBe('AddOneBackward');
    expect(a.tolist()).toEqual([2, 3]);
    a.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1]);
    expect(() => AddOne.apply(torch.tensor([1], { requiresGrad: true }))).toThrow(
      'a leaf Variable that requires grad has been used in an in-place operation.',
    );
  });

  it('markNonDifferentiable: such outputs get no history', () => {
    class ArgSort extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        const idx = torch.tensor([1, 0]);
        ctx.markNonDifferentiable(idx);
        return [x.clone(), idx];
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return g;
      }
    }
    const [v, i] = ArgSort.apply(torch.tensor([5, 6], { requiresGrad: true }));
    expect(v.requiresGrad).toBe(true);
    expect(i.requiresGrad).toBe(false);
  });

  it('saved tensors are version-checked and freed after backward', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const a = x.mul(1);
    const y = Square.apply(a);
    a.mul_(2);
    expect(() => y.sum().backward()).toThrow(
      'one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]], which is output 0 of MulBackward0, is at version 1; expected version 0 instead.',
    );
    const z = Square.apply(x).sum();
    z.backward();
    expect(() => z.backward()).toThrow('Trying to backward through the graph a second time');
  });

  it('saving an output does not leak: the graph is collectable', async () => {
    class Exp extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        const y = x.exp();
        ctx.saveForBackward(y);
        return y;
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        const [y] = ctx.savedTensors;
        return g.mul(y!);
      }
    }
    const x = torch.tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    Exp.apply(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, Math.exp(1)]);
    expect(torch.autograd.gradcheck((t: torch.Tensor) => Exp.apply(t), [x])).toBe(true);
  });

  it("an exception in backward propagates as itself and the graph stays usable with retainGraph", () => {
    let fail = true;
    class Flaky extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        return x.mul(2);
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        if (fail) throw new RangeError('flaky');
        return g.mul(2);
      }
    }
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = Flaky.apply(x).sum();
    expect(() => y.backward({ retainGraph: true })).toThrow(RangeError);
    fail = false;
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('default forward and backward throw PyTorch\'s messages', () => {
    class Empty extends torch.autograd.Function {}
    expect(() => Empty.apply(torch.tensor([1]))).toThrow('You must implement the forward function for custom autograd.Function.');
    class NoBackward extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        return x.clone();
      }
    }
    expect(() => NoBackward.apply(torch.tensor([1], { requiresGrad: true })).sum().backward()).toThrow(
      'You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.',
    );
  });
});

describe('gradcheck', () => {
  const d = (...shape: number[]) => torch.randn(shape, { dtype: 'float64', requiresGrad: true });

  it('passes for correct derivatives, with several inputs, broadcasting and views', () => {
    torch.manualSeed(0);
    expect(torch.autograd.gradcheck((a: torch.Tensor, b: torch.Tensor) => a.mul(b).sin(), [d(3, 1), d(1, 4)])).toBe(true);
    expect(torch.autograd.gradcheck((a: torch.Tensor) => a.transpose(0, 1).exp().sum(0), [d(2, 3)])).toBe(true);
    expect(torch.autograd.gradcheck((a: torch.Tensor, b: torch.Tensor) => a.matmul(b).tanh(), [d(2, 3), d(3, 2)])).toBe(true);
    // a non-contiguous input
    const nc = torch.randn([3, 4], { dtype: 'float64' }).t().requiresGrad_();
    expect(nc.isContiguous()).toBe(false);
    expect(torch.autograd.gradcheck((a: torch.Tensor) => a.mul(a).sigmoid(), [nc])).toBe(true);
    // several outputs, and a non-tensor argument
    expect(torch.autograd.gradcheck((a: torch.Tensor, k: number) => [a.mul(k), a.pow(2)], [d(3), 2.5])).toBe(true);
    // inputs not requiring grad are left alone
    expect(torch.autograd.gradcheck((a: torch.Tensor, b: torch.Tensor) => a.div(b), [d(3), torch.tensor([1, 2, 3], { dtype: 'float64' })])).toBe(true);
  });

  it('throws naming the mismatching entries, or returns false', () => {
    class Wrong extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
        return x.mul(2);
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return g.mul(3);
      }
    }
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    expect(() => torch.autograd.gradcheck((t: torch.Tensor) => Wrong.apply(t), [x])).toThrow(
      /^Jacobian mismatch for output 0 with respect to input 0,\nnumerical:.*\nanalytical:.*\nmismatching entries .*\n  input element 0, output element 0: numerical 1\.99999.*, analytical 3\n  input element 1, output element 1/s,
    );
    expect(torch.autograd.gradcheck((t: torch.Tensor) => Wrong.apply(t), x, { raiseException: false })).toBe(false);
    // the inputs are left as they were
    expect(x.tolist()).toEqual([1, 2]);
  });

  it('tolerances and eps are options', () => {
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    class Off extends torch.autograd.Function {
      static forward(ctx: torch.autograd.FunctionCtx, t: torch.Tensor) {
        return t.mul(2);
      }
      static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return g.mul(2.001);
      }
    }
    const fn = (t: torch.Tensor) => Off.apply(t);
    expect(torch.autograd.gradcheck(fn, [x], { raiseException: false, rtol: 0 })).toBe(false);
    expect(torch.autograd.gradcheck(fn, [x], { atol: 0.01 })).toBe(true);
    expect(torch.autograd.gradcheck((t: torch.Tensor) => t.pow(3), [x], { eps: 1e-4, atol: 1e-6 })).toBe(true);
  });

  it('needs an input that requires grad', () => {
    expect(() => torch.autograd.gradcheck((t: torch.Tensor) => t.mul(2), [torch.tensor([1])])).toThrow(
      'gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.',
    );
  });
});
