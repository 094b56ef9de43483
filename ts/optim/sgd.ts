// optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum and
// weight decay, step for step as torch.optim.SGD (PyTorch 1.13, single-tensor path).
import { Tensor } from '../tensor';
import { Optimizer, ParamGroup, ParamsArg, pyFloat, required } from './optimizer';

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** The learning rate (required). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and zero dampening). */
  nesterov?: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, step for step as torch.optim.SGD. */
export class SGD extends Optimizer {
  constructor(params: ParamsArg, opts: SGDOptions) {
    const o = opts ?? ({} as SGDOptions);
    const lr: number | typeof required = (o.lr as number | undefined) ?? required;
    if (lr !== required && !(lr >= 0)) throw new Error(`Invalid learning rate: ${pyFloat(lr as number)}`);
    const momentum = o.momentum ?? 0, dampening = o.dampening ?? 0, weightDecay = o.weightDecay ?? 0;
    if (!(momentum >= 0)) throw new Error(`Invalid momentum value: ${pyFloat(momentum)}`);
    if (!(weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${pyFloat(weightDecay)}`);
    const nesterov = o.nesterov ?? false;
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
    super(params, { lr, momentum, dampening, weightDecay, nesterov, maximize: o.maximize ?? false });
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      let d: Tensor | null = p.grad;
      if (d === null) continue;
      if (maximize) d = d.neg();
      if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
      if (momentum !== 0) {
        let buf = this.state.get(p)?.momentumBuffer as Tensor | undefined;
        if (buf) {
          buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
        } else {
          const first = d;
          buf = this.stateFor(p, () => ({ momentumBuffer: first.clone().detach() })).momentumBuffer as Tensor;
        }
        d = nesterov ? d.add(buf, { alpha: momentum }) : buf;
      }
      p.add_(d, { alpha: -lr });
    }
  }
}
