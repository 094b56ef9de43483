// torch.profile(fn): where one training step spends its native time, op by op.
//
// Profiles ten steps of a small MLP (784 → 256 → 10, batch 128, SGD) and prints the ops
// with their call counts and native time, most expensive first: the backward pass (one
// native call that runs the whole graph) and the forward matmuls come out on top.
//
// Run: node examples/profile.mjs
import { createRequire } from 'node:module';
const torch = createRequire(import.meta.url)('../dist/cjs/index.js');
const { nn, optim } = torch;

torch.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const lossFn = new nn.CrossEntropyLoss();
const x = torch.randn([128, 784]);
const y = torch.randint(0, 10, [128]);

const step = () => {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
  return loss.item();
};
step(); // warm up: first-touch allocations are not what we want to see

const prof = torch.profile(() => {
  let loss = 0;
  for (let i = 0; i < 10; i++) loss = step();
  return loss;
});
console.log(`loss after 11 steps: ${prof.result.toFixed(4)}`);
console.log(prof.table({ rowLimit: 12 }));
