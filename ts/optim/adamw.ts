// optim.AdamW: Adam with decoupled weight decay (Loshchilov & Hutter): the parameter is
// shrunk by lr * weightDecay before the Adam step, as torch.optim.AdamW does.
import { Optimizer, ParamGroup, ParamsArg } from './optimizer';
import { AdamOptions, adamUpdate, checkAdamOptions } from './adam';

/** Adam with decoupled weight decay (torch.optim.AdamW): the parameter shrinks by lr * weightDecay before each Adam step. */
export class AdamW extends Optimizer {
  constructor(params: ParamsArg, opts: AdamOptions = {}) {
    const lr = opts.lr ?? 1e-3, betas = opts.betas ?? [0.9, 0.999], eps = opts.eps ?? 1e-8, weightDecay = opts.weightDecay ?? 1e-2;
    checkAdamOptions(lr, betas, eps, weightDecay);
    super(params, { lr, betas, eps, weightDecay, amsgrad: opts.amsgrad ?? false, maximize: opts.maximize ?? false });
  }

  protected updateGroup(group: ParamGroup): void {
    adamUpdate(group, true, (p, init) => this.stateFor(p, init));
  }
}
