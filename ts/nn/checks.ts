// Argument checks and the loss reduction shared by the nn.functional files.
import { Tensor } from '../tensor';
import { typeName } from '../errors';

export type Reduction = 'none' | 'mean' | 'sum';

export interface LossOptions {
  reduction?: Reduction;
}

export function tensorArg(t: unknown, fn: string, what: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): argument '${what}' must be Tensor, not ${typeName(t)}`);
  return t;
}

export function checkReduction(r: unknown): Reduction {
  if (r === 'none' || r === 'mean' || r === 'sum') return r;
  throw new Error(`${String(r)} is not a valid value for reduction`);
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}
