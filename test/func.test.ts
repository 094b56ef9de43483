// torch.func: grad, valueAndGrad, vjp, jvp, jacobian, hessian and their composition, checked
// against autograd, closed forms and central finite differences in float64.
import { describe, expect, it } from 'vitest';
import { flat, torch } from './helpers';

const f64 = { dtype: 'float64' as const };
const T = (d: any) => torch.tensor(d, f64);

function close(a: number[], b: number[], tol = 1e-6) {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]))));
}

// Central differences of f (tensor -> tensor) at x: the Jacobian, flattened [out, in].
function fdJacobian(f: (x: any) => any, x: any, eps = 1e-6): number[] {
  const xs = flat(x);
  const cols: number[][] = [];
  for (let j = 0; j < xs.length; j++) {
    const p = xs.slice(), m = xs.slice();
    p[j] += eps;
    m[j] -= eps;
    const fp = flat(f(T(p).reshape(x.shape))), fm = flat(f(T(m).reshape(x.shape)));
    cols.push(fp.map((v, i) => (v - fm[i]) / (2 * eps)));
  }
  const out: number[] = [];
  for (let i = 0; i < cols[0].length; i++) for (let j = 0; j < xs.length; j++) out.push(cols[j][i]);
  return out;
}

// f(x) = sum(sin(x) * x^2): f' = cos(x) x^2 + 2x sin(x); f'' (diagonal) = -sin x x^2 + 4x cos x + 2 sin x
const f = (x: any) => x.sin().mul(x.pow(2)).sum();
const fPrime = (v: number) => Math.cos(v) * v * v + 2 * v * Math.sin(v);
const fSecond = (v: number) => -Math.sin(v) * v * v + 4 * v * Math.cos(v) + 2 * Math.sin(v);

describe('grad and valueAndGrad', () => {
  it('grad matches autograd, the closed form and finite differences; results are plain tensors', () => {
    const x = T([0.3, -1.2, 2.0]);
    const g = torch.func.grad(f)(x);
    close(flat(g), flat(x).map(fPrime), 1e-10);
    close(flat(g), fdJacobian(f, x), 1e-6);
    const xr = T([0.3, -1.2, 2.0]).requiresGrad_();
    f(xr).backward();
    close(flat(g), flat(xr.grad!), 1e-12);
    expect(g.requiresGrad).toBe(false);
    expect(g.gradFn).toBeNull();
    expect(x.requiresGrad).toBe(false);
  });

  it('valueAndGrad returns the value too; argnums picks and orders arguments', () => {
    const h = (a: any, b: any) => a.mul(b).sum().add(b.pow(3).sum());
    const a = T([1, 2]), b = T([3, -1]);
    const [v, gb] = torch.func.valueAndGrad(h, 1)(a, b);
    expect(v.item()).toBeCloseTo(1 * 3 + 2 * -1 + 27 - 1, 12);
    close(flat(gb), [1 + 27, 2 + 3], 1e-12);
    const [ga, gb2] = torch.func.grad(h, [0, 1])(a, b);
    close(flat(ga), [3, -1], 1e-12);
    close(flat(gb2), flat(gb), 1e-12);
    const gNeg = torch.func.grad(h, -1)(a, b);
    close(flat(gNeg), flat(gb), 1e-12);
  });

  it('an argument the function ignores gets zeros, as torch.func does', () => {
    const [ga, gb] = torch.func.grad((a: any, _b: any) => a.sum(), [0, 1])(T([1, 2]), T([5, 6, 7]));
    close(flat(ga), [1, 1]);
    close(flat(gb), [0, 0, 0]);
  });

  it('hasAux passes the auxiliary output through', () => {
    const [g, aux] = torch.func.grad((x: any) => [x.pow(2).sum(), 'aux'], 0, { hasAux: true })(T([1, 2]));
    close(flat(g), [2, 4]);
    expect(aux).toBe('aux');
  });

  it('errors: non-scalar output, bad argnums, a non-function', () => {
    expect(() => torch.func.grad((x: any) => x.mul(2))(T([1, 2]))).toThrow(
      'Expected f(*args) to return a scalar Tensor, got tensor with 1 dims. Maybe you wanted to use the vjp or jacrev APIs instead?',
    );
    expect(() => torch.func.grad(f, 2)(T([1]))).toThrow('Got argnum=2, but only 1 positional inputs');
    expect(() => torch.func.grad(3 as any)).toThrow(TypeError);
    expect(() => torch.func.grad(f)(torch.tensor([1, 2], { dtype: 'int64' }))).toThrow(TypeError);
  });

  it('works under noGrad (the transform enables grad inside)', () => {
    const g = torch.noGrad(() => torch.func.grad(f)(T([0.5])));
    close(flat(g), [fPrime(0.5)], 1e-12);
  });
});

describe('composition', () => {
  it('grad(grad(f)) is the second derivative; three levels deep too', () => {
    const s = (x: any) => x.sin().mul(x.pow(2));
    const d2 = torch.func.grad(torch.func.grad(s))(T(0.7));
    expect(d2.item()).toBeCloseTo(fSecond(0.7), 10);
    const d3 = torch.func.grad(torch.func.grad(torch.func.grad((x: any) => x.pow(4))))(T(1.5));
    expect(d3.item()).toBeCloseTo(24 * 1.5, 10);
    expect(d3.requiresGrad).toBe(false);
  });

  it('grad of a user tensor that requires grad stays differentiable (composes with autograd)', () => {
    const x = T(0.4).requiresGrad_();
    const g = torch.func.grad((t: any) => t.pow(3))(x); // 3x^2
    expect(g.requiresGrad).toBe(true);
    g.backward();
    expect(x.grad!.item()).toBeCloseTo(6 * 0.4, 12);
  });
});

describe('vjp and jvp', () => {
  const g = (x: any) => x.exp().mul(x.sum()); // R^3 -> R^3

  it('vjp matches the finite-difference Jacobian transposed', () => {
    const x = T([0.1, -0.4, 0.3]);
    const [out, vjpFn] = torch.func.vjp(g, x);
    close(flat(out), flat(g(x)), 1e-12);
    expect(out.requiresGrad).toBe(false);
    const u = T([1, -2, 0.5]);
    const [gx] = vjpFn(u);
    const J = fdJacobian(g, x);
    const want = [0, 1, 2].map((j) => [0, 1, 2].reduce((s, i) => s + flat(u)[i] * J[i * 3 + j], 0));
    close(flat(gx), want, 1e-6);
    // The vjp function can be called again (the graph is kept).
    const [gx2] = vjpFn(u.mul(2));
    close(flat(gx2), want.map((v) => 2 * v), 1e-6);
    expect(() => vjpFn(T([1, 2]))).toThrow('Mismatch in shape');
  });

  it('vjp of a function of two tensors returns one gradient per primal', () => {
    const [, vjpFn] = torch.func.vjp((a: any, b: any) => a.mul(b), T([1, 2]), T([3, 4]));
    const [ga, gb] = vjpFn(T([1, 1]));
    close(flat(ga), [3, 4]);
    close(flat(gb), [1, 2]);
  });

  it('jvp (double-vjp) matches the finite-difference Jacobian times the tangent', () => {
    const x = T([0.1, -0.4, 0.3]);
    const t = T([0.5, 1, -1]);
    const [out, jt] = torch.func.jvp(g, [x], [t]);
    close(flat(out), flat(g(x)), 1e-12);
    const J = fdJacobian(g, x);
    const want = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + J[i * 3 + j] * flat(t)[j], 0));
    close(flat(jt), want, 1e-6);
    expect(jt.requiresGrad).toBe(false);
  });

  it('jvp of a linear map and of a function ignoring its input', () => {
    const A = T([[1, 2], [3, 4], [5, 6]]);
    const [, jt] = torch.func.jvp((x: any) => A.mv(x), [T([1, 1])], [T([1, -1])]);
    close(flat(jt), [-1, -1, -1]);
    const [, z] = torch.func.jvp((_x: any) => A.sum(), [T([1, 1])], [T([1, -1])]);
    close(flat(z), [0]);
    expect(() => torch.func.jvp(g, [T([1])], [T([1, 2])])).toThrow('same shape');
  });
});

describe('jacobian and hessian', () => {
  it('jacobian matches finite differences, shaped [...out, ...in]', () => {
    const h = (x: any) => x.matmul(x.T).tanh(); // [2,3] -> [2,2]
    const x = T([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]]);
    const J = torch.func.jacobian(h)(x);
    expect(J.shape).toEqual([2, 2, 2, 3]);
    close(flat(J), fdJacobian(h, x), 1e-6);
    expect(J.requiresGrad).toBe(false);
  });

  it('jacobian with several argnums; jacrev is the same function', () => {
    const [Ja, Jb] = torch.func.jacrev((a: any, b: any) => a.mul(b), [0, 1])(T([1, 2]), T([3, 4]));
    close(flat(Ja), [3, 0, 0, 4]);
    close(flat(Jb), [1, 0, 0, 2]);
  });

  it('hessian matches the closed form and the jacobian of grad', () => {
    const x = T([0.3, -1.2]);
    const H = torch.func.hessian(f)(x);
    expect(H.shape).toEqual([2, 2]);
    close(flat(H), [fSecond(0.3), 0, 0, fSecond(-1.2)], 1e-10);
    const q = (v: any) => v.mul(v).sum().mul(v.exp().sum());
    const H2 = torch.func.hessian(q)(T([1.5, -0.5]));
    const H3 = torch.func.jacobian(torch.func.grad(q))(T([1.5, -0.5]));
    close(flat(H2), flat(H3), 1e-12);
    close(flat(H2), fdJacobian((v: any) => torch.func.grad(q)(v), T([1.5, -0.5])), 1e-6);
  });

  it('hessian with several argnums gives the nested blocks; jacobian of an array-valued f', () => {
    // f(a, b) = sum(a^2 b): d2/da2 = diag(2b), d2/dadb = diag(2a), d2/db2 = 0
    const fab = (a: any, b: any) => a.pow(2).mul(b).sum();
    const [[Haa, Hab], [Hba, Hbb]] = torch.func.hessian(fab, [0, 1])(T([1, 2]), T([3, 4]));
    close(flat(Haa), [6, 0, 0, 8]);
    close(flat(Hab), [2, 0, 0, 4]);
    close(flat(Hba), [2, 0, 0, 4]);
    close(flat(Hbb), [0, 0, 0, 0]);
    const [J1, J2] = torch.func.jacobian((x: any) => [x.mul(2), x.sum()])(T([1, 2]));
    close(flat(J1), [2, 0, 0, 2]);
    expect(J2.shape).toEqual([2]);
    close(flat(J2), [1, 1]);
  });
});
