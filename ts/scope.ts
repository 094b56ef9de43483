// torch.tidy(): every tensor created inside fn is disposed when fn returns, except the
// tensors it returns. Tensors register themselves here when a scope is open (one array
// push per tensor; nothing at all when no scope is open).

/** Open scopes, innermost last. Each is the list of tensors created inside it. */
export const scopes: { dispose(): void }[][] = [];

function collect(v: unknown, keep: Set<unknown>, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 8) return;
  if (keep.has(v)) return;
  keep.add(v);
  if (Array.isArray(v)) for (const x of v) collect(x, keep, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collect(x, keep, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, keep, depth + 1);
}

/** Runs `fn` and disposes every tensor created inside it except those in its result (arrays, Maps and plain objects are searched); the survivors belong to an enclosing tidy. Disposes everything if `fn` throws. */
export function tidy<T>(fn: () => T): T {
  const mine: { dispose(): void }[] = [];
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of mine) t.dispose();
    throw e;
  }
  scopes.pop();
  const keep = new Set<unknown>();
  collect(result, keep);
  const outer = scopes[scopes.length - 1];
  for (const t of mine) {
    if (keep.has(t)) outer?.push(t);  // survivors belong to the enclosing scope
    else t.dispose();
  }
  return result;
}
