// The large-block cache (native/core/caching_alloc.cc): freed blocks of >= 256 KiB are kept
// and handed to later allocations of about the same size. Reuse must never show: results
// written into a reused block equal fresh ones, zeros/ones fill it completely, the cache
// stays under its cap (TG_CACHE_MB) and emptyCache() gives everything back.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torch } from './helpers';

const N = 1 << 20; // 4 MiB of float32: well above the 256 KiB threshold

describe('caching allocator for large buffers', () => {
  it('keeps a freed large block and reuses it for the next one of the same size', () => {
    torch.emptyCache();
    expect(torch.memory().cached).toBe(0);
    const a = torch.randn(N);
    const before = torch.memory();
    a.dispose();
    const after = torch.memory();
    expect(after.bytes).toBe(before.bytes - 4 * N); // live bytes (reported to V8) drop at once
    expect(after.cached).toBeGreaterThanOrEqual(4 * N);
    const b = torch.zeros(N);
    expect(torch.memory().cached).toBeLessThan(after.cached);
    b.dispose();
  });

  it('does not keep small blocks', () => {
    torch.emptyCache();
    torch.randn(1000).dispose();
    torch.randn(60_000).dispose(); // 240 KB
    expect(torch.memory().cached).toBe(0);
  });

  it('fills a reused block completely: zeros, ones, full after a random tensor', () => {
    for (const [make, want] of [[() => torch.zeros(N), 0], [() => torch.ones(N), 1], [() => torch.full([N], 2.5), 2.5]] as const) {
      torch.randn(N).mul(1e30).dispose();
      const t = make();
      expect(t.min().item()).toBe(want);
      expect(t.max().item()).toBe(want);
      t.dispose();
    }
  });

  it('gives the same results in reused blocks as in fresh ones (add, exp, transposed add)', () => {
    const a = torch.randn(1024, 1024), b = torch.randn(1024, 1024);
    torch.emptyCache();
    const fresh = [a.add(b), a.exp(), a.T.add(b)];
    // Row 0 of a.T + b is a[:, 0] + b[0]: checks the transposed loop against plain JS.
    const row = fresh[2].select(0, 0).tolist() as number[];
    const a0 = a.select(1, 0).tolist() as number[], b0 = b.select(0, 0).tolist() as number[];
    row.forEach((v, j) => expect(v).toBe(Math.fround(a0[j] + b0[j])));
    for (let r = 0; r < 3; r++) {
      const again = [a.add(b), a.exp(), a.T.add(b)];
      again.forEach((t, i) => {
        expect(t.sub(fresh[i]).abs().max().item()).toBe(0);
        t.dispose();
      });
      expect(torch.memory().cached).toBeGreaterThan(0);
    }
    // A block of a different size is not handed out for it (waste over an eighth).
    const c = torch.randn(2 * N);
    expect(c.shape).toEqual([2 * N]);
    expect(Number.isFinite(c.sum().item() as number)).toBe(true);
    c.dispose();
  });

  it('emptyCache releases every cached block', () => {
    for (let i = 0; i < 4; i++) torch.randn(N + i * 4096).dispose();
    expect(torch.memory().cached).toBeGreaterThan(0);
    torch.emptyCache();
    expect(torch.memory().cached).toBe(0);
  });

  it('stays under the cap set by TG_CACHE_MB (0 disables it)', () => {
    const script = `
      const t = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'cjs', 'index.js'))});
      const held = [];
      for (let i = 0; i < 8; i++) held.push(t.randn(${N} + i * 65536));
      let max = 0;
      for (const h of held) { h.dispose(); max = Math.max(max, t.memory().cached); }
      const x = t.randn(${N}).add(1).sum().item();
      process.stdout.write(JSON.stringify({ max, ok: Number.isFinite(x) }));`;
    const run = (mb: string) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TG_CACHE_MB: mb } }).toString());
    const off = run('0');
    expect(off).toEqual({ max: 0, ok: true });
    const capped = run('10');
    expect(capped.ok).toBe(true);
    expect(capped.max).toBeGreaterThan(0);
    expect(capped.max).toBeLessThanOrEqual(10 << 20);
  });
});
