// The issue-8 examples run and print what they promise: anomaly mode names the op,
// torch.func agrees with the closed forms, the profiler prints its table.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const run = (name: string) => execFileSync(process.execPath, [path.join(root, 'examples', name)], { cwd: root, encoding: 'utf8' });

describe('insight examples', () => {
  it('anomaly.mjs: NaN slips through without anomaly mode, and is pinned on sqrt with it', () => {
    const out = run('anomaly.mjs');
    expect(out).toContain('without anomaly mode, x.grad = tensor([   nan, 0.5000, 0.2500])');
    expect(out).toContain("Function 'SqrtBackward0' returned nan values in its 0th output.");
    // the stack points at the line of anomaly.mjs that called sqrt()
    expect(out).toMatch(/Traceback of forward call that caused the error:\n\s+at step \(.*anomaly\.mjs:14:/);
  });

  it('func.mjs: derivatives match their closed forms', () => {
    const out = run('func.mjs');
    for (const m of out.matchAll(/= (-?[\d.]+)\s+\(closed form (-?[\d.]+)\)/g)) expect(m[1]).toBe(m[2]);
    expect(out.match(/closed form/g)!.length).toBe(2);
    expect(out).toContain('tensor([[2.0000, 1.0000, 0.0000],\n        [0.0000, 0.0000, 1.6487]], dtype=torch.float64)');
    expect(out).toContain('vjp with [1, 0]  = tensor([2., 1., 0.], dtype=torch.float64)');
    expect(out).toContain('jvp with e3      = tensor([0.0000, 1.6487], dtype=torch.float64)');
    expect(out).toContain('tensor([[ 6.,  0.,  0.],\n        [ 0., 12.,  0.],\n        [ 0.,  0.,  3.]], dtype=torch.float64)');
  });

  it('profile.mjs: a table of ops with the backward pass and the matmuls in it', () => {
    const out = run('profile.mjs');
    expect(out).toMatch(/Name\s+Calls\s+Total ms\s+% native\s+Avg ms/);
    expect(out).toMatch(/\nbackward\s+10\s/);
    expect(out).toMatch(/Native time total: [\d.]+ ms; wall time: [\d.]+ ms/);
  });
});
