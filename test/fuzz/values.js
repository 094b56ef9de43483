// Hostile and plausible argument values shared by the fuzz scripts, and a seeded PRNG.
//
// Sizes are chosen so that no call can make a legitimately huge allocation: every "huge"
// shape overflows or exceeds the 2^46-byte cap and must fail at once with a RangeError.
// (Mid-size integers like 2^31 are left out on purpose: eye(2^31, 1) is a valid 8 GB
// request, not a bug, and would only thrash the machine.)
'use strict';

function prng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileValues(extra = {}) {
  const sparse = [];
  sparse.length = 2 ** 32 - 1;  // a huge array with only holes
  const holes = [1, , 3];  // eslint-disable-line no-sparse-arrays
  const throwingGetter = [1, 2];
  Object.defineProperty(throwingGetter, 1, { get() { throw new Error('getter says no'); } });
  const throwingProxy = new Proxy([1, 2], { get(t, k) { if (k === 'length') return 2; throw new Error('proxy says no'); } });
  const liarLength = new Proxy([], { get(t, k) { return k === 'length' ? 2 ** 32 - 1 : undefined; } });
  const valueOfThrows = { valueOf() { throw new Error('valueOf says no'); }, toString() { throw new Error('toString says no'); } };
  return [
    ['undefined', undefined], ['null', null], ['true', true], ['false', false],
    ['0', 0], ['-0', -0], ['1', 1], ['2', 2], ['3', 3], ['-1', -1], ['-2', -2], ['0.5', 0.5], ['-7.25', -7.25],
    ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['2^53', 2 ** 53], ['-2^53', -(2 ** 53)],
    ['2^53-1', 2 ** 53 - 1], ['2^63', 2 ** 63], ['1e300', 1e300], ['MIN_VALUE', Number.MIN_VALUE],
    ["''", ''], ["'float32'", 'float32'], ["'int64'", 'int64'], ["'bool'", 'bool'], ["'float16'", 'float16'],
    ["'1:2'", '1:2'], ["'...'", '...'], ['long string', 'x'.repeat(10000)],
    ['[]', []], ['[0]', [0]], ['[1]', [1]], ['[2,3]', [2, 3]], ['[-1]', [-1]], ['[3,-1]', [3, -1]],
    ['[0,1]', [0, 1]], ['[1,0]', [1, 0]], ['[0,0,0]', [0, 0, 0]], ['[2^53]', [2 ** 53]], ['[2^40,2^40]', [2 ** 40, 2 ** 40]],
    ['[1e7,1e7]', [1e7, 1e7]], ['[1e5,1e5]', [1e5, 1e5]], ['[NaN]', [NaN]], ['[Inf]', [Infinity]], ['[0.5]', [0.5]],
    ['[[1]]', [[1]]], ['[[1],[1,2]]', [[1], [1, 2]]], ['[[[]]]', [[[]]]], ["['a']", ['a']], ['[null]', [null]],
    ['[undefined]', [undefined]], ['[true]', [true]], ['[{}]', [{}]], ['holes', holes], ['sparse 2^32-1', sparse],
    ['throwing getter', throwingGetter], ['throwing proxy', throwingProxy], ['lying length', liarLength],
    ['array of 64 dims', new Array(64).fill(1)], ['array of 65 dims', new Array(65).fill(1)],
    ['{}', {}], ['{length:3}', { length: 3 }], ['valueOf throws', valueOfThrows], ['frozen {}', Object.freeze({})],
    ['function', () => 1], ['symbol', Symbol('s')], ['bigint', 10n], ['-bigint', -(2n ** 70n)],
    ['Float32Array', new Float32Array([1, 2, 3, 4])], ['Float64Array', new Float64Array(2)],
    ['Int32Array', new Int32Array(6)], ['BigInt64Array', new BigInt64Array(2)], ['Uint8Array', new Uint8Array(3)],
    ['Int8Array', new Int8Array(2)], ['Uint16Array', new Uint16Array(2)], ['BigUint64Array', new BigUint64Array(2)],
    ['empty Float32Array', new Float32Array(0)], ['DataView', new DataView(new ArrayBuffer(8))],
    ['ArrayBuffer', new ArrayBuffer(8)], ['Date', new Date(0)], ['RegExp', /x/], ['Map', new Map([[0, 1]])],
    ['Set', new Set([1])], ['Promise', Promise.resolve(1)], ['Error', new Error('e')], ['global', globalThis],
    ...Object.entries(extra),
  ];
}

module.exports = { prng, hostileValues };
