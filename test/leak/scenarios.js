// Leak scenarios, one per child process (see test/leak.test.ts):
//   node --expose-gc test/leak/scenarios.js <scenario> [steps]
// Every scenario trains or differentiates a small MLP using only ops every branch has
// (matmul, add, relu, sub, mul, mean, sum, in-place sub_ under noGrad) and never calls
// dispose() unless its name says so.
'use strict';
const { torch, run } = require('./harness');

function mlp() {
  torch.manualSeed(0);
  const w1 = torch.randn(16, 32).mul(0.2).detach().requiresGrad_();
  const b1 = torch.zeros(32).requiresGrad_();
  const w2 = torch.randn(32, 1).mul(0.2).detach().requiresGrad_();
  const x = torch.randn(64, 16), y = torch.randn(64, 1);
  const params = [w1, b1, w2];
  const forward = (inp = x) => {
    const out = inp.matmul(w1).add(b1).relu().matmul(w2);
    const err = out.sub(y);
    return err.mul(err).mean();
  };
  const sgd = (lr) =>
    torch.noGrad(() => {
      for (const p of params) {
        if (p.grad) p.sub_(p.grad.mul(lr));
        p.grad = null;
      }
    });
  return { w1, b1, w2, x, y, params, forward, sgd };
}

const scenarios = {
  // Plain training, no dispose anywhere: finalizers alone must keep up.
  train: () => {
    const m = mlp();
    return () => {
      m.forward().backward();
      m.sgd(0.01);
    };
  },
  // The same inside tidy(): everything but the parameters is disposed each step.
  'train-tidy': () => {
    const m = mlp();
    return () =>
      torch.tidy(() => {
        m.forward().backward();
        m.sgd(0.01);
      });
  },
  // Graphs built (parameters require grad) and dropped without backward.
  'forward-only': () => {
    const m = mlp();
    return () => {
      m.forward();
    };
  },
  // Backward three times through one graph with retainGraph.
  'retain-graph': () => {
    const m = mlp();
    return () => {
      const loss = m.forward();
      loss.backward({ retainGraph: true });
      loss.backward({ retainGraph: true });
      loss.backward();
      m.sgd(0.001);
    };
  },
  // backward(createGraph) into a fresh leaf each step, whose .grad is never cleared:
  // x -> x.grad -> graph -> x is a cycle in PyTorch; here the graph knows x weakly.
  'create-graph-leaf': () => {
    const m = mlp();
    return () => {
      const xin = m.x.detach().requiresGrad_();
      m.forward(xin).backward({ createGraph: true });
      m.sgd(0.001);
    };
  },
  // A gradient penalty: grads with createGraph, then backward through them (double backward).
  'create-graph-penalty': () => {
    const m = mlp();
    return () => {
      const loss = m.forward();
      const [g1, g2] = torch.autograd.grad(loss, [m.w1, m.w2], { createGraph: true });
      loss.add(g1.mul(g1).sum().add(g2.mul(g2).sum()).mul(0.1)).backward();
      m.sgd(0.001);
    };
  },
};

const name = process.argv[2];
if (!scenarios[name]) {
  console.error(`unknown scenario '${name}'; one of: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
run(name, 20000, scenarios[name]);
