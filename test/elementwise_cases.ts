// The op table shared by elementwise.test.ts and promotion.test.ts: each fixture op name
// (scripts/fixtures/elementwise.py, OPS) as a tensorgrad call, and the operand decoding.
import { torch, fromEnc, Encoded } from './helpers';

type Tensor = torch.Tensor;
export type Operand = Tensor | number | boolean | null;

export interface EncodedArg {
  t?: Encoded;   // a tensor
  T?: boolean;   // ... stored transposed: the operand is t.transpose(-2, -1)
  grad?: boolean; // ... a leaf that requires grad
  s?: number | boolean | string;  // a number ('nan', 'inf', '-inf' for non-finite)
  none?: boolean; // a missing clamp bound
}

export interface Case {
  kind?: 'forward' | 'grad';
  op: string;
  args: EncodedArg[];
  kw: { alpha?: number | boolean };
  out?: Encoded;
  error?: string;
  grad_fn?: string | null;
  accuracy?: boolean;
  grad_out?: Encoded;
  grads?: (Encoded | null)[];
  fd?: boolean;
  note?: string;
}

function num(v: number | boolean | string): number | boolean {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number | boolean;
}

/** The operand an encoded argument stands for; a transposed one is a non-contiguous view. */
export function decodeArg(a: EncodedArg, opts: { requiresGrad?: boolean } = {}): Operand {
  if (a.none) return null;
  if (a.s !== undefined) return num(a.s);
  const wantGrad = opts.requiresGrad ?? false;
  let t = fromEnc(a.t!);
  if (a.T) t = t.transpose(-2, -1);
  if (wantGrad) t = t.detach().requiresGrad_(true);
  return t;
}

const unary = (name: string) => (x: Operand) => (torch as any)[name](x) as Tensor;
const UNARY = ['neg', 'abs', 'sqrt', 'rsqrt', 'exp', 'log', 'log1p', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu',
  'square', 'reciprocal', 'sign'];

/** Fixture op name → tensorgrad call. Tensor-first binary ops use the method form. */
export const OPS: Record<string, (args: Operand[], kw: Case['kw']) => Tensor> = {
  add: ([a, b], kw) => (a as Tensor).add(b!, kw.alpha === undefined ? undefined : { alpha: kw.alpha }),
  sub: ([a, b], kw) => (a as Tensor).sub(b!, kw.alpha === undefined ? undefined : { alpha: kw.alpha }),
  mul: ([a, b]) => (a as Tensor).mul(b!),
  div: ([a, b]) => (a as Tensor).div(b!),
  pow: ([a, b]) => (a as Tensor).pow(b!),
  maximum: ([a, b]) => (a as Tensor).maximum(b!),
  minimum: ([a, b]) => (a as Tensor).minimum(b!),
  eq: ([a, b]) => (a as Tensor).eq(b!),
  ne: ([a, b]) => (a as Tensor).ne(b!),
  lt: ([a, b]) => (a as Tensor).lt(b!),
  le: ([a, b]) => (a as Tensor).le(b!),
  gt: ([a, b]) => (a as Tensor).gt(b!),
  ge: ([a, b]) => (a as Tensor).ge(b!),
  // a number first: the namespace functions
  radd: ([s, x]) => torch.add(s!, x!),
  rsub: ([s, x]) => torch.sub(s!, x!),
  rmul: ([s, x]) => torch.mul(s!, x!),
  rdiv: ([s, x]) => torch.div(s!, x!),
  rpow: ([s, x]) => torch.pow(s!, x!),
  rlt: ([s, x]) => torch.lt(s!, x!),
  where: ([c, a, b]) => torch.where(c as Tensor, a!, b!),
  clamp: ([x, lo, hi]) => (x as Tensor).clamp(lo, hi),
  gelu: ([x]) => (x as Tensor).gelu(),
  gelu_tanh: ([x]) => (x as Tensor).gelu('tanh'),
  clone: ([x]) => (x as Tensor).clone(),
  to_float32: ([x]) => (x as Tensor).to('float32'),
  to_float64: ([x]) => (x as Tensor).to('float64'),
  to_int32: ([x]) => (x as Tensor).to('int32'),
  to_int64: ([x]) => (x as Tensor).to('int64'),
  to_bool: ([x]) => (x as Tensor).to('bool'),
};
for (const name of UNARY) OPS[name] = ([x]) => unary(name)(x);

/** Runs a case's op on decoded operands; returns the result or the thrown error. */
export function runCase(c: Case, args: Operand[]): { out?: Tensor; error?: Error } {
  const fn = OPS[c.op];
  if (!fn) throw new Error(`no tensorgrad mapping for fixture op '${c.op}'`);
  try {
    return { out: fn(args, c.kw ?? {}) };
  } catch (e) {
    return { error: e as Error };
  }
}

/** A short label for test names: op(shape dtype, 2.5, ...). */
export function label(c: Case, i: number): string {
  const parts = c.args.map((a) => {
    if (a.none) return 'null';
    if (a.s !== undefined) return String(a.s);
    const t = a.t!;
    const shape = a.T ? [...t.shape.slice(0, -2), t.shape[t.shape.length - 1], t.shape[t.shape.length - 2]] : t.shape;
    return `${t.dtype}[${shape.join(',')}]${a.T ? 'ᵀ' : ''}`;
  });
  const kw = c.kw && c.kw.alpha !== undefined ? `, alpha=${c.kw.alpha}` : '';
  return `#${i} ${c.op}(${parts.join(', ')}${kw})`;
}
