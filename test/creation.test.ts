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
