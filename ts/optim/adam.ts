// optim.Adam (Kingma & Ba), with amsgrad and L2 weight decay, step for step as
// torch.optim.Adam (PyTorch 1.13, single-tensor path).
import { Tensor } from '../tensor';
import { zerosLike } from '../creation';
import { Optimizer, ParamGroup, ParamsArg, pyFloat } from './optimizer';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** The learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty (Adam: added to the gradient, default 0; AdamW: decoupled, default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past squared-gradient averages (AMSGrad, default false). */
  amsgrad?: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

export function checkAdamOptions(lr: number, betas: [number, number], eps: number, weightDecay: number): void {
  if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${pyFloat(lr)}`);
  if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${pyFloat(eps)}`);
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new Error(`Invalid beta parameter at index 0: ${pyFloat(betas[0])}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new Error(`Invalid beta parameter at index 1: ${pyFloat(betas[1])}`);
  if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
}

/**
 * The Adam update shared by Adam and AdamW: moment estimates, bias correction, and
 * p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). `decoupled` is AdamW's weight decay.
 */
export function adamUpdate(group: ParamGroup, decoupled: boolean,
  stateFor: (p: Tensor, init: () => Record<string, any>) => Record<string, any>): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas as [number, number];
  for (const p of group.params) {
    let grad: Tensor | null = p.grad;
    if (grad === null) continue;
    if (maximize) grad = grad.neg();
    const state = stateFor(p, () => {
      const s: Record<string, any> = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
      if (amsgrad) s.maxExpAvgSq = zerosLike(p);
      return s;
    });
    state.step += 1;
    const step: number = state.step;
    if (weightDecay !== 0) {
      if (decoupled) p.mul_(1 - lr * weightDecay);
      else grad = grad.add(p, { alpha: weightDecay });
    }
    const expAvg: Tensor = state.expAvg, expAvgSq: Tensor = state.expAvgSq;
    expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
    expAvgSq.mul_(beta2).add_(grad.mul(grad), { alpha: 1 - beta2 });
    const bc1 = 1 - beta1 ** step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    let denom: Tensor;
    if (amsgrad) {
      const maxSq: Tensor = state.maxExpAvgSq;
      maxSq.copy_(maxSq.maximum(expAvgSq));
      denom = maxSq.sqrt().div_(bc2Sqrt).add_(eps);
    } else {
      denom = expAvgSq.sqrt().div_(bc2Sqrt).add_(eps);
    }
    p.add_(expAvg.div(denom), { alpha: -lr / bc1 });
  }
}

/** Adam (torch.optim.Adam): `new optim.Adam(params, { lr, betas, eps, weightDecay, amsgrad })`, step for step as PyTorch. */
export class Adam extends Optimizer {
  constructor(params: ParamsArg, opts: AdamOptions = {}) {
    const lr = opts.lr ?? 1e-3, betas = opts.betas ?? [0.9, 0.999], eps = opts.eps ?? 1e-8, weightDecay = opts.weightDecay ?? 0;
    checkAdamOptions(lr, betas, eps, weightDecay);
    super(params, { lr, betas, eps, weightDecay, amsgrad: opts.amsgrad ?? false, maximize: opts.maximize ?? false });
  }

  protected updateGroup(group: ParamGroup): void {
    adamUpdate(group, false, (p, init) => this.stateFor(p, init));
  }
}
