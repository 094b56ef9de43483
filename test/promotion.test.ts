// PyTorch's type promotion, as a table generated from PyTorch 1.13 (test/fixtures/promotion.json,
// scripts/fixtures/elementwise.py): every dtype pair of bool/int32/int64/float32/float64, each
// operand a tensor with dims, a 0-d tensor or a JS number (integer = Python int, fraction =
// Python float, boolean = Python bool), for the binary ops, comparisons, where and clamp.
// Tensors with dims outrank 0-d tensors, which outrank numbers; a lower rank only changes the
// result when its category (bool < integer < float) is higher.
import { describe, expect, it } from 'vitest';
import { torch, loadFixture, expectClose } from './helpers';
import { Case, decodeArg, label, runCase } from './elementwise_cases';

const fixture = loadFixture<Case>('promotion.json');

describe('type promotion vs PyTorch', () => {
  it('covers every dtype pair and operand kind', () => {
    expect(fixture.cases.length).toBeGreaterThan(1500);
    const kinds = new Set(fixture.cases.map((c) => c.args.map((a) => (a.s !== undefined ? typeof a.s : a.none ? 'none' : a.t!.shape.length ? 'dim' : '0-d')).join('/')));
    for (const k of ['dim/dim', 'dim/0-d', '0-d/dim', 'dim/number', 'dim/boolean', 'number/dim', 'number/0-d', '0-d/0-d',
      '0-d/number', 'boolean/dim', 'dim/dim/number', 'dim/number/number', 'dim/number/none', 'dim/none/0-d'])
      expect(kinds.has(k)).toBe(true);
  });

  fixture.cases.forEach((c, i) => {
    it(label(c, i), () => {
      const { out, error } = runCase(c, c.args.map((a) => decodeArg(a)));
      if (c.error !== undefined) {
        expect(error?.message).toBe(c.error);
        return;
      }
      if (error) throw error;
      expect(out!.dtype).toBe(c.out!.dtype);
      expectClose(out!, c.out!, { rtol: 1e-6, atol: 1e-7 });
    });
  });
});

describe('promotion rules in words', () => {
  const f32 = torch.tensor([1, 2]);
  const f64 = torch.tensor([1, 2], { dtype: 'float64' });
  const i32 = torch.tensor([1, 2], { dtype: 'int32' });
  const i64 = torch.tensor([1, 2], { dtype: 'int64' });
  const b = torch.tensor([true, false]);
  const z = (v: number | boolean, dtype: torch.DType) => torch.tensor(v as number, { dtype });

  it('promotes tensors with dims by dtype', () => {
    expect(i32.add(i64).dtype).toBe('int64');
    expect(i64.add(f32).dtype).toBe('float32');
    expect(f32.add(f64).dtype).toBe('float64');
    expect(b.add(i32).dtype).toBe('int32');
  });
  it('lets a 0-d tensor win only with a higher category', () => {
    expect(i32.add(z(1, 'int64')).dtype).toBe('int32');
    expect(f32.add(z(1, 'float64')).dtype).toBe('float32');
    expect(i32.add(z(1, 'float64')).dtype).toBe('float64');
    expect(b.add(z(1, 'int32')).dtype).toBe('int32');
  });
  it('treats JS integers as Python ints and other numbers as Python floats', () => {
    expect(i32.add(2).dtype).toBe('int32');
    expect(i32.add(2.5).dtype).toBe('float32');
    expect(i64.mul(0.5).dtype).toBe('float32');
    expect(b.add(2).dtype).toBe('int64');
    expect(b.add(true).dtype).toBe('bool');
    expect(f64.add(2.5).dtype).toBe('float64');
    expect(z(1, 'int32').add(2.5).dtype).toBe('float32');
    expect(torch.add(2, i32).dtype).toBe('int32');
  });
  it('divides truly and compares in the promoted dtype', () => {
    expect(i64.div(i64).dtype).toBe('float32');
    expect(i32.div(2).tolist()).toEqual([0.5, 1]);
    expect(i32.lt(1.5).tolist()).toEqual([true, false]);
    expect(torch.tensor([1], { dtype: 'int32' }).eq(2 ** 32 + 1).tolist()).toEqual([true]);  // the number wraps to int32
  });
  it('promotes where and clamp like binary ops', () => {
    const c = torch.tensor([true, false]);
    expect(torch.where(c, i32, 2.5).dtype).toBe('float32');
    expect(torch.where(c, 1, 0).dtype).toBe('int64');
    expect(torch.where(c, 1.5, 0).dtype).toBe('float32');
    expect(torch.where(c, f32, f64).dtype).toBe('float64');
    expect(i64.clamp(0.5, 3).dtype).toBe('float32');
    expect(b.clamp(0, 1).dtype).toBe('int64');
    expect(i64.clamp(z(1.5, 'float64')).dtype).toBe('float64');
  });
});
