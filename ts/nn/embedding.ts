// nn.Embedding: a lookup table of num_embeddings vectors of size embedding_dim.
import { Tensor } from '../tensor';
import { empty } from '../creation';
import { noGrad } from '../grad_mode';
import { DType } from '../dtype';
import { expectInt } from '../errors';
import { Module } from './module';
import { Parameter } from './parameter';
import * as init from './init';
import * as F from './functional';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** A row that is initialised to zero and gets no gradient. */
  paddingIdx?: number | null;
  /** The dtype of the weight (default float32). */
  dtype?: DType;
  /** Initial weights (num_embeddings, embedding_dim), copied (PyTorch's _weight). */
  weight?: Tensor;
}

/** A lookup table: `forward(indices)` picks rows of `weight` by int64 index (torch.nn.Embedding). */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** (num_embeddings, embedding_dim), initialised N(0, 1) with the padding row zeroed */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = expectInt(numEmbeddings, 'num_embeddings');
    this.embeddingDim = expectInt(embeddingDim, 'embedding_dim');
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad > 0 && pad >= numEmbeddings) throw new Error('Padding_idx must be within num_embeddings');
      if (pad < 0 && pad < -numEmbeddings) throw new Error('Padding_idx must be within num_embeddings');
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    if (opts.weight) {
      const s = opts.weight.shape;
      if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim)
        throw new Error('Shape of weight does not match num_embeddings and embedding_dim');
      this.weight = new Parameter(opts.weight.detach().clone());
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype ?? 'float32' }));
      this.resetParameters();
    }
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx);
  }

  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
