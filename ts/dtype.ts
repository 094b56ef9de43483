/** The dtypes tensorgrad supports, spelled as its API spells them. */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** 32-bit float, the default dtype (`torch.float32`). */
export const float32: DType = 'float32';
/** 64-bit float (`torch.float64`). */
export const float64: DType = 'float64';
/** 32-bit signed integer (`torch.int32`). */
export const int32: DType = 'int32';
/** 64-bit signed integer (`torch.int64`); read back as BigInt64Array by toTypedArray(). */
export const int64: DType = 'int64';
/** Boolean (`torch.bool`). */
export const bool: DType = 'bool';
// PyTorch's aliases.
/** PyTorch's alias of float32. */
export const float: DType = 'float32';
/** PyTorch's alias of float64. */
export const double: DType = 'float64';
/** PyTorch's alias of int64. */
export const long: DType = 'int64';
/** PyTorch's alias of int32. */
export const int: DType = 'int32';

const ALIASES: Record<string, DType> = {
  float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64', bool: 'bool',
  float: 'float32', double: 'float64', long: 'int64', int: 'int32',
  'torch.float32': 'float32', 'torch.float64': 'float64', 'torch.int32': 'int32', 'torch.int64': 'int64',
  'torch.bool': 'bool', 'torch.float': 'float32', 'torch.double': 'float64', 'torch.long': 'int64',
};

/** The DType for a dtype name or alias ('float', 'torch.long', ...); TypeError for anything else. */
export function toDType(v: unknown): DType {
  if (typeof v === 'string' && ALIASES[v]) return ALIASES[v];
  throw new TypeError(`Unsupported dtype ${typeof v === 'string' ? `'${v}'` : String(v)}: expected one of float32, float64, int32, int64, bool`);
}

/** Whether `d` is float32 or float64 (the dtypes that can require gradients). */
export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}
