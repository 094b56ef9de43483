// worker_threads: the addon is context-aware (each environment has its own tensor table,
// grad mode and RNG, all thread_local), loads in several workers at once, frees a worker's
// tensors when it exits (env cleanup hook), and survives workers terminated mid-op.
// The native thread pool (native/kernels/parallel.cc) is process-wide and runs one parallel
// region at a time: workers doing big ops at once must queue, not deadlock.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as torch from '../dist/cjs/index.js';
import { N } from '../dist/cjs/native.js';

const SCRIPT = path.join(__dirname, 'workers', 'worker.js');
const UNDER_ASAN = /libasan/.test(process.env.LD_PRELOAD ?? '');

function start(workerData: object): Worker {
  return new Worker(SCRIPT, { workerData });
}
function message(w: Worker): Promise<any> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}
function exit(w: Worker): Promise<number> {
  return new Promise((resolve) => w.once('exit', resolve));
}

describe('worker threads', () => {
  it('several workers load the addon and train independently, at the same time as the main thread', { timeout: 60_000 }, async () => {
    const workers = [1, 2, 3].map((seed) => start({ mode: 'train', seed, steps: 300 }));
    const results = workers.map(message);
    // The main thread keeps its own tensors and grad mode meanwhile.
    const mine = torch.ones(3);
    torch.setGradEnabled(false);
    for (let i = 0; i < 200; i++) mine.add(1);
    expect(torch.isGradEnabled()).toBe(false);
    torch.setGradEnabled(true);
    const rs = await Promise.all(results);
    for (const r of rs) {
      expect(r.last).toBeLessThan(r.first / 4);  // each one learned
      expect(r.live).toBeLessThanOrEqual(8);  // after a full GC: the weights, x, y and a few the stack still holds
    }
    // Different seeds, different data: the RNG state is per thread.
    expect(new Set(rs.map((r) => r.first)).size).toBe(3);
    await Promise.all(workers.map((w) => w.terminate()));
    expect(mine.tolist()).toEqual([1, 1, 1]);
  });

  it('a worker terminated in the middle of big ops does not disturb the main thread', { timeout: 60_000 }, async () => {
    // Other threads' bytes: this thread's own tensors may be collected at any GC meanwhile.
    const otherBytes = () => N.liveCounts().processBytes - N.liveCounts().bytes;
    const bytesBefore = otherBytes();
    for (let round = 0; round < 3; round++) {
      const w = start({ mode: 'busy', n: 192 });
      const first = await message(w);
      expect(first).toEqual({ started: true, corner: 192 });
      // Terminate while it is inside (or between) parallel matmuls.
      await new Promise((r) => setTimeout(r, 20 * round));
      const code = await w.terminate();
      expect(code).toBe(1);
      expect(otherBytes()).toBe(bytesBefore);  // its tensors went with it
    }
    // The pool still works for everyone.
    const c = torch.ones(192, 192).matmul(torch.ones(192, 192));
    expect(c.sum().item()).toBe(192 ** 3);
  });

  it('two workers running big ops at once share the thread pool without deadlock', { timeout: 120_000 }, async () => {
    const ws = [start({ mode: 'products', n: 160, rounds: 20 }), start({ mode: 'products', n: 160, rounds: 20 })];
    const exits = ws.map(exit);  // listen now: a worker that is done exits at once
    const rs = await Promise.all(ws.map(message));
    expect(rs).toEqual([{ bad: 0 }, { bad: 0 }]);
    expect(await Promise.all(exits)).toEqual([0, 0]);
  });

  it("a worker's tensors are freed when it exits (env cleanup hook)", { timeout: 60_000 }, async () => {
    // Storages of every thread but this one (whose own tensors a GC may free meanwhile).
    const processBytes = () => (N.liveCounts().processBytes - N.liveCounts().bytes) as number;
    const rss = () => process.memoryUsage().rss;
    const bytesBefore = processBytes(), rssBefore = rss();
    const w = start({ mode: 'hog', count: 6, mb: 48 });
    const r = await message(w);
    expect(r.bytes).toBe(6 * (48 << 20));
    expect(processBytes() - bytesBefore).toBe(6 * (48 << 20));
    const rssDuring = rss();
    await w.terminate();
    // The worker never disposed anything: its env cleanup hook freed it all.
    expect(processBytes()).toBe(bytesBefore);
    // And the memory went back to the system (not measurable under ASan's quarantine).
    if (!UNDER_ASAN) {
      expect(rssDuring - rssBefore).toBeGreaterThan(250 << 20);
      expect(rss()).toBeLessThan(rssDuring - (200 << 20));
    }
  });

  it('tensors from another thread are rejected or harmless, never a crash', { timeout: 30_000 }, async () => {
    const w = start({ mode: 'foreign' });
    expect(await message(w)).toEqual({ waiting: true });
    const t = torch.randn(2, 3);
    // A Tensor does not survive structured cloning as a Tensor; its raw slot id means
    // nothing (or another tensor) in the other thread's table.
    w.postMessage({ cloned: t, id: t._id });
    const out = await message(w);
    expect(out['add(clone)']).toBe('TypeError');
    expect(['TypeError', 'Error']).toContain(out['tensor method on clone']);
    expect(['returned', 'Error']).toContain(out['raw id']);
    expect(['returned', 'Error', 'TypeError']).toContain(out['raw id op']);
    await w.terminate();
    expect(t.shape).toEqual([2, 3]);
  });

  it('an uncaught error in a worker is an error event, not a crash', { timeout: 30_000 }, async () => {
    const w = start({ mode: 'crash' });
    const exited = exit(w);
    const err = await new Promise<Error>((resolve) => w.once('error', resolve));
    expect(err.message).toBe('worker failed on purpose');
    expect(await exited).toBe(1);
  });
});

describe('one environment, the addon loaded twice', () => {
  it('both instances share one tensor table (child process)', () => {
    // process.dlopen of the same file runs the addon's init twice in one env.
    const root = path.join(__dirname, '..');
    const script = `
      const path = require('node:path');
      const torch = require(${JSON.stringify(path.join(root, 'dist', 'cjs', 'index.js'))});
      const { N } = require(${JSON.stringify(path.join(root, 'dist', 'cjs', 'native.js'))});
      const file = process.env.TG_ADDON_PATH || path.join(${JSON.stringify(root)}, 'build', 'Release', 'tensorgrad.node');
      const second = { exports: {} };
      process.dlopen(second, file);
      const N2 = second.exports;
      const a = torch.ones(3);
      const o = new torch.Tensor();
      o._id = N2.add(o, a._id, 0, 1, 2, 1);  // the second instance sees the first's tensor
      if (JSON.stringify(o.tolist()) !== '[2,2,2]') throw new Error('wrong result ' + o.tolist());
      for (let i = 0; i < 50000; i++) { const p = new torch.Tensor(); p._id = N2.add(p, a._id, 0, 1, 2, 1); a.add(1); }
      global.gc();
      const m = torch.memory();
      if (m.tensors > 10) throw new Error('slots not freed: ' + JSON.stringify(m));
      console.log('ok', JSON.stringify(m));
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/^ok/);
  });
});
