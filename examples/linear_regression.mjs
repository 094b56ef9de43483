// Fits y = a·x + b to the points (1, 3), (2, 5), ..., (5, 11) by gradient descent on the
// mean squared error, starting from a = b = 1 (the seed example). It finds a → 2, b → 1.
//
// The seed's learning rate 0.1 diverges on this data: plain gradient descent is stable only
// for lr < 2 / λmax, where λmax is the largest eigenvalue of the loss's Hessian,
// 2·[[mean x², mean x], [mean x, 1]] (here λmax ≈ 23.7, so lr must stay below ≈ 0.084).
// This script shows that, then trains with lr = 0.05, which converges.
//   node examples/linear_regression.mjs
import { createRequire } from 'node:module';

const torch = createRequire(import.meta.url)('../dist/cjs/index.js');

const x = torch.tensor([1, 2, 3, 4, 5]);
const y = torch.tensor([3, 5, 7, 9, 11]);

function train(lr, epochs, report) {
  const a = torch.tensor([1], { requiresGrad: true });
  const b = torch.tensor([1], { requiresGrad: true });
  let loss;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const yPred = a.mul(x).add(b);
    loss = yPred.sub(y).pow(2).mean();
    if (a.grad !== null && b.grad !== null) {
      a.grad.zero_();
      b.grad.zero_();
    }
    loss.backward();
    torch.noGrad(() => {
      a.sub_(a.grad.mul(lr));
      b.sub_(b.grad.mul(lr));
    });
    if ((epoch + 1) % report === 0) console.log(`Epoch [${epoch + 1}/${epochs}], Loss: ${loss.item().toFixed(4)}`);
  }
  return { a: a.item(), b: b.item(), loss: loss.item() };
}

// The stability limit, from the data: eigenvalues of the Hessian of the MSE.
const xs = x.tolist();
const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
const mxx = xs.reduce((s, v) => s + v * v, 0) / xs.length;
const lambdaMax = mxx + 1 + Math.sqrt((mxx - 1) ** 2 + 4 * mx * mx); // 2 × the largest eigenvalue of [[mxx, mx], [mx, 1]]
console.log(`largest Hessian eigenvalue ${lambdaMax.toFixed(2)}: gradient descent is stable for lr < ${(2 / lambdaMax).toFixed(4)}\n`);

console.log('lr = 0.1 (the seed\'s), 10 epochs:');
const bad = train(0.1, 10, 2);
console.log(`  diverges: a = ${bad.a.toExponential(2)}, b = ${bad.b.toExponential(2)}\n`);

console.log('lr = 0.05, 1000 epochs:');
const good = train(0.05, 1000, 100);
console.log(`a: ${good.a}, b: ${good.b}`);
if (Math.abs(good.a - 2) > 1e-3 || Math.abs(good.b - 1) > 1e-3) {
  console.error('did not converge to a = 2, b = 1');
  process.exitCode = 1;
}
