// torch.Generator: an independent random stream, the same as PyTorch's for the same seed.
// Its whole state (mt19937 and the cached normal) lives in a Uint8Array that the native
// random ops read and write; pass it as { generator } to rand, randn, randint, randperm,
// uniform_, normal_, bernoulli_, DataLoader and randomSplit.
import { N } from './native';
import { expectInt } from './errors';

export class Generator {
  /** @internal The native GeneratorState bytes. */
  _state: Uint8Array;
  readonly device = 'cpu';

  /** A generator seeded with PyTorch's default seed, 67280421310721. */
  constructor() {
    this._state = N.generatorNew();
  }
  /** Seeds it (only the low 32 bits reach mt19937, as in PyTorch); returns this. */
  manualSeed(seed: number): this {
    N.generatorManualSeed(this._state, expectInt(seed, 'seed'));
    return this;
  }
  /** Reseeds from the operating system's entropy; returns the new seed. */
  seed(): bigint {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    const s = words[0] + (words[1] & 0x1fffff) * 2 ** 32; // 53 bits: exact as a JS number
    this.manualSeed(s);
    return BigInt(s);
  }
  initialSeed(): bigint {
    return N.generatorInitialSeed(this._state);
  }
  /** A copy of the state, for setState. */
  getState(): Uint8Array {
    return this._state.slice();
  }
  setState(state: Uint8Array): this {
    if (!(state instanceof Uint8Array) || state.byteLength !== this._state.byteLength)
      throw new TypeError('setState expects a state from getState()');
    this._state.set(state);
    return this;
  }
}

/** The state bytes for a native call: undefined means the default generator. */
export function generatorArg(g: unknown): Uint8Array | undefined {
  if (g === undefined || g === null) return undefined;
  if (!(g instanceof Generator)) throw new TypeError(`generator must be a torch.Generator, not ${typeof g}`);
  return g._state;
}

/** The default generator's state (torch.get_rng_state), for setRngState. */
export function getRngState(): Uint8Array {
  return N.getRngState();
}
export function setRngState(state: Uint8Array): void {
  N.setRngState(state);
}
