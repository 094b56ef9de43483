// f(x) = sin(x) and its derivative computed by autograd (not from cos), on
// x = arange(-10, 10, 0.1), drawn to examples/out/sin_derivative.svg (the seed draws it
// with matplotlib). Checks the autograd derivative against cos(x).
//   node examples/sin_derivative.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { lineChart } from './lib/svg_chart.mjs';

const torch = createRequire(import.meta.url)('../dist/cjs/index.js');
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

const x = torch.arange(-10, 10, 0.1, { requiresGrad: true });
const y = torch.sin(x);
y.backward(torch.onesLike(y)); // y is a vector: backward needs the gradient of its sum
const d = x.grad;

const xs = x.detach().tolist(), ys = y.detach().tolist(), ds = d.tolist();
const maxErr = Math.max(...xs.map((v, i) => Math.abs(ds[i] - Math.cos(v))));
console.log(`${xs.length} points; largest |autograd derivative - cos(x)| = ${maxErr.toExponential(2)}`);

fs.mkdirSync(out, { recursive: true });
const file = path.join(out, 'sin_derivative.svg');
fs.writeFileSync(file, lineChart({
  title: 'f(x) = sin(x) and df/dx from autograd', xLabel: 'x', yLabel: 'f(x)',
  series: [
    { name: 'f(x)', points: xs.map((v, i) => [v, ys[i]]), color: '#1f77b4' },
    { name: 'df(x) (autograd)', points: xs.map((v, i) => [v, ds[i]]), color: '#d62728', dashed: true },
  ],
}, { width: 640, height: 360 }));
console.log(`chart: ${path.relative(process.cwd(), file)}`);
if (maxErr > 1e-5) process.exitCode = 1;
