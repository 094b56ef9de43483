// torch.func: gradients as functions, composed like torch.func's transforms.
//
// f(x) = sin(x)·x². grad(f) is f'(x) = cos(x)·x² + 2x·sin(x); grad(grad(f)) is f''. jacobian
// and hessian work on vector functions; vjp and jvp give one row / one column of a Jacobian
// without building the whole matrix. Every result is checked against the closed form.
//
// Run: node examples/func.mjs
import { createRequire } from 'node:module';
const torch = createRequire(import.meta.url)('../dist/cjs/index.js');
const { func } = torch;

const f = (x) => x.sin().mul(x.pow(2));
const x = torch.tensor(1.5, { dtype: 'float64' });

const df = func.grad(f);
const d2f = func.grad(func.grad(f));
const s = Math.sin(1.5), c = Math.cos(1.5);
console.log(`f'(1.5)  = ${df(x).item().toFixed(6)}  (closed form ${(c * 2.25 + 3 * s).toFixed(6)})`);
console.log(`f''(1.5) = ${d2f(x).item().toFixed(6)}  (closed form ${(-s * 2.25 + 6 * c + 2 * s).toFixed(6)})`);

// A vector function R^3 → R^2 and its 2×3 Jacobian.
const g = (v) => torch.stack([v.index(0).mul(v.index(1)), v.index(2).exp()]);
const v = torch.tensor([1, 2, 0.5], { dtype: 'float64' });
console.log('jacobian(g)(v) =\n' + func.jacobian(g)(v).toString());

// vjp: uᵀJ for u = [1, 0] is the first row; jvp: J·t for t = e₂ is the third column.
const [, vjpFn] = func.vjp(g, v);
console.log('vjp with [1, 0]  =', vjpFn(torch.tensor([1, 0], { dtype: 'float64' }))[0].toString());
const [, tangent] = func.jvp(g, [v], [torch.tensor([0, 0, 1], { dtype: 'float64' })]);
console.log('jvp with e3      =', tangent.toString());

// The Hessian of a scalar function h(v) = Σ v³ is diag(6v).
const h = (v) => v.pow(3).sum();
console.log('hessian(Σv³)(v) =\n' + func.hessian(h)(v).toString());
