// More of nn.functional, composed from tensor ops: softplus, elu, and the robust
// regression losses (smooth L1, Huber). Formulated so that no branch that `where` discards
// can overflow: a discarded inf would still turn the gradient into NaN (0 · inf).
import { Tensor, where } from '../tensor';
import { LossOptions, checkReduction, reduce, tensorArg } from './checks';

/** log(1 + exp(β·x)) / β, and x itself where β·x > threshold (F.softplus). */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  const x = tensorArg(input, 'softplus', 'input');
  const bx = beta === 1 ? x : x.mul(beta);
  // PyTorch's formula; clamping at the threshold keeps the discarded branch finite.
  let soft = bx.clamp(null, threshold).exp().log1p();
  if (beta !== 1) soft = soft.div(beta);
  return where(bx.gt(threshold), x, soft);
}

/** x where x > 0, α·(exp(x) − 1) elsewhere (F.elu). */
export function elu(input: Tensor, alpha = 1.0): Tensor {
  const x = tensorArg(input, 'elu', 'input');
  const negative = x.clamp(null, 0).exp().sub(1).mul(alpha);
  return where(x.gt(0), x, negative);
}

export interface SmoothL1Options extends LossOptions {
  beta?: number;
}

/** 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere, d = input − target (F.smooth_l1_loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1Options = {}): Tensor {
  const x = tensorArg(input, 'smooth_l1_loss', 'input');
  const t = tensorArg(target, 'smooth_l1_loss', 'target');
  const beta = opts.beta ?? 1.0;
  if (beta < 0) throw new Error('smooth_l1_loss does not support negative values for beta.');
  const reduction = checkReduction(opts.reduction ?? 'mean');
  const d = x.sub(t).abs();
  if (beta === 0) return reduce(d, reduction);
  return reduce(where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
}

export interface HuberOptions extends LossOptions {
  delta?: number;
}

/** 0.5·d² where |d| < δ, δ·(|d| − 0.5·δ) elsewhere (F.huber_loss). */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor {
  const x = tensorArg(input, 'huber_loss', 'input');
  const t = tensorArg(target, 'huber_loss', 'target');
  const delta = opts.delta ?? 1.0;
  if (!(delta > 0)) throw new Error('huber_loss does not support non-positive values for delta.');
  const d = x.sub(t).abs();
  return reduce(where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), checkReduction(opts.reduction ?? 'mean'));
}
