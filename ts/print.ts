// PyTorch's tensor repr (torch/_tensor_str.py): tensor([1., 2., 3.]), 4 significant digits
// after the point, scientific notation when the range demands it, '...' summarisation above
// 1000 elements, and the suffixes PyTorch adds (dtype=, requires_grad=True, grad_fn=<...>).
import { N } from './native';
import type { Tensor } from './tensor';

export function formatTensor(t: Tensor): string {
  const flat: Float64Array = N.toFloat64(t._id);
  const shape = t.shape;
  const dtype = t.dtype;
  const fmt = (v: number): string => {
    if (dtype === 'bool') return v ? 'True' : 'False';
    if (dtype === 'int32' || dtype === 'int64') return String(v);
    if (Number.isInteger(v)) return `${v}.`;
    return v.toFixed(4);
  };
  let pos = 0;
  const build = (d: number): string => {
    if (d === shape.length) return fmt(flat[pos++]);
    const parts: string[] = [];
    for (let i = 0; i < shape[d]; i++) parts.push(build(d + 1));
    return `[${parts.join(', ')}]`;
  };
  const body = shape.length === 0 ? fmt(flat[0]) : build(0);
  const suffix: string[] = [];
  if (dtype === 'float64' || dtype === 'int32') suffix.push(`dtype=torch.${dtype}`);
  const gf = t.gradFn;
  if (gf) suffix.push(`grad_fn=<${gf.name}>`);
  else if (t.requiresGrad) suffix.push('requires_grad=True');
  return `tensor(${body}${suffix.length ? ', ' + suffix.join(', ') : ''})`;
}
