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

/** Multiplies the lr by gamma at each epoch listed in milestones (a repeated milestone, once per listing). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: Optimizer, milestones: number[], gamma = 0.1, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    if (!Array.isArray(milestones)) throw new TypeError('MultiStepLR: milestones must be an array of epochs');
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** hits);
  }
}

/**
 * Scales the lr linearly from startFactor·lr to endFactor·lr over totalIters epochs
 * (a warm-up): new LinearLR(opt, { startFactor: 0.1, totalIters: 10 }).
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1.0;
    this.totalIters = opts.totalIters ?? 5;
    if (this.startFactor > 1.0 || this.startFactor <= 0)
      throw new Error('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (this.endFactor > 1.0 || this.endFactor < 0) throw new Error('Ending multiplicative factor expected to be between 0 and 1.');
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, s = this.startFactor, d = this.endFactor - this.startFactor;
    if (e === 0) return this.groupLrs().map((lr) => lr * s);
    if (e > this.totalIters) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + d / (this.totalIters * s + (e - 1) * d)));
  }
}

export interface OneCycleOptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (Smith & Topin): lr rises from maxLr / divFactor to maxLr over pctStart of
 * the steps, then anneals to a tiny minimum; momentum (or Adam's beta1) moves the other way.
 * Step it after every batch.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;
  readonly annealStrategy: 'cos' | 'linear';
  private readonly phases: Phase[];

  constructor(optimizer: Optimizer, maxLr: number | number[], opts: OneCycleOptions = {}) {
    const lastEpoch = opts.lastEpoch ?? -1;
    let totalSteps: number;
    if (opts.totalSteps === undefined && opts.epochs === undefined && opts.stepsPerEpoch === undefined)
      throw new Error('You must define either total_steps OR (epochs AND steps_per_epoch)');
    if (opts.totalSteps !== undefined) {
      if (!(opts.totalSteps > 0) || !Number.isInteger(opts.totalSteps)) throw new Error(`Expected positive integer total_steps, but got ${opts.totalSteps}`);
      totalSteps = opts.totalSteps;
    } else {
      if (!(opts.epochs! > 0) || !Number.isInteger(opts.epochs)) throw new Error(`Expected positive integer epochs, but got ${opts.epochs}`);
      if (!(opts.stepsPerEpoch! > 0) || !Number.isInteger(opts.stepsPerEpoch)) throw new Error(`Expected positive integer steps_per_epoch, but got ${opts.stepsPerEpoch}`);
      totalSteps = opts.epochs! * opts.stepsPerEpoch!;
    }
    const pctStart = opts.pctStart ?? 0.3;
    if (!(pctStart >= 0 && pctStart <= 1)) throw new Error(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    const anneal = opts.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') throw new Error(`anneal_strategy must by one of 'cos' or 'linear', instead got ${anneal}`);
    const divFactor = opts.divFactor ?? 25, finalDivFactor = opts.finalDivFactor ?? 1e4;
    const groups = optimizer.paramGroups;
    const maxLrs = Array.isArray(maxLr) ? maxLr : groups.map(() => maxLr);
    if (maxLrs.length !== groups.length) throw new Error(`expected ${groups.length} values for max_lr, got ${maxLrs.length}`);
    // The groups' schedule endpoints, set before the base constructor reads initialLr.
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    const cycleMomentum = opts.cycleMomentum ?? true;
    const useBeta1 = 'betas' in optimizer.defaults;
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !useBeta1) throw new Error('optimizer must support momentum with `cycle_momentum` option enabled');
      const baseM = opts.baseMomentum ?? 0.85, maxM = opts.maxMomentum ?? 0.95;
      if (lastEpoch === -1) {
        for (const g of groups) {
          if (useBeta1) g.betas = [maxM, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM;
          g.maxMomentum = maxM;
          g.baseMomentum = baseM;
        }
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.annealStrategy = anneal;
    this.phases = opts.threePhase
      ? [
          { endStep: pctStart * totalSteps - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: totalSteps - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pctStart * totalSteps - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: totalSteps - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new Error(`Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    return this.optimizer.paramGroups.map((g) => {
      let start = 0, lr = 0, momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr], g[ph.endLr], pct);
          if (this.cycleMomentum) momentum = this.anneal(g[ph.startMomentum], g[ph.endMomentum], pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/**
 * Cuts the lr by `factor` when a metric has stopped improving for `patience` epochs:
 * call step(validationLoss) once per epoch.
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, opts: ReduceLROnPlateauOptions = {}) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${(optimizer as any)?.constructor?.name ?? typeof optimizer} is not an Optimizer`);
    this.factor = opts.factor ?? 0.1;
    if (this.factor >= 1.0) throw new Error('Factor should be < 1.0.');
    this.optimizer = optimizer;
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new Error(`expected ${n} min_lrs, got ${minLr.length}`);
      this.minLrs = minLr.slice();
    } else {
      this.minLrs = new Array(n).fill(minLr);
    }
    this.mode = opts.mode ?? 'min';
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`mode ${this.mode} is unknown!`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new Error(`threshold mode ${this.thresholdMode} is unknown!`);
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Records this epoch's metric (a number or a one-element tensor) and lowers the lr if it has plateaued. */
  step(metric: number | { item(): number | boolean }): void {
    const current = typeof metric === 'number' ? metric : Number(metric.item());
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }
}
