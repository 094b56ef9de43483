// Seed 000 "PyTorch深度学习中的自动求导一文读懂": the derivative of f(x) = x² at x = 3.
// Run: node examples/seeds/000_autograd_intro.mjs
import * as torch from '../../dist/esm/index.js';
import { print, runIfMain } from './_python.mjs';

export const snippets = {
  seed000_square() {
    // x = torch.tensor(3.0, requires_grad=True)
    const x = torch.tensor(3.0, { requiresGrad: true });
    const f_x = x.pow(2);
    print(f_x); // tensor(9., grad_fn=<PowBackward0>)
    const loss = f_x;
    loss.backward();
    print(x.grad); // tensor(6.)
  },
};

runIfMain(import.meta, snippets);
