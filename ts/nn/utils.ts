// torch.nn.utils: gradient clipping and flattening parameters, as training loops use them.
import { Tensor } from '../tensor';
import { tensor } from '../creation';
import { cat, stack } from '../functional';
import { noGrad } from '../grad_mode';
import { typeName } from '../errors';
import { pyFloat } from './pyrepr';

type Params = Tensor | Iterable<Tensor>;

function paramList(parameters: Params, who: string): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  if (parameters === null || parameters === undefined || typeof (parameters as any)[Symbol.iterator] !== 'function')
    throw new TypeError(`${who}: expected a Tensor or an iterable of Tensors, got ${typeName(parameters)}`);
  const list = [...parameters];
  for (const p of list) if (!(p instanceof Tensor)) throw new TypeError(`${who}: expected Tensors, got ${typeName(p)}`);
  return list;
}

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite (PyTorch's error_if_nonfinite). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `parameters` in place so that their joint norm (all gradients seen
 * as one vector) is at most maxNorm; returns the total norm before clipping, as a tensor.
 * normType may be Infinity for the max-norm. As torch.nn.utils.clip_grad_norm_.
 */
export function clipGradNorm_(parameters: Params, maxNorm: number, normType = 2, opts: ClipGradNormOptions = {}): Tensor {
  const grads = paramList(parameters, 'clip_grad_norm_').map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.abs().max());
      total = norms.length === 1 ? norms[0] : stack(norms).max();
    } else {
      total = stack(grads.map((g) => g.norm(normType))).norm(normType);
    }
    if (opts.errorIfNonfinite && !Number.isFinite(total.item() as number)) {
      throw new Error(`The total norm of order ${pyFloat(normType)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
    }
    const coef = tensor(maxNorm, { dtype: total.dtype }).div(total.add(1e-6)).clamp(null, 1.0);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient of `parameters` to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Params, clipValue: number): void {
  const params = paramList(parameters, 'clip_grad_value_');
  noGrad(() => {
    for (const p of params) if (p.grad !== null) p.grad.clamp_(-clipValue, clipValue);
  });
}

/** All parameters flattened and joined into one vector (a copy). */
export function parametersToVector(parameters: Params): Tensor {
  return cat(paramList(parameters, 'parameters_to_vector').map((p) => p.reshape(-1)));
}

/** Copies consecutive slices of `vec` into the parameters (their shapes and order). */
export function vectorToParameters(vec: Tensor, parameters: Params): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeName(vec)}`);
  const params = paramList(parameters, 'vector_to_parameters');
  noGrad(() => {
    let offset = 0;
    for (const p of params) {
      const n = p.numel();
      p.copy_(vec.narrow(0, offset, n).view(p.shape));
      offset += n;
    }
  });
}
