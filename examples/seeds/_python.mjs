// Prints values the way the seeds' Python code prints them, so that each script's output
// can be compared line by line with what PyTorch prints (test/seeds.test.ts).
//   print(a, b)      Python's print(): None, True/False, tensors by their repr
//   pyFloat(v)       repr() of a Python float: 2.4000000953674316, 6.690224108751863e-05, 3.0
//   pyFixed(v, 4)    f'{v:.4f}', exact also above 1e21 (where JS's toFixed switches to e-notation)
// Python's f-strings format a 0-d tensor as its float (Tensor.__format__ calls .item()), so
// the scripts write `${pyFloat(x.item())}` where the seed writes f'{x}'.
import { pathToFileURL } from 'node:url';

let sink = (line) => console.log(line);

/** Redirects print() (the tests collect the lines); no argument restores console.log. */
export function setSink(fn) {
  sink = fn ?? ((line) => console.log(line));
}

export function str(v) {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  return String(v);
}

export function print(...args) {
  sink(args.map(str).join(' '));
}

export function pyFloat(v) {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mantissa, e] = v.toExponential().split('e'); // the shortest digits that round-trip
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}

export function pyFixed(v, digits) {
  if (Math.abs(v) < 1e21) return v.toFixed(digits);
  return `${BigInt(v)}.${'0'.repeat(digits)}`; // a double this large is an integer
}

/** Prints `RuntimeError: <message>` for an error, as the seeds' tracebacks end. */
export function printError(e) {
  print(`RuntimeError: ${e.message}`);
}

/** Runs every snippet in order when the script itself is run (`node examples/seeds/x.mjs`). */
export function runIfMain(meta, snippets) {
  if (process.argv[1] && meta.url === pathToFileURL(process.argv[1]).href) {
    for (const fn of Object.values(snippets)) fn();
  }
}
