// Seed 003 "在 PyTorch 中计算导数": derivatives of 3x², of 6x² + 2x + 4, the partial
// derivatives of u³ + v² + 4uv, a tensor's autograd attributes, and the derivative of a
// function of many values.
// Run: node examples/seeds/003_derivatives.mjs
// The seed's page printed y's attribute code twice instead of its output (a reader reported
// it); this script prints what PyTorch prints. Reading y.grad of a non-leaf warns, as in
// PyTorch. The seed's matplotlib plot is replaced by printing the plotted values.
import * as torch from '../../dist/esm/index.js';
import { print, runIfMain } from './_python.mjs';

export const snippets = {
  seed003_basic() {
    const x = torch.tensor(3.0, { requiresGrad: true });
    print('创建张量 x:', x); // tensor(3., requires_grad=True)
    const y = torch.mul(3, x.pow(2));
    print('方程的结果是:', y); // tensor(27., grad_fn=<MulBackward0>)
    y.backward();
    print('方程在 x = 3 处的导数是:', x.grad); // tensor(18.)
    for (const t of [x, y]) {
      print('张量的数据属性:', t.data);
      print('张量的梯度属性:', t.grad);
      print('张量的 grad_fn 属性:', t.gradFn);
      print('张量的 is_leaf 属性:', t.isLeaf);
      print('张量的 requires_grad 属性:', t.requiresGrad);
    }
  },

  seed003_polynomial() {
    const x = torch.tensor(3.0, { requiresGrad: true });
    const y = torch.mul(6, x.pow(2)).add(torch.mul(2, x)).add(4);
    print('方程的结果是:', y); // tensor(64., grad_fn=<AddBackward0>)
    y.backward();
    print('方程在 x = 3 处的导数是:', x.grad); // tensor(38.) — 12·3 + 2 (the page's "36" in its comments is wrong)
  },

  seed003_partial() {
    const u = torch.tensor(3, { requiresGrad: true });
    const v = torch.tensor(4, { requiresGrad: true });
    const f = u.pow(3).add(v.pow(2)).add(torch.mul(4, u).mul(v));
    print(u); // tensor(3., requires_grad=True)
    print(v); // tensor(4., requires_grad=True)
    print(f); // tensor(91., grad_fn=<AddBackward0>)
    f.backward();
    print('对 u 的偏导数:', u.grad); // tensor(43.)
    print('对 v 的偏导数:', v.grad); // tensor(20.)
  },

  seed003_multivalue() {
    const x = torch.linspace(-20, 20, 20, { requiresGrad: true });
    const Y = x.pow(2);
    const y = torch.sum(Y);
    y.backward();
    // The seed plots (x, Y) and (x, x.grad); here the plotted values are printed.
    print(x.detach());
    print(Y.detach());
    print(x.grad.detach());
  },
};

runIfMain(import.meta, snippets);
