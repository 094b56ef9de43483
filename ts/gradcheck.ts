// torch.autograd.gradcheck: compares the gradients backward computes (the analytical
// Jacobian, one autograd.grad call per output element) with central finite differences
// (the numerical Jacobian, two forward calls per input element). Use float64 inputs:
// in float32 the differences are too coarse for the default tolerances.
import { Tensor } from './tensor';
import { tensor } from './creation';
import { noGrad } from './grad_mode';
import { grad } from './autograd';
import { typeName } from './errors';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw on a mismatch (default) or return false. */
  raiseException?: boolean;
}

function flatValues(t: Tensor): number[] {
  return (t.reshape(-1).tolist() as (number | boolean)[]).map(Number);
}

function outputsOf(r: unknown): Tensor[] {
  const list = Array.isArray(r) ? r : [r];
  return list.filter((o): o is Tensor => o instanceof Tensor);
}

/** A [rows, cols] float64 tensor for error messages (PyTorch prints the Jacobians). */
function matrix(m: number[][], cols: number): Tensor {
  const flat = new Float64Array(m.length * cols);
  m.forEach((row, i) => flat.set(row, i * cols));
  return tensor(flat, { dtype: 'float64' }).reshape(m.length, cols);
}

/**
 * gradcheck(fn, inputs, { eps, atol, rtol, raiseException }): calls fn(...inputs), and for
 * every input that requires grad and every differentiable output checks
 * |analytical - numerical| <= atol + rtol * |numerical| entry by entry. Returns true, or
 * throws an Error naming the mismatching entries (returns false with raiseException: false).
 */
export function gradcheck(fn: (...args: any[]) => unknown, inputs: unknown, opts: GradcheckOptions = {}): boolean {
  if (typeof fn !== 'function') throw new TypeError(`gradcheck expects a function, but got ${typeName(fn)}`);
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raiseException ?? true;
  const args: unknown[] = Array.isArray(inputs) ? inputs.slice() : [inputs];
  const diffIdx = args.map((a, i) => (a instanceof Tensor && a.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0)
    throw new Error('gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.');
  const diffInputs = diffIdx.map((i) => args[i] as Tensor);
  diffInputs.forEach((t, k) => {
    if (t.dtype !== 'float64')
      process.emitWarning(
        `Input #${diffIdx[k]} requires gradient and is not a double precision floating point or complex. ` +
          'This check will likely fail if all the inputs are not of double precision floating point or complex.',
        'UserWarning',
      );
  });

  // Analytical: row k of output o's Jacobian is the gradient of its k-th element.
  const outputs = outputsOf(fn(...args)).filter((o) => o.requiresGrad);
  // analytical[o][i][j][k]: d output o element k / d input i element j
  const analytical = outputs.map((out) => {
    const nOut = out.numel();
    const cols = diffInputs.map((x) => Array.from({ length: x.numel() }, () => new Array<number>(nOut).fill(0)));
    const oneHot = new Float64Array(nOut);
    for (let k = 0; k < nOut; k++) {
      oneHot.fill(0);
      oneHot[k] = 1;
      const go = tensor(oneHot, { dtype: out.dtype }).reshape(out.shape);
      const gs = grad([out], diffInputs, { gradOutputs: [go], retainGraph: true, allowUnused: true });
      gs.forEach((g, i) => {
        if (!g) return;
        if (g.shape.join() !== diffInputs[i].shape.join())
          throw new Error(`Gradient has incorrect shape: got [${g.shape}], expected [${diffInputs[i].shape}]`);
        flatValues(g).forEach((v, j) => (cols[i][j][k] = v));
      });
    }
    return cols;
  });

  // Numerical: perturb a contiguous copy of each input, element by element.
  const numerical = outputs.map((o) => diffInputs.map((x) => Array.from({ length: x.numel() }, () => new Array<number>(o.numel()).fill(0))));
  noGrad(() => {
    diffIdx.forEach((argIndex, i) => {
      const x = args[argIndex] as Tensor;
      const copy = x.detach().clone();
      const flatCopy = copy.view(-1);
      const base = flatValues(copy);
      const evalAt = (j: number, v: number): number[][] => {
        flatCopy.set([j], v);
        const callArgs = args.slice();
        callArgs[argIndex] = copy;
        const outs = outputsOf(fn(...callArgs));
        return outputs.map((_, o) => flatValues(outs[o]));
      };
      for (let j = 0; j < base.length; j++) {
        const plus = evalAt(j, base[j] + eps);
        const minus = evalAt(j, base[j] - eps);
        flatCopy.set([j], base[j]);
        for (let o = 0; o < outputs.length; o++)
          for (let k = 0; k < plus[o].length; k++) numerical[o][i][j][k] = (plus[o][k] - minus[o][k]) / (2 * eps);
      }
    });
  });

  for (let o = 0; o < outputs.length; o++) {
    for (let i = 0; i < diffInputs.length; i++) {
      const a = analytical[o][i], n = numerical[o][i];
      const bad: string[] = [];
      for (let j = 0; j < n.length; j++)
        for (let k = 0; k < n[j].length; k++)
          if (!(Math.abs(a[j][k] - n[j][k]) <= atol + rtol * Math.abs(n[j][k])))
            bad.push(`  input element ${j}, output element ${k}: numerical ${n[j][k]}, analytical ${a[j][k]}`);
      if (bad.length) {
        if (!raise) return false;
        const cols = outputs[o].numel();
        throw new Error(
          `Jacobian mismatch for output ${o} with respect to input ${diffIdx[i]},\n` +
            `numerical:${matrix(n, cols).toString()}\nanalytical:${matrix(a, cols).toString()}\n` +
            `mismatching entries (atol ${atol}, rtol ${rtol}):\n${bad.join('\n')}\n`,
        );
      }
    }
  }
  return true;
}
