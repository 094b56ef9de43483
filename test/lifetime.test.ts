// Tensor lifetime: dispose(), [Symbol.dispose], tidy(), memory(), collected tensors freed
// by their in-GC finalizers, the byte count reported to V8, and autograd graphs that outlive the tensors they
// saved.
import { beforeEach, describe, expect, it } from 'vitest';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as torch from '../dist/cjs/index.js';
import { N } from '../dist/cjs/native.js';

v8.setFlagsFromString('--expose-gc');
const gc: () => void = vm.runInNewContext('gc');

type T = torch.Tensor;
const live = () => torch.memory().tensors;
// Counts below are exact: collect earlier tests' garbage first, so no GC frees it mid-test.
beforeEach(() => gc());

/** Runs fn with every native function wrapped by spy (which calls `run` for the real call). */
function withNativeSpy(spy: (name: string, args: unknown[], run: () => unknown) => unknown, fn: () => void): void {
  const saved = new Map<string, Function>();
  for (const k of Object.keys(N)) {
    const f = N[k];
    if (typeof f !== 'function') continue;
    saved.set(k, f);
    N[k] = function (this: unknown, ...args: unknown[]) {
      return spy(k, args, () => f.apply(this, args));
    };
  }
  try {
    fn();
  } finally {
    for (const [k, f] of saved) N[k] = f;
  }
}

/** Runs fn and returns the names of the native functions it called. */
function nativeCalls(fn: () => void): { called: string[]; error: unknown } {
  const called: string[] = [];
  let error: unknown = undefined;
  withNativeSpy(
    (k, _args, run) => {
      called.push(k);
      return run();
    },
    () => {
      try {
        fn();
      } catch (e) {
        error = e;
      }
    },
  );
  return { called, error };
}

// Every public way to use a tensor `d`, with live tensors `a` (2x3 float) and `m` (3x2) as
// the other operands. Ops another area has not implemented yet still reach native code (or
// fail in TS with "not a function" when the export does not exist yet).
function uses(d: T, a: T, m: T): [string, () => unknown][] {
  const i64 = torch.tensor([0, 1], { dtype: 'int64' });
  return [
    ['shape', () => d.shape], ['ndim', () => d.ndim], ['numel', () => d.numel()], ['size', () => d.size(0)],
    ['stride', () => d.stride()], ['dtype', () => d.dtype], ['isContiguous', () => d.isContiguous()],
    ['requiresGrad', () => d.requiresGrad], ['setRequiresGrad', () => { d.requiresGrad = true; }],
    ['grad', () => d.grad], ['setGrad', () => { d.grad = null; }], ['gradFn', () => d.gradFn],
    ['isLeaf', () => d.isLeaf], ['retainsGrad', () => d.retainsGrad], ['retainGrad', () => d.retainGrad()],
    ['item(scalar)', () => d.sum().item()], ['backward(scalar)', () => d.sum().backward()],
    ['autograd.grad(scalar)', () => torch.autograd.grad(d.sum(), d)],
    ['detach', () => d.detach()], ['detach_', () => d.detach_()], ['item', () => d.item()],
    ['toTypedArray', () => d.toTypedArray()], ['tolist', () => d.tolist()], ['toString', () => d.toString()],
    ['add', () => d.add(a)], ['add(other)', () => a.add(d)], ['add(scalar)', () => d.add(1)],
    ['sub', () => d.sub(a)], ['rsub', () => d.rsub(1)], ['mul', () => d.mul(a)], ['mul(other)', () => a.mul(d)],
    ['div', () => d.div(2)], ['pow', () => d.pow(2)], ['pow(exp)', () => a.pow(d)], ['maximum', () => d.maximum(a)],
    ['minimum', () => a.minimum(d)], ['neg', () => d.neg()], ['abs', () => d.abs()], ['sqrt', () => d.sqrt()],
    ['rsqrt', () => d.rsqrt()], ['exp', () => d.exp()], ['log', () => d.log()], ['log1p', () => d.log1p()],
    ['sin', () => d.sin()], ['cos', () => d.cos()], ['tan', () => d.tan()], ['tanh', () => d.tanh()],
    ['sigmoid', () => d.sigmoid()], ['relu', () => d.relu()], ['square', () => d.square()],
    ['reciprocal', () => d.reciprocal()], ['sign', () => d.sign()], ['gelu', () => d.gelu()],
    ['clamp', () => d.clamp(0, 1)], ['clamp(tensor)', () => a.clamp(d, null)], ['where', () => d.where(a.gt(0), a)],
    ['where(cond)', () => torch.where(d, a, a)], ['eq', () => d.eq(a)], ['ne', () => d.ne(1)], ['lt', () => a.lt(d)],
    ['le', () => d.le(1)], ['gt', () => d.gt(1)], ['ge', () => d.ge(1)],
    ['matmul', () => d.matmul(m)], ['matmul(other)', () => m.matmul(d)], ['mm', () => d.mm(m)],
    ['bmm', () => d.bmm(m)], ['mv', () => d.mv(m)], ['dot', () => d.dot(a)], ['outer', () => a.outer(d)],
    ['sum', () => d.sum()], ['sum(dim)', () => d.sum(1, true)], ['mean', () => d.mean()], ['prod', () => d.prod()],
    ['max', () => d.max()], ['max(dim)', () => d.max(0)], ['min', () => d.min()], ['min(dim)', () => d.min(1)],
    ['amax', () => d.amax(0)], ['amin', () => d.amin(0)], ['argmax', () => d.argmax()], ['argmin', () => d.argmin()],
    ['norm', () => d.norm()], ['var', () => d.var()], ['std', () => d.std()], ['logsumexp', () => d.logsumexp(0)],
    ['softmax', () => d.softmax(0)], ['logSoftmax', () => d.logSoftmax(0)],
    ['reshape', () => d.reshape(3, 2)], ['view', () => d.view(-1)], ['viewAs', () => d.viewAs(a)],
    ['flatten', () => d.flatten()], ['squeeze', () => d.squeeze()], ['unsqueeze', () => d.unsqueeze(0)],
    ['transpose', () => d.transpose(0, 1)], ['t', () => d.t()], ['T', () => d.T], ['mT', () => d.mT],
    ['permute', () => d.permute(1, 0)], ['expand', () => d.expand(2, 2, 3)], ['expandAs', () => a.expandAs(d)],
    ['contiguous', () => d.contiguous()], ['clone', () => d.clone()], ['narrow', () => d.narrow(0, 0, 1)],
    ['select', () => d.select(0, 0)], ['index', () => d.index(0, [0, 2])], ['split', () => d.split(1)],
    ['chunk', () => d.chunk(2)], ['gather', () => d.gather(0, i64.reshape(1, 2))],
    ['gather(index)', () => a.gather(0, d)], ['indexSelect', () => d.indexSelect(0, i64)],
    ['to', () => d.to('float64')], ['float', () => d.float()], ['bool', () => d.bool()],
    ['add_', () => d.add_(1)], ['add_(other)', () => a.add_(d)], ['sub_', () => d.sub_(1)], ['mul_', () => d.mul_(2)],
    ['div_', () => d.div_(2)], ['zero_', () => d.zero_()], ['fill_', () => d.fill_(1)], ['copy_', () => d.copy_(a)],
    ['copy_(src)', () => a.copy_(d)], ['clamp_', () => d.clamp_(0, 1)], ['set', () => d.set([0, 0], 1)],
    ['backward', () => d.backward()], ['backward(grad)', () => a.sum().backward(d)],
    ['autograd.grad', () => torch.autograd.grad(d, a)], ['autograd.grad(input)', () => torch.autograd.grad(a.sum(), d)],
    ['autograd.backward', () => torch.autograd.backward(d)], ['cat', () => torch.cat([a, d])],
    ['stack', () => torch.stack([d, a])], ['tensor(t)', () => torch.tensor(d)], ['zerosLike', () => torch.zerosLike(d)],
    ['torch.add', () => torch.add(a, d)], ['torch.matmul', () => torch.matmul(d, m)], ['torch.sum', () => torch.sum(d)],
  ];
}

describe('dispose', () => {
  it('frees at once, is idempotent and counts in memory()', () => {
    const before = torch.memory();
    const t = torch.zeros(1000);
    expect(torch.memory().tensors).toBe(before.tensors + 1);
    expect(torch.memory().bytes).toBe(before.bytes + 4000);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(torch.memory()).toEqual(before);
    t.dispose();
    t[Symbol.dispose]();
    expect(torch.memory()).toEqual(before);
  });

  it('a view keeps its storage alive after the base is disposed', () => {
    const before = torch.memory();
    const base = torch.arange(6, { dtype: 'float32' });
    const r = base.reshape(2, 3);
    const v = r.transpose(0, 1);
    base.dispose();
    r.dispose();
    expect(torch.memory().bytes).toBe(before.bytes + 24);
    expect(v.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    v.dispose();
    expect(torch.memory()).toEqual(before);
  });

  it('`using` disposes at the end of the block', () => {
    const before = live();
    let seen: T;
    {
      using t = torch.ones(3);
      seen = t;
      expect(live()).toBe(before + 1);
    }
    expect(seen.isDisposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('every public use of a disposed tensor throws a clear error', () => {
    const a = torch.randn(2, 3);
    const m = torch.randn(3, 2);
    const d = torch.randn(2, 3);
    d.dispose();
    const rows = uses(d, a, m);
    let reachedNative = 0;
    for (const [name, use] of rows) {
      const { called, error } = nativeCalls(() => void use());
      expect(error, name).toBeInstanceOf(Error);
      const msg = (error as Error).message;
      // Where native code was reached, it must name the problem. A TS-only failure is either
      // the same message or an export another area has not added yet.
      if (!/is not a function/.test(msg)) {
        expect(msg, name).toMatch(/Tensor has been disposed/);
        reachedNative++;
      }
    }
    expect(reachedNative).toBeGreaterThan(110);
    // The inspector never throws.
    expect((d as any)[Symbol.for('nodejs.util.inspect.custom')]()).toBe('tensor(<disposed>)');
  });

  it('every native export that received a disposed handle rejects it', () => {
    // Record the native calls a live workload makes, dispose every tensor it touched, then
    // replay each call with the same (now disposed) handles.
    const a = torch.randn(2, 3);
    const m = torch.randn(3, 2);
    const d = torch.randn(2, 3, { requiresGrad: true });
    const calls: [string, unknown[]][] = [];
    const made: T[] = [];
    const scopes = require('../dist/cjs/scope.js').scopes as unknown[][];
    scopes.push(made);
    try {
      withNativeSpy(
        (k, args, run) => {
          const r = run();
          calls.push([k, args.map((x) => (x instanceof torch.Tensor || x instanceof torch.GradFn ? 'OUT' : Array.isArray(x) ? [...x] : x))]);
          return r;
        },
        () => {
          for (const [, use] of uses(d, a, m)) {
            try {
              use();
            } catch {
              // shape errors and unimplemented ops are fine: only successful calls are replayed
            }
          }
        },
      );
    } finally {
      scopes.pop();
    }
    for (const t of [a, m, d, ...made]) t.dispose();
    // Exports that take no tensor handle (or whose handles are node slots / pending slots).
    const noTensor = new Set(['full', 'empty', 'arange', 'linspace', 'eye', 'rand', 'randn', 'randint', 'bernoulliMask',
      'manualSeed', 'memory', 'setNumThreads', 'getNumThreads', 'setGradEnabled', 'isGradEnabled', 'fromData',
      'dispose', 'adopt', 'adoptNode', 'nodeName', 'nodeNext', 'nodeVariable']);
    const rejected = new Set<string>();
    for (const [k, args] of calls) {
      if (noTensor.has(k)) continue;
      const replay = args.map((x) => (x === 'OUT' ? new torch.Tensor() : x));
      expect(() => N[k](...replay), k).toThrow(/Tensor has been disposed/);
      rejected.add(k);
    }
    // The exports this branch has today, at least, were all exercised.
    const expected = ['shape', 'strides', 'numel', 'dtype', 'isContiguous', 'toTypedArray', 'toFloat64', 'item',
      'clone', 'contiguous', 'toDtype', 'neg', 'abs', 'sqrt', 'rsqrt', 'exp', 'log', 'log1p', 'sin', 'cos', 'tan',
      'tanh', 'sigmoid', 'relu', 'square', 'reciprocal', 'sign', 'add', 'sub', 'mul', 'div', 'maximum', 'minimum',
      'pow', 'compare', 'where', 'clamp', 'gelu', 'sum', 'mean', 'view', 'reshape', 'flatten',
      'squeeze', 'unsqueeze', 'transpose', 'permute', 'expand', 'narrow', 'select', 'index', 'binaryInplace',
      'fillInplace', 'zeroInplace', 'copyInplace', 'clampInplace', 'matmul', 'mm', 'requiresGrad', 'setRequiresGrad',
      'isLeaf', 'retainsGrad', 'grad', 'setGrad', 'gradFn', 'backward', 'autogradGrad', 'detach', 'detachInplace',
      'retainGrad'];
    const missing = expected.filter((k) => !rejected.has(k));
    expect(missing).toEqual([]);
  });
});

describe('tidy', () => {
  it('disposes everything made inside except what is returned', () => {
    const before = live();
    const x = torch.ones(3);
    const kept = torch.tidy(() => {
      const a = x.add(1);
      const b = a.mul(2);
      return b.sub(1);
    });
    expect(kept.tolist()).toEqual([3, 3, 3]);
    expect(live()).toBe(before + 2);
    expect(x.isDisposed).toBe(false);
  });

  it('keeps tensors inside returned arrays, objects, Maps and Sets', () => {
    const before = live();
    const r = torch.tidy(() => {
      const a = torch.ones(1), b = torch.ones(2), c = torch.ones(3), e = torch.ones(4);
      torch.zeros(5);  // dropped
      return { list: [a, { deep: b }], map: new Map([['c', c]]), set: new Set([e]), n: 1 };
    });
    expect(live()).toBe(before + 4);
    expect((r.list[1] as { deep: T }).deep.shape).toEqual([2]);
    expect(r.map.get('c')!.shape).toEqual([3]);
    expect([...r.set][0].shape).toEqual([4]);
  });

  it('nests: an inner result belongs to the outer scope', () => {
    const before = live();
    let inner!: T;
    const outer = torch.tidy(() => {
      inner = torch.tidy(() => torch.ones(2).add(1));
      expect(inner.isDisposed).toBe(false);
      torch.ones(7);
      return inner.mul(3);
    });
    expect(inner.isDisposed).toBe(true);  // used inside the outer scope, not returned from it
    expect(outer.tolist()).toEqual([6, 6]);
    expect(live()).toBe(before + 1);
  });

  it('disposes everything when fn throws, and rethrows', () => {
    const before = live();
    let made!: T;
    expect(() =>
      torch.tidy(() => {
        made = torch.ones(3);
        torch.ones(2).add(torch.ones(3));  // shape mismatch
      }),
    ).toThrow(/must match the size/);
    expect(made.isDisposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('rejects async functions and non-functions', async () => {
    const before = live();
    let made!: T;
    expect(() =>
      torch.tidy((async () => {
        made = torch.ones(1);
      }) as any),
    ).toThrow(TypeError);
    expect(made.isDisposed).toBe(true);
    expect(live()).toBe(before);
    expect(() => torch.tidy(42 as any)).toThrow(TypeError);
  });

  it('a tidy forward pass can still be differentiated', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const loss = torch.tidy(() => x.mul(x).mul(2).add(1).sum());
    loss.backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
  });
});

describe('graphs outlive the tensors they saved', () => {
  it('disposing saved intermediates and inputs does not break backward', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const h = x.mul(2);
    const y = h.mul(h).sum();  // saves h twice
    h.dispose();
    y.backward();
    expect(x.grad!.tolist()).toEqual([8, 16, 24]);
  });

  it('disposing a saved leaf does not break backward for the others', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const w = torch.tensor([3, 4], { requiresGrad: true });
    const y = x.mul(w).sum();
    x.dispose();  // its gradient has nowhere to go now; w's must still arrive
    y.backward();
    expect(w.grad!.tolist()).toEqual([1, 2]);
  });

  it('retainGraph survives disposal of every forward tensor', () => {
    const x = torch.tensor([2], { requiresGrad: true });
    const a = x.mul(x);
    const y = a.mul(x).sum();
    a.dispose();
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad!.tolist()).toEqual([24]);
  });

  it('gradFn objects outlive their tensor', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).sum();
    const g = y.gradFn!;
    y.dispose();
    expect(g.name).toBe('SumBackward0');
    const [next] = g.nextFunctions;
    expect(next[0]!.name).toBe('MulBackward0');
    const acc = next[0]!.nextFunctions[0][0]!;
    expect(acc.name).toBe('AccumulateGrad');
    expect(acc.variable!.tolist()).toEqual([1, 2]);
  });

  it('AccumulateGrad forgets a leaf that is gone (no graph keeps a leaf alive)', () => {
    let acc: torch.GradFn;
    let y: T;
    (() => {
      const x = torch.tensor([1, 2], { requiresGrad: true });
      y = x.add(1).sum();
      acc = y.gradFn!.nextFunctions[0][0]!.nextFunctions[0][0]!;
      x.dispose();
    })();
    expect(acc!.name).toBe('AccumulateGrad');
    expect(acc!.variable).toBeNull();
    y!.backward();  // the gradient for x is dropped without error
  });

  it('each .grad read is its own handle; disposing one leaves the gradient', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    const g1 = x.grad!;
    g1.dispose();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });
});

describe('collection and memory reporting', () => {
  it('a synchronous loop stays bounded: each GC frees what it collected', () => {
    gc();
    const a = torch.ones(4), b = torch.ones(4);
    let peak = 0, drops = 0, prev = N.liveCounts().tensors;
    let junk: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      a.add(b);
      junk = new Array(64).fill(i);  // plain JS garbage, so that scavenges come often
      if (i % 1000 === 0) {
        const n = N.liveCounts().tensors;  // reads the counters, nothing else
        if (n < prev) drops++;
        prev = n;
        peak = Math.max(peak, n);
      }
    }
    // Were frees deferred to the event loop (stable Node-API finalizers), all 200,000 results
    // would still be alive here. Finalizers run inside each scavenge instead.
    expect(junk.length).toBe(64);
    expect(drops).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThan(150_000);
    gc();
    expect(live()).toBeLessThan(1000);
  });

  it('tensors collected while no op runs are freed by the GC itself, not later', () => {
    (() => {
      for (let i = 0; i < 4; i++) torch.zeros(1 << 18);
    })();
    const before = N.liveCounts();
    gc();  // no op, no event-loop turn after it
    expect(N.liveCounts().bytes).toBeLessThanOrEqual(before.bytes - (4 << 20));
    expect(N.liveCounts().tensors).toBeLessThanOrEqual(before.tensors - 4);
  });

  it('collected tensors free their native memory', () => {
    gc();
    const before = torch.memory().bytes;
    (() => {
      for (let i = 0; i < 10; i++) torch.zeros(1 << 18);  // 1 MiB each, dropped at once
    })();
    gc();
    expect(torch.memory().bytes).toBe(before);
  });

  it('reports growth and shrinkage to V8, from ops, dispose and memory()', () => {
    gc();
    const m = () => N.memory() as { bytes: number; reported: number };
    const near = () => expect(Math.abs(m().bytes - m().reported)).toBeLessThanOrEqual(1 << 20);
    near();
    const big = torch.zeros(8 << 20);  // 32 MiB: growth reported by the op
    expect(m().reported).toBeGreaterThanOrEqual(32 << 20);
    near();
    big.dispose();  // shrinkage reported by dispose with no op after it
    near();
    (() => void torch.zeros(8 << 20))();
    near();
    gc();
    torch.memory();  // shrinkage (freed inside the GC) reported by the next call
    near();
    expect(m().reported).toBeLessThan(32 << 20);
  });

  it('V8 feels native memory: large tensors dropped in a loop are collected', () => {
    gc();
    let peak = 0;
    for (let i = 0; i < 100; i++) {
      torch.zeros(4 << 20);  // 16 MiB each, 1.6 GB in all; tiny on the JS heap
      peak = Math.max(peak, torch.memory().bytes);
    }
    // Without the external-memory report V8 sees a few KB of JS objects and never collects.
    expect(peak).toBeLessThan(800 << 20);
  });

  it('memory() counts live tensors, storages and bytes', () => {
    gc();
    const m0 = torch.memory();
    const t = torch.zeros(10, { dtype: 'float64' });
    const v = t.view(2, 5);
    const m1 = torch.memory();
    expect(m1.tensors - m0.tensors).toBe(2);
    expect(m1.storages - m0.storages).toBe(1);
    expect(m1.bytes - m0.bytes).toBe(80);
    t.dispose();
    v.dispose();
    expect(torch.memory()).toEqual(m0);
  });
});
