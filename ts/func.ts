// torch.func: function transforms (grad, valueAndGrad, vjp, jvp, jacobian, hessian), built on
// autograd.grad with createGraph, so that they compose: grad(grad(f)) is f''.
//
// How the levels work without functorch's machinery: each transform differentiates with
// respect to private copies of the arguments. An argument that does not require grad becomes
// a fresh leaf (x.detach().requiresGrad_()); one that does (it belongs to an outer transform,
// or to the user's own autograd) becomes a differentiable clone, so the gradient computed
// here stays differentiable with respect to the outer level. Results are detached when none
// of the arguments required grad (the top level), so the user gets plain tensors.
// Deviation: tensors captured by f's closure that require grad are still tracked by
// autograd, but are not a level of their own; pass them as arguments to differentiate them.
import { grad as autogradGrad } from './autograd';
import { zerosLike, eye } from './creation';
import { enableGrad } from './grad_mode';
import { Tensor } from './tensor';
import { mapEach } from './errors';
import { stack } from './functional';

type Argnums = number | number[];
type Fn = (...args: any[]) => any;

function checkArgnums(argnums: Argnums, n: number, who: string): number[] {
  const list = Array.isArray(argnums) ? argnums : [argnums];
  if (list.length === 0) throw new Error(`${who}: argnums must be non-empty`);
  return mapEach(list, (a) => {
    if (!Number.isInteger(a)) throw new TypeError(`${who}: argnums must be int or Tuple[int, ...], got ${typeof a}`);
    const i = a < 0 ? a + n : a;
    if (i < 0 || i >= n) throw new Error(`Got argnum=${a}, but only ${n} positional inputs`); // functorch's text
    return i;
  });
}

function asTensor(x: unknown, who: string, i: number): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${who}: expected argument ${i} to be a Tensor, got ${typeof x}`);
  if (!x.isFloatingPoint()) throw new TypeError(`${who}: argument ${i} must be a floating point Tensor to be differentiated, got ${x.dtype}`);
  return x;
}

// This level's private copy of a differentiated argument (see the comment at the top).
function enter(x: Tensor): Tensor {
  return x.requiresGrad ? x.clone() : x.detach().requiresGrad_(true);
}

// Gradients of out with respect to ins; an input the graph does not reach gets zeros.
function gradsOf(out: Tensor | Tensor[], ins: Tensor[], cot?: Tensor | Tensor[]): Tensor[] {
  const outs = Array.isArray(out) ? out : [out];
  const used = outs.filter((o) => o.requiresGrad);
  if (used.length === 0) return ins.map((x) => zerosLike(x));
  const cots = cot === undefined ? undefined : Array.isArray(cot) ? cot : [cot];
  const gradOutputs = cots ? outs.map((o, i) => (o.requiresGrad ? cots[i] : null)).filter((_, i) => outs[i].requiresGrad) : undefined;
  const gs = autogradGrad(used, ins, { gradOutputs: gradOutputs as Tensor[] | undefined, retainGraph: true, createGraph: true, allowUnused: true });
  return gs.map((g, i) => g ?? zerosLike(ins[i]));
}

function leave<T>(v: T, outer: boolean): T {
  if (!outer) return v;
  if (v instanceof Tensor) return v.detach() as unknown as T;
  if (Array.isArray(v)) return v.map((e) => leave(e, outer)) as unknown as T;
  return v;
}

function scalarOut(out: unknown, who: string): Tensor {
  if (!(out instanceof Tensor)) throw new Error(`${who}: Expected f(*args) to return a Tensor, got ${typeof out}`);
  if (out.dim() !== 0)
    throw new Error(`${who}: Expected f(*args) to return a scalar Tensor, got tensor with ${out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?`);
  return out;
}

export interface GradFnOptions {
  /** f returns [output, aux]; aux is passed through (as torch.func's has_aux). */
  hasAux?: boolean;
}

/** The arguments with those at `nums` entered as fresh differentiable inputs. */
function enterArgs(args: any[], nums: number[], who: string): any[] {
  const inner = args.slice();
  for (const i of nums) inner[i] = enter(asTensor(args[i], who, i));
  return inner;
}

/**
 * valueAndGrad(f, argnums = 0)(...args) → [f(...args), gradient] (torch.func.grad_and_value).
 * With an array of argnums the gradient is an array; with hasAux, the value is [out, aux].
 */
export function valueAndGrad(f: Fn, argnums: Argnums = 0, opts: GradFnOptions = {}): (...args: any[]) => [any, any] {
  if (typeof f !== 'function') throw new TypeError('valueAndGrad: expected f to be a function');
  const who = 'grad_and_value(f)(*args)';
  return (...args: any[]) => {
    const nums = checkArgnums(argnums, args.length, who);
    const outer = !args.some((a) => a instanceof Tensor && a.requiresGrad);
    return enableGrad(() => {
      const inner = enterArgs(args, nums, who);
      const r = f(...inner);
      let out: Tensor, aux: unknown;
      if (opts.hasAux) {
        if (!Array.isArray(r) || r.length !== 2) throw new Error(`${who}: output of function f should be a tuple: (output, aux) if has_aux is True`);
        [out, aux] = [scalarOut(r[0], who), r[1]];
      } else {
        out = scalarOut(r, who);
      }
      const gs = gradsOf(out, nums.map((i) => inner[i]));
      const g = Array.isArray(argnums) ? gs : gs[0];
      const value = opts.hasAux ? [out, aux] : out;
      return [leave(value, outer), leave(g, outer)] as [any, any];
    });
  };
}

/** grad(f, argnums = 0)(...args): the gradient of scalar-valued f (torch.func.grad). */
export function grad(f: Fn, argnums: Argnums = 0, opts: GradFnOptions = {}): (...args: any[]) => any {
  const vg = valueAndGrad(f, argnums, opts);
  return (...args: any[]) => {
    const [value, g] = vg(...args);
    return opts.hasAux ? [g, value[1]] : g;
  };
}

/**
 * vjp(f, ...primals) → [f(...primals), vjpFn]; vjpFn(cotangent) returns one gradient per
 * primal (an array), cotangent shaped like the output (an array when f returns an array).
 */
export function vjp(f: Fn, ...primals: Tensor[]): [any, (cotangents: Tensor | Tensor[]) => Tensor[]] {
  if (typeof f !== 'function') throw new TypeError('vjp: expected f to be a function');
  const outer = !primals.some((a) => a instanceof Tensor && a.requiresGrad);
  return enableGrad(() => {
    const ps = primals.map((p, i) => enter(asTensor(p, 'vjp(f, *primals)', i)));
    const out = f(...ps);
    const outs: Tensor[] = Array.isArray(out) ? out : [out];
    outs.forEach((o, i) => {
      if (!(o instanceof Tensor)) throw new TypeError(`vjp(f, *primals): Expected f to return a Tensor or a list of Tensors, got ${typeof o} at ${i}`);
    });
    const vjpFn = (cotangents: Tensor | Tensor[]): Tensor[] => {
      const cots = Array.isArray(cotangents) ? cotangents : [cotangents];
      if (cots.length !== outs.length) throw new Error(`Expected pytree structure of cotangents to be the same as pytree structure of outputs to the function`);
      cots.forEach((c, i) => {
        if (!(c instanceof Tensor) || c.shape.join() !== outs[i].shape.join())
          throw new Error(`Mismatch in shape: grad_output[${i}] has a shape of torch.Size([${c instanceof Tensor ? c.shape.join(', ') : ''}]) and output[${i}] has a shape of torch.Size([${outs[i].shape.join(', ')}]).`);
      });
      const inner = outer && !cots.some((c) => c.requiresGrad);
      return enableGrad(() => leave(gradsOf(outs, ps, cots), inner));
    };
    return [leave(out, outer), vjpFn];
  });
}

/**
 * jvp(f, primals, tangents) → [f(...primals), J·tangents], forward-mode by the double-vjp
 * trick: g(u) = Jᵀu is linear in a dummy cotangent u, so the vjp of g at the tangents is J·t.
 */
export function jvp(f: Fn, primals: Tensor[], tangents: Tensor[]): [any, any] {
  if (typeof f !== 'function') throw new TypeError('jvp: expected f to be a function');
  if (!Array.isArray(primals) || !Array.isArray(tangents)) throw new TypeError('jvp(f, primals, tangents): Expected primals and tangents to be arrays of Tensors');
  if (primals.length !== tangents.length) throw new Error('jvp(f, primals, tangents): Expected primals and tangents to have the same python structure');
  tangents.forEach((t, i) => {
    if (!(t instanceof Tensor) || t.shape.join() !== asTensor(primals[i], 'jvp(f, primals, tangents)', i).shape.join())
      throw new Error(`jvp(f, primals, tangents): Expected primals and tangents to have the same shape at ${i}`);
  });
  const outer = ![...primals, ...tangents].some((a) => a.requiresGrad);
  return enableGrad(() => {
    const ps = primals.map(enter);
    const out = f(...ps);
    const outs: Tensor[] = Array.isArray(out) ? out : [out];
    const us = outs.map((o) => zerosLike(o).requiresGrad_(true));
    const gs = gradsOf(outs, ps, us); // Jᵀu, one per primal
    const live = gs.map((g, i) => [g, tangents[i]] as [Tensor, Tensor]).filter(([g]) => g.requiresGrad);
    let jt: Tensor[];
    if (live.length === 0) {
      jt = outs.map((o) => zerosLike(o));
    } else {
      const r = autogradGrad(live.map(([g]) => g), us, { gradOutputs: live.map(([, t]) => t), retainGraph: true, createGraph: true, allowUnused: true });
      jt = r.map((g, i) => g ?? zerosLike(outs[i]));
    }
    return [leave(out, outer), leave(Array.isArray(out) ? jt : jt[0], outer)];
  });
}

/**
 * jacobian(f, argnums = 0)(...args): the Jacobian of f at args by reverse mode, one vjp per
 * output element (torch.func.jacrev). Shape: [...out.shape, ...arg.shape]; an array of
 * Jacobians when argnums is an array, and one entry per output when f returns an array.
 */
export function jacobian(f: Fn, argnums: Argnums = 0): (...args: any[]) => any {
  if (typeof f !== 'function') throw new TypeError('jacobian: expected f to be a function');
  const who = 'jacrev(f)(*args)';
  return (...args: any[]) => {
    const nums = checkArgnums(argnums, args.length, who);
    const outer = !args.some((a) => a instanceof Tensor && a.requiresGrad);
    return enableGrad(() => {
      const inner = enterArgs(args, nums, who);
      const ins = nums.map((i) => inner[i] as Tensor);
      const out = f(...inner);
      const outs: Tensor[] = Array.isArray(out) ? out : [out];
      outs.forEach((o, m) => {
        if (!(o instanceof Tensor)) throw new TypeError(`${who}: Expected f to return a Tensor or an array of Tensors, got ${typeof o} at ${m}`);
      });
      // One vjp per element of each output, with a one-hot cotangent; rows stacked.
      const perOut = outs.map((o) => {
        const n = o.numel();
        const rows: Tensor[][] = ins.map(() => []);
        const basis = eye(Math.max(n, 1), { dtype: o.dtype });
        for (let k = 0; k < n; k++) gradsOf(o, ins, basis.select(0, k).reshape(o.shape)).forEach((g, j) => rows[j].push(g));
        const jacs = ins.map((x, j) => (n === 0 ? zerosLike(x).reshape([...o.shape, ...x.shape]) : stack(rows[j]).reshape([...o.shape, ...x.shape])));
        return Array.isArray(argnums) ? jacs : jacs[0];
      });
      return leave(Array.isArray(out) ? perOut : perOut[0], outer);
    });
  };
}

/** jacrev: torch.func's name for the reverse-mode Jacobian. */
export const jacrev = jacobian;

/**
 * hessian(f, argnums = 0)(...args): the Jacobian of the Jacobian of scalar f. With an array
 * of argnums, H[i][j] is the block ∂²f/∂args[i]∂args[j], as torch.func.hessian nests them.
 */
export function hessian(f: Fn, argnums: Argnums = 0): (...args: any[]) => any {
  return jacobian(jacobian(f, argnums), argnums);
}
