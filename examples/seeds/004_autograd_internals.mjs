// Seed 004 "PyTorch Autograd 机制": the graph recorded for sigmoid(x·w + b), seen through
// grad_fn; then its backward (the seed describes it without code).
// Run: node examples/seeds/004_autograd_internals.mjs
import * as torch from '../../dist/esm/index.js';
import { print, pyFloat, runIfMain } from './_python.mjs';

export const snippets = {
  seed004_graph() {
    // Leaves that require grad: the graph is recorded from them.
    const x = torch.tensor([1.0, 2.0, 3.0], { requiresGrad: true });
    const w = torch.tensor([0.5, 0.1, 0.2], { requiresGrad: true });
    const b = torch.tensor(0.1, { requiresGrad: true });
    const z = torch.dot(x, w).add(b); // z = (x * w).sum() + b
    const loss = torch.sigmoid(z);
    // The seed's f-strings format 0-d tensors as floats.
    print(`z: ${pyFloat(z.item())}`); // z: 1.4000000953674316
    print(`z.grad_fn: ${z.gradFn}`); // <AddBackward0 object>
    print(`loss: ${pyFloat(loss.item())}`); // loss: 0.8021839261054993
    print(`loss.grad_fn: ${loss.gradFn}`); // <SigmoidBackward0 object>
    loss.backward();
    print(x.grad, w.grad, b.grad); // tensor([0.0793, 0.0159, 0.0317]) tensor([0.1587, 0.3174, 0.4761]) tensor(0.1587)
  },
};

runIfMain(import.meta, snippets);
