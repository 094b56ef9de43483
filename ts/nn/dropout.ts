// nn.Dropout: zeroes elements with probability p in training mode; the identity in eval mode.
import { Tensor } from '../tensor';
import { Module } from './module';
import * as F from './functional';

/** Zeroes elements with probability `p` and scales the rest by 1/(1-p) in training mode; the identity in eval mode (torch.nn.Dropout). */
export class Dropout extends Module {
  readonly p: number;
  constructor(p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training);
  }
  extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}
