// The Optimizer base class: parameter groups, per-parameter state, zeroGrad and the
// state dict, as torch.optim.Optimizer has them. Subclasses implement updateGroup(), which
// runs under noGrad and changes parameters with in-place ops.
import { Tensor } from '../tensor';
import { noGrad } from '../grad_mode';
import { scopes } from '../scope';
import { typeName } from '../errors';
export { pyFloat } from '../nn/pyrepr';

/** A group of parameters with its own hyperparameters (those left out come from the defaults). */
export interface ParamGroup {
  /** The parameters this group updates. */
  params: Tensor[];
  /** The group's learning rate (schedulers change it). */
  lr: number;
  [option: string]: any;
}

/** What an optimizer takes: an iterable of tensors, or of parameter groups `{ params, lr?, ... }`. */
export type ParamsArg = Iterable<Tensor> | Iterable<{ params: Iterable<Tensor> | Tensor; [option: string]: any }>;

/** One parameter's optimizer state (step count, momentum buffers, ...). */
export type OptimizerState = Record<string, number | Tensor | null>;

/** The serialisable form: state by parameter index, and the groups with indices for params. */
export interface OptimizerStateDict {
  state: Record<number, OptimizerState>;
  paramGroups: (Omit<ParamGroup, 'params'> & { params: number[] })[];
}

/** Marks an option that a group must set (PyTorch's `required`, used by SGD's lr). */
export const required: unique symbol = Symbol('required');

// Optimizer state must outlive any torch.tidy() the step runs in.
function outsideScopes<T>(fn: () => T): T {
  const saved = scopes.splice(0, scopes.length);
  try {
    return fn();
  } finally {
    scopes.push(...saved);
  }
}

/** The base class of the optimizers (torch.optim.Optimizer): parameter groups, per-parameter state, step(), zeroGrad(), stateDict(). */
export abstract class Optimizer {
  /** The hyperparameters a group gets when it leaves them out. */
  readonly defaults: Record<string, any>;
  /** The parameter groups, each with its own hyperparameters. */
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state, made on the parameter's first step. */
  state = new Map<Tensor, OptimizerState>();

  constructor(params: ParamsArg, defaults: Record<string, any>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`);
    }
    if (params === null || params === undefined || typeof (params as any)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`);
    }
    const list = [...(params as Iterable<any>)];
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    const groups = list[0] instanceof Tensor ? [{ params: list }] : list;
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group; options it leaves out come from the optimizer's defaults. */
  addParamGroup(group: { params: Iterable<Tensor> | Tensor; [option: string]: any }): void {
    if (group === null || typeof group !== 'object' || group instanceof Tensor) throw new TypeError(`param group must be a dict, but got ${typeName(group)}`);
    const params = group.params instanceof Tensor ? [group.params] : [...(group.params as Iterable<Tensor>)];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    const full: ParamGroup = { ...group, params } as ParamGroup;
    for (const [name, value] of Object.entries(this.defaults)) {
      if (value === required && full[name] === undefined)
        throw new Error(`parameter group didn't specify a value of required optimization parameter ${name}`);
      if (full[name] === undefined) full[name] = value;
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p))) throw new Error('some parameters appear in more than one parameter group');
    if (new Set(params).size !== params.length) {
      process.emitWarning('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information');
    }
    this.paramGroups.push(full);
  }

  /** Resets gradients: to null (the default, as PyTorch 2), or to zero with setToNone = false. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (setToNone) {
          p.grad = null;
        } else {
          const grad = p.grad;
          if (grad !== null) {
            if (grad.gradFn) grad.detach_();
            else grad.requiresGrad_(false);
            grad.zero_();
          }
        }
      }
    }
  }

  /**
   * One optimisation step. With a closure, it is called (with grad mode on) to recompute the
   * loss first, and its result is returned.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure) loss = closure();
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  protected abstract updateGroup(group: ParamGroup): void;

  /** The state of p, made by init() on first use (outside any tidy scope). */
  protected stateFor(p: Tensor, init: () => OptimizerState): OptimizerState {
    let s = this.state.get(p);
    if (s === undefined || Object.keys(s).length === 0) {
      s = outsideScopes(init);
      this.state.set(p, s);
    }
    return s;
  }

  /** state by parameter index and the groups, as torch.optim's state_dict (tensors not copied). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return { ...opts, params: params.map((p) => {
        if (!index.has(p)) index.set(p, next++);
        return index.get(p)!;
      }) } as OptimizerStateDict['paramGroups'][number];
    });
    const state: Record<number, OptimizerState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, paramGroups };
  }

  /** Restores hyperparameters and state (tensors are copied, cast to each parameter's dtype). */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups))
      throw new TypeError('loadStateDict expects an object with state and paramGroups');
    if (sd.paramGroups.length !== this.paramGroups.length)
      throw new Error('loaded state dict has a different number of parameter groups');
    sd.paramGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length)
        throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    });
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((g, i) => g.params.forEach((id, j) => byIndex.set(id, this.paramGroups[i].params[j])));
    this.state = new Map();
    for (const [key, s] of Object.entries(sd.state ?? {})) {
      const p = byIndex.get(Number(key));
      if (p === undefined) continue;
      const copy: OptimizerState = {};
      outsideScopes(() => {
        for (const [name, v] of Object.entries(s)) {
          copy[name] = v instanceof Tensor ? (v.isFloatingPoint() ? v.detach().to(p.dtype) : v.detach()).clone() : v;
        }
      });
      this.state.set(p, copy);
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _ignored, ...opts } = g;
      Object.assign(this.paramGroups[i], opts);
    });
  }

  /** PyTorch's optimizer repr, listing each group's hyperparameters. */
  toString(): string {
    const lines = [`${this.constructor.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const key of Object.keys(g).sort()) if (key !== 'params') lines.push(`    ${key}: ${JSON.stringify(g[key])}`);
    });
    lines.push(')');
    return lines.join('\n');
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
