// In-place ops: values and dtype rules, the version counter, history rebasing on non-leaf
// tensors, CopySlices for writes through views, and PyTorch's view+inplace rules.
// Expected values and names were read off PyTorch 1.13 (gradients of longer programs are
// in the shape fixture).
import { describe, expect, it } from 'vitest';
import { torch, type Tensor } from './helpers';

const f64 = { dtype: 'float64' as const };
const names = (t: Tensor) => t.gradFn!.nextFunctions.map(([g]) => (g ? g.name : null));

describe('values and dtypes', () => {
  it('arithmetic with numbers and tensors returns this', () => {
    const x = torch.tensor([1, 2, 3], f64);
    expect(x.add_(1)).toBe(x);
    x.sub_(torch.tensor([1, 1, 1], f64), { alpha: 2 }).mul_(3).div_(torch.tensor(2, f64));
    expect(x.tolist()).toEqual([0, 1.5, 3]);
    const i = torch.tensor([1, 2, 3], { dtype: 'int64' });
    i.add_(2, { alpha: 3 }).mul_(torch.tensor([2], { dtype: 'int32' }));
    expect(i.tolist()).toEqual([14, 16, 18]);
    expect(i.dtype).toBe('int64');
    const f = torch.tensor([1, 2], { dtype: 'float32' });
    f.add_(torch.tensor([0.5, 0.5], f64));
    expect(f.dtype).toBe('float32');
    expect(f.tolist()).toEqual([1.5, 2.5]);
    const b = torch.tensor([true, false], { dtype: 'bool' });
    b.add_(true);
    expect(b.tolist()).toEqual([true, true]);
  });
  it('broadcasts the operand, not the destination', () => {
    const x = torch.zeros(2, 3);
    x.add_(torch.tensor([1, 2, 3]));
    expect(x.tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
    x.mul_(torch.tensor([[2], [3]]));
    expect(x.tolist()).toEqual([[2, 4, 6], [3, 6, 9]]);
  });
  it('writes through non-contiguous destinations', () => {
    const x = torch.zeros(2, 3);
    x.t().add_(torch.tensor([1, 2]));
    expect(x.tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    x.index(':', '::2').zero_();
    expect(x.tolist()).toEqual([[0, 1, 0], [0, 2, 0]]);
  });
  it('copy_ broadcasts and casts (truncating to integers, nonzero to true)', () => {
    expect(torch.zeros(3, { dtype: 'int32' }).copy_(torch.tensor([1.7, -2.5, 3])).tolist()).toEqual([1, -2, 3]);
    expect(torch.zeros(3, { dtype: 'bool' }).copy_(torch.tensor([0, 2, -1])).tolist()).toEqual([false, true, true]);
    expect(torch.zeros(2, 2).copy_(torch.tensor([5, 6])).tolist()).toEqual([[5, 6], [5, 6]]);
    const x = torch.arange(4);
    expect(x.copy_(x).tolist()).toEqual([0, 1, 2, 3]);
  });
  it('fill_, zero_ and clamp_', () => {
    expect(torch.zeros(2, { dtype: 'int32' }).fill_(2.7).tolist()).toEqual([2, 2]);
    expect(torch.zeros(2, { dtype: 'bool' }).fill_(2.5).tolist()).toEqual([true, true]);
    expect(torch.ones(2).fill_(torch.tensor(4)).tolist()).toEqual([4, 4]);
    expect(torch.ones(2).zero_().tolist()).toEqual([0, 0]);
    expect(torch.zeros(1).expand(3).zero_().shape).toEqual([3]);
    expect(torch.tensor([-2, 0.5, 3]).clamp_(-1, 1).tolist()).toEqual([-1, 0.5, 1]);
    expect(torch.tensor([-2, 0.5, 3]).clamp_(null, 1).tolist()).toEqual([-2, 0.5, 1]);
    expect(torch.tensor([-2, 5], { dtype: 'int64' }).clamp_(0).tolist()).toEqual([0, 5]);
    expect(() => torch.ones(2).clamp_('a' as any)).toThrow(TypeError);
    expect(() => torch.ones(2).fill_('a' as any)).toThrow(TypeError);
    expect(() => torch.ones(2).add_('a' as any)).toThrow(TypeError);
  });
  it('set() takes every index form and number or tensor values', () => {
    const x = torch.zeros(3, 4);
    x.set(0, 1);
    x.set([1, 2], 5);
    x.set([[1, 3], -1], torch.tensor([7, 8]));
    x.set('2:', torch.tensor([[9, 9, 9, 7]]));
    expect(x.tolist()).toEqual([[1, 1, 1, 1], [0, 0, 5, 7], [9, 9, 9, 7]]);
    x.set('...', 0);
    x.set([null, ':', 0], torch.tensor([1, 2, 3]));
    expect(x.index(':', 0).tolist()).toEqual([1, 2, 3]);
    const i = torch.zeros(3, { dtype: 'int64' });
    i.set(0, 2.7);
    i.set(1, -2.7);
    i.set(2, true);
    expect(i.tolist()).toEqual([2, -2, 1]);
    const b = torch.zeros(3, { dtype: 'bool' });
    b.set(0, 2.5);
    b.set('1:', torch.tensor([0, -1]));
    expect(b.tolist()).toEqual([true, false, true]);
  });
});

describe('the version counter', () => {
  it('is shared by a tensor, its views and detached aliases, and bumped by every write', () => {
    const z = torch.zeros(3);
    expect(z._version).toBe(0);
    z.add_(1);
    expect(z._version).toBe(1);
    z.set(0, 5);
    expect(z._version).toBe(2);
    z.index('1:').mul_(2);
    expect(z._version).toBe(3);
    z.detach().add_(1);
    expect(z._version).toBe(4);
    expect(z.index(0)._version).toBe(4);
  });
  it('a saved tensor modified in place makes backward fail with PyTorch\'s message', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const y = x.exp();
    y.detach().add_(1);
    expect(() => y.sum().backward()).toThrow(
      'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        '[torch.FloatTensor [3]], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead. ' +
        'Hint: enable anomaly detection to find the operation that failed to compute its gradient, with ' +
        'torch.autograd.set_detect_anomaly(True).',
    );
  });
});

describe('autograd history', () => {
  it('in-place ops on non-leaf tensors rebase history', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    const y = x.mul(2);
    y.add_(1);
    expect(y.gradFn!.name).toBe('AddBackward0');
    expect(names(y)).toEqual(['MulBackward0', null]);
    y.mul_(x); // y = (2x + 1) * x
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([5, 9, 13]); // 4x + 1
  });
  it('node names of each in-place op', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const nm = (f: (y: Tensor) => unknown) => {
      const y = x.mul(1);
      f(y);
      return y.gradFn!.name;
    };
    expect(nm((y) => y.sub_(1))).toBe('SubBackward0');
    expect(nm((y) => y.mul_(2))).toBe('MulBackward0');
    expect(nm((y) => y.div_(x))).toBe('DivBackward0');
    expect(nm((y) => y.zero_())).toBe('ZeroBackward0');
    expect(nm((y) => y.fill_(2))).toBe('FillBackward2');
    expect(nm((y) => y.fill_(torch.tensor(2)))).toBe('FillBackward3');
    expect(nm((y) => y.set('...', 2))).toBe('FillBackward3');
    expect(nm((y) => y.set('0:3', torch.ones(3)))).toBe('CopyBackwards');
    expect(nm((y) => y.copy_(torch.ones(3)))).toBe('CopyBackwards');
    expect(nm((y) => y.clamp_(0, 1))).toBe('ClampBackward1');
    expect(nm((y) => y.clamp_(null, 1))).toBe('ClampBackward1');
    expect(nm((y) => y.set(':', 1))).toBe('CopySlices');
  });
  it('a write through a view makes the base a CopySlices and the view AsStridedBackward0', () => {
    const x = torch.randn(3, 4, { requiresGrad: true });
    const y = x.mul(1);
    const v = y.index(0);
    const other = y.index(1);
    v.mul_(2);
    expect(y.gradFn!.name).toBe('CopySlices');
    expect(names(y)).toEqual(['MulBackward0', null]);
    expect(v.gradFn!.name).toBe('AsStridedBackward0');
    expect(other.gradFn!.name).toBe('AsStridedBackward0'); // regenerated: its storage moved
    expect(v.gradFn!.nextFunctions[0][0]!.name).toBe('CopySlices');
    y.sum().backward();
    expect(x.grad!.index(0).tolist()).toEqual([2, 2, 2, 2]);
    expect(x.grad!.index(2).tolist()).toEqual([1, 1, 1, 1]);
  });
  it('writing a value that requires grad into a plain tensor makes it require grad', () => {
    const z = torch.ones(2, { requiresGrad: true });
    const base = torch.zeros(3, 2);
    const later = base.index(2);
    expect(later.requiresGrad).toBe(false);
    base.set(1, z);
    expect(base.requiresGrad).toBe(true);
    expect(base.isLeaf).toBe(false);
    expect(base.gradFn!.name).toBe('CopySlices');
    expect(later.requiresGrad).toBe(true);
    expect(later.gradFn!.name).toBe('AsStridedBackward0');
    base.mul(torch.tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    expect(z.grad!.tolist()).toEqual([3, 4]);
  });
  it('writes into integer tensors are never recorded', () => {
    const z = torch.ones(3, { requiresGrad: true });
    const i = torch.zeros(3, { dtype: 'int64' });
    i.copy_(z);
    expect(i.requiresGrad).toBe(false);
    expect(i.tolist()).toEqual([1, 1, 1]);
  });
  it('noGrad writes to leaves are allowed and not recorded (the optimizer step)', () => {
    const p = torch.ones(3, { requiresGrad: true });
    torch.noGrad(() => p.sub_(0.5));
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(p._version).toBe(1);
    p.mul(2).sum().backward();
    expect(p.grad!.tolist()).toEqual([2, 2, 2]);
  });
  it('a view made under noGrad requires grad through its base but has no grad_fn (as PyTorch)', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const v = torch.noGrad(() => x.index('0:2'));
    expect(v.requiresGrad).toBe(true);
    expect(v.gradFn).toBeNull();
    expect(v.isLeaf).toBe(true);
    expect(() => v.backward(torch.ones(2))).toThrow('element 0 of tensors does not require grad and does not have a grad_fn');
    torch.noGrad(() => v.mul_(2)); // allowed without recording
    expect(() => v.gradFn).toThrow('A view was created in no_grad mode and its base or another view of its base has been modified inplace with grad mode enabled.');
  });
  it('in-place on a view of a leaf that started requiring grad later is refused', () => {
    const x = torch.zeros(3);
    const v = x.index('0:2');
    x.requiresGrad_(true);
    expect(v.requiresGrad).toBe(true);
    expect(v.gradFn).toBeNull();
    expect(() => v.mul_(2)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  });
  it('retains correct gradients through a chain of writes into views of views', () => {
    const x = torch.arange(12, f64).reshape(3, 4).requiresGrad_(true);
    const y = x.mul(1);
    const row = y.index(1);
    row.index('1:3').mul_(10);
    y.t().index(0).add_(x.index(1, 0).detach());
    y.index(':', -1).mul_(y.index(':', 0).clone()); // a view of y itself would be stale when backward reads it
    const w = torch.arange(12, f64).reshape(3, 4).add(1);
    y.mul(w).sum().backward();
    // y[:, -1] = x[:, 3] * (x[:, 0] + x[1, 0]): d/dx[:, 0] = x[:, 3] * w[:, 3] + w[:, 0]
    expect(x.grad!.tolist()).toEqual([
      [1 + 3 * 4, 2, 3, 4 * (0 + 4)],
      [5 + 7 * 8, 60, 70, 8 * (4 + 4)],
      [9 + 11 * 12, 10, 11, 12 * (8 + 4)],
    ]);
  });
});
