// A small classifier trained with Adam: three interleaved spirals in the plane (300
// points), an MLP 2-64-64-3, full-batch cross entropy. Prints loss and accuracy, and draws
// the learned decision regions with the data to examples/out/classifier.svg.
//   node examples/classifier.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const torch = createRequire(import.meta.url)('../dist/cjs/index.js');
const { nn, optim } = torch;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

// ------------------------------------------------------------------ data: three spirals
const CLASSES = 3, PER_CLASS = 100;
torch.manualSeed(0);
const noise = torch.randn(CLASSES * PER_CLASS).mul(0.2).tolist();
const points = [], labels = [];
for (let c = 0; c < CLASSES; c++) {
  for (let i = 0; i < PER_CLASS; i++) {
    const r = i / PER_CLASS;
    const t = (c * 4 + 4 * r) + noise[c * PER_CLASS + i];
    points.push([r * Math.sin(t), r * Math.cos(t)]);
    labels.push(c);
  }
}
const X = torch.tensor(points);
const Y = torch.tensor(labels, { dtype: 'int64' });

// ------------------------------------------------------------------ model and training
const model = new nn.Sequential(
  new nn.Linear(2, 64), new nn.ReLU(),
  new nn.Linear(64, 64), new nn.ReLU(),
  new nn.Linear(64, CLASSES),
);
const lossFn = new nn.CrossEntropyLoss();
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });

const accuracy = () => torch.noGrad(() => model.forward(X).argmax(1).eq(Y).float().mean().item());
for (let step = 1; step <= 400; step++) {
  const loss = lossFn.forward(model.forward(X), Y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (step % 50 === 0) console.log(`step ${String(step).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${(accuracy() * 100).toFixed(1)}%`);
}
const acc = accuracy();
console.log(`\ntraining accuracy: ${(acc * 100).toFixed(1)}%`);

// ------------------------------------------------------------------ decision regions to SVG
const GRID = 60, SIZE = 480, LO = -1.1, HI = 1.1;
const toPx = (v) => ((v - LO) / (HI - LO)) * SIZE;
const grid = [];
for (let i = 0; i < GRID; i++) for (let j = 0; j < GRID; j++) grid.push([LO + ((j + 0.5) / GRID) * (HI - LO), HI - ((i + 0.5) / GRID) * (HI - LO)]);
const regions = torch.noGrad(() => model.forward(torch.tensor(grid)).argmax(1).tolist());
const fill = ['#c6dbef', '#fcbba1', '#c7e9c0'], stroke = ['#08519c', '#a50f15', '#006d2c'];
const cell = SIZE / GRID;
const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE + 24}" font-family="sans-serif" font-size="12">`];
grid.forEach((_, k) => parts.push(`<rect x="${((k % GRID) * cell).toFixed(1)}" y="${(Math.floor(k / GRID) * cell).toFixed(1)}" width="${cell.toFixed(2)}" height="${cell.toFixed(2)}" fill="${fill[regions[k]]}"/>`));
points.forEach(([px, py], k) => parts.push(`<circle cx="${toPx(px).toFixed(1)}" cy="${(SIZE - toPx(py)).toFixed(1)}" r="3" fill="${stroke[labels[k]]}"/>`));
parts.push(`<text x="8" y="${SIZE + 17}">MLP 2-64-64-3 trained with Adam: ${(acc * 100).toFixed(1)}% of 300 points</text></svg>`);
fs.mkdirSync(out, { recursive: true });
const file = path.join(out, 'classifier.svg');
fs.writeFileSync(file, parts.join('\n'));
console.log(`decision regions: ${path.relative(process.cwd(), file)}`);
if (acc < 0.95) process.exitCode = 1;
