// Gradient descent on f(x) = x², from x = 3 with learning rate 0.1 for 50 steps (the seed
// example): each step computes f, backpropagates, and moves x against its gradient inside
// noGrad. Prints the path and draws it on the parabola: examples/out/gradient_descent.svg.
//   node examples/gradient_descent.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { lineChart } from './lib/svg_chart.mjs';

const torch = createRequire(import.meta.url)('../dist/cjs/index.js');
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

const x = torch.tensor(3.0, { requiresGrad: true });
const lr = 0.1;
const epochs = 50;
const visited = [];
for (let epoch = 0; epoch < epochs; epoch++) {
  const y = x.pow(2);
  if (x.grad !== null) x.grad.zero_(); // gradients accumulate: clear the last one
  y.backward();
  torch.noGrad(() => x.sub_(x.grad.mul(lr))); // x -= lr * x.grad, outside the graph
  console.log(`epoch: ${epoch}, x: ${x}`);
  visited.push([x.item(), y.item()]);
}
console.log(`\nafter ${epochs} steps x = ${x.item().toExponential(3)} (the minimum is at 0; each step multiplies x by 1 - 2·lr = ${1 - 2 * lr})`);

const curve = [];
for (let v = -3.2; v <= 3.2001; v += 0.05) curve.push([v, v * v]);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'gradient_descent.svg'), lineChart({
  title: 'gradient descent on f(x) = x², lr = 0.1', xLabel: 'x', yLabel: 'f(x)',
  series: [
    { name: 'f(x) = x²', points: curve, color: '#888' },
    { name: 'steps (x, f(x))', points: visited, color: '#d62728', markers: true, width: 0.8 },
  ],
}, { width: 560, height: 380 }));
console.log(`chart: ${path.relative(process.cwd(), path.join(out, 'gradient_descent.svg'))}`);
