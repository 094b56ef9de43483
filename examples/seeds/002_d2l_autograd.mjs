// Seed 002 "动手学深度学习 2.5 自动微分" (d2l.ai): y = 2xᵀx, non-scalar outputs, detach,
// Python control flow, and the exercises (a second backward, vector inputs, sin).
// Run: node examples/seeds/002_d2l_autograd.mjs
// The seed's notebook shows each cell's value; here each is printed. Where the seed draws
// random inputs (torch.randn), fixed values are used so the output can be compared with
// PyTorch's; the seed's matplotlib plot is replaced by a check of the plotted values.
import * as torch from '../../dist/esm/index.js';
import { print, printError, runIfMain } from './_python.mjs';

// The seed's f: doubles a until its norm reaches 1000, then maybe scales by 100.
// Piecewise linear in a, so f(a) = k·a and a.grad == d / a.
function f(a) {
  let b = a.mul(2);
  while (b.norm().item() < 1000) b = b.mul(2);
  let c;
  if (b.sum().item() > 0) c = b;
  else c = torch.mul(100, b);
  return c;
}

export const snippets = {
  seed002_notebook() {
    // torch.arange(4.0): a JS 4.0 is the integer 4, which makes an int64 arange as
    // torch.arange(4) does in PyTorch, so the float dtype is spelled out.
    const x = torch.arange(4, { dtype: 'float32' });
    print(x); // tensor([0., 1., 2., 3.])
    x.requiresGrad_(true); // same as torch.arange(4, { dtype: 'float32', requiresGrad: true })
    print(x.grad); // None
    let y = torch.mul(2, torch.dot(x, x));
    print(y); // tensor(28., grad_fn=<MulBackward0>)
    y.backward();
    print(x.grad); // tensor([ 0.,  4.,  8., 12.]) — the seed's page collapsed PyTorch's padding
    print(x.grad.eq(torch.mul(4, x))); // tensor([True, True, True, True])

    // Gradients accumulate: zero them first.
    x.grad.zero_();
    y = x.sum();
    y.backward();
    print(x.grad); // tensor([1., 1., 1., 1.])

    // Backward of a non-scalar: sum first (same as y.backward(torch.ones(4))).
    x.grad.zero_();
    y = x.mul(x);
    y.sum().backward();
    print(x.grad); // tensor([0., 2., 4., 6.])

    // Detaching: u is a constant, so z = u·x has gradient u.
    x.grad.zero_();
    y = x.mul(x);
    const u = y.detach();
    const z = u.mul(x);
    z.sum().backward();
    print(x.grad.eq(u)); // tensor([True, True, True, True])

    // y's own graph is still there: its gradient is 2x.
    x.grad.zero_();
    y.sum().backward();
    print(x.grad.eq(torch.mul(2, x))); // tensor([True, True, True, True])
  },

  seed002_control_flow() {
    const a = torch.tensor(-0.4, { requiresGrad: true }); // the seed draws torch.randn(size=())
    const d = f(a);
    d.backward();
    print(a.grad.eq(d.div(a))); // tensor(True)
  },

  // Exercise 2: a second backward() needs retainGraph.
  seed002_backward_twice() {
    let x = torch.arange(4, { dtype: 'float32', requiresGrad: true });
    let y = torch.mul(2, torch.dot(x, x));
    y.backward();
    print(x.grad); // tensor([ 0.,  4.,  8., 12.])
    try {
      y.backward();
    } catch (e) {
      printError(e); // Trying to backward through the graph a second time ...
    }
    x = torch.arange(4, { dtype: 'float32', requiresGrad: true });
    y = torch.mul(2, torch.dot(x, x));
    y.backward({ retainGraph: true });
    print(x.grad); // tensor([ 0.,  4.,  8., 12.])
    y.backward();
    print(x.grad); // tensor([ 0.,  8., 16., 24.])
  },

  // Exercise 3: with a vector a, d is a vector and backward() needs a gradient.
  seed002_vector_control_flow() {
    let a = torch.tensor([-1.2, 0.5, -1.5, 0.3], { requiresGrad: true }); // torch.randn(4)
    let d = f(a);
    try {
      d.backward();
    } catch (e) {
      printError(e); // grad can be implicitly created only for scalar outputs
    }
    d.backward(torch.onesLike(d));
    print(a.grad); // tensor([51200., 51200., 51200., 51200.])
    a = torch.tensor([[-1.2, 0.4, -0.9], [0.2, -1.3, 0.6]], { requiresGrad: true }); // torch.randn((2, 3))
    d = f(a);
    d.backward(torch.onesLike(d));
    print(a.grad); // tensor([[51200., 51200., 51200.],\n        [51200., 51200., 51200.]])
  },

  // Exercise 4: d = k·exp(a), so a.grad == d.
  seed002_exp_control_flow() {
    const g = (a) => {
      let b = torch.exp(a);
      while (b.norm().item() < 100) b = b.mul(3);
      let c;
      if (b.sum().item() > 0) c = b;
      else c = torch.mul(100, b);
      return c;
    };
    // The seed's random draw as it printed it (0.9349...); its d printed 206.3119 because the
    // draw had more digits than the print shows. With exactly 0.9349 PyTorch prints 206.3036.
    const a = torch.tensor(0.9349, { requiresGrad: true });
    const d = g(a);
    d.backward(torch.onesLike(d));
    print(a, d, a.grad); // tensor(0.9349, requires_grad=True) tensor(206.3036, grad_fn=<MulBackward0>) tensor(206.3036)
    print(a.grad.eq(d)); // tensor(True)
  },

  // Exercise 5: the derivative of sin without using cos — plotted in the seed, checked here.
  seed002_sin() {
    const x = torch.arange(-10, 10, 0.1, { requiresGrad: true });
    const y = torch.sin(x);
    y.backward(torch.onesLike(y));
    const d = x.grad;
    const cos = torch.cos(x.detach());
    const close = d.sub(cos).abs().le(cos.abs().mul(1e-5).add(1e-6)).tolist().every(Boolean); // torch.allclose(d, cos, atol=1e-6)
    print(x.shape[0], close); // 200 True
  },
};

runIfMain(import.meta, snippets);
