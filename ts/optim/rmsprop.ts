// optim.RMSprop (Hinton), with momentum, centering and L2 weight decay, step for step as
// torch.optim.RMSprop (PyTorch 1.13, single-tensor path).
import { Tensor } from '../tensor';
import { zerosLike } from '../creation';
import { Optimizer, ParamGroup, ParamsArg, pyFloat } from './optimizer';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer {
  constructor(params: ParamsArg, opts: RMSpropOptions = {}) {
    const lr = opts.lr ?? 1e-2, alpha = opts.alpha ?? 0.99, eps = opts.eps ?? 1e-8;
    const weightDecay = opts.weightDecay ?? 0, momentum = opts.momentum ?? 0;
    if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${pyFloat(lr)}`);
    if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${pyFloat(eps)}`);
    if (!(momentum >= 0)) throw new Error(`Invalid momentum value: ${pyFloat(momentum)}`);
    if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
    if (!(alpha >= 0)) throw new Error(`Invalid alpha value: ${pyFloat(alpha)}`);
    super(params, { lr, alpha, eps, weightDecay, momentum, centered: opts.centered ?? false, maximize: opts.maximize ?? false });
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      let grad: Tensor | null = p.grad;
      if (grad === null) continue;
      if (maximize) grad = grad.neg();
      const state = this.stateFor(p, () => {
        const s: Record<string, any> = { step: 0, squareAvg: zerosLike(p) };
        if (momentum > 0) s.momentumBuffer = zerosLike(p);
        if (centered) s.gradAvg = zerosLike(p);
        return s;
      }) as Record<string, any>;
      state.step += 1;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const squareAvg: Tensor = state.squareAvg;
      squareAvg.mul_(alpha).add_(grad.mul(grad), { alpha: 1 - alpha });
      let avg: Tensor;
      if (centered) {
        const gradAvg: Tensor = state.gradAvg;
        gradAvg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
        avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
      } else {
        avg = squareAvg.sqrt();
      }
      avg.add_(eps);
      if (momentum > 0) {
        const buf: Tensor = state.momentumBuffer;
        buf.mul_(momentum).add_(grad.div(avg));
        p.add_(buf, { alpha: -lr });
      } else {
        p.add_(grad.div(avg), { alpha: -lr });
      }
    }
  }
}
