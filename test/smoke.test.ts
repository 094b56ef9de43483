import { describe, expect, it } from 'vitest';
import * as torch from '../dist/cjs/index.js';

describe('smoke', () => {
  it('adds, multiplies and differentiates', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x).sum();
    expect(y.item()).toBe(14);
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    expect(y.gradFn!.name).toBe('SumBackward0');
  });
});
