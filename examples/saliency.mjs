// Gradient saliency: which pixels of a digit move the trained MNIST MLP's score for its class.
// saliency = |∂ logit[label] / ∂ image|, drawn as a heat map beside the digit in
// examples/out/saliency.svg.
//
// Needs the nn and optim modules (API.md "nn and optim") and the MNIST idx files
// (train-images-idx3-ubyte, train-labels-idx1-ubyte, plain or .gz) in $MNIST_DIR or
// examples/data/mnist. With weights saved by the training demo in $MNIST_WEIGHTS
// (safetensors, keys 0.weight, 0.bias, 2.weight, 2.bias) it loads them; otherwise it trains
// the MLP for one quick epoch on 10,000 images first.
// Run: node examples/saliency.mjs [index]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as torch from '../dist/esm/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.MNIST_DIR ?? path.join(here, 'data', 'mnist');

function readIdx(name) {
  for (const f of [name, name + '.gz']) {
    const p = path.join(dataDir, f);
    if (fs.existsSync(p)) {
      const raw = fs.readFileSync(p);
      return f.endsWith('.gz') ? zlib.gunzipSync(raw) : raw;
    }
  }
  throw new Error(`saliency: ${name} not found in ${dataDir}; set MNIST_DIR to the folder holding the MNIST idx files`);
}

// idx3: magic, count, rows, cols, then bytes; idx1: magic, count, then bytes.
function loadMnist(limit) {
  const img = readIdx('train-images-idx3-ubyte');
  const lab = readIdx('train-labels-idx1-ubyte');
  const n = Math.min(img.readUInt32BE(4), limit);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) pixels[i] = img[16 + i] / 255;
  const labels = Array.from(lab.subarray(8, 8 + n));
  return { n, pixels, labels };
}

const { nn, optim } = torch;
const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
const data = loadMnist(10000);
const images = torch.tensor(data.pixels).reshape(data.n, 784);
const labels = torch.tensor(data.labels, { dtype: 'int64' });

if (process.env.MNIST_WEIGHTS) {
  model.loadStateDict(torch.load(process.env.MNIST_WEIGHTS));
} else {
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  for (let i = 0; i + 64 <= data.n; i += 64) {
    torch.tidy(() => {
      const loss = lossFn.forward(model.forward(images.narrow(0, i, 64)), labels.narrow(0, i, 64));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  }
}
model.eval();

// The saliency of one image: the gradient of its class score with respect to its pixels.
const k = Number(process.argv[2] ?? 0);
const label = data.labels[k];
const x = images.narrow(0, k, 1).detach().requiresGrad_(true);
const logits = model.forward(x);
const predicted = logits.argmax(1).item();
const [g] = torch.autograd.grad(logits.index(0, label), x);
const sal = g.abs().reshape(784).tolist();
const pix = images.select(0, k).tolist();
const peak = Math.max(...sal) || 1;

// Two 28×28 grids of squares: the digit in grey, the saliency in a white→red→yellow ramp.
const cell = 8, gap = 24, size = 28 * cell;
const heat = (v) => {
  const t = v / peak;
  const r = 255, gr = Math.round(255 * Math.max(0, (t - 0.5) * 2)), bl = Math.round(255 * Math.max(0, 1 - 2 * t));
  return t < 0.5 ? `rgb(255,${Math.round(255 * (1 - t))},${bl})` : `rgb(${r},${gr},0)`;
};
const rects = (values, color, x0) =>
  values.map((v, i) => `<rect x="${x0 + (i % 28) * cell}" y="${30 + Math.floor(i / 28) * cell}" width="${cell}" height="${cell}" fill="${color(v)}"/>`).join('\n');
const grey = (v) => {
  const c = Math.round(255 * (1 - v));
  return `rgb(${c},${c},${c})`;
};
const W = 2 * size + gap + 20;
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${size + 40}" font-family="sans-serif" font-size="12">`,
  `<rect width="${W}" height="${size + 40}" fill="white"/>`,
  `<text x="10" y="20">digit ${label} (predicted ${predicted})</text>`,
  `<text x="${10 + size + gap}" y="20">|∂ score[${label}] / ∂ pixel|</text>`,
  rects(pix, grey, 10),
  rects(sal, heat, 10 + size + gap),
  '</svg>',
].join('\n');
const outDir = path.join(here, 'out');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'saliency.svg'), svg + '\n');
console.log(`digit ${label}, predicted ${predicted}; wrote examples/out/saliency.svg`);
