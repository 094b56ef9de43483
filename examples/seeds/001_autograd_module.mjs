// Seed 001 "深度学习(2):自动微分": torch.autograd step by step — detach(), backward(),
// gradients of scalars and vectors, no_grad, zeroing gradients, gradient descent on x², and
// fitting y = a·x + b.
// Run: node examples/seeds/001_autograd_module.mjs
// (The seed also plots the descent with matplotlib; the plot is left out.)
import * as torch from '../../dist/esm/index.js';
import { print, printError, pyFixed, pyFloat, runIfMain } from './_python.mjs';

export const snippets = {
  // 1. detach(): a leaf that requires grad can't be written in place; its detached alias can.
  seed001_detach() {
    const t = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    try {
      t.set(0, 10); // t[0] = 10
    } catch (e) {
      printError(e); // a view of a leaf Variable that requires grad is being used in an in-place operation.
    }
    const t1 = t.detach();
    t1.set(0, 10);
    print(t1); // tensor([10.,  2.,  3.])
    print(t); // tensor([10.,  2.,  3.], requires_grad=True): t1 shares t's storage
  },

  // Integer tensors can't require gradients (a JS number makes a float32 tensor, so the
  // seed's integer example needs dtype: 'int64').
  seed001_int_dtype() {
    try {
      torch.tensor([1, 2, 3], { dtype: 'int64', requiresGrad: true });
    } catch (e) {
      printError(e); // Only Tensors of floating point and complex dtype can require gradients
    }
  },

  // 2. y.backward()
  seed001_backward() {
    const x = torch.tensor(2.0, { requiresGrad: true });
    const y = x.pow(2);
    y.backward();
    print(x.grad); // tensor(4.) (the seed does not print it)
  },

  // 3. Gradient of a mean.
  seed001_mean() {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true, dtype: 'float32' });
    const y = x.pow(2);
    const z = y.mean();
    z.backward();
    print(x.grad); // tensor([0.6667, 1.3333, 2.0000])
  },

  // 3(1). Scalars.
  seed001_scalar() {
    const x1 = torch.tensor(2, { requiresGrad: true, dtype: 'float32' });
    const x2 = torch.tensor(3, { requiresGrad: true, dtype: 'float32' });
    const y = x1.pow(2).add(x2.pow(2));
    y.backward();
    print(x1.grad, x2.grad); // tensor(4.) tensor(6.)
  },

  // 3(2). Vectors.
  seed001_vector() {
    const x1 = torch.tensor([1, 2, 3], { requiresGrad: true, dtype: 'float32' });
    const x2 = torch.tensor([2, 3, 4], { requiresGrad: true, dtype: 'float32' });
    const y = x1.pow(2).add(torch.mul(2, x2));
    const z = y.sum();
    z.backward();
    print(x1.grad, x2.grad); // tensor([2., 4., 6.]) tensor([2., 2., 2.])
  },

  // 4. torch.no_grad()
  seed001_no_grad() {
    const x = torch.tensor(5.0, { requiresGrad: true });
    torch.noGrad(() => {
      const y = x.pow(2);
      print(y.requiresGrad); // False
    });
  },

  // 5. Gradients accumulate until zeroed.
  seed001_zero_grad() {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true, dtype: 'float32' });
    for (let epoch = 0; epoch < 5; epoch++) {
      const y = x.pow(2);
      const z = y.sum();
      if (x.grad !== null) x.grad.zero_();
      z.backward();
      print(x.grad); // tensor([2., 4., 6.]) five times
    }
  },

  // 6. Gradient descent to the minimum of x².
  seed001_descent() {
    const x = torch.tensor(3.0, { requiresGrad: true });
    const epochs = 50;
    const lr = 0.1;
    const listx = [];
    const listy = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const y = x.pow(2);
      if (x.grad !== null) x.grad.zero_();
      y.backward();
      torch.noGrad(() => {
        x.sub_(torch.mul(lr, x.grad)); // x -= lr * x.grad
      });
      print(`epoch: ${epoch}, x: ${pyFloat(x.item())}`); // epoch: 0, x: 2.4000000953674316 ...
      listx.push(x.item());
      listy.push(y.item());
    }
  },

  // 7. Fitting y = a·x + b by gradient descent.
  // The seed says a ≈ 2, b ≈ 1 and the loss ≈ 0, but at lr 0.1 this diverges in PyTorch:
  // the loss grows to ~7.4e27 and a, b end near -3.3e13 and -9.2e12 (run the seed with
  // PyTorch to see). tensorgrad prints what PyTorch prints. (lr 0.01 converges.)
  seed001_regression() {
    const x = torch.tensor([1, 2, 3, 4, 5], { dtype: 'float32' });
    const y = torch.tensor([3, 5, 7, 9, 11], { dtype: 'float32' });
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const lr = 0.1;
    const epochs = 100;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const y_pred = a.mul(x).add(b);
      const loss = y_pred.sub(y).pow(2).mean();
      if (a.grad !== null && b.grad !== null) {
        a.grad.zero_();
        b.grad.zero_();
      }
      loss.backward();
      torch.noGrad(() => {
        a.sub_(torch.mul(lr, a.grad));
        b.sub_(torch.mul(lr, b.grad));
      });
      if ((epoch + 1) % 10 === 0) print(`Epoch [${epoch + 1}/${epochs}], Loss: ${pyFixed(loss.item(), 4)}`);
    }
    print(`a: ${pyFloat(a.item())}, b: ${pyFloat(b.item())}`);
  },
};

runIfMain(import.meta, snippets);
