// Containers: nn.Sequential (runs its modules in order) and nn.ModuleList (holds them).
// Children live on the container under the names '0', '1', ... (or the names given), so
// stateDict() keys are PyTorch's ('0.weight') and seq[0] reads a child as seq[0] does in Python.
import { Module } from './module';
import { typeName } from '../errors';

function checkModule(m: unknown, i: number | string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${typeName(m)} is not a Module subclass (at ${i})`);
  return m;
}

abstract class IndexedContainer extends Module {
  [index: number]: Module;

  protected keys(): string[] {
    return this.namedChildrenRaw().map(([k]) => k);
  }
  protected namedChildrenRaw(): [string, Module][] {
    return Object.keys(this)
      .filter((k) => (this as any)[k] instanceof Module)
      .map((k) => [k, (this as any)[k] as Module]);
  }
  get length(): number {
    return this.keys().length;
  }
  /** The child at position i (negative counts from the end). */
  at(i: number): Module {
    const keys = this.keys();
    const n = keys.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`index ${i} is out of range`);
    return (this as any)[keys[i < 0 ? i + n : i]];
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.namedChildrenRaw().map(([, m]) => m)[Symbol.iterator]();
  }
  /** Adds a module at the end (named by its position). */
  append(module: Module): this {
    (this as any)[String(this.length)] = checkModule(module, this.length);
    return this;
  }
}

/** Runs its modules in order, each on the previous one's output (torch.nn.Sequential); state dict keys '0.weight', '1.bias', ... */
export class Sequential extends IndexedContainer {
  /** new Sequential(m0, m1, ...) or new Sequential({ name: module, ... }). */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    if (modules.length === 1 && !(modules[0] instanceof Module) && typeof modules[0] === 'object') {
      for (const [name, m] of Object.entries(modules[0] as Record<string, Module>)) this.registerModule(name, checkModule(m, name));
    } else {
      (modules as Module[]).forEach((m, i) => ((this as any)[String(i)] = checkModule(m, i)));
    }
  }
  /** Feeds `input` through every module in order. */
  forward(input: any): any {
    let x = input;
    for (const m of this) x = m.forward(x);
    return x;
  }
}

/** A list of submodules, registered as '0', '1', ... (torch.nn.ModuleList). */
export class ModuleList extends IndexedContainer {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  forward(): never {
    throw new Error('ModuleList is not callable: iterate over it and call its modules');
  }
}
