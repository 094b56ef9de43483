// nn.Module: the base class of every layer and model.
//
// How a module knows its parts: like PyTorch's __setattr__, but without intercepting
// assignments. A module's parameters, buffers and submodules are its own properties,
// found when asked for, in the order the properties were first defined on the object:
//   - a Parameter value is a parameter (wrap a tensor in nn.Parameter to register it);
//   - a Module value is a submodule;
//   - a Tensor whose name was given to registerBuffer() is a buffer;
//   - anything else (numbers, options, plain tensors, null) is not part of the state.
// So `this.fc1 = new Linear(...)` then `this.fc2 = ...` registers fc1 before fc2, exactly as
// PyTorch does, and forward() reads plain properties at full speed. (JavaScript orders
// integer-like keys first; Sequential's keys '0', '1', ... are in order either way.)
//
// Traversal order matches PyTorch: a module's own parameters (then buffers), then each
// child's, depth first. stateDict() keys are PyTorch's dotted names ('0.weight').
import { Tensor } from '../tensor';
import { noGrad } from '../grad_mode';
import { DType, isFloating } from '../dtype';
import { typeName } from '../errors';
import { Parameter } from './parameter';

/** A state dict: PyTorch's dotted key names ('0.weight', 'fc1.bias') to tensors. */
export type StateDict = Record<string, Tensor>;

/** What loadStateDict() found missing or unexpected (with strict=false). */
export interface IncompatibleKeys {
  /** Keys the module has but the state dict lacks. */
  missingKeys: string[];
  /** Keys the state dict has but the module lacks. */
  unexpectedKeys: string[];
}

function torchSize(shape: number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** The base class of every layer and model (torch.nn.Module). Parameters, buffers and submodules are the module's own properties, registered in assignment order, so stateDict() keys match PyTorch's. Subclasses implement forward(). */
export abstract class Module {
  /** Whether the module is in training mode (train()) or evaluation mode (eval()). */
  training = true;
  // Names of this module's buffers, and those left out of stateDict().
  #buffers = new Set<string>();
  #nonPersistent = new Set<string>();

  /** The computation of the module, called directly: `model.forward(x)` (PyTorch's `model(x)`). */
  abstract forward(...args: any[]): any;

  // ---------------------------------------------------------------- registration
  /** Registers (or clears, with null) a parameter under `name`. Same as assigning a Parameter. */
  registerParameter(name: string, param: Parameter | null): void {
    this.checkName(name, 'parameter');
    if (param !== null && !(param instanceof Parameter))
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    (this as any)[name] = param;
  }

  /** Registers a tensor that is state but not a parameter (e.g. running statistics). */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.checkName(name, 'buffer');
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    this.#buffers.add(name);
    if (persistent) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    (this as any)[name] = tensor;
  }

  /** Registers a submodule. Same as assigning it to a property. */
  registerModule(name: string, module: Module | null): void {
    this.checkName(name, 'module');
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    (this as any)[name] = module;
  }
  /** Alias of registerModule (PyTorch's add_module). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  private checkName(name: string, what: string): void {
    if (typeof name !== 'string') throw new TypeError(`${what} name should be a string. Got ${typeName(name)}`);
    if (name.includes('.')) throw new Error(`${what} name can't contain "."`);
    if (name === '') throw new Error(`${what} name can't be empty string ""`);
  }

  // ---------------------------------------------------------------- this module's own state
  /** [name, value] for this module's own parameters, in definition order. */
  private ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as any)[key];
      if (v instanceof Parameter) out.push([key, v]);
    }
    return out;
  }
  private ownBuffers(persistentOnly = false): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const key of Object.keys(this)) {
      if (!this.#buffers.has(key) || (persistentOnly && this.#nonPersistent.has(key))) continue;
      const v = (this as any)[key];
      if (v instanceof Tensor && !(v instanceof Parameter)) out.push([key, v]);
    }
    return out;
  }

  // ---------------------------------------------------------------- traversal
  /** Every submodule property, a shared module under each of its names. */
  private allChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as any)[key];
      if (v instanceof Module) out.push([key, v]);
    }
    return out;
  }

  /** Direct submodules as [name, module]. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const key of Object.keys(this)) {
      const v = (this as any)[key];
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([key, v]);
      }
    }
    return out;
  }
  /** The direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule, depth first, each once: [dotted name, module]. */
  namedModules(prefix = '', memo: Set<Module> = new Set()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const key of Object.keys(this)) {
      const v = (this as any)[key];
      if (v instanceof Module) out.push(...v.namedModules(prefix ? `${prefix}.${key}` : key, memo));
    }
    return out;
  }
  /** This module and every submodule, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** [dotted name, parameter] for every parameter, each tensor once (PyTorch's order). */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modPrefix, m] of mods) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([modPrefix ? `${modPrefix}.${name}` : name, p]);
      }
    }
    return out;
  }
  /** Every parameter (with submodules' unless recurse is false), each tensor once, in PyTorch's order. */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** [dotted name, buffer] for every buffer. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modPrefix, m] of mods) {
      for (const [name, b] of m.ownBuffers()) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([modPrefix ? `${modPrefix}.${name}` : name, b]);
      }
    }
    return out;
  }
  /** Every buffer (with submodules' unless recurse is false). */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Calls fn on every submodule (children first) and then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---------------------------------------------------------------- modes and gradients
  /** Sets training mode (or evaluation mode with false) on this module and its submodules; affects Dropout and the like. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  /** Sets evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Resets the gradients of all parameters: to null (the default, as PyTorch 2), or to zero. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (setToNone) {
        p.grad = null;
      } else {
        const g = p.grad;
        if (g !== null) {
          if (g.gradFn) g.detach_();
          else g.requiresGrad_(false);
          g.zero_();
        }
      }
    }
  }

  /** Converts floating-point parameters and buffers to dtype (new Parameter objects, same names). */
  to(dtype: DType): this {
    if (!isFloating(dtype)) throw new TypeError(`nn.Module.to only accepts floating point dtypes, but got desired dtype=${dtype}`);
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [name, p] of m.ownParameters()) {
          if (p.dtype !== dtype && isFloating(p.dtype)) (m as any)[name] = new Parameter(p.detach().to(dtype), p.requiresGrad);
        }
        for (const [name, b] of m.ownBuffers()) {
          if (b.dtype !== dtype && isFloating(b.dtype)) (m as any)[name] = b.to(dtype);
        }
      }
    });
    return this;
  }
  /** `to('float32')`. */
  float(): this {
    return this.to('float32');
  }
  /** `to('float64')`. */
  double(): this {
    return this.to('float64');
  }

  // ---------------------------------------------------------------- state dict
  /**
   * Parameters and persistent buffers by PyTorch's key names. Values are detached tensors
   * sharing storage with the module's (PyTorch's keep_vars=False); keepVars gives the
   * parameters themselves.
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const prefix = opts.prefix ?? '';
    const out: StateDict = {};
    // Like PyTorch, a submodule shared under two names appears under both.
    const visitAll = (m: Module, pre: string) => {
      for (const [name, p] of m.ownParameters()) out[pre + name] = opts.keepVars ? p : p.detach();
      for (const [name, b] of m.ownBuffers(true)) out[pre + name] = opts.keepVars ? b : b.detach();
      for (const [name, c] of m.allChildren()) visitAll(c, `${pre}${name}.`);
    };
    visitAll(this, prefix);
    return out;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers (under
   * noGrad). With strict (the default), missing or unexpected keys throw PyTorch's
   * "Error(s) in loading state_dict for X" message; shape mismatches always throw.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, strict = true): IncompatibleKeys {
    if (stateDict === null || typeof stateDict !== 'object')
      throw new TypeError(`Expected state_dict to be dict-like, got ${typeName(stateDict)}.`);
    const sd: Map<string, Tensor> = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    const load = (m: Module, pre: string) => {
      const local = new Map<string, Tensor>();
      for (const [name, p] of m.ownParameters()) local.set(name, p);
      for (const [name, b] of m.ownBuffers(true)) local.set(name, b);
      for (const [name, param] of local) {
        const key = pre + name;
        if (!sd.has(key)) {
          missingKeys.push(key);
          continue;
        }
        const input = sd.get(key)!;
        if (!(input instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeName(input)}`);
          continue;
        }
        const a = param.shape, b = input.shape;
        if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${torchSize(b)} from checkpoint, the shape in current model is ${torchSize(a)}.`);
          continue;
        }
        noGrad(() => param.copy_(input));
      }
      // Collected with strict or not (PyTorch reports them either way).
      const childNames = new Set(m.allChildren().map(([n]) => n));
      for (const key of sd.keys()) {
        if (!key.startsWith(pre)) continue;
        const rest = key.slice(pre.length);
        const first = rest.split('.', 1)[0];
        if (!local.has(rest) && !childNames.has(first)) unexpectedKeys.push(key);
      }
      for (const [name, c] of m.allChildren()) load(c, `${pre}${name}.`);
    };
    load(this, '');
    if (strict) {
      if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    return { missingKeys, unexpectedKeys };
  }

  // ---------------------------------------------------------------- printing
  /** The text inside the parentheses of this module's repr, e.g. 'in_features=3, ...'. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's module repr, e.g. `Linear(in_features=3, out_features=2, bias=True)`. */
  toString(): string {
    const extra = this.extraRepr();
    const lines = extra ? extra.split('\n') : [];
    for (const [name, c] of this.namedChildren()) {
      const sub = c.toString().split('\n').join('\n  ');
      lines.push(`(${name}): ${sub}`);
    }
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}()`;
    if (lines.length === 1 && this.namedChildren().length === 0) return `${name}(${lines[0]})`;
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
