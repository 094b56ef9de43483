// npm run bench [-- --quick] [-- --only W1,W4]: the workloads of BENCHMARKS.md in tensorgrad
// and, when /usr/bin/python3 has torch, in PyTorch in the same run; prints each figure with
// its ratio to PyTorch (tensorgrad's speed ÷ PyTorch's) and writes bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const torch = require('../dist/cjs/index.js');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = (onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]) : 'W1,W2,W3,W4,W5,W6,W7').split(',');
const reps = quick ? 3 : 7;
torch.setNumThreads(2);
torch.manualSeed(0);

// unit: 'rate' (higher is better) or 'time' (lower is better)
const results = [];
const record = (name, value, unit, kind) => results.push({ name, value, unit, kind });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function medianTime(fn, inner) {
  fn();
  const ts = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9 / inner);
  }
  return median(ts);
}
// Drops the JS handle at once so memory is not left to the GC between calls.
const run = (f) => () => f().dispose();

if (only.includes('W1')) {
  for (const n of [128, 512, 1024]) {
    const a = torch.randn(n, n), b = torch.randn(n, n);
    const inner = Math.max(1, Math.floor((quick ? 3e8 : 2e9) / (2 * n ** 3)));
    const t = medianTime(run(() => a.matmul(b)), inner);
    record(`W1 matmul ${n}`, (2 * n ** 3) / t / 1e9, 'GFLOP/s', 'rate');
  }
}
if (only.includes('W2')) {
  for (const [n, label] of [[1 << 20, '1M'], [1 << 24, '16M']]) {
    const a = torch.randn(n), b = torch.randn(n);
    const inner = Math.max(1, Math.floor((n === 1 << 20 ? 50 : 5) / (quick ? 5 : 1)));
    record(`W2 add ${label}`, (12 * n) / medianTime(run(() => a.add(b)), inner) / 1e9, 'GB/s', 'rate');
    record(`W2 exp ${label}`, (8 * n) / medianTime(run(() => a.exp()), inner) / 1e9, 'GB/s', 'rate');
  }
}
if (only.includes('W3')) {
  const a = torch.randn(1 << 24);
  record('W3 sum 16M', (4 * (1 << 24)) / medianTime(run(() => a.sum()), quick ? 3 : 10) / 1e9, 'GB/s', 'rate');
  const m = torch.randn(4096, 4096);
  record('W3 sum(1) 4096x4096', (4 * 4096 * 4096 + 4 * 4096) / medianTime(run(() => m.sum(1)), quick ? 3 : 10) / 1e9, 'GB/s', 'rate');
}
if (only.includes('W4')) {
  const n = quick ? 20000 : 100000;
  const a = torch.randn(1), b = torch.randn(1);
  record('W4 add no grad', (medianTime(() => { for (let i = 0; i < n; i++) a.add(b); }, 1) / n) * 1e6, 'µs/op', 'time');
  const ag = torch.randn(1, { requiresGrad: true });
  record('W4 add grad', (medianTime(() => { for (let i = 0; i < n; i++) ag.add(b); }, 1) / n) * 1e6, 'µs/op', 'time');
}
if (only.includes('W5')) {
  const chain = () => {
    const x = torch.tensor(0.5, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100; i++) {
      const k = i % 3;
      y = k === 0 ? y.mul(1.001) : k === 1 ? y.add(0.5) : y.sin();
    }
    y.backward();
  };
  record('W5 op+backward', (medianTime(chain, quick ? 200 : 1000) / 100) * 1e6, 'µs/op', 'time');
}
if (only.includes('W6')) {
  for (const batch of [64, 256]) {
    torch.manualSeed(0);
    const lin = (i, o) => {
      const k = 1 / Math.sqrt(i);
      return [torch.rand(o, i).mul(2 * k).sub(k).requiresGrad_(), torch.rand(o).mul(2 * k).sub(k).requiresGrad_()];
    };
    const params = [...lin(784, 512), ...lin(512, 512), ...lin(512, 10)];
    const [w1, b1, w2, b2, w3, b3] = params;
    const x = torch.randn(batch, 784);
    const y = torch.randint(0, 10, [batch]);
    const step = () => {
      torch.tidy(() => {
        for (const p of params) p.grad = null;
        const h1 = x.matmul(w1.T).add(b1).relu();
        const h2 = h1.matmul(w2.T).add(b2).relu();
        const logits = h2.matmul(w3.T).add(b3);
        const loss = logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
        loss.backward();
        torch.noGrad(() => { for (const p of params) p.sub_(p.grad.mul(0.01)); });
      });
    };
    try {
      for (let i = 0; i < 10; i++) step();
      const steps = quick ? 20 : 100;
      const ts = [];
      for (let r = 0; r < (quick ? 3 : 5); r++) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < steps; i++) step();
        ts.push(Number(process.hrtime.bigint() - t0) / 1e6 / steps);
      }
      record(`W6 MLP batch ${batch}`, median(ts), 'ms/step', 'time');
    } catch (e) {
      console.error(`W6 batch ${batch} failed: ${e.message}`);
    }
  }
  record('W6 peak RSS MB', process.resourceUsage().maxRSS / 1024, 'MB', 'time');
}
if (only.includes('W7')) {
  const epoch = () => {
    const x = torch.tensor(3, { requiresGrad: true });
    for (let i = 0; i < 50; i++) {
      const y = x.pow(2);
      const g = x.grad;
      if (g) g.zero_();
      y.backward();
      torch.noGrad(() => x.sub_(x.grad.mul(0.1)));
    }
  };
  record('W7 seed loop', (medianTime(epoch, quick ? 40 : 200) / 50) * 1e6, 'µs/epoch', 'time');
}

// PyTorch in the same run (W6 in its own process with OMP_WAIT_POLICY=PASSIVE).
let theirs = {};
const py = '/usr/bin/python3';
function torchRun(list, env = {}) {
  if (!list.length) return {};
  try {
    const out = execFileSync(py, [path.join(here, 'torch_bench.py'), list.join(','), quick ? '1' : '0'], {
      encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20,
    });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    console.error(`PyTorch side skipped (${String(e.message).split('\n')[0]})`);
    return {};
  }
}
if (fs.existsSync(py)) {
  theirs = { ...torchRun(only.filter((w) => w !== 'W6')), ...torchRun(only.filter((w) => w === 'W6'), { OMP_WAIT_POLICY: 'PASSIVE' }) };
}

const rows = results.map((r) => {
  const t = theirs[r.name];
  const ratio = t === undefined ? undefined : r.kind === 'rate' ? r.value / t : t / r.value;
  return { ...r, torch: t, ratio };
});
const fmt = (v) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
console.log(`\ntensorgrad vs PyTorch ${quick ? '(quick) ' : ''}— ${os.cpus()[0].model}, ${torch.getNumThreads()} threads`);
console.log('| workload | unit | tensorgrad | PyTorch | ratio (speed ÷ PyTorch) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.unit} | ${fmt(r.value)} | ${fmt(r.torch)} | ${r.ratio === undefined ? '—' : r.ratio.toFixed(2) + '×'} |`);
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), quick, cpu: os.cpus()[0].model, rows }, null, 2));
