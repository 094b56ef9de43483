// torch.profile: per-op counts and native time of a training-like step, and the table.
// (No timing assertions: only counts, structure, and that the entry points are restored.)
import { describe, expect, it } from 'vitest';
import { torch } from './helpers';
import { N } from '../dist/cjs/native.js';

function step() {
  const x = torch.randn(8, 4);
  const w = torch.randn(4, 3, { requiresGrad: true });
  const b = torch.zeros(3, { requiresGrad: true });
  const loss = x.matmul(w).add(b).relu().pow(2).mean();
  loss.backward();
  return loss.item();
}

describe('profile', () => {
  it('counts each native op and sums the native time', () => {
    const p = torch.profile(() => {
      let s = 0;
      for (let i = 0; i < 3; i++) s += step() as number;
      return s;
    });
    expect(typeof p.result).toBe('number');
    const op = (name: string) => p.ops.find((o) => o.name === name);
    expect(op('matmul')?.count).toBe(3);
    expect(op('backward')?.count).toBe(3);
    expect(op('randn')?.count).toBe(6);
    for (const o of p.ops) {
      expect(o.count).toBeGreaterThan(0);
      expect(o.totalMs).toBeGreaterThanOrEqual(0);
    }
    const sum = p.ops.reduce((s, o) => s + o.totalMs, 0);
    expect(p.totalMs).toBeCloseTo(sum, 9);
    expect(p.wallMs).toBeGreaterThanOrEqual(0);
    // Sorted by time, most first.
    for (let i = 1; i < p.ops.length; i++) expect(p.ops[i - 1].totalMs).toBeGreaterThanOrEqual(p.ops[i].totalMs);
  });

  it('prints a table with a row per op and the totals', () => {
    const p = torch.profile(() => step());
    const t = p.table();
    const lines = t.split('\n');
    expect(lines[1]).toMatch(/^Name\s+Calls\s+Total ms\s+% native\s+Avg ms$/);
    expect(t).toMatch(/\nmatmul\s+1\s+\d+\.\d{3}\s+\d+\.\d%/);
    expect(t).toMatch(/Native time total: \d+\.\d{3} ms; wall time: \d+\.\d{3} ms$/);
    const short = p.table({ rowLimit: 2 });
    expect(short).toContain(`(${p.ops.length - 2} more ops)`);
  });

  it('restores the native entry points, also when fn throws; async functions work', async () => {
    const before = { ...N };
    expect(() => torch.profile(() => { throw new Error('x'); })).toThrow('x');
    for (const k of Object.keys(before)) expect(N[k]).toBe(before[k]);
    const p = await torch.profile(async () => {
      await Promise.resolve();
      return torch.ones(2).add(1).sum().item();
    });
    expect(p.result).toBe(4);
    expect(p.ops.find((o) => o.name === 'add')?.count).toBe(1);
    for (const k of Object.keys(before)) expect(N[k]).toBe(before[k]);
    expect(() => torch.profile(3 as any)).toThrow(TypeError);
  });

  it('a hook run by backward does not count its ops twice (self time)', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.registerHook((g: any) => g.mul(2));
    const p = torch.profile(() => x.sum().backward());
    expect(p.ops.find((o) => o.name === 'mul')?.count).toBe(1);
    expect(p.ops.find((o) => o.name === 'backward')?.count).toBe(1);
  });
});

describe('profile: backward broken down by graph node', () => {
  it('reports each node that ran under its PyTorch name, and backward keeps only the rest', () => {
    const a = torch.randn([64, 32], { requiresGrad: true });
    const b = torch.randn([32, 16], { requiresGrad: true });
    const p = torch.profile(() => {
      for (let i = 0; i < 3; i++) a.matmul(b).relu().sum().backward();
    });
    const row = (name: string) => p.ops.find((o) => o.name === name);
    expect(row('MmBackward0')?.count).toBe(3);
    expect(row('ReluBackward0')?.count).toBe(3);
    expect(row('SumBackward0')?.count).toBe(3);
    expect(row('AccumulateGrad')?.count).toBe(6);
    expect(row('backward')?.count).toBe(3);
    for (const o of p.ops) expect(o.totalMs).toBeGreaterThanOrEqual(0);
    expect(p.table()).toMatch(/\nMmBackward0\s+3\s/);
    // Self times add up to no more than the wall time.
    expect(p.totalMs).toBeLessThanOrEqual(p.wallMs + 1e-6);
  });

  it('stops timing nodes once the profile ends', () => {
    const a = torch.randn([8], { requiresGrad: true });
    torch.profile(() => a.mul(2).sum().backward());
    const inner = torch.profile(() => 0);
    expect(inner.ops.length).toBe(0);
    a.mul(2).sum().backward(); // outside any profile: nothing recorded, nothing breaks
    const again = torch.profile(() => a.exp().sum().backward());
    expect(again.ops.find((o) => o.name === 'MulBackward0')).toBeUndefined();
    expect(again.ops.find((o) => o.name === 'ExpBackward0')?.count).toBe(1);
  });
});
