// torch.autograd: grad, backward, gradcheck, custom Functions. The engine is native
// (native/autograd/engine.cc); these functions only check arguments and pass tensor ids.
import { N } from './native';
import { Tensor, adoptPending, tensorArg } from './tensor';
import { mapEach } from './errors';

function list(x: Tensor | Tensor[] | undefined | null, what: string): Tensor[] {
  if (x === undefined || x === null) return [];
  return mapEach(Array.isArray(x) ? x : [x], (t, i) => tensorArg(t, `${what}[${i}]`));
}

/** Options of {@link grad}. */
export interface GradOptions {
  /** The gradient of each output (required for outputs with more than one element), as PyTorch's grad_outputs. */
  gradOutputs?: Tensor | (Tensor | null)[] | null;
  /** Keep the graph's saved tensors, so that backward can run through it again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass, so that the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Return null for an input the outputs do not depend on, instead of throwing PyTorch's error. */
  allowUnused?: boolean;
}

/** Gradients of outputs with respect to inputs, returned instead of accumulated into .grad. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = list(outputs, 'outputs');
  const ins = list(inputs, 'inputs');
  if (ins.length === 0) throw new Error('grad requires non-empty inputs.');
  const go = opts.gradOutputs === undefined || opts.gradOutputs === null ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  const gids = outs.map((_, i) => (go[i] instanceof Tensor ? (go[i] as Tensor)._id : -1));
  const ids: number[] = N.autogradGrad(outs.map((t) => t._id), gids, ins.map((t) => t._id), opts.retainGraph, opts.createGraph ?? false, opts.allowUnused ?? false);
  return ids.map((id) => (id < 0 ? null : adoptPending(id)));
}

/** Options of {@link backward}. */
export interface BackwardOpts {
  /** Keep the graph's saved tensors after backward (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order derivatives. */
  createGraph?: boolean;
  /** Accumulate gradients only into these tensors. */
  inputs?: Tensor | Tensor[];
}

/** torch.autograd.backward(tensors, gradTensors?, opts?). */
export function backward(tensors: Tensor | Tensor[], gradTensors?: Tensor | (Tensor | null)[] | null, opts: BackwardOpts = {}): void {
  const outs = list(tensors, 'tensors');
  const go = gradTensors === undefined || gradTensors === null ? [] : Array.isArray(gradTensors) ? gradTensors : [gradTensors];
  const gids = outs.map((_, i) => (go[i] instanceof Tensor ? (go[i] as Tensor)._id : -1));
  const ins = list(opts.inputs, 'inputs');
  if (opts.inputs !== undefined && opts.inputs !== null && ins.length === 0) throw new Error("'inputs' argument to backward() cannot be empty.");
  N.backward(outs.map((t) => t._id), gids, ins.map((t) => t._id), opts.retainGraph, opts.createGraph ?? false);
}

export { Function, FunctionCtx } from './function';
export { gradcheck } from './gradcheck';
export type { GradcheckOptions } from './gradcheck';
export { toDot, toSVG, graphOf, layersOf } from './graphviz';
export type { Graph, GraphNode, GraphEdge, GraphOptions } from './graphviz';
export { setDetectAnomaly, detectAnomaly, isAnomalyEnabled } from './anomaly';
