// Creation functions whose values depend on the details of PyTorch's kernels.
import { describe, expect, it } from 'vitest';
import { expectClose, loadFixture, torch } from './helpers';

const fx = loadFixture('creation.json');

describe('linspace and arange match PyTorch to the last bit', () => {
  for (const c of fx.cases) {
    it(`${c.fn}(${c.args.join(', ')}) ${c.out.dtype}`, () => {
      const t = c.fn === 'linspace' ? torch.linspace(c.args[0], c.args[1], c.args[2], { dtype: c.out.dtype }) : (torch.arange as any)(...c.args);
      expectClose(t, c.out, { rtol: 0, atol: 0 });
    });
  }
  it('rejects a negative number of steps', () => {
    expect(() => torch.linspace(0, 1, -1)).toThrow(/number of steps must be non-negative/);
  });
});

describe('full infers its dtype from the fill value, as torch.full does', () => {
  it('integer → int64, float → float32, bool → bool; an explicit dtype wins', () => {
    expect(torch.full([2], 7).dtype).toBe('int64');
    expect(torch.full([2], 7).toString()).toBe('tensor([7, 7])');
    expect(torch.full([2], 7.5).toString()).toBe('tensor([7.5000, 7.5000])');
    expect(torch.full([2], true).toString()).toBe('tensor([True, True])');
    expect(torch.full([2], 7, { dtype: 'float32' }).toString()).toBe('tensor([7., 7.])');
    expect(torch.fullLike(torch.zeros(2), 3).dtype).toBe('float32');
  });
});

describe('torch.tensor of a single number', () => {
  it('gives a 0-d tensor with the value rounded as PyTorch rounds it (the native fill path)', () => {
    const cases: [number, number][] = [[3, 3], [0.1, Math.fround(0.1)], [-0, -0], [1e-46, 0], [3.4028234663852886e38, 3.4028234663852886e38]];
    for (const [v, want] of cases) {
      const t = torch.tensor(v);
      expect(t.shape).toEqual([]);
      expect(t.dtype).toBe('float32');
      expect(Object.is(t.item(), want)).toBe(true);
      expect(torch.tensor(v, { dtype: 'float64' }).item()).toBe(v);
    }
    expect(torch.tensor(NaN).item()).toBeNaN();
    expect(torch.tensor(-Infinity).item()).toBe(-Infinity);
    // Past float32's range: PyTorch's torch.tensor(1e40) is inf (a fill would refuse it).
    expect(torch.tensor(1e40).item()).toBe(Infinity);
    expect(torch.tensor(-1e40).toString()).toBe('tensor(-inf)');
    expect(torch.tensor(1e40, { dtype: 'float64' }).item()).toBe(1e40);
    expect(torch.tensor(2.5, { requiresGrad: true }).toString()).toBe('tensor(2.5000, requires_grad=True)');
    expect(torch.tensor(7, { dtype: 'int64' }).toString()).toBe('tensor(7)');
  });
});
