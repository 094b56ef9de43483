// Fuzzes the public TypeScript surface: every function of the torch namespace (and
// torch.autograd), every method, getter and setter of Tensor and GradFn, called with
// hostile arguments and hostile receivers. Run as a child process (test/fuzz.test.ts).
// Every call must return or throw an Error; prints counts as JSON.
//   node test/fuzz/ts.js [seed] [randomCallsPerFunction]
'use strict';
const path = require('node:path');
const torch = require(path.join(__dirname, '..', '..', 'dist', 'cjs', 'index.js'));
const { prng, hostileValues } = require('./values');

const seed = Number(process.argv[2] || 1);
const randomCalls = Number(process.argv[3] || 60);
const rand = prng(seed);
const pick = (a) => a[Math.floor(rand() * a.length)];
const defaultThreads = torch.getNumThreads();

function liveTensors() {
  const leaf = torch.tensor([1, 2, 3], { requiresGrad: true });
  const disposed = torch.ones(2);
  disposed.dispose();
  return [
    torch.randn(2, 3), torch.randn(3, { dtype: 'float64' }), torch.tensor([0, 1], { dtype: 'int64' }),
    torch.tensor([1, 2], { dtype: 'int32' }), torch.tensor([[true, false], [false, true]]), torch.tensor(2.5),
    torch.zeros(0, 3), leaf, leaf.mul(2), torch.randn(3, 4).transpose(0, 1), torch.ones(1, 2, 1, 2, 1, 2, 1, 2),
    torch.randn(2, 2, { requiresGrad: true }).sum(), disposed,
  ];
}

function pool(live) {
  // The TS facade walks arrays with map(); a sparse or lying array of length 2^32-1 would
  // make it iterate four billion holes (slow, not unsafe), so those stay native-only.
  const base = hostileValues().filter(([k]) => k !== 'sparse 2^32-1' && k !== 'lying length');
  const extra = live.map((t, i) => [`tensor ${i}`, t]);
  extra.push(['fake tensor', { _id: live[0]._id, shape: [2, 3] }], ['Tensor.prototype object', Object.create(torch.Tensor.prototype)],
    ['GradFn', live[8].gradFn], ['fresh Tensor', new torch.Tensor()], ['[t, t]', [live[0], live[0]]],
    ['[t, disposed]', [live[0], live[12]]], ['{dtype:x}', { dtype: 'x' }], ['{dtype:int64}', { dtype: 'int64' }],
    ['{requiresGrad:yes}', { requiresGrad: 'yes' }], ['{requiresGrad:true}', { requiresGrad: true }],
    ['{alpha:NaN}', { alpha: NaN }], ['{retainGraph:{}}', { retainGraph: {} }], ['{createGraph:true}', { createGraph: true }],
    ['{inputs:[t]}', { inputs: [live[7]] }], ['{gradOutputs:[1]}', { gradOutputs: [1] }], ['{unbiased:NaN}', { unbiased: NaN, correction: 0.5 }],
    ['fn returning tensor', () => live[0].add(1)], ['fn throwing', () => { throw new Error('user fn'); }], ['async fn', async () => 1]);
  return base.concat(extra);
}

function plausible(live) {
  return [() => pick(live), () => pick(live), () => pick([0, 1, -1, 2]), () => pick([[2, 3], [3, 2], [-1], [], [0]]),
    () => pick(['float32', 'float64', 'int64', 'bool']), () => pick([true, false]), () => rand() * 4 - 2, () => undefined, () => null];
}

const stats = { functions: 0, calls: 0, returned: 0, threw: 0, byClass: {}, nonErrorThrows: 0 };
function call(fn, self, args) {
  stats.calls++;
  try {
    fn.apply(self, args);
    stats.returned++;
  } catch (e) {
    stats.threw++;
    const cls = e && e.constructor ? e.constructor.name : typeof e;
    stats.byClass[cls] = (stats.byClass[cls] || 0) + 1;
    if (!(e instanceof Error)) {
      stats.nonErrorThrows++;
      console.error('non-Error thrown by', fn.name, e);
    }
  } finally {
    if (torch.getNumThreads() !== defaultThreads) torch.setNumThreads(defaultThreads);
    torch.setGradEnabled(true);
  }
}

function fuzz(fn, receivers) {
  stats.functions++;
  const live = liveTensors();
  const values = pool(live);
  const gen = plausible(live);
  const self = () => (receivers ? (rand() < 0.1 ? pick(values)[1] : pick(live)) : undefined);
  call(fn, self(), []);
  for (let pos = 0; pos < 3; pos++)
    for (const [, v] of values) {
      const args = Array.from({ length: 3 }, () => pick(gen)());
      args[pos] = v;
      call(fn, self(), args);
    }
  for (let i = 0; i < randomCalls; i++) {
    const args = Array.from({ length: Math.floor(rand() * 5) }, () => (rand() < 0.5 ? pick(values)[1] : pick(gen)()));
    call(fn, self(), args);
  }
  for (const t of live) t.dispose();
}

// Namespace functions (torch.* and torch.autograd.*), but not the classes.
const skip = new Set(['Tensor', 'GradFn', 'Function']);
for (const [name, f] of [...Object.entries(torch), ...Object.entries(torch.autograd).map(([k, v]) => [`autograd.${k}`, v])]) {
  if (typeof f !== 'function' || skip.has(name)) continue;
  fuzz(f, false);
}
// Methods, getters and setters of Tensor and GradFn.
for (const proto of [torch.Tensor.prototype, torch.GradFn.prototype]) {
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    for (const f of [d.value, d.get, d.set]) if (typeof f === 'function') fuzz(f, true);
  }
}

const ok = torch.ones(2).add(1).tolist();
if (ok[0] !== 2 || ok[1] !== 2) throw new Error(`library broken after fuzzing: ${ok}`);
if (!torch.isGradEnabled()) throw new Error('grad mode left off');
global.gc && global.gc();
stats.memoryAfter = torch.memory();
console.log(JSON.stringify(stats));
