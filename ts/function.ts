// Custom autograd Functions written in TypeScript (PyTorch's torch.autograd.Function):
//
//   class Square extends torch.autograd.Function {
//     static forward(ctx, x) { ctx.saveForBackward(x); return x.mul(x); }
//     static backward(ctx, g) { const [x] = ctx.savedTensors; return g.mul(x).mul(2); }
//   }
//   const y = Square.apply(x);      // y.gradFn.name === 'SquareBackward'
//
// apply() runs forward with grad mode off, then (when an input requires grad) records one
// native node whose backward calls back into `backward` synchronously from the C++ engine
// (native/binding/js_callbacks.cc). Saved tensors live in that node, version-checked and
// freed after backward like any op's. Grad mode inside backward is on only with createGraph.
import { N } from './native';
import { GradFn, Tensor, adoptPending } from './tensor';
import { isGradEnabled, noGrad } from './grad_mode';
import { typeName } from './errors';

/** The `ctx` handed to forward and backward. */
export class FunctionCtx {
  /** Per forward argument: whether backward must return a gradient for it. */
  needsInputGrad: boolean[] = [];
  /** Before the node exists: what saveForBackward was given. */
  private _saved: (Tensor | null)[] | null = [];
  /** During backward: the node, which owns the saved tensors (internal). */
  _node: GradFn | null = null;
  /** Internal: what markDirty / markNonDifferentiable / setMaterializeGrads were given. */
  _dirty: Tensor[] = [];
  _nonDifferentiable: Tensor[] = [];
  _materializeGrads = true;
  // Anything else a forward wants to pass to backward may be set as a property of ctx, but
  // never an output tensor: that would make a reference cycle the GC cannot see through.
  [key: string]: unknown;

  /** Saves tensors (or null) for backward; read them back with `savedTensors`. */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    if (this._saved === null) throw new Error('saveForBackward can only be called from forward');
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor))
        throw new TypeError(`save_for_backward can only save variables, but argument ${i} is of type ${typeName(t)}`);
    });
    this._saved = tensors.map((t) => t ?? null);
  }

  /** The tensors given to saveForBackward. Throws if backward already freed them (retainGraph). */
  get savedTensors(): (Tensor | null)[] {
    if (this._node) {
      const slots: number[] = N.customSavedTensors(this._node._id);
      return slots.map((s) => (s < 0 ? null : adoptPending(s)));
    }
    if (this._saved) return this._saved.slice();
    throw new Error('savedTensors can only be read in forward or backward');
  }

  /** Declares inputs that forward modified in place (and returns). */
  markDirty(...tensors: Tensor[]): void {
    this._dirty.push(...tensors);
  }

  /** Declares outputs that are not differentiable (they get no gradient and no grad_fn). */
  markNonDifferentiable(...tensors: Tensor[]): void {
    this._nonDifferentiable.push(...tensors);
  }

  /** With false, backward receives null (not zeros) for outputs that got no gradient. */
  setMaterializeGrads(value: boolean): void {
    this._materializeGrads = !!value;
  }

  /** Internal: the node now owns the saved tensors. */
  _handOver(): (Tensor | null)[] {
    const s = this._saved ?? [];
    this._saved = null;
    return s;
  }
}

type ForwardArgs<F> = F extends (ctx: FunctionCtx, ...args: infer A) => any ? A : any[];
type ForwardResult<F> = F extends (...args: any[]) => infer R ? R : any;

/** Base class of custom autograd Functions; subclasses define static forward and backward. */
export class Function {
  static forward(ctx: FunctionCtx, ...args: any[]): any {
    throw new Error('You must implement the forward function for custom autograd.Function.');
  }

  static backward(ctx: FunctionCtx, ...gradOutputs: (Tensor | null)[]): Tensor | null | undefined | (Tensor | null | undefined)[] {
    throw new Error(
      'You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.',
    );
  }

  /** Runs forward and records the node; returns what forward returned. */
  static apply<F extends typeof Function>(this: F, ...args: ForwardArgs<F['forward']>): ForwardResult<F['forward']> {
    const cls = this;
    const name = `${cls.name || 'Function'}Backward`;
    const ctx = new FunctionCtx();
    const enabled = isGradEnabled();
    const isTensor = args.map((a) => a instanceof Tensor);
    ctx.needsInputGrad = args.map((a) => enabled && a instanceof Tensor && a.requiresGrad);
    const record = ctx.needsInputGrad.some(Boolean);

    const raw = noGrad(() => cls.forward(ctx, ...args));
    const outs: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (!outs.some((o) => o instanceof Tensor))
      throw new TypeError(`${cls.name}.forward must return a Tensor or an array of Tensors, but returned ${typeName(raw)}`);
    if (!record) {
      ctx._handOver();
      return raw;
    }

    const nargs = args.length;
    const backwardClosure = (gradSlots: number[], nodeSlot: number): (Tensor | null)[] => {
      const grads = gradSlots.map((s) => (s < 0 ? null : adoptPending(s)));
      const node = new GradFn();
      N.adoptNode(node, nodeSlot);
      node._id = nodeSlot;
      ctx._node = node;
      try {
        const r = cls.backward(ctx, ...grads);
        const list: unknown[] = Array.isArray(r) ? r.slice() : [r];
        if (list.length !== nargs) {
          const extraAreNull = list.length > nargs && list.slice(nargs).every((g) => g === null || g === undefined);
          if (!extraAreNull)
            throw new Error(`function ${name} returned an incorrect number of gradients (expected ${nargs}, got ${list.length})`);
          list.length = nargs;
        }
        return list.map((g, i) => {
          if (g === null || g === undefined) return null;
          if (!(g instanceof Tensor)) throw new TypeError(`function ${name} returned a gradient of type ${typeName(g)} at position ${i + 1}; expected a Tensor or null`);
          if (!isTensor[i])
            throw new Error(`function ${name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`);
          return g;
        });
      } finally {
        ctx._node = null;
      }
    };

    const idOf = (o: unknown) => (o instanceof Tensor ? o._id : -1);
    const saved = ctx._handOver();
    const res: number[] = N.customFunction(
      name,
      backwardClosure,
      args.map(idOf),
      outs.map(idOf),
      saved.map(idOf),
      ctx._dirty.map(idOf),
      ctx._nonDifferentiable.map(idOf),
      ctx._materializeGrads,
    );
    ctx._dirty = [];
    ctx._nonDifferentiable = [];
    const wrapped = outs.map((o, k) => (res[k] < 0 ? o : adoptPending(res[k])));
    return (Array.isArray(raw) ? wrapped : wrapped[0]) as ForwardResult<F['forward']>;
  }
}
