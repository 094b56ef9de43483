// torch.tidy(): every tensor created inside fn is disposed when fn returns, except the
// tensors it returns. Tensors register themselves here when a scope is open (one array
// push per tensor; nothing at all when no scope is open).
//
// Rules:
// - What fn returns is kept: a tensor, or tensors inside arrays, plain objects, Maps and
//   Sets (up to 8 levels deep). Kept tensors move to the enclosing scope, if any, so a
//   nested tidy hands its result to the outer one.
// - When fn throws, every tensor made inside is disposed and the error propagates.
// - fn must be synchronous: tensors made after an `await` would escape the scope, so an
//   async fn (a returned promise) is an error.
// - Disposing never breaks autograd: a graph keeps its own references to the tensors it
//   saved, so `tidy(() => loss(x))` followed by `.backward()` works.

/** Open scopes, innermost last. Each is the list of tensors created inside it. */
export const scopes: { dispose(): void }[][] = [];

function collect(v: unknown, keep: Set<unknown>, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 8) return;
  if (keep.has(v)) return;
  keep.add(v);
  if (Array.isArray(v)) for (const x of v) collect(x, keep, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collect(x, keep, depth + 1);
  else if (v instanceof Set) for (const x of v) collect(x, keep, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)
    for (const x of Object.values(v)) collect(x, keep, depth + 1);
}

function disposeAll(list: { dispose(): void }[]): void {
  for (const t of list) t.dispose();
}

/** Runs `fn` and disposes every tensor created inside it except those in its result (arrays, Maps and plain objects are searched); the survivors belong to an enclosing tidy. Disposes everything if `fn` throws. */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy() expects a function, but received ${fn === null ? 'null' : typeof fn}`);
  const mine: { dispose(): void }[] = [];
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    disposeAll(mine);
    throw e;
  }
  scopes.pop();
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    disposeAll(mine);
    throw new TypeError('tidy() cannot be used with an async function: tensors made after an await would escape it');
  }
  const keep = new Set<unknown>();
  collect(result, keep);
  const outer = scopes[scopes.length - 1];
  for (const t of mine) {
    if (keep.has(t)) outer?.push(t);  // survivors belong to the enclosing scope
    else t.dispose();
  }
  return result;
}
