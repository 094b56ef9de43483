// The autograd graph of the seeds' logistic unit, as a picture.
//   x = tensor([1, 2]); w, b require grad; z = dot(x, w) + b; loss = sigmoid(z)
// Prints the Graphviz DOT text (render it with `dot -Tsvg`) and writes examples/out/graph.svg,
// drawn by tensorgrad itself, so no Graphviz is needed.
// Run: node examples/graph.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../dist/esm/index.js';

const x = torch.tensor([1, 2]);
const w = torch.tensor([0.5, -0.25], { requiresGrad: true });
const b = torch.tensor(0.1, { requiresGrad: true });
const z = torch.dot(x, w).add(b);
const loss = torch.sigmoid(z);

// Naming the parameters labels their leaves (AccumulateGrad nodes) with w and b.
const opts = { params: { w, b }, rootName: 'loss' };
console.log(torch.autograd.toDot(loss, opts));

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
fs.mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, 'graph.svg');
fs.writeFileSync(file, torch.autograd.toSVG(loss, opts));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
