// Every autograd error, one test each, against PyTorch's exact text
// (test/fixtures/autograd.json, kind "error", made by scripts/fixtures/autograd.py).
import { describe, expect, it } from 'vitest';
import { loadFixture, torch } from './helpers';

const fx = loadFixture('autograd.json');
const messages = new Map<string, string>(fx.cases.filter((c: any) => c.kind === 'error').map((c: any) => [c.name, c.message]));

const leaf = (data: any, dtype: torch.DType = 'float32') => torch.tensor(data, { dtype, requiresGrad: true });

class Twice extends torch.autograd.Function {
  static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
    return x.mul(2);
  }
  static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
    return [g.mul(2), g];
  }
}

class WrongShape extends torch.autograd.Function {
  static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
    return x.mul(2);
  }
  static backward() {
    return torch.ones(5);
  }
}

class Scale extends torch.autograd.Function {
  static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor, k: number) {
    return x.mul(k);
  }
  static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
    return [g, g];
  }
}

// Each thunk does in tensorgrad what the fixture's case of the same name does in PyTorch.
const cases: Record<string, () => unknown> = {
  'freed graph': () => {
    const x = leaf(3.0);
    const y = x.pow(2);
    y.backward();
    y.backward();
  },
  'freed graph autograd.grad': () => {
    const x = leaf(2.0);
    const y = x.mul(x).sum();
    torch.autograd.grad(y, x);
    torch.autograd.grad(y, x);
  },
  'implicit non-scalar': () => leaf([1, 2]).mul(2).backward(),
  'implicit non-scalar autograd.grad': () => {
    const x = leaf([1, 2]);
    torch.autograd.grad(x.mul(2), x);
  },
  'no grad_fn': () => torch.tensor([1, 2]).sum().backward(),
  'no grad_fn second root': () => torch.autograd.backward([leaf(1).mul(2), torch.tensor(2)]),
  'int requires_grad ctor': () => torch.tensor([1, 2], { dtype: 'int64', requiresGrad: true }),
  'int requires_grad setter': () => {
    torch.tensor([1, 2], { dtype: 'int64' }).requiresGrad = true;
  },
  'int requires_grad_': () => torch.tensor([1, 2], { dtype: 'int64' }).requiresGrad_(),
  'non-leaf setter true': () => {
    leaf([1]).mul(2).requiresGrad = true;
  },
  'non-leaf setter false': () => {
    leaf([1]).mul(2).requiresGrad = false;
  },
  'non-leaf requires_grad_ false': () => leaf([1]).mul(2).requiresGrad_(false),
  'leaf in-place': () => leaf([1, 2]).add_(1),
  'view of leaf in-place': () => leaf([1, 2]).view(2).mul_(2),
  'saved output modified': () => {
    const x = leaf([1, 2, 3]);
    const y = x.exp();
    y.add_(1);
    y.sum().backward();
  },
  'saved input modified': () => {
    const x = leaf([1, 2, 3]);
    const a = x.mul(1);
    const y = a.sin();
    a.mul_(2);
    y.sum().backward();
  },
  'saved leaf modified': () => {
    const x = leaf([[1, 2, 3]]);
    const w = torch.tensor([[1, 2, 3]]);
    const y = x.mul(w).sum();
    w.add_(1);
    y.backward();
  },
  'unused input': () => {
    const x = leaf([1, 2]);
    torch.autograd.grad(x.mul(2).sum(), [x, leaf(1)]);
  },
  'input does not require grad': () => {
    const x = leaf([1, 2]);
    torch.autograd.grad(x.mul(2).sum(), [x, torch.tensor(1)]);
  },
  'backward inputs does not require grad': () => leaf([1, 2]).mul(2).sum().backward({ inputs: [torch.tensor(1)] }),
  'backward inputs empty': () => leaf([1, 2]).mul(2).sum().backward({ inputs: [] }),
  'shape mismatch': () => leaf([1, 2]).mul(2).backward(torch.ones(3)),
  'retain_grad no grad': () => torch.tensor([1]).retainGrad(),
  'hook no grad': () => torch.tensor([1]).registerHook((g) => g),
  'hook changed size': () => {
    const y = leaf([1, 2, 3]).mul(2);
    y.registerHook(() => torch.ones(2));
    y.sum().backward();
  },
  'detach_ view': () => torch.tensor([1, 2, 3]).index('1:').detach_(),
  'assign grad size': () => {
    leaf([1, 2, 3]).grad = torch.ones(2);
  },
  'assign grad dtype': () => {
    leaf([1, 2, 3]).grad = torch.ones(3, { dtype: 'float64' });
  },
  'custom wrong count': () => Twice.apply(leaf([1, 2])).sum().backward(),
  'custom wrong shape': () => WrongShape.apply(leaf([1, 2])).sum().backward(),
  'custom grad for non-tensor': () => Scale.apply(leaf([1, 2]), 3).sum().backward(),
};

describe("autograd errors carry PyTorch's text", () => {
  it('covers every error case of the fixture', () => {
    expect(Object.keys(cases).sort()).toEqual([...messages.keys()].sort());
  });

  for (const [name, thunk] of Object.entries(cases)) {
    it(name, () => {
      const want = messages.get(name);
      expect(want).toBeDefined();
      let err: unknown;
      try {
        thunk();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe(want);
    });
  }

  it("the hook's name appears in the size error ('<lambda>' for an anonymous function)", () => {
    const y = leaf([1, 2, 3]).mul(2);
    y.registerHook(function widen() {
      return torch.ones(2);
    });
    expect(() => y.sum().backward()).toThrow("hook 'widen' has changed the size of value");
  });

  it('a hook that changes the dtype is refused', () => {
    const y = leaf([1, 2, 3]).mul(2);
    y.registerHook(function toDouble(g) {
      return g.double();
    });
    expect(() => y.sum().backward()).toThrow(
      "hook 'toDouble' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)",
    );
  });

  it('wrong argument types are TypeErrors', () => {
    const x = leaf([1, 2]);
    expect(() => x.registerHook(5 as any)).toThrow(TypeError);
    expect(() => {
      (x as any).requiresGrad = 'yes';
    }).toThrow(TypeError);
    expect(() => x.mul(2).sum().backward(5 as any)).toThrow(TypeError);
    expect(() => torch.autograd.grad(x.sum(), [5 as any])).toThrow(TypeError);
    expect(() => torch.autograd.grad(x.sum(), [])).toThrow('grad requires non-empty inputs.');
  });
});
