// PyTorch's tensor repr, character for character (torch/_tensor_str.py of PyTorch 1.13):
//
//   tensor([ 0.,  4.,  8., 12.])                      floats that are all integral: "int mode"
//   tensor([-1.0000,  2.5000])                        otherwise 4 digits after the point
//   tensor([1.0000e-05, 1.0000e+00])                  scientific when the range demands it
//   tensor([[1, 2],\n        [3, 4]], dtype=torch.int32)
//   tensor([0., 0., 0.,  ..., 0., 0., 0.])            more than 1000 elements: 3 at each end
//   tensor([], size=(0, 3))                           empty tensors name their shape
//
// One formatter sees every value that will be printed and fixes a common width, a mode
// (int / fixed / scientific) for the whole tensor. Rows wrap at 80 columns; suffixes
// (dtype=, requires_grad=True, grad_fn=<...>) follow, each on a new line when it would pass
// column 80.
//
// Numbers are formatted exactly as Python's format() does: correctly rounded, with exact
// ties going to the even digit ('{:.4f}'.format(1.03125) is '1.0312'). JS's toFixed and
// toExponential round ties away from zero, so at a tie the digits are made from the
// double's exact binary value with BigInt.
//
// Known differences from PyTorch, both deliberate:
// - int64 values are read as doubles, so integers beyond 2^53 print rounded.
// - GradFn prints as `<PowBackward0 object>` (see GradFn.toString in tensor.ts): PyTorch adds
//   ` at 0x7f...`, a memory address that has no meaning here. The grad_fn=<PowBackward0>
//   suffix of a tensor's repr is PyTorch's exactly.
import { N } from './native';
import type { DType } from './dtype';
import type { Tensor } from './tensor';

/** PyTorch's default print options (profile='default'); set_printoptions is not exposed. */
export const PRINT_OPTIONS = {
  precision: 4, // digits after the point
  threshold: 1000, // more elements than this are summarised with '...'
  edgeitems: 3, // items kept at each end of a summarised dimension
  linewidth: 80, // columns before a row wraps
};

// Dtypes whose name the repr leaves out (for non-empty tensors): the default float dtype and
// the dtypes Python literals infer, int64 and bool. Empty tensors hide only float32.
const DEFAULT_DTYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'int64', 'bool']);

// ---------------------------------------------------------------- exact decimal digits

/** |x| = digits * 10^-scale exactly, for finite x. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biased === 0) exp2 = -1074; // subnormal
  else {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  if (mantissa === 0n) return { digits: 0n, scale: 0 };
  while ((mantissa & 1n) === 0n && exp2 < 0) {
    mantissa >>= 1n;
    exp2++;
  }
  if (exp2 >= 0) return { digits: mantissa << BigInt(exp2), scale: 0 };
  // m / 2^k == m * 5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exp2), scale: -exp2 };
}

/** n / 10^k rounded to an integer, exact ties to even (k < 0 multiplies). */
function shiftRoundHalfEven(n: bigint, k: number): bigint {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const p = 10n ** BigInt(k);
  const q = n / p;
  const twice = 2n * (n % p);
  return twice > p || (twice === p && (q & 1n) === 1n) ? q + 1n : q;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

// JS's toFixed/toExponential give the right digits except at an exact tie, and an exact tie
// shows as a trailing 5 one digit further; only then (and past toFixed's 1e21 range) are the
// digits made exactly. The fast path keeps printing 1000 elements quick.

/** Python's '{:.<prec>f}'.format(x). */
export function formatFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const a = Math.abs(x);
  const body = a < 1e21 && !a.toFixed(prec + 1).endsWith('5') ? a.toFixed(prec) : exactFixed(a, prec);
  return signOf(x) + body;
}

/** Python's '{:.<prec>e}'.format(x): d.dddde+XX, at least two exponent digits. */
export function formatExp(x: number, prec: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const a = Math.abs(x);
  const longer = a.toExponential(prec + 1);
  let mant: string;
  let exp10: number;
  if (longer[longer.indexOf('e') - 1] !== '5') {
    const s = a.toExponential(prec);
    const e = s.indexOf('e');
    mant = s.slice(0, e).replace('.', '');
    exp10 = Number(s.slice(e + 1));
  } else {
    ({ mant, exp10 } = exactExp(a, prec));
  }
  const body = prec > 0 ? `${mant[0]}.${mant.slice(1)}` : mant;
  const e = `${exp10 < 0 ? '-' : '+'}${String(Math.abs(exp10)).padStart(2, '0')}`;
  return `${signOf(x)}${body}e${e}`;
}

/** Fixed-point digits of a >= 0, exactly rounded (ties to even). */
function exactFixed(a: number, prec: number): string {
  const { digits, scale } = exactDecimal(a);
  const s = shiftRoundHalfEven(digits, scale - prec).toString().padStart(prec + 1, '0');
  return prec > 0 ? `${s.slice(0, -prec)}.${s.slice(-prec)}` : s;
}

/** The prec + 1 significant digits of a >= 0 and its power of ten, exactly rounded. */
function exactExp(a: number, prec: number): { mant: string; exp10: number } {
  const { digits, scale } = exactDecimal(a);
  if (digits === 0n) return { mant: '0'.repeat(prec + 1), exp10: 0 };
  const len = digits.toString().length;
  let exp10 = len - 1 - scale;
  let mant = shiftRoundHalfEven(digits, len - (prec + 1)).toString();
  if (mant.length > prec + 1) {
    // rounding carried into a new digit (9.99995 -> 10.000): one more power of ten
    mant = mant.slice(0, prec + 1);
    exp10++;
  }
  return { mant, exp10 };
}

// ---------------------------------------------------------------- the formatter

/**
 * PyTorch's _Formatter: looks at every value to be printed once, then formats each to a
 * common width. For floats only the nonzero finite values decide the mode and the width.
 */
class Formatter {
  private readonly floating: boolean;
  private readonly bool: boolean;
  private intMode = true;
  private sciMode = false;
  width = 1;

  constructor(values: ArrayLike<number>, dtype: DType) {
    this.floating = dtype === 'float32' || dtype === 'float64';
    this.bool = dtype === 'bool';
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.width = Math.max(this.width, this.plain(values[i]).length);
      return;
    }
    const vals: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) vals.push(v);
    }
    if (vals.length === 0) return; // nothing but zeros, nan and inf: int mode, width 1
    let min = Infinity;
    let max = 0;
    for (const v of vals) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (this.intMode && !Number.isInteger(v)) this.intMode = false;
    }
    const prec = PRINT_OPTIONS.precision;
    // PyTorch tests min < 1e-4 only outside int mode (where every nonzero |v| >= 1 anyway)
    this.sciMode = max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4);
    for (const v of vals) {
      let len: number;
      if (this.sciMode) len = formatExp(v, prec).length;
      else if (this.intMode) len = formatFixed(v, 0).length + 1; // the trailing '.'
      else len = formatFixed(v, prec).length;
      this.width = Math.max(this.width, len);
    }
  }

  /** An integer or bool as Python's str() writes it. */
  private plain(v: number): string {
    if (this.bool) return v ? 'True' : 'False';
    return String(v);
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = this.plain(v);
    else if (this.sciMode) s = formatExp(v, PRINT_OPTIONS.precision);
    else if (this.intMode) s = Number.isFinite(v) ? `${formatFixed(v, 0)}.` : nonFinite(v);
    else s = formatFixed(v, PRINT_OPTIONS.precision);
    return s.padStart(this.width, ' ');
  }
}

// ---------------------------------------------------------------- layout

/** Row-major values with their shape; `strides` index into `flat`. */
interface Data {
  flat: Float64Array;
  shape: readonly number[];
  strides: number[];
}

function isSummarised(size: number, summarise: boolean): boolean {
  return summarise && size > 2 * PRINT_OPTIONS.edgeitems;
}

/** Indices along a dimension that will be printed: all, or edgeitems at each end. */
function shownIndices(size: number, summarise: boolean): number[] {
  const e = PRINT_OPTIONS.edgeitems;
  const out: number[] = [];
  if (!isSummarised(size, summarise)) {
    for (let i = 0; i < size; i++) out.push(i);
  } else {
    for (let i = 0; i < e; i++) out.push(i);
    for (let i = size - e; i < size; i++) out.push(i);
  }
  return out;
}

/** Every value that will be printed (PyTorch's get_summarized_data), in any order. */
function shownValues(d: Data, summarise: boolean): ArrayLike<number> {
  if (!summarise) return d.flat;
  const out: number[] = [];
  const walk = (dim: number, offset: number): void => {
    if (dim === d.shape.length) {
      out.push(d.flat[offset]);
      return;
    }
    for (const i of shownIndices(d.shape[dim], true)) walk(dim + 1, offset + i * d.strides[dim]);
  };
  walk(0, 0);
  return out;
}

/** One row: elements that fit in the line width, continued under the opening bracket. */
function vectorStr(d: Data, dim: number, offset: number, indent: number, summarise: boolean, fmt: Formatter): string {
  const elementLength = fmt.width + 2; // ', ' between elements
  const perLine = Math.max(1, Math.floor((PRINT_OPTIONS.linewidth - indent) / elementLength));
  const size = d.shape[dim];
  const stride = d.strides[dim];
  const items: string[] = [];
  const e = PRINT_OPTIONS.edgeitems;
  for (const i of shownIndices(size, summarise)) {
    if (isSummarised(size, summarise) && i === size - e) items.push(' ...');
    items.push(fmt.format(d.flat[offset + i * stride]));
  }
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
}

/** Nested brackets: sub-tensors separated by one blank line per dimension below the row. */
function tensorStrAt(d: Data, dim: number, offset: number, indent: number, summarise: boolean, fmt: Formatter): string {
  const ndim = d.shape.length;
  if (dim === ndim) return fmt.format(d.flat[offset]);
  if (dim === ndim - 1) return vectorStr(d, dim, offset, indent, summarise, fmt);
  const size = d.shape[dim];
  const e = PRINT_OPTIONS.edgeitems;
  const slices: string[] = [];
  for (const i of shownIndices(size, summarise)) {
    if (isSummarised(size, summarise) && i === size - e) slices.push('...');
    slices.push(tensorStrAt(d, dim + 1, offset + i * d.strides[dim], indent + 1, summarise, fmt));
  }
  const sep = ',' + '\n'.repeat(ndim - dim - 1) + ' '.repeat(indent + 1);
  return `[${slices.join(sep)}]`;
}

/** The bracketed body of the repr (PyTorch's _tensor_str), `indent` columns in. */
function tensorStr(flat: Float64Array, shape: readonly number[], dtype: DType, indent: number): string {
  if (flat.length === 0) return '[]';
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const d: Data = { flat, shape, strides };
  const summarise = flat.length > PRINT_OPTIONS.threshold;
  const fmt = new Formatter(shownValues(d, summarise), dtype);
  return tensorStrAt(d, 0, 0, indent, summarise, fmt);
}

/** Appends ', suffix' items, starting a new line where one would pass the line width. */
function addSuffixes(str: string, suffixes: string[], indent: number): string {
  const parts = [str];
  // PyTorch's count: the last line's length plus 2 (plus 1 more when there is no newline)
  let lastLineLen = str.length - str.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > PRINT_OPTIONS.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** PyTorch's repr(t). */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  const flat: Float64Array = N.toFloat64(t._id);
  const shape = t.shape;
  const dtype = t.dtype;
  const suffixes: string[] = [];
  let body: string;
  if (flat.length === 0) {
    // nothing to infer the dtype from, so only the default float dtype goes unnamed
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')})`);
    if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (!DEFAULT_DTYPES.has(dtype)) suffixes.push(`dtype=torch.${dtype}`);
    body = tensorStr(flat, shape, dtype, prefix.length);
  }
  const gradFn = t.gradFn;
  if (gradFn) suffixes.push(`grad_fn=<${gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, prefix.length);
}
