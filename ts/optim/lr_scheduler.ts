// optim.lrScheduler: learning-rate schedules that rewrite each group's lr on step(), with
// PyTorch's recursive ("chainable") formulas, so the sequence of rates equals PyTorch's
// and schedulers compose as they do there.
import { Optimizer } from './optimizer';

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** Each group's lr when the schedule started (PyTorch's base_lrs). */
  baseLrs: number[];
  /** The number of step() calls made, starting from -1 (PyTorch's last_epoch). */
  lastEpoch: number;
  protected stepCount = 0;
  private lastLr: number[] = [];

  // Subclasses set their own fields, then call initialStep() (PyTorch's _initial_step),
  // because JavaScript runs the base constructor before the subclass's fields exist.
  constructor(optimizer: Optimizer, lastEpoch = -1) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${(optimizer as any)?.constructor?.name ?? typeof optimizer} is not an Optimizer`);
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) {
        if (g.initialLr === undefined) g.initialLr = g.lr;
      } else if (g.initialLr === undefined) {
        throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr);
    this.lastEpoch = lastEpoch;
  }

  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lrs for the current lastEpoch, from the groups' current lrs (chainable form). */
  protected abstract getLr(): number[];

  /** Advances the schedule by one epoch (or step) and writes the new lrs into the groups. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs the last step() set. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Everything but the optimizer, as PyTorch's state_dict. */
  stateDict(): Record<string, any> {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer' && typeof v !== 'function') out[k] = Array.isArray(v) ? v.slice() : v;
    return out;
  }
  loadStateDict(sd: Record<string, any>): void {
    for (const [k, v] of Object.entries(sd)) if (k !== 'optimizer') (this as any)[k] = Array.isArray(v) ? v.slice() : v;
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** Multiplies the lr by gamma every stepSize epochs: new StepLR(opt, 30, 0.1) or (opt, { stepSize, gamma }). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, stepSize: number | { stepSize: number; gamma?: number; lastEpoch?: number }, gamma = 0.1, lastEpoch = -1) {
    const o = typeof stepSize === 'object' ? stepSize : { stepSize, gamma, lastEpoch };
    super(optimizer, o.lastEpoch ?? -1);
    if (!Number.isInteger(o.stepSize) || o.stepSize <= 0) throw new TypeError('StepLR: stepSize must be a positive integer');
    this.stepSize = o.stepSize;
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer, gamma: number | { gamma: number; lastEpoch?: number }, lastEpoch = -1) {
    const o = typeof gamma === 'object' ? gamma : { gamma, lastEpoch };
    super(optimizer, o.lastEpoch ?? -1);
    this.gamma = o.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
}

/** lr = baseLr * lambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];
  constructor(optimizer: Optimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], lastEpoch = -1) {
    super(optimizer, lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new Error(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else {
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
  stateDict(): Record<string, any> {
    const { lrLambdas: _fns, ...rest } = super.stateDict();
    return rest;
  }
}

/**
 * Cosine annealing from the base lr to etaMin over tMax epochs (SGDR without restarts):
 * new CosineAnnealingLR(opt, tMax, etaMin = 0) or (opt, { tMax, etaMin }).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, tMax: number | { tMax: number; etaMin?: number; lastEpoch?: number }, etaMin = 0, lastEpoch = -1) {
    const o = typeof tMax === 'object' ? tMax : { tMax, etaMin, lastEpoch };
    super(optimizer, o.lastEpoch ?? -1);
    if (typeof o.tMax !== 'number' || !(o.tMax > 0)) throw new TypeError('CosineAnnealingLR: tMax must be a positive number');
    this.tMax = o.tMax;
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, etaMin = this.etaMin;
    const groups = this.groupLrs();
    if (e === 0) return groups;
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0)
      return groups.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return groups.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }
}
