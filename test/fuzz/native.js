// Fuzzes every function the native addon exports with hostile arguments. Run as a child
// process (test/fuzz.test.ts): a crash, an abort or a sanitizer report kills it and fails
// the test. Every call must return or throw a JS Error; the script prints counts as JSON.
//   node test/fuzz/native.js [seed] [randomCallsPerExport]
'use strict';
const path = require('node:path');
const torch = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'index.js'));
const { N } = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'native.js'));
const { prng, hostileValues } = require('./values');

const seed = Number(process.argv[2] || 1);
const randomCalls = Number(process.argv[3] || 300);
const rand = prng(seed);
const pick = (a) => a[Math.floor(rand() * a.length)];
const defaultThreads = N.getNumThreads();

// Live tensors of every dtype and a few geometries, remade for each export so that a
// hostile dispose() of one export cannot starve the next.
function liveTensors() {
  const leaf = torch.tensor([1, 2, 3], { requiresGrad: true });
  const t = {
    f32: torch.randn(2, 3), f64: torch.randn(3, { dtype: 'float64' }), i64: torch.tensor([0, 1], { dtype: 'int64' }),
    i32: torch.tensor([1, 2], { dtype: 'int32' }), bool: torch.tensor([[true, false], [false, true]]),
    scalar: torch.tensor(2.5), empty: torch.zeros(0, 3), leaf, nonLeaf: leaf.mul(2),
    view: torch.randn(3, 4).transpose(0, 1), eightD: torch.ones(1, 2, 1, 2, 1, 2, 1, 2),
  };
  const disposed = torch.ones(2);
  const disposedId = disposed._id;
  disposed.dispose();
  return { t, ids: Object.values(t).map((x) => x._id), disposedId };
}

function argPool(live) {
  const ids = {};
  for (const [k, x] of Object.entries(live.t)) ids[`id ${k}`] = x._id;
  ids['disposed id (-2)'] = -2;
  ids['disposed slot'] = live.disposedId;
  ids['unused slot'] = 1e6;
  ids['Tensor object'] = live.t.f32;
  ids['fresh Tensor'] = new torch.Tensor();
  ids['GradFn object'] = live.t.nonLeaf.gradFn;
  ids['fake tensor {_id}'] = { _id: live.t.f32._id };
  ids['[ids]'] = live.ids.slice(0, 2);  // two only: read as a shape, ids must not ask for gigabytes
  ids['[disposed ids]'] = [-2, -2];
  ids['[-1]'] = [-1];
  return hostileValues(ids);
}

// Plausible values, so that random calls also get past argument checks into the ops.
function plausible(live) {
  return [() => ({}), () => pick(live.ids), () => pick(live.ids), () => pick([0, 1, 2, 3]), () => pick([0, 1, -1]),
    () => pick([[2, 3], [3, 2], [-1], [], [0], [1, 0]]), () => pick(['float32', 'float64', 'int64', 'int32', 'bool']),
    () => pick([true, false]), () => rand() * 4 - 2, () => null];
}

const stats = { exports: 0, calls: 0, returned: 0, threw: 0, byClass: {}, nonErrorThrows: 0, slowest: [] };
// TG_FUZZ_TRACE=1 writes each call to stderr before making it (to find the one that crashed).
const trace = process.env.TG_FUZZ_TRACE === '1';
function describe(a) {
  try {
    if (typeof a === 'symbol') return 'symbol';
    if (Array.isArray(a)) return `[${a.length}]`;
    if (typeof a === 'object' && a) return a.constructor ? a.constructor.name : 'object';
    return String(a).slice(0, 20);
  } catch {
    return '?';
  }
}
function call(f, args) {
  stats.calls++;
  if (trace) process.stderr.write(`${f.fuzzName}(${args.map(describe).join(', ')})\n`);
  const t0 = process.hrtime.bigint();
  try {
    f(...args);
    stats.returned++;
  } catch (e) {
    stats.threw++;
    const cls = e && e.constructor ? e.constructor.name : typeof e;
    stats.byClass[cls] = (stats.byClass[cls] || 0) + 1;
    if (!(e instanceof Error)) {
      stats.nonErrorThrows++;
      console.error('non-Error thrown', e);
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > 50) stats.slowest.push(`${f.fuzzName}(${args.map(describe).join(', ')}) ${ms.toFixed(0)} ms`);
}

const only = process.env.TG_FUZZ_ONLY ? process.env.TG_FUZZ_ONLY.split(',') : null;
const names = Object.keys(N).filter((k) => typeof N[k] === 'function' && (!only || only.includes(k))).sort();
for (const name of names) {
  stats.exports++;
  const live = liveTensors();
  const pool = argPool(live);
  const gen = plausible(live);
  const f = (...a) => {
    try {
      return N[name](...a);
    } finally {
      if (name === 'setNumThreads') N.setNumThreads(defaultThreads);  // never leave a hostile pool size behind
    }
  };
  f.fuzzName = name;
  call(f, []);
  call(f, new Array(12).fill(undefined));
  // Systematic: each hostile value in each of the first 7 positions, plausible elsewhere.
  for (let pos = 0; pos < 7; pos++) {
    for (const [, v] of pool) {
      const args = Array.from({ length: 7 }, () => pick(gen)());
      args[pos] = v;
      call(f, args);
    }
  }
  // Random: any mix of hostile and plausible values.
  for (let i = 0; i < randomCalls; i++) {
    const n = Math.floor(rand() * 8);
    const args = Array.from({ length: n }, () => (rand() < 0.5 ? pick(pool)[1] : pick(gen)()));
    call(f, args);
  }
  for (const x of Object.values(live.t)) x.dispose();
}

// The addon still works and its books balance after all that.
const ok = torch.ones(2).add(1).tolist();
if (ok[0] !== 2 || ok[1] !== 2) throw new Error(`addon broken after fuzzing: ${ok}`);
if (N.getNumThreads() !== defaultThreads) throw new Error('thread pool size changed');
for (let i = 0; i < 3; i++) global.gc && global.gc();
stats.memoryAfter = torch.memory();
console.log(JSON.stringify(stats));
