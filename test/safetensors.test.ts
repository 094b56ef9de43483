// safetensors: a file written by PyTorch's side loads with the same values; tensorgrad
// writes the same bytes the reference writer does; round trips; bad files fail cleanly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { torch, loadFixture, fromEnc, expectClose, flat } from './helpers';

const { nn } = torch;
const fixture = loadFixture('nn.json');
const st = fixture.cases.find((c: any) => c.kind === 'safetensors');
const fixturePath = path.join(__dirname, 'fixtures', st.file);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-st-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A file from a header object and a data size (the data bytes are zeros). */
function fileBytes(header: unknown, dataBytes: number, rawHeader?: string): Buffer {
  const text = Buffer.from(rawHeader ?? JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([len, text, Buffer.alloc(dataBytes)]);
}

function expectBad(buf: Buffer, message: RegExp): void {
  expect(() => torch.safetensors.deserialize(buf)).toThrow(message);
  const p = path.join(tmp, 'bad.safetensors');
  fs.writeFileSync(p, buf);
  expect(() => torch.load(p)).toThrow(message);
}

describe('safetensors interop with PyTorch', () => {
  it(`loads the file written by ${st.writer} with the same values, dtypes and metadata`, () => {
    const { tensors, metadata } = torch.safetensors.loadFile(fixturePath);
    expect(metadata).toEqual(st.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(st.tensors).sort());
    for (const [name, want] of Object.entries(st.tensors)) expectClose(tensors[name], want as any, { rtol: 0, atol: 0 });
    expect(tensors.steps.toTypedArray()).toEqual(BigInt64Array.from([1n, -2n, 2n ** 40n]));
    expect(torch.load(fixturePath).mask.tolist()).toEqual([true, false, true]);
  });

  it('writes the same bytes as the reference writer for the same tensors', () => {
    const tensors: Record<string, torch.Tensor> = {};
    for (const [name, e] of Object.entries(st.tensors)) tensors[name] = fromEnc(e as any);
    const mine = torch.safetensors.serialize(tensors, st.metadata);
    expect(Buffer.compare(mine, fs.readFileSync(fixturePath))).toBe(0);
    const p = path.join(tmp, 'same.safetensors');
    torch.save(tensors, p, { metadata: st.metadata });
    expect(Buffer.compare(fs.readFileSync(p), fs.readFileSync(fixturePath))).toBe(0);
  });
});

describe('safetensors round trips', () => {
  it('keeps every dtype, 0-d, empty and non-contiguous tensors', () => {
    const t = {
      f32: torch.randn(3, 4),
      f64: torch.randn(2, { dtype: 'float64' }),
      i32: torch.tensor([[1, -2], [3, 2147483647]], { dtype: 'int32' }),
      i64: torch.tensor([-(2 ** 53), 5], { dtype: 'int64' }),
      b: torch.tensor([true, false]),
      scalar: torch.tensor(2.5),
      empty: torch.zeros(0, 5),
      transposed: torch.arange(6, { dtype: 'float32' }).reshape(2, 3).t(),
    };
    const p = path.join(tmp, 'round.safetensors');
    torch.save(t, p);
    const back = torch.load(p);
    for (const [name, orig] of Object.entries(t)) {
      expect(back[name].dtype).toBe(orig.dtype);
      expect(back[name].shape).toEqual(orig.shape);
      expect(back[name].tolist()).toEqual(orig.tolist());
    }
    expect(back.transposed.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it('saves a module state dict (or the module) and loads it into a fresh model', () => {
    const make = () => new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.LayerNorm(3));
    const a = make();
    const p = path.join(tmp, 'model.safetensors');
    torch.save(a.stateDict(), p);
    const b = make();
    b.loadStateDict(torch.load(p));
    const x = torch.randn(2, 4);
    expect(flat(b.forward(x))).toEqual(flat(a.forward(x)));
    torch.save(a, p);
    expect(Object.keys(torch.load(p)).sort()).toEqual(Object.keys(a.stateDict()).sort());
    const m = new Map([['x', torch.ones(2)]]);
    expect(flat(torch.safetensors.deserialize(torch.safetensors.serialize(m)).tensors.x)).toEqual([1, 1]);
  });

  it('widens F16 and BF16 to float32 and small integers to int32', () => {
    const data = Buffer.alloc(12);
    data.writeUInt16LE(0x3c00, 0); // f16 1.0
    data.writeUInt16LE(0xc100, 2); // f16 -2.5
    data.writeUInt16LE(0x3fc0, 4); // bf16 1.5
    data.writeUInt16LE(0xc040, 6); // bf16 -3
    data.writeInt8(-5, 8);
    data.writeUInt8(200, 9);
    data.writeInt16LE(-300, 10);
    const header = {
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      bf: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
      i8: { dtype: 'I8', shape: [1], data_offsets: [8, 9] },
      u8: { dtype: 'U8', shape: [1], data_offsets: [9, 10] },
      i16: { dtype: 'I16', shape: [], data_offsets: [10, 12] },
    };
    const text = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    const { tensors } = torch.safetensors.deserialize(Buffer.concat([len, text, data]));
    expect(tensors.h.tolist()).toEqual([1, -2.5]);
    expect(tensors.bf.tolist()).toEqual([1.5, -3]);
    expect(tensors.h.dtype).toBe('float32');
    expect(tensors.i8.tolist()).toEqual([-5]);
    expect(tensors.u8.tolist()).toEqual([200]);
    expect(tensors.i16.item()).toBe(-300);
    expect(tensors.i16.dtype).toBe('int32');
  });

  it('refuses to save what is not a named tensor collection', () => {
    expect(() => torch.save(torch.ones(2) as any, path.join(tmp, 'x'))).toThrow(TypeError);
    expect(() => torch.save({ a: 3 } as any, path.join(tmp, 'x'))).toThrow(/"a" is number, not a Tensor/);
    expect(() => torch.save({ a: torch.ones(1) }, path.join(tmp, 'x'), { metadata: { v: 1 as any } })).toThrow(/metadata values must be strings/);
    expect(() => torch.save({ __metadata__: torch.ones(1) }, path.join(tmp, 'x'))).toThrow(/reserved/);
  });
});

describe('bad safetensors files fail with a clear error and allocate nothing large', () => {
  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

  it('truncated before the header length', () => {
    expectBad(Buffer.from([1, 2, 3]), /too small.*8-byte header length/);
  });

  it('header length past the end of the file', () => {
    const b = fileBytes({ a: f32(0, 4) }, 4);
    b.writeBigUInt64LE(1000n, 0);
    expectBad(b, /header length 1000 runs past the end of the file/);
  });

  it('a header claiming terabytes', () => {
    const b = fileBytes({ a: f32(0, 4) }, 4);
    b.writeBigUInt64LE(2n ** 42n, 0);
    expectBad(b, /header length 4398046511104 is larger than the 100000000-byte limit/);
    b.writeBigUInt64LE(2n ** 64n - 1n, 0);
    expectBad(b, /larger than the 100000000-byte limit/);
  });

  it('a tensor claiming terabytes', () => {
    expectBad(fileBytes({ a: f32(0, 8, [1000000, 1000000, 1000000]) }, 8), /needs 4000000000000000000 bytes, but its data_offsets span 8/);
    expectBad(fileBytes({ a: f32(0, 2 ** 50, [2 ** 48]) }, 8), /run past the end of the data \(8 bytes\)/);
  });

  it('malformed JSON, a non-object header, invalid UTF-8', () => {
    expectBad(fileBytes(null, 0, '{"a": {"dtype": "F32",'), /header is not valid JSON/);
    expectBad(fileBytes(null, 0, '[1, 2]'), /does not start with "\{"/);
    expectBad(Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff])]), /not valid UTF-8/);
    expectBad(fileBytes({ a: 5 }, 0), /entry "a" is not an object/);
    expectBad(fileBytes({ __metadata__: { k: 1 } }, 0), /metadata value "k" is not a string/);
  });

  it('overlapping, gapped, out-of-range and mis-sized offsets', () => {
    expectBad(fileBytes({ a: f32(0, 8), b: f32(4, 12) }, 12), /tensor "b" overlaps the tensor before it/);
    expectBad(fileBytes({ a: f32(0, 4), b: f32(8, 12) }, 12), /bytes \[4, 8\) before tensor "b" belong to no tensor/);
    expectBad(fileBytes({ a: f32(0, 16) }, 8), /run past the end of the data \(8 bytes\)/);
    expectBad(fileBytes({ a: f32(0, 8, [3]) }, 8), /needs 12 bytes, but its data_offsets span 8/);
    expectBad(fileBytes({ a: f32(0, 4) }, 8), /the data is 8 bytes but the tensors cover 4/);
    expectBad(fileBytes({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), /belong to no tensor|end before they begin/);
    expectBad(fileBytes({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape/);
    expectBad(fileBytes({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), /invalid data_offsets/);
  });

  it('an unknown dtype', () => {
    expectBad(fileBytes({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1), /dtype "Q4", which tensorgrad cannot read/);
  });

  it('a file cut short in its data', () => {
    const whole = fs.readFileSync(fixturePath);
    expectBad(whole.subarray(0, whole.length - 3), /the data is \d+ bytes but the tensors cover|run past the end of the data/);
  });
});
