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
