// torch.save / torch.load in the safetensors format, so weights move between tensorgrad
// and PyTorch (or anything else that reads safetensors) in both directions.
//
// The format: an 8-byte little-endian header length N, N bytes of JSON, then raw
// little-endian tensor data. The header maps each name to { dtype, shape, data_offsets }
// (offsets relative to the start of the data), plus an optional "__metadata__" object of
// strings. Files are written the way the reference `safetensors` library writes them
// (tensors ordered by dtype then name, header padded with spaces to 8 bytes), so a file
// written here is byte-for-byte the one Python's safetensors.torch.save_file writes.
//
// Reading validates before allocating: the header length against the file's real size
// (and a 100 MB cap, as the reference reader), the JSON, every dtype, and that the
// tensors' byte ranges tile the data exactly (no gaps, overlaps or ranges past the end),
// each range matching its shape. A hostile header cannot make us allocate more than the
// file holds.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Tensor } from '../tensor';
import { tensor as makeTensor } from '../creation';
import { DType } from '../dtype';
import { typeName } from '../errors';

const MAX_HEADER_SIZE = 100_000_000;

/** dtype names in the file, their byte sizes, and tensorgrad's dtype for each. */
interface FileDType {
  size: number;
  dtype: DType;
  /** Sorting rank of the reference writer (its enum order): higher first. */
  rank: number;
}
const FILE_DTYPES: Record<string, FileDType> = {
  BOOL: { size: 1, dtype: 'bool', rank: 0 },
  U8: { size: 1, dtype: 'int32', rank: 4 },
  I8: { size: 1, dtype: 'int32', rank: 5 },
  I16: { size: 2, dtype: 'int32', rank: 9 },
  U16: { size: 2, dtype: 'int32', rank: 10 },
  F16: { size: 2, dtype: 'float32', rank: 11 },
  BF16: { size: 2, dtype: 'float32', rank: 12 },
  I32: { size: 4, dtype: 'int32', rank: 13 },
  F32: { size: 4, dtype: 'float32', rank: 15 },
  F64: { size: 8, dtype: 'float64', rank: 17 },
  I64: { size: 8, dtype: 'int64', rank: 18 },
};
const WRITE_NAMES: Record<DType, string> = { bool: 'BOOL', int32: 'I32', float32: 'F32', float64: 'F64', int64: 'I64' };

export type Tensors = Record<string, Tensor>;
export type Metadata = Record<string, string>;

/** Anything with a stateDict() (an nn.Module), a plain object or a Map of tensors. */
export type Saveable = Tensors | Map<string, Tensor> | { stateDict(): Tensors };

export interface SaveOptions {
  /** String key/value pairs stored under "__metadata__". */
  metadata?: Metadata;
}

function checkLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new Error('safetensors: big-endian platforms are not supported');
}

function entriesOf(obj: Saveable): [string, Tensor][] {
  let entries: [string, unknown][];
  if (obj instanceof Map) entries = [...obj.entries()];
  else if (obj && typeof (obj as any).stateDict === 'function') entries = Object.entries((obj as any).stateDict());
  else if (obj && typeof obj === 'object' && !(obj instanceof Tensor)) entries = Object.entries(obj);
  else throw new TypeError(`save() expects an object or Map of named tensors (e.g. a state dict), not ${typeName(obj)}`);
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new TypeError(`tensor names must be strings, got ${typeName(name)}`);
    if (name === '__metadata__') throw new Error('"__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof Tensor)) throw new TypeError(`save(): "${name}" is ${typeName(t)}, not a Tensor`);
  }
  return entries as [string, Tensor][];
}

function tensorBytes(t: Tensor): Uint8Array {
  const ta = t.detach().contiguous().toTypedArray();
  return new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);
}

/** The header and the data chunks, in file order. */
function layout(obj: Saveable, metadata?: Metadata): { header: Buffer; chunks: Uint8Array[] } {
  checkLittleEndian();
  const entries = entriesOf(obj).map(([name, t]) => ({ name, t, file: WRITE_NAMES[t.dtype] }));
  entries.sort((a, b) => FILE_DTYPES[b.file].rank - FILE_DTYPES[a.file].rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const head: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw new TypeError('metadata must be an object of strings');
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new TypeError(`metadata values must be strings, but "${k}" is ${typeName(v)}`);
    head.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, file } of entries) {
    const bytes = tensorBytes(t);
    head[name] = { dtype: file, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
    chunks.push(bytes);
  }
  let json = JSON.stringify(head);
  const n = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (n % 8)) % 8);
  const body = Buffer.from(json, 'utf8');
  const header = Buffer.alloc(8 + body.length);
  header.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(header, 8);
  return { header, chunks };
}

/** The safetensors bytes of named tensors (a Buffer, typed as Uint8Array so that the published types need no @types/node). */
export function serialize(obj: Saveable, metadata?: Metadata): Uint8Array {
  const { header, chunks } = layout(obj, metadata);
  return Buffer.concat([header, ...chunks]);
}

/** torch.save(stateDictOrTensors, path): writes a safetensors file. */
export function save(obj: Saveable, path: string, opts: SaveOptions = {}): void {
  if (typeof path !== 'string') throw new TypeError(`save(): path must be a string, not ${typeName(path)}`);
  const { header, chunks } = layout(obj, opts.metadata);
  const fd = fs.openSync(path, 'w');
  try {
    fs.writeSync(fd, header);
    for (const c of chunks) fs.writeSync(fd, c);
  } finally {
    fs.closeSync(fd);
  }
}

// ------------------------------------------------------------------ reading

interface Entry {
  name: string;
  file: string;
  shape: number[];
  begin: number;
  end: number;
}

function bad(what: string, source: string): Error {
  return new Error(`invalid safetensors file${source ? ` ${source}` : ''}: ${what}`);
}

/** Checks the header length against the bytes that are really there; returns it. */
function headerLength(prefix: Uint8Array, totalSize: number, source: string): number {
  if (totalSize < 8) throw bad(`file is too small (${totalSize} bytes) to hold the 8-byte header length`, source);
  const n = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_SIZE)) throw bad(`header length ${n} is larger than the ${MAX_HEADER_SIZE}-byte limit`, source);
  if (BigInt(8) + n > BigInt(totalSize)) throw bad(`header length ${n} runs past the end of the file (${totalSize} bytes)`, source);
  return Number(n);
}

/** Parses and validates the JSON header; dataSize is the number of bytes after it. */
function parseHeader(bytes: Uint8Array, dataSize: number, source: string): { entries: Entry[]; metadata: Metadata } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('header is not valid UTF-8', source);
  }
  if (!text.startsWith('{')) throw bad('header does not start with "{"', source);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`, source);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('header is not a JSON object', source);
  const metadata: Metadata = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(raw as Record<string, any>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw bad('"__metadata__" is not an object', source);
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw bad(`metadata value "${k}" is not a string`, source);
        metadata[k] = v;
      }
      continue;
    }
    if (info === null || typeof info !== 'object') throw bad(`entry "${name}" is not an object`, source);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string') throw bad(`tensor "${name}" has no dtype`, source);
    if (!(dtype in FILE_DTYPES))
      throw bad(`tensor "${name}" has dtype ${JSON.stringify(dtype)}, which tensorgrad cannot read (supported: ${Object.keys(FILE_DTYPES).join(', ')})`, source);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`, source);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`, source);
    entries.push({ name, file: dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  // The byte ranges must tile [0, dataSize) exactly, each as long as its shape needs.
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) throw bad(`tensor "${e.name}" overlaps the tensor before it (data_offsets [${e.begin}, ${e.end}])`, source);
    if (e.begin > pos) throw bad(`bytes [${pos}, ${e.begin}) before tensor "${e.name}" belong to no tensor`, source);
    if (e.end < e.begin) throw bad(`tensor "${e.name}" has data_offsets that end before they begin`, source);
    if (e.end > dataSize) throw bad(`tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] run past the end of the data (${dataSize} bytes)`, source);
    let numel = 1n;
    for (const d of e.shape) numel *= BigInt(d);
    const want = numel * BigInt(FILE_DTYPES[e.file].size);
    if (want !== BigInt(e.end - e.begin))
      throw bad(`tensor "${e.name}" of shape [${e.shape.join(', ')}] and dtype ${e.file} needs ${want} bytes, but its data_offsets span ${e.end - e.begin}`, source);
    pos = e.end;
  }
  if (pos !== dataSize) throw bad(`the data is ${dataSize} bytes but the tensors cover ${pos}`, source);
  return { entries, metadata };
}

// Half-precision floats widen to float32 on load.
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function toTensor(e: Entry, data: Uint8Array): Tensor {
  const n = e.end - e.begin;
  // Copy into a fresh, aligned buffer (file offsets need not be aligned).
  const ab = new ArrayBuffer(n);
  new Uint8Array(ab).set(data.subarray(e.begin, e.end));
  let values: ArrayBufferView;
  switch (e.file) {
    case 'F32': values = new Float32Array(ab); break;
    case 'F64': values = new Float64Array(ab); break;
    case 'I32': values = new Int32Array(ab); break;
    case 'I64': values = new BigInt64Array(ab); break;
    case 'BOOL': values = new Uint8Array(ab); break;
    case 'U8': values = new Uint8Array(ab); break;
    case 'I8': values = Int32Array.from(new Int8Array(ab)); break;
    case 'I16': values = Int32Array.from(new Int16Array(ab)); break;
    case 'U16': values = Int32Array.from(new Uint16Array(ab)); break;
    case 'F16': values = Float32Array.from(new Uint16Array(ab), halfToFloat); break;
    case 'BF16': {
      const src = new Uint16Array(ab);
      const bits = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
      values = new Float32Array(bits.buffer);
      break;
    }
    default: throw new Error(`unreachable dtype ${e.file}`);
  }
  return makeTensor(values as any, { dtype: FILE_DTYPES[e.file].dtype }).reshape(e.shape);
}

/** Named tensors and metadata from safetensors bytes. */
export function deserialize(buf: Uint8Array): { tensors: Tensors; metadata: Metadata } {
  checkLittleEndian();
  if (!(buf instanceof Uint8Array)) throw new TypeError(`deserialize() expects a Buffer or Uint8Array, not ${typeName(buf)}`);
  const n = headerLength(buf.subarray(0, 8), buf.byteLength, '');
  const { entries, metadata } = parseHeader(buf.subarray(8, 8 + n), buf.byteLength - 8 - n, '');
  const data = buf.subarray(8 + n);
  const tensors: Tensors = {};
  for (const e of entries) tensors[e.name] = toTensor(e, data);
  return { tensors, metadata };
}

/** Reads a safetensors file: its tensors (by name, in header order) and metadata. */
export function loadFile(path: string): { tensors: Tensors; metadata: Metadata } {
  checkLittleEndian();
  if (typeof path !== 'string') throw new TypeError(`load(): path must be a string, not ${typeName(path)}`);
  const source = `'${path}'`;
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const prefix = new Uint8Array(8);
    if (size >= 8) fs.readSync(fd, prefix, 0, 8, 0);
    const n = headerLength(prefix, size, source);
    const headerBytes = new Uint8Array(n);
    fs.readSync(fd, headerBytes, 0, n, 8);
    const dataSize = size - 8 - n;
    const { entries, metadata } = parseHeader(headerBytes, dataSize, source);
    // Only now, with every range checked against the real file size, read the data.
    const data = new Uint8Array(dataSize);
    let got = 0;
    while (got < dataSize) {
      const r = fs.readSync(fd, data, got, dataSize - got, 8 + n + got);
      if (r === 0) throw bad('file ended early while reading', source);
      got += r;
    }
    const tensors: Tensors = {};
    for (const e of entries) tensors[e.name] = toTensor(e, data);
    return { tensors, metadata };
  } finally {
    fs.closeSync(fd);
  }
}

/** torch.load(path): the named tensors of a safetensors file. */
export function load(path: string): Tensors {
  return loadFile(path).tensors;
}
