// Loss modules. Like PyTorch's, class weights and pos_weight are registered buffers, so they
// appear in stateDict() when given.
import { Tensor } from '../tensor';
import { Module } from './module';
import * as F from './functional';

/** Mean squared error, `forward(input, target)` (torch.nn.MSELoss); `{ reduction: 'mean' | 'sum' | 'none' }`. */
export class MSELoss extends Module {
  readonly reduction: F.Reduction;
  constructor(opts: F.LossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error, `forward(input, target)` (torch.nn.L1Loss). */
export class L1Loss extends Module {
  readonly reduction: F.Reduction;
  constructor(opts: F.LossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Negative log-likelihood of log-probabilities and int64 class targets (torch.nn.NLLLoss). */
export class NLLLoss extends Module {
  readonly reduction: F.Reduction;
  readonly ignoreIndex: number;
  declare weight: Tensor | null;
  constructor(opts: F.NLLOptions = {}) {
    super();
    this.registerBuffer('weight', opts.weight ?? null);
    this.reduction = opts.reduction ?? 'mean';
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Cross entropy of logits and int64 class indices or class probabilities, with weight, ignoreIndex and labelSmoothing (torch.nn.CrossEntropyLoss). */
export class CrossEntropyLoss extends Module {
  readonly reduction: F.Reduction;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  declare weight: Tensor | null;
  constructor(opts: F.CrossEntropyOptions = {}) {
    super();
    this.registerBuffer('weight', opts.weight ?? null);
    this.reduction = opts.reduction ?? 'mean';
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Binary cross entropy on logits, computed stably, with weight and posWeight (torch.nn.BCEWithLogitsLoss). */
export class BCEWithLogitsLoss extends Module {
  readonly reduction: F.Reduction;
  declare weight: Tensor | null;
  // Registered under PyTorch's name, so state dict keys match ('pos_weight').
  declare pos_weight: Tensor | null;
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  constructor(opts: F.BCEWithLogitsOptions = {}) {
    super();
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** Binary cross entropy of probabilities (torch.nn.BCELoss). */
export class BCELoss extends Module {
  readonly reduction: F.Reduction;
  declare weight: Tensor | null;
  constructor(opts: F.BCEOptions = {}) {
    super();
    this.registerBuffer('weight', opts.weight ?? null);
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}
