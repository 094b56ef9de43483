// The public names listed in docs/API.md (the API contract), for the tests that check that
// the README and the generated API reference cover every one of them (test/docs.test.ts).
//
// A name is an identifier inside a `code span` or a code block of API.md, minus the words
// there that are not API names: example variables, JS keywords and built-in types, grad_fn
// node names (printed strings, not exports) and PyTorch's own spellings quoted for contrast.
export const NOT_NAMES = new Set([
  // example variables and parameters
  '_', 'a', 'b', 'cond', 'ctx', 'end', 'flag', 'fn', 'g', 'gradient', 'handle', 'high', 'i', 'lin', 'low', 'm',
  'n', 'opts', 'other', 'outputs', 'inputs', 'p', 'params', 'path', 'seed', 'start', 'steps', 't', 'tensors',
  'v', 'value', 'x', 'y', 'stateDictOrTensors', 'keepdim', 'Square', 'ClassName', 'Backward',
  // JavaScript and TypeScript words, Node's modules and built-ins
  'as', 'class', 'const', 'extends', 'false', 'from', 'import', 'new', 'null', 'number', 'require', 'return',
  'static', 'true', 'undefined', 'using', 'util', 'inspect', 'npm', 'install',
  'BigInt64Array', 'Error', 'RangeError', 'TypeError',
  // printed node names and PyTorch spellings
  'PowBackward0', 'CloneBackward0', 'grad_fn', 'requires_grad', 'True',
]);

/** Every API name in the markdown text of API.md, sorted. */
export function apiNames(markdown) {
  const spans = [];
  const rest = markdown.replace(/```[a-z]*\n([\s\S]*?)```/g, (_, code) => {
    spans.push(code);
    return '';
  });
  rest.replace(/`([^`\n]+)`/g, (_, code) => {
    spans.push(code);
    return '';
  });
  const names = new Set();
  for (const span of spans) {
    // Strings ('float32', 'PowBackward0') and comments are not names.
    const code = span.replace(/'[^']*'/g, ' ').replace(/\/\/.*$/gm, ' ');
    for (const [name] of code.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (!NOT_NAMES.has(name)) names.add(name);
  }
  return [...names].sort();
}
