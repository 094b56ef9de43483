// Anomaly detection: find the op whose backward produced NaN.
//
// sqrt(x) at x = 0 has an infinite derivative; multiplied by a zero gradient from `mul(0)` it
// becomes NaN. Without anomaly mode the NaN silently lands in x.grad. With
// torch.autograd.detectAnomaly(fn), backward stops at the first node that returns NaN and
// the error names that node and shows the JS stack of the line that created it.
//
// Run: node examples/anomaly.mjs
import { createRequire } from 'node:module';
const torch = createRequire(import.meta.url)('../dist/cjs/index.js');

function step() {
  const x = torch.tensor([0.0, 1.0, 4.0], { requiresGrad: true });
  const y = x.sqrt().mul(torch.tensor([0.0, 1.0, 1.0])).sum();
  y.backward();
  return x.grad;
}

console.log('without anomaly mode, x.grad =', step().toString());

try {
  torch.autograd.detectAnomaly(step);
} catch (e) {
  console.log('with anomaly mode:');
  console.log(e.message);
}
