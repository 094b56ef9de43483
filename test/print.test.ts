// Printing: String(t) and util.inspect(t) reproduce PyTorch 1.13's repr(t) exactly.
// Golden strings come from scripts/fixtures/print.py; each case rebuilds the same tensor
// (data, shape, dtype), makes it a leaf that requires grad where asked, and replays the op.
import * as util from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatExp, formatFixed } from '../dist/cjs/print.js';
import { torch, fromEnc, loadFixture, type Encoded, type Tensor } from './helpers';

interface PrintCase {
  name: string;
  /** Only in the number-formatting case: [value, '{:.4f}', '{:.4e}', '{:.0f}'] from Python. */
  numbers?: [number, string, string, string][];
  input: Encoded;
  requires_grad: boolean;
  op: [string, ...number[]] | null;
  repr: string;
}

const fixture = loadFixture<PrintCase>('print.json');
const reprCases = fixture.cases.filter((c) => !c.numbers);
const numberCases = fixture.cases.find((c) => c.numbers)!.numbers!;

function build(c: PrintCase): Tensor {
  const x = fromEnc(c.input, { requiresGrad: c.requires_grad });
  if (!c.op) return x;
  const [method, ...args] = c.op;
  return (x as any)[method](...args);
}

describe('repr matches PyTorch', () => {
  it('has the generated cases', () => {
    expect(reprCases.length).toBeGreaterThanOrEqual(80);
  });

  for (const c of reprCases) {
    it(c.name, () => {
      const t = build(c);
      expect(String(t)).toBe(c.repr);
      expect(util.inspect(t)).toBe(c.repr);
    });
  }
});

describe("numbers formatted as Python's format()", () => {
  it('agrees on every value, ties to even included', () => {
    expect(numberCases.length).toBeGreaterThan(100);
    for (const [v, fixed4, exp4, fixed0] of numberCases) {
      expect([formatFixed(v, 4), formatExp(v, 4), formatFixed(v, 0)]).toEqual([fixed4, exp4, fixed0]);
    }
  });

  it('agrees at non-finite values', () => {
    for (const f of [(v: number) => formatFixed(v, 4), (v: number) => formatExp(v, 4)]) {
      expect([f(NaN), f(Infinity), f(-Infinity)]).toEqual(['nan', 'inf', '-inf']);
    }
  });
});

describe('repr details', () => {
  it('a few reprs written by hand', () => {
    expect(String(torch.tensor(27))).toBe('tensor(27.)');
    expect(String(torch.tensor([0, 4, 8, 12]))).toBe('tensor([ 0.,  4.,  8., 12.])');
    expect(String(torch.tensor([-1, 2.5]))).toBe('tensor([-1.0000,  2.5000])');
    expect(String(torch.tensor([true, false]))).toBe('tensor([ True, False])');
    expect(String(torch.tensor([[1, 2], [3, 4]]))).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(String(torch.tensor([1, 2, 3], { dtype: 'int64' }))).toBe('tensor([1, 2, 3])');
  });

  it('prints autograd suffixes from ops run here', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    expect(String(x)).toBe('tensor([1., 2., 3.], requires_grad=True)');
    expect(String(torch.tensor(3, { requiresGrad: true }).pow(2))).toBe('tensor(9., grad_fn=<PowBackward0>)');
    expect(String(x.mul(x).sum())).toBe('tensor(14., grad_fn=<SumBackward0>)');
    // detached and no-grad results are plain again
    expect(String(x.detach())).toBe('tensor([1., 2., 3.])');
    expect(String(torch.noGrad(() => x.mul(2)))).toBe('tensor([2., 4., 6.])');
  });

  it('prints inside containers through util.inspect', () => {
    const t = torch.tensor([1, 2]);
    expect(util.inspect({ t })).toBe('{ t: tensor([1., 2.]) }');
    expect(`${t}`).toBe('tensor([1., 2.])');
  });

  it('GradFn prints without a memory address (PyTorch adds " at 0x...")', () => {
    const y = torch.tensor([1, 2], { requiresGrad: true }).pow(2);
    expect(String(y.gradFn)).toBe('<PowBackward0 object>');
    expect(util.inspect(y.gradFn)).toBe('<PowBackward0 object>');
  });

  it('prints a non-contiguous view in logical order', () => {
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]).T;
    expect(String(t)).toBe('tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])');
  });

  it('a disposed tensor inspects without throwing', () => {
    const t = torch.tensor([1, 2]);
    t.dispose();
    expect(util.inspect(t)).toBe('tensor(<disposed>)');
  });
});
