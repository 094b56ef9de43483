// torch.profile(fn): where a piece of work spends its native time, per op.
//
// While fn runs, every native entry point (the members of N, ts/native.ts) is replaced by a
// timing wrapper; they are restored in `finally`, so profiling costs nothing afterwards.
// Each entry point counts its self time: a native call that calls back into JS (a hook, a
// custom Function run by backward) does not count the native calls made inside it twice.
// backward runs the whole graph in one native call, so the engine also times each node's
// derivative while profiling is on; those appear as rows named after the node
// ('MmBackward0', ...), and the backward row keeps only the engine's own time.
import { performance } from 'node:perf_hooks';
import { N } from './native';

export interface ProfiledOp {
  /**
   * The native entry point, e.g. 'matmul', 'add', 'backward', or a graph node whose
   * derivative ran during backward, e.g. 'MmBackward0'.
   */
  name: string;
  count: number;
  /** Self time in milliseconds (time spent in nested native calls is not included). */
  totalMs: number;
}

export interface Profile<T = unknown> {
  /** Per entry point, most time first. */
  ops: ProfiledOp[];
  /** Native time, all ops together (ms). */
  totalMs: number;
  /** Wall time of fn (ms): native time plus JS time. */
  wallMs: number;
  /** What fn returned. */
  result: T;
  /** The ops as a table, like PyTorch's profiler's key_averages().table(). */
  table(opts?: { rowLimit?: number }): string;
}

const SKIP = new Set(['takeError', 'errorSentinel', 'profileBackward', 'backwardProfile']);
// Entry points that run graph nodes: their per-node time is reported on the nodes' rows.
const RUNS_GRAPH = new Set(['backward', 'autogradGrad']);

/** Milliseconds of node time the engine has recorded so far in this profile. */
function nodeMs(): number {
  let ms = 0;
  for (const row of N.backwardProfile() as [string, number, number][]) ms += row[2];
  return ms;
}

function formatTable(ops: ProfiledOp[], totalMs: number, wallMs: number, rowLimit: number): string {
  const rows = ops.slice(0, rowLimit).map((o) => [
    o.name,
    String(o.count),
    o.totalMs.toFixed(3),
    totalMs > 0 ? ((100 * o.totalMs) / totalMs).toFixed(1) + '%' : '0.0%',
    (o.totalMs / o.count).toFixed(4),
  ]);
  const head = ['Name', 'Calls', 'Total ms', '% native', 'Avg ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = widths.map((w) => '-'.repeat(w)).join('  ');
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line, fmt(head), line, ...rows.map(fmt), line];
  if (ops.length > rowLimit) out.push(`(${ops.length - rowLimit} more ops)`);
  out.push(`Native time total: ${totalMs.toFixed(3)} ms; wall time: ${wallMs.toFixed(3)} ms`);
  return out.join('\n');
}

// Wraps N's members with timers; returns the function that restores them and the stats.
function instrument(): { restore: () => void; stats: Map<string, ProfiledOp> } {
  const stats = new Map<string, ProfiledOp>();
  const saved: Record<string, any> = {};
  let childMs = 0; // native time of calls nested inside the current one
  for (const key of Object.keys(N)) {
    const f = N[key];
    if (SKIP.has(key) || typeof f !== 'function') continue;
    saved[key] = f;
    N[key] = function (...args: unknown[]): unknown {
      const outerChild = childMs;
      childMs = 0;
      const nodes0 = RUNS_GRAPH.has(key) ? nodeMs() : 0;
      const t0 = performance.now();
      try {
        return f.apply(undefined, args);
      } finally {
        const dt = performance.now() - t0;
        if (RUNS_GRAPH.has(key)) childMs += nodeMs() - nodes0;
        const self = Math.max(0, dt - childMs);
        childMs = outerChild + dt;
        let s = stats.get(key);
        if (!s) stats.set(key, (s = { name: key, count: 0, totalMs: 0 }));
        s.count++;
        s.totalMs += self;
      }
    };
  }
  N.profileBackward(true);
  return {
    stats,
    restore: () => {
      for (const key of Object.keys(saved)) N[key] = saved[key];
      for (const [name, count, ms] of N.backwardProfile() as [string, number, number][]) {
        const s = stats.get(name);
        if (s) (s.count += count), (s.totalMs += ms);
        else stats.set(name, { name, count, totalMs: ms });
      }
      N.profileBackward(false);
    },
  };
}

function finish<T>(stats: Map<string, ProfiledOp>, wallMs: number, result: T): Profile<T> {
  const ops = [...stats.values()].sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));
  const totalMs = ops.reduce((s, o) => s + o.totalMs, 0);
  return { ops, totalMs, wallMs, result, table: (o = {}) => formatTable(ops, totalMs, wallMs, o.rowLimit ?? Infinity) };
}

/**
 * Runs fn and reports each native op's call count and time. When fn returns a Promise,
 * profile returns a Promise of the report, timing until it settles.
 */
export function profile<T>(fn: () => Promise<T>): Promise<Profile<T>>;
export function profile<T>(fn: () => T): Profile<T>;
export function profile<T>(fn: () => T | Promise<T>): Profile<T> | Promise<Profile<T>> {
  if (typeof fn !== 'function') throw new TypeError('profile expects a function');
  const { restore, stats } = instrument();
  const t0 = performance.now();
  let r: T | Promise<T>;
  try {
    r = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (r && typeof (r as any).then === 'function') {
    return (r as Promise<T>).then(
      (v) => {
        restore();
        return finish(stats, performance.now() - t0, v);
      },
      (e) => {
        restore();
        throw e;
      },
    );
  }
  restore();
  return finish(stats, performance.now() - t0, r as T);
}
