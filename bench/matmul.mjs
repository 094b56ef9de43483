// W1 side by side: float32 a.matmul(b), square n = 128, 512, 1024, tensorgrad vs PyTorch.
//
//   node bench/matmul.mjs [n ...] [--reps 7] [--threads 2] [--ms 150]
//
// PyTorch (if /usr/bin/python3 imports torch) runs in a child process that stays alive, and
// the two alternate block by block (tensorgrad, PyTorch, tensorgrad, ...), so load from
// other processes on this shared machine hits both alike. Each block repeats the product
// for about --ms milliseconds; the figure is the median block. Results are checked against
// PyTorch's on the same inputs. Not a test: timings never fail anything.
//
// The right-hand columns divide by CPU time instead of wall time (GFLOP per CPU-second, i.e.
// per busy core): on a machine shared with other work they show what each library gets out
// of the time it is actually scheduled (threads that spin while waiting count as busy).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as readline from 'node:readline';

const require = createRequire(import.meta.url);
const torch = require('../dist/cjs/index.js');
const { N } = require('../dist/cjs/native.js');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : def;
};
const reps = opt('reps', 7);
const threads = opt('threads', 2);
const blockMs = opt('ms', 150);
const sizes = args.length ? args.map(Number) : [128, 512, 1024];

torch.setNumThreads(threads);

// Inputs both sides build the same way: a[i, j] = sin(i * n + j), b = cos of the same.
function inputs(n) {
  const idx = torch.arange(0, n * n, 1, { dtype: 'float64' });
  return [idx.sin().reshape(n, n).to('float32'), idx.cos().reshape(n, n).to('float32')];
}

const PY = String.raw`
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
cache = {}
def inputs(n):
    if n not in cache:
        idx = torch.arange(0, n * n, dtype=torch.float64)
        cache[n] = (idx.sin().reshape(n, n).float(), idx.cos().reshape(n, n).float())
    return cache[n]
print("ready", torch.__version__, torch.get_num_threads(), flush=True)
for line in sys.stdin:
    cmd, n, count = line.split()
    n, count = int(n), int(count)
    a, b = inputs(n)
    if cmd == "check":
        c = a @ b
        print(" ".join(repr(float(v)) for v in (c.double().sum(), c[0, 0], c[n - 1, n - 1], c[n // 2, n // 3])), flush=True)
        continue
    t, c = time.perf_counter(), time.process_time()
    for _ in range(count):
        a @ b
    print(time.perf_counter() - t, time.process_time() - c, flush=True)
`;

class PyTorch {
  static start() {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status !== 0) return null;
    const p = new PyTorch();
    p.proc = spawn('/usr/bin/python3', ['-c', PY, String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
    p.lines = readline.createInterface({ input: p.proc.stdout })[Symbol.asyncIterator]();
    return p;
  }
  async line() {
    const r = await this.lines.next();
    if (r.done) throw new Error('PyTorch child exited');
    return r.value;
  }
  async ask(cmd, n, count) {
    this.proc.stdin.write(`${cmd} ${n} ${count}\n`);
    return this.line();
  }
  stop() {
    this.proc.stdin.end();
  }
}

const median = (xs) => (xs.length ? [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] : NaN);
const gflops = (n, seconds, count) => (2 * n ** 3 * count) / seconds / 1e9;

// [wall seconds, CPU seconds] for `count` products.
function timeTensorgrad(a, b, count) {
  const t = process.hrtime.bigint(), c = process.cpuUsage();
  for (let i = 0; i < count; i++) a.matmul(b).dispose();
  const cpu = process.cpuUsage(c);
  return [Number(process.hrtime.bigint() - t) / 1e9, (cpu.user + cpu.system) / 1e6];
}

const py = PyTorch.start();
let pyInfo = 'not available (/usr/bin/python3 cannot import torch)';
if (py) pyInfo = `torch ${(await py.line()).split(' ').slice(1).join(', threads ')}`;
console.log(`tensorgrad: float32 GEMM on ${N.gemmIsa()}, ${torch.getNumThreads()} threads; PyTorch: ${pyInfo}`);
console.log(`blocks of ~${blockMs} ms, median of ${reps}, alternating\n`);
console.log('                    GFLOP/s (wall)                GFLOP per CPU-second');
console.log('     n   tensorgrad   PyTorch   ratio     tensorgrad   PyTorch   ratio   max rel diff');

for (const n of sizes) {
  const [a, b] = inputs(n);
  // Calibrate the block length on tensorgrad, warm both up.
  let count = 1;
  while (timeTensorgrad(a, b, count)[0] < blockMs / 1000 / 4) count *= 2;
  count *= 4;
  const tg = [], pt = [], tgCpu = [], ptCpu = [];
  if (py) await py.ask('time', n, count);
  for (let r = 0; r < reps; r++) {
    const [wall, cpu] = timeTensorgrad(a, b, count);
    tg.push(gflops(n, wall, count));
    tgCpu.push(gflops(n, cpu, count));
    if (py) {
      const [pwall, pcpu] = (await py.ask('time', n, count)).split(' ').map(Number);
      pt.push(gflops(n, pwall, count));
      ptCpu.push(gflops(n, pcpu, count));
    }
  }
  let diff = '';
  if (py) {
    const want = (await py.ask('check', n, 0)).split(' ').map(Number);
    const c = a.matmul(b);
    const got = [c.to('float64').sum().item(), c.index(0, 0).item(), c.index(n - 1, n - 1).item(),
      c.index(n >> 1, Math.floor(n / 3)).item()];
    const scale = Math.sqrt(n) * 0.5;  // |entries| are O(sqrt(n)); compare against that scale
    diff = Math.max(...got.map((g, i) => Math.abs(g - want[i]) / (i === 0 ? Math.abs(want[0]) + n * scale : scale)))
      .toExponential(1);
  }
  const cols = (x, y) => `${x.toFixed(1).padStart(10)}   ${py ? y.toFixed(1).padStart(7) : '      -'}   ` +
    `${py ? (x / y).toFixed(2).padStart(5) : '    -'}`;
  console.log(`${String(n).padStart(6)}   ${cols(median(tg), median(pt))}     ${cols(median(tgCpu), median(ptCpu))}   ${diff}`);
}
if (py) py.stop();
