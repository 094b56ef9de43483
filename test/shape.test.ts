// Shape, view, indexing, joining and in-place ops against PyTorch 1.13 golden values
// (test/fixtures/shape.json, made by scripts/fixtures/shape.py). Every fixture case names a
// recipe below, written as the Python one is; each case checks forward values, grad_fn
// name, storage sharing (a write through the base must show in a view and only in a view),
// gradients against PyTorch and against float64 finite differences, and for some the
// backward of the backward. Error cases check PyTorch's message.
import { describe, expect, it } from 'vitest';
import { expectClose, flat, fromEnc, loadFixture, torch, type Encoded, type Tensor } from './helpers';

const f64 = { dtype: 'float64' as const };
const i64 = (...v: unknown[]) => torch.tensor(v as any, { dtype: 'int64' });

type Recipe = (...xs: Tensor[]) => Tensor;

function inplaceChain(x: Tensor): Tensor {
  const y = x.mul(2);
  y.add_(1);
  y.mul_(x);
  y.sub_(x, { alpha: 0.5 });
  y.div_(x.add(3));
  return y;
}

const RECIPES: Record<string, Recipe> = {
  // --- views
  reshape_view: (x) => x.reshape(4, 3),
  reshape_infer: (x) => x.reshape(-1, 2),
  reshape_copy: (x) => x.t().reshape(12),
  reshape_same: (x) => x.reshape(3, 4),
  view: (x) => x.view(2, 6),
  view_infer: (x) => x.view(-1),
  view_transposed_ok: (x) => x.t().view(4, 3, 1),
  flatten: (x) => x.flatten(),
  flatten_range: (x) => x.flatten(1),
  flatten_noncontig: (x) => x.transpose(0, 2).flatten(0, 1),
  flatten_0d: (x) => x.flatten(),
  squeeze: (x) => x.squeeze(),
  squeeze_dim: (x) => x.squeeze(2),
  squeeze_noop: (x) => x.squeeze(1),
  unsqueeze: (x) => x.unsqueeze(1),
  unsqueeze_neg: (x) => x.unsqueeze(-1),
  transpose: (x) => x.transpose(0, 2),
  t: (x) => x.t(),
  t_1d: (x) => x.t(),
  T: (x) => x.T,
  mT: (x) => x.mT,
  permute: (x) => x.permute(2, 0, 1),
  expand: (x) => x.expand(3, 5, -1),
  expand_new_dims: (x) => x.expand(2, 3, 4),
  contiguous_t: (x) => x.t().contiguous(),
  narrow: (x) => x.narrow(1, 1, 2),
  narrow_neg: (x) => x.narrow(0, -2, 2),
  select: (x) => x.select(1, -1),
  select_t: (x) => x.t().select(0, 2),
  // --- indexing
  idx_int: (x) => x.index(1),
  idx_neg: (x) => x.index(-1),
  idx_slice: (x) => x.index([1, 3]),
  idx_step: (x) => x.index('::2'),
  idx_neg_start: (x) => x.index('-2:'),
  idx_full_slice: (x) => x.index(':'),
  idx_full_explicit: (x) => x.index([0, 5]),
  idx_new_axis_after: (x) => x.index(':', null),
  idx_new_axis: (x) => x.index(null),
  idx_explicit_full_then_none: (x) => x.index('0:3', null),
  idx_ellipsis_int: (x) => x.index('...', 0),
  idx_int_ellipsis_none: (x) => x.index(0, '...', null),
  idx_ellipsis_only: (x) => x.index('...'),
  idx_slice_int: (x) => x.index([1], 2),
  idx_open_slices: (x) => x.index([1, null], [null, undefined, 3]),
  idx_int_int: (x) => x.index(2, -3),
  idx_out_of_range_slice: (x) => x.index([10, 20]),
  idx_huge_bounds: (x) => x.index([-100, 100]),
  idx_view_of_view: (x) => x.index('1:').index(':', 0).index('...', '::2'),
  idx_transposed: (x) => x.t().index('1:3', 0),
  idx_0d_none: (x) => x.index(null),
  // --- joining
  cat0: (a, b) => torch.cat([a, b]),
  cat1: (a, b) => torch.cat([a, b], 1),
  cat_neg: (a, b) => torch.cat([a, b], -1),
  cat_promote: (a, b) => torch.cat([a, b]),
  cat_legacy_empty: (a, b) => torch.cat([a, b]),
  cat_noncontig: (a, b) => torch.cat([a.t(), b.t()]),
  cat_same_twice: (a) => torch.cat([a, a.mul(2), a], 1),
  stack0: (a, b) => torch.stack([a, b]),
  stack1: (a, b) => torch.stack([a, b], 1),
  stack_last: (a, b) => torch.stack([a, b], -1),
  stack_0d: (a, b) => torch.stack([a, b]),
  split_size: (x) => x.split(3)[2],
  split_sizes: (x) => x.split([2, 4, 1], 1)[1],
  split_two_used: (x) => {
    const s = x.split(2);
    return s[0].mul(s[2]);
  },
  chunk: (x) => x.chunk(4)[1],
  chunk_dim1: (x) => x.chunk(2, 1)[0],
  gather1: (x) => x.gather(1, i64([0, 0], [3, 1], [2, 2])),
  gather0: (x) => x.gather(0, i64([2, 1, 0, 0], [0, 0, 1, 2])),
  gather_3d: (x) => x.gather(1, i64([[0, 2]], [[1, 1]])),
  gather_noncontig: (x) => x.t().gather(1, i64([0, 3], [1, 1], [2, 0])),
  index_select0: (x) => x.indexSelect(0, i64(2, 0, 2)),
  index_select1: (x) => x.indexSelect(1, i64(3, 1)),
  index_select_int32: (x) => x.indexSelect(1, torch.tensor([0, 0], { dtype: 'int32' })),
  index_select_noncontig: (x) => x.t().indexSelect(1, i64(1, 3)),
  // --- in place
  inplace_chain: inplaceChain,
  set_value_into_zeros: (x, z) => {
    const base = torch.zeros(3, 4, f64);
    base.set(1, z);
    return base.mul(x);
  },
  view_write_mul: (x) => {
    const y = x.mul(1);
    y.index(0).mul_(2);
    return y;
  },
  view_write_then_read: (x) => {
    const y = x.mul(1);
    const v = y.index('1:');
    y.mul_(2);
    return v.mul(3);
  },
  base_write_through_two_views: (x, z) => {
    const y = x.mul(1);
    const a = y.index(0);
    const b = y.index(':', 1);
    a.mul_(z);
    b.add_(1);
    return y;
  },
  view_of_view_write: (x) => {
    const y = x.mul(1);
    const w = y.index('1:').index(':', 0);
    w.mul_(3);
    return y;
  },
  transposed_view_write: (x, z) => {
    const y = x.mul(1);
    y.t().index(0).copy_(z);
    return y;
  },
  set_tuple: (x) => {
    const y = x.mul(1);
    y.set([0, 1], 5.0);
    y.set(['1:3', '::2'], 7.0);
    return y;
  },
  set_broadcast: (x, z) => {
    const y = x.mul(1);
    y.set([[1, 3]], z);
    return y;
  },
  set_slice_string: (x, z) => {
    const y = x.mul(1);
    y.set([':', '1:3'], z);
    return y;
  },
  set_leading_ones: (x, z) => {
    const y = x.mul(1);
    y.set(1, z);
    return y;
  },
  set_ellipsis_number: (x) => {
    const y = x.mul(1);
    y.set('...', 2.0);
    return y.mul(x);
  },
  set_scalar_tensor: (x, s) => {
    const y = x.mul(1);
    y.set(0, s);
    return y;
  },
  clamp_inplace: (x) => x.mul(1).clamp_(-0.5, 0.5),
  zero_then_add: (x) => {
    const y = x.mul(1);
    y.zero_();
    y.add_(x);
    return y.mul(x);
  },
  fill_then_mul: (x) => {
    const y = x.mul(1);
    y.fill_(3.0);
    return y.mul(x);
  },
  copy_broadcast_cast: (x, src) => {
    const y = x.mul(1);
    y.copy_(src);
    return y.mul(x);
  },
  mul_broadcast_other: (x, z) => x.mul(1).mul_(z),
  view_write_mul_other: (x, z) => {
    const y = x.mul(1);
    y.index(0).mul_(z);
    y.index('1:').div_(z.add(3));
    return y.mul(y);
  },
  split_write_other: (x) => x.mul(1).split(2)[1].mul(1),
  views_no_grad_inplace: (x) => {
    const y = x.mul(1);
    torch.noGrad(() => y.index(0).mul_(2));
    return y;
  },

  // --- errors (PyTorch raises in the forward or in backward)
  err_view_not_viewable: (x) => x.t().view(12),
  err_view_bad_size: (x) => x.view(5, -1),
  err_view_two_infer: (x) => x.view(-1, -1),
  err_reshape_neg: (x) => x.reshape(-2, 6),
  err_reshape_empty_ambiguous: (x) => x.reshape(-1, 0),
  err_idx_out_of_range: (x) => x.index(5),
  err_idx_out_of_range_neg: (x) => x.index(-4),
  err_idx_second_dim: (x) => x.index(0, 5),
  err_idx_after_none: (x) => x.index(null, 5),
  err_idx_too_many: (x) => x.index(0, 1, 0),
  err_idx_0d: (x) => x.index(0),
  err_idx_0d_slice: (x) => x.index([0, 1]),
  err_idx_step_zero: (x) => x.index('::0'),
  err_idx_step_negative: (x) => x.index('::-1'),
  err_select: (x) => x.select(0, 3),
  err_select_0d: (x) => x.select(0, 0),
  err_narrow: (x) => x.narrow(0, 2, 2),
  err_narrow_start: (x) => x.narrow(0, -4, 1),
  err_squeeze_dim: (x) => x.squeeze(2),
  err_unsqueeze_dim: (x) => x.unsqueeze(3),
  err_transpose_dim: (x) => x.transpose(0, 2),
  err_permute_len: (x) => x.permute(0),
  err_permute_dup: (x) => x.permute(0, 0),
  err_expand_fewer: (x) => x.expand(3),
  err_expand_mismatch: (x) => x.expand(4, 3),
  err_expand_leading_neg: (x) => x.expand(-1, 2, 3),
  err_flatten_order: (x) => x.flatten(1, 0),
  err_t_3d: (x) => x.t(),
  err_mT_1d: (x) => x.mT,
  err_cat_empty: () => torch.cat([]),
  err_cat_sizes: (a, b) => torch.cat([a, b]),
  err_cat_ndim: (a, b) => torch.cat([a, b]),
  err_cat_0d: (a, b) => torch.cat([a, b]),
  err_cat_dim: (a, b) => torch.cat([a, b], 2),
  err_stack_empty: () => torch.stack([]),
  err_stack_sizes: (a, b) => torch.stack([a, b]),
  err_stack_dim: (a, b) => torch.stack([a, b], 3),
  err_split_sum: (x) => x.split([3, 6])[0],
  err_split_negative_size: (x) => x.split(-1)[0],
  err_split_negative_sizes: (x) => x.split([3, -1, 8])[0],
  err_split_zero: (x) => x.split(0)[0],
  err_split_0d: (x) => x.split(1)[0],
  err_chunk_zero: (x) => x.chunk(0)[0],
  err_chunk_0d: (x) => x.chunk(1)[0],
  err_gather_dtype: (x) => x.gather(1, torch.tensor([[0], [1]], { dtype: 'int32' })),
  err_gather_bounds: (x) => x.gather(1, i64([0], [4])),
  err_gather_negative: (x) => x.gather(1, i64([0], [-1])),
  err_gather_ndim: (x) => x.gather(1, i64(0, 1)),
  err_gather_size: (x) => x.gather(0, i64([0, 1, 2, 0, 0])),
  err_index_select_dtype: (x) => x.indexSelect(0, torch.tensor([2.0])),
  err_index_select_bounds: (x) => x.indexSelect(0, i64(3)),
  err_index_select_matrix: (x) => x.indexSelect(0, i64([0])),
  err_leaf_add_: (x) => x.add_(1),
  err_leaf_view_mul_: (x) => x.index(0).mul_(2),
  err_leaf_set: (x) => x.set(0, 1.0),
  err_leaf_set_ellipsis: (x) => x.set('...', 1.0),
  err_version_counter: (x) => {
    const y = x.sigmoid();
    y.mul_(2);
    return y;
  },
  err_mul_self_inplace: (x) => {
    const y = x.mul(1);
    y.mul_(y);
    return y;
  },
  err_two_views_saved: (x) => {
    const y = x.mul(1);
    y.index(0).mul_(y.index(1));
    return y;
  },
  err_split_inplace: (x) => x.mul(1).split(2)[0].mul_(2),
  err_chunk_inplace: (x) => x.mul(1).chunk(2)[1].add_(1),
  err_split_base_modified: (x) => {
    const y = x.mul(1);
    const s = y.split(2);
    y.mul_(2);
    return s[0].mul(1);
  },
  err_no_grad_view_inplace: (x) => {
    const y = x.mul(1);
    const v = torch.noGrad(() => y.index([0, 2]));
    return v.mul_(2);
  },
  err_set_shape: (x) => x.mul(1).set(0, torch.ones(3, f64)),
  err_set_more_dims: (x) => x.mul(1).set(0, torch.ones(3, 2, f64)),
  err_add_broadcast: (x) => x.mul(1).add_(torch.ones(2, 3, f64)),
  err_copy_broadcast: (x) => x.mul(1).copy_(torch.ones(2, f64)),
  err_copy_more_dims: (x) => x.mul(1).copy_(torch.ones(1, 3, f64)),
  err_fill_tensor_dims: (x) => x.mul(1).fill_(torch.ones(2)),
  err_expanded_write: (x) => x.mul(1).expand(3).add_(1),
  err_partial_overlap: (x) => {
    const y = x.mul(1);
    return y.index('1:').add_(y.index(':3'));
  },
  err_int_add_float: () => torch.tensor([1, 2, 3], { dtype: 'int64' }).add_(1.5),
  err_int_div: () => torch.tensor([1, 2, 3], { dtype: 'int64' }).div_(2),
  err_int_mul_float_tensor: () => torch.tensor([1, 2, 3], { dtype: 'int64' }).mul_(torch.tensor([1.5])),
  err_bool_add_int: () => torch.tensor([true], { dtype: 'bool' }).add_(1),
  err_bool_sub: () => torch.tensor([true], { dtype: 'bool' }).sub_(true),
  err_int_alpha: () => torch.tensor([1, 2], { dtype: 'int64' }).add_(2, { alpha: 1.5 }),
  err_int_fill_nan: () => torch.tensor([1, 2], { dtype: 'int64' }).fill_(NaN),
  err_int32_clamp: () => torch.tensor([1, 2], { dtype: 'int32' }).clamp_(0.5),
  err_int64_clamp: () => torch.tensor([1, 2], { dtype: 'int64' }).clamp_(0.5, 3),
  err_clamp_none: () => torch.tensor([1.0]).clamp_(),
  err_int_set_nan: () => torch.tensor([1, 2], { dtype: 'int64' }).set(0, Infinity),
};

interface Case {
  name: string;
  inputs: Encoded[];
  out?: Encoded;
  grad_fn?: string | null;
  is_view?: boolean;
  w?: Encoded;
  grads?: (Encoded | null)[];
  v?: Encoded;
  gx_grad_fn?: string | null;
  gw?: Encoded;
  ggrads?: (Encoded | null)[];
  error?: [string, string, string];
}

const fixture = loadFixture<Case>('shape.json');
const cases = fixture.cases;
const isFloat = (e: Encoded) => e.dtype === 'float32' || e.dtype === 'float64';
const leaves = (c: Case) => c.inputs.map((e) => fromEnc(e, { requiresGrad: isFloat(e) }));
// Python prints CopySlices' C++ name from grad_fn.name(); its repr (and ours) is CopySlices.
const nodeName = (n: string | null | undefined) => (n ? n.replace('torch::autograd::', '') : null);

function recipe(name: string): Recipe {
  const r = RECIPES[name];
  if (!r) throw new Error(`no recipe for fixture case '${name}'`);
  return r;
}

// d sum(f(xs) * w) / d xs[k] by central differences in float64.
function numericGrad(f: Recipe, inputs: Encoded[], w: Tensor, k: number, eps = 1e-6): number[] {
  const base = inputs.map((e) => fromEnc(e));
  const data = flat(base[k]);
  const out: number[] = [];
  const loss = (vals: number[]) => {
    const xs = base.slice();
    xs[k] = torch.tensor(Float64Array.from(vals), f64).reshape(inputs[k].shape);
    return torch.noGrad(() => f(...xs).mul(w).sum().item() as number);
  };
  for (let i = 0; i < data.length; i++) {
    const up = data.slice(), down = data.slice();
    up[i] += eps;
    down[i] -= eps;
    out.push((loss(up) - loss(down)) / (2 * eps));
  }
  return out;
}

describe('shape fixture (PyTorch 1.13)', () => {
  it('covers every recipe and vice versa', () => {
    expect(cases.length).toBeGreaterThan(150);
    expect(new Set(cases.map((c) => c.name))).toEqual(new Set(Object.keys(RECIPES)));
  });

  const ok = cases.filter((c) => !c.error);
  const errors = cases.filter((c) => c.error);

  describe.each(ok.map((c) => [c.name, c] as const))('%s', (name, c) => {
    it('forward value, grad_fn and dtype', () => {
      const out = recipe(name)(...leaves(c));
      expectClose(out, c.out!);
      expect(out.gradFn?.name ?? null).toBe(nodeName(c.grad_fn));
    });

    it(c.is_view ? 'is a view: sees writes to its base' : 'is not a view: ignores writes to input 0', () => {
      const xs = c.inputs.map((e) => fromEnc(e));
      const out = recipe(name)(...xs);
      const before = flat(out);
      xs[0].add_(1000);
      const after = flat(out);
      if (c.is_view) expect(after).toEqual(flat(recipe(name)(...c.inputs.map((e, i) => (i === 0 ? fromEnc(e).add(1000) : fromEnc(e))))));
      else expect(after).toEqual(before);
    });

    it('gradients match PyTorch', () => {
      const xs = leaves(c);
      const out = recipe(name)(...xs);
      const w = fromEnc(c.w!);
      const wanted = xs.filter((x) => x.requiresGrad);
      const got = torch.autograd.grad(out.mul(w).sum(), wanted, { allowUnused: true });
      let j = 0;
      c.inputs.forEach((e, i) => {
        if (!isFloat(e)) return;
        const g = got[j++];
        const want = c.grads![i];
        if (want === null) expect(g).toBeNull();
        else expectClose(g!, want);
      });
    });

    // Finite differences see every path; a write made under noGrad is invisible to autograd
    // by design, so that recipe is compared with PyTorch only.
    const fdApplies = c.inputs.length > 0 && c.inputs.every((e) => e.dtype === 'float64') && name !== 'views_no_grad_inplace';
    if (fdApplies) {
      it('gradients match float64 finite differences', () => {
        const xs = leaves(c);
        const w = fromEnc(c.w!);
        const grads = torch.autograd.grad(recipe(name)(...xs).mul(w).sum(), xs, { allowUnused: true });
        c.inputs.forEach((_, k) => {
          const num = numericGrad(recipe(name), c.inputs, w, k);
          const ana = grads[k] ? flat(grads[k]!) : num.map(() => 0);
          for (let i = 0; i < num.length; i++) expect(Math.abs(ana[i] - num[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(num[i]));
        });
      });
    }

    if (c.gw) {
      it('backward of the backward (create_graph) matches PyTorch', () => {
        const xs = leaves(c);
        const wg = fromEnc(c.w!, { requiresGrad: true });
        const [gx] = torch.autograd.grad(recipe(name)(...xs), [xs[0]], { gradOutputs: [wg], createGraph: true });
        expect(gx!.gradFn?.name ?? null).toBe(c.gx_grad_fn);
        const wanted = xs.filter((x) => x.requiresGrad);
        const [gw, ...gg] = torch.autograd.grad(gx!.mul(fromEnc(c.v!)).sum(), [wg, ...wanted], { allowUnused: true });
        expectClose(gw!, c.gw!);
        // Second derivatives; an input PyTorch found no path to may also come back as zeros.
        c.ggrads!.forEach((want, i) => {
          if (want !== null) expectClose(gg[i]!, want);
          else if (gg[i] !== null) expect(flat(gg[i]!).every((v) => v === 0)).toBe(true);
        });
      });
    }
  });

  describe.each(errors.map((c) => [c.name, c] as const))('%s', (name, c) => {
    it('throws PyTorch\'s error', () => {
      const [phase, kind, message] = c.error!;
      const xs = leaves(c);
      let thrown: unknown = null;
      let where = 'forward';
      try {
        const out = recipe(name)(...xs);
        where = 'backward';
        out.sum().backward();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `${name} threw nothing`).toBeInstanceOf(Error);
      expect((thrown as Error).message).toBe(message);
      expect(where).toBe(phase);
      if (kind === 'IndexError' || kind === 'ValueError') expect(thrown).toBeInstanceOf(RangeError);
    });
  });
});
