// optim.Adagrad (Duchi et al.), with learning-rate decay and L2 weight decay, step for
// step as torch.optim.Adagrad (PyTorch 1.13, single-tensor path).
import { Tensor } from '../tensor';
import { fullLike } from '../creation';
import { Optimizer, ParamGroup, ParamsArg, pyFloat } from './optimizer';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer {
  constructor(params: ParamsArg, opts: AdagradOptions = {}) {
    const lr = opts.lr ?? 1e-2, lrDecay = opts.lrDecay ?? 0, weightDecay = opts.weightDecay ?? 0;
    const initialAccumulatorValue = opts.initialAccumulatorValue ?? 0, eps = opts.eps ?? 1e-10;
    if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${pyFloat(lr)}`);
    if (!(lrDecay >= 0)) throw new Error(`Invalid lr_decay value: ${pyFloat(lrDecay)}`);
    if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
    if (!(initialAccumulatorValue >= 0)) throw new Error(`Invalid initial_accumulator_value value: ${pyFloat(initialAccumulatorValue)}`);
    if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${pyFloat(eps)}`);
    super(params, { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize: opts.maximize ?? false });
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = group;
    for (const p of group.params) {
      let grad: Tensor | null = p.grad;
      if (grad === null) continue;
      if (maximize) grad = grad.neg();
      const state = this.stateFor(p, () => ({ step: 0, sum: fullLike(p, initialAccumulatorValue) })) as Record<string, any>;
      state.step += 1;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const clr = lr / (1 + (state.step - 1) * lrDecay);
      const sum: Tensor = state.sum;
      sum.add_(grad.mul(grad));
      p.add_(grad.div(sum.sqrt().add_(eps)), { alpha: -clr });
    }
  }
}
