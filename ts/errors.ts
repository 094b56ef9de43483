// Argument checking for the TS facade: precise messages before anything crosses into C++.

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  try {
    return String(v);
  } catch {
    return typeName(v);
  }
}

/** Throws PyTorch-style: Expected a number for dim but received 'a' of type string. */
export function expectNumber(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a number for ${what} but received ${show(v)} of type ${typeName(v)}`);
  return v;
}

export function expectInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`Expected an integer for ${what} but received ${show(v)} of type ${typeName(v)}`);
  return v;
}

export function expectBool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected a boolean for ${what} but received ${show(v)} of type ${typeName(v)}`);
  return v;
}

/**
 * list.map(fn), but holes are visited too (as undefined), in order, so that fn's check throws
 * at the first bad element. Array.prototype.map skips holes without stopping: over a sparse
 * array of length 2^32 - 1 it walks four billion indices (minutes) before anything fails.
 */
export function mapEach<T, U>(list: readonly T[], fn: (v: T, i: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < list.length; i++) out.push(fn(list[i], i));
  return out;
}

/** Shapes given as varargs or one array: f(2, 3) and f([2, 3]). */
export function shapeFrom(args: unknown[], what = 'size'): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const out: number[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new TypeError(`${what} must be a sequence of integers, but element ${i} is ${show(v)} of type ${typeName(v)}`);
    out[i] = v;
  }
  return out;
}

/** Splits a trailing options object off varargs. */
export function splitOptions<T extends object>(args: unknown[]): [unknown[], T] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last) && !ArrayBuffer.isView(last)) {
    return [args.slice(0, -1), last as T];
  }
  return [args, {} as T];
}
