// The purpose-built encoder and decoder against cbor2 itself: the same bytes
// out and the same values back, over seeded random values and the edge cases.

import { describe, expect, test } from '@jest/globals';
import { EncodeError } from '@cbor-rpc/core';
import { decode, encode, Simple, Tag } from 'cbor2';
import { decodeCbor, encodeCbor } from '../src/index.js';
import { boundaryLengths, concat, difference, fromHex, hex, int, mulberry32, pick, randomText, randomValue } from './helpers.js';
import type { Random } from './helpers.js';

/** Our bytes against cbor2's, and both decoders on cbor2's bytes. */
function compare(value: unknown): string[] {
  const problems: string[] = [];
  const theirs = encode(value);
  const ours = encodeCbor(value);
  if (hex(ours) !== hex(theirs)) problems.push(`encode: ours ${hex(ours).slice(0, 80)} cbor2 ${hex(theirs).slice(0, 80)}`);
  problems.push(...compareDecode(theirs));
  return problems;
}

/** Both decoders on `bytes`: the same values, types, prototypes and key order. */
function compareDecode(bytes: Uint8Array): string[] {
  const found = difference(decodeCbor(bytes), decode(bytes));
  return found === undefined ? [] : [`decode of ${hex(bytes).slice(0, 80)}: ${found}`];
}

describe('seeded random values', () => {
  test.each([1, 2, 3, 4, 5])('5000 values of the plain subset encode and decode exactly like cbor2 (seed %i)', (seed) => {
    const random = mulberry32(seed);
    const problems: string[] = [];
    for (let i = 0; i < 1000 && problems.length < 5; i++) {
      const value = randomValue(random, 0, { undefined: true, loneSurrogates: true });
      for (const problem of compare(value)) problems.push(`seed ${seed} value ${i}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  test.each([11, 12, 13])('random well-formed CBOR in non-preferred forms decodes like cbor2 (seed %i)', (seed) => {
    const random = mulberry32(seed);
    const problems: string[] = [];
    for (let i = 0; i < 2000 && problems.length < 5; i++) {
      const bytes = randomCbor(random, 0);
      for (const problem of compareDecode(bytes)) problems.push(`seed ${seed} item ${i}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});

/** A head with major type `major` and argument `value`, in a random (not always shortest) width. */
function head(random: Random, major: number, value: number | bigint): Uint8Array {
  const big = BigInt(value);
  const widths = [0, 1, 2, 4, 8].filter((w) => (w === 0 ? big < 24n : big < 1n << BigInt(8 * w)));
  const width = random() < 0.7 ? widths[0]! : pick(random, widths);
  if (width === 0) return new Uint8Array([(major << 5) | Number(big)]);
  const out = new Uint8Array(1 + width);
  out[0] = (major << 5) | { 1: 24, 2: 25, 4: 26, 8: 27 }[width]!;
  for (let i = 0; i < width; i++) out[width - i] = Number((big >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Random well-formed CBOR of the plain subset, written by hand with non-minimal heads and every float width. */
function randomCbor(random: Random, depth: number): Uint8Array {
  const utf8 = new TextEncoder();
  switch (depth >= 3 ? int(random, 6) : int(random, 8)) {
    case 0: {
      const value = random() < 0.3 ? (1n << 64n) - 1n - BigInt(int(random, 5)) : BigInt(int(random, 2 ** 32)) * BigInt(int(random, 2 ** 21));
      return head(random, int(random, 2), value);
    }
    case 1:
      return head(random, int(random, 2), int(random, 300));
    case 2: {
      const view = new DataView(new ArrayBuffer(9));
      const width = pick(random, [2, 4, 8]);
      view.setUint8(0, { 2: 0xf9, 4: 0xfa, 8: 0xfb }[width]!);
      for (let i = 1; i <= width; i++) view.setUint8(i, int(random, 256));
      return new Uint8Array(view.buffer, 0, 1 + width);
    }
    case 3:
      return new Uint8Array([pick(random, [0xf4, 0xf5, 0xf6, 0xf7])]);
    case 4: {
      const text = utf8.encode(randomText(random, 30));
      return concat([head(random, 3, text.length), text]);
    }
    case 5: {
      const bytes = Uint8Array.from({ length: int(random, 30) }, () => int(random, 256));
      return concat([head(random, 2, bytes.length), bytes]);
    }
    case 6: {
      const length = int(random, 5);
      return concat([head(random, 4, length), ...Array.from({ length }, () => randomCbor(random, depth + 1))]);
    }
    default: {
      // text keys, sometimes repeated: cbor2 keeps the last value at the first key's place
      const length = int(random, 5);
      const keys = ['a', 'b', '__proto__', '1', 'x'];
      const parts = [head(random, 5, length)];
      for (let i = 0; i < length; i++) {
        const key = utf8.encode(pick(random, keys));
        parts.push(head(random, 3, key.length), key, randomCbor(random, depth + 1));
      }
      return concat(parts);
    }
  }
}

describe('edge cases', () => {
  const numbers: Array<[string, unknown]> = [
    ['0', 0],
    ['-0', -0],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['2^53 - 1', 2 ** 53 - 1],
    ['2^53', 2 ** 53],
    ['2^53 + 2', 2 ** 53 + 2],
    ['-(2^53 - 1)', -(2 ** 53 - 1)],
    ['-2^53', -(2 ** 53)],
    ['2^53 - 1 as bigint', 2n ** 53n - 1n],
    ['2^53 + 1 as bigint', 2n ** 53n + 1n],
    ['2^64 - 1 as bigint', 2n ** 64n - 1n],
    ['2^64 as bigint', 2n ** 64n],
    ['-2^64 as bigint', -(2n ** 64n)],
    ['-2^64 - 1 as bigint', -(2n ** 64n) - 1n],
    ['2^64 as number', 2 ** 64],
    ['2^32 - 1', 2 ** 32 - 1],
    ['2^32', 2 ** 32],
    ['-2^32', -(2 ** 32)],
    ['-2^32 - 1', -(2 ** 32) - 1],
    ['23', 23],
    ['24', 24],
    ['-24', -24],
    ['-25', -25],
    ['255', 255],
    ['256', 256],
    ['65535', 65535],
    ['65536', 65536],
    ['largest half 65504', 65504],
    ['65504.5', 65504.5],
    ['65520 (not a half)', 65520],
    ['smallest half subnormal 2^-24', 2 ** -24],
    ['2^-25 (a single, not a half)', 2 ** -25],
    ['3 * 2^-24', 3 * 2 ** -24],
    ['largest half subnormal', 1023 * 2 ** -24],
    ['smallest half normal 2^-14', 2 ** -14],
    ['-2^-14', -(2 ** -14)],
    ['largest single', 3.4028234663852886e38],
    ['above the largest single', 3.4028235677973366e38],
    ['smallest single subnormal', 2 ** -149],
    ['2^-150', 2 ** -150],
    ['1.5', 1.5],
    ['0.1', 0.1],
    ['1/3', 1 / 3],
    ['Math.fround(0.1)', Math.fround(0.1)],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['Number.MIN_VALUE', Number.MIN_VALUE],
  ];
  test.each(numbers)('number %s', (_name, value) => {
    expect(compare(value)).toEqual([]);
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['false', false],
    ['empty array', []],
    ['empty object', {}],
    ['empty text', ''],
    ['empty bytes', new Uint8Array(0)],
    ['nested empties', [[], {}, '', new Uint8Array(0), [[]]]],
    ['sparse array (holes are undefined)', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['object with __proto__ key', JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')],
    ['integer-like keys', { b: 1, 2: 'two', 1: 'one', a: 0 }],
    ['null-prototype object', Object.assign(Object.create(null), { a: 1, b: [2] })],
    ['surrogate pairs', '\u{1F600} smile \u{10348} \u{1D11E}'],
    ['lone high surrogate', 'a\uD800b'],
    ['lone low surrogate at end', 'ab\uDC00'],
    ['reversed pair', '\uDC00\uD800'],
    ['BOM and NUL', '\uFEFF\u0000x'],
    ['UTF-8 length edges', '\u007F\u0080\u07FF\u0800\uFFFF\u{10000}\u{10FFFF}'],
  ])('%s', (_name, value) => {
    expect(compare(value)).toEqual([]);
  });

  const sizes = boundaryLengths;
  test.each(sizes)('ASCII, 2-byte, 3-byte and 4-byte text of %i units', (length) => {
    for (const unit of ['a', 'é', '中', '\u{1F600}']) {
      const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length - (length % unit.length));
      expect(compare(text)).toEqual([]);
    }
  });

  test.each(sizes)('text whose UTF-8 length is %i bytes, on both sides of the short-text path', (bytes) => {
    const value = 'é'.repeat(Math.floor(bytes / 2)) + 'a'.repeat(bytes % 2);
    expect(compare(value)).toEqual([]);
  });

  test.each(sizes)('byte string, array and map of %i entries', (length) => {
    const bytes = Uint8Array.from({ length }, (_, i) => i & 0xff);
    const array = Array.from({ length }, (_, i) => i);
    const map = Object.fromEntries(Array.from({ length: Math.min(length, 1000) }, (_, i) => [`k${i}`, i]));
    expect(compare(bytes)).toEqual([]);
    expect(compare(array)).toEqual([]);
    expect(compare(map)).toEqual([]);
  });

  test('a 200 KiB text and a 1 MiB byte string', () => {
    expect(compare('ab\u{1F600}é'.repeat(40000))).toEqual([]);
    expect(compare(new Uint8Array(1 << 20).fill(9))).toEqual([]);
  });
});

describe('Buffer and Uint8Array', () => {
  test('a Buffer is written as a byte string (cbor2 alone would write a map)', () => {
    const buffer = Buffer.from([1, 2, 3]);
    expect(hex(encodeCbor(buffer))).toBe('43010203');
    expect(hex(encode(buffer))).not.toBe('43010203');
    expect(hex(encodeCbor({ data: buffer }))).toBe(hex(encode({ data: new Uint8Array([1, 2, 3]) })));
  });

  test('a Buffer inside a value that cbor2 writes (a Map) is a byte string too', () => {
    const value = new Map<unknown, unknown>([[1, [Buffer.from([7, 8])]]]);
    expect(hex(encodeCbor(value))).toBe(hex(encode(new Map<unknown, unknown>([[1, [new Uint8Array([7, 8])]]]))));
  });

  test('a Buffer view with an offset writes only its own bytes', () => {
    const backing = Buffer.from([9, 9, 1, 2, 9]);
    expect(hex(encodeCbor(backing.subarray(2, 4)))).toBe('420102');
  });

  test('byte strings decode as plain Uint8Array copies, even from a Buffer', () => {
    const input = Buffer.from('824201024103', 'hex');
    const value = decodeCbor(input) as Uint8Array[];
    expect(value.map((bytes) => bytes.constructor)).toEqual([Uint8Array, Uint8Array]);
    expect(value).toStrictEqual([new Uint8Array([1, 2]), new Uint8Array([3])]);
    input.fill(0);
    expect(Array.from(value[0]!)).toEqual([1, 2]);
  });

  test('transferring the buffer of a decoded byte string away does not break later decoding', () => {
    const message = encodeCbor([new Uint8Array(100).fill(1), new Uint8Array(200).fill(2)]);
    const [first] = decodeCbor(message) as Uint8Array[];
    const slab = first!.buffer as ArrayBuffer;
    structuredClone(slab, { transfer: [slab] });
    expect(first!.length).toBe(0);
    expect(decodeCbor(message)).toStrictEqual([new Uint8Array(100).fill(1), new Uint8Array(200).fill(2)]);
  });

  test('byte strings of every copy size (heap, shared slab, own buffer) stay intact', () => {
    const lengths = [1, 64, 65, 1000, 4096, 4097, 70000];
    const values = lengths.map((length) => Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 0xff));
    const decoded = Array.from({ length: 40 }, () => decodeCbor(encodeCbor(values)) as Uint8Array[]);
    for (const copy of decoded) expect(copy).toStrictEqual(values);
  });
});

describe('values beyond JSON: Map, Set, Date, tags, simple values, typed arrays', () => {
  test.each<[string, unknown]>([
    [
      'Map with integer keys',
      new Map([
        [1, 'one'],
        [2, 'two'],
      ]),
    ],
    ['Map with text keys', new Map([['a', 1]])],
    ['Date', new Date(1700000000000)],
    ['Set', new Set([1, 'a'])],
    ['Tag', new Tag(1234, ['x'])],
    ['Simple', new Simple(99)],
    ['Float64Array', new Float64Array([1.5, -2])],
    ['Uint16Array', new Uint16Array([1, 65535])],
    ['plain values around them', [1, { when: new Date(0), tags: new Map([[1n, new Uint8Array([1])]]) }, 'end']],
  ])('%s encodes exactly like cbor2', (_name, value) => {
    expect(hex(encodeCbor(value))).toBe(hex(encode(value)));
  });

  test.each<[string, string]>([
    ['tag 1 (epoch date) inside an array', '82c11a6553f1000a'],
    ['tag 2 bignum', 'c249010000000000000000'],
    ['small tag 2 bignum stays a bigint', 'c24101'],
    ['unknown tag', 'd910006161'],
    ['simple value 0', 'e0'],
    ['simple value 32 in an extra byte', 'f820'],
    ['map with integer keys', 'a201020304'],
    ['map with mixed keys', 'a26161010203'],
    ['map whose first key is text, later one not', 'a26161010102'],
    ['nested: text-keyed map holding a Map', 'a16161a10102'],
  ])('%s decodes exactly like cbor2', (_name, text) => {
    expect(compareDecode(fromHex(text))).toEqual([]);
  });

  test('indefinite-length items decode like cbor2 when allowed', () => {
    for (const text of ['5f42010243030405ff', '7f6161626263ff', '9f0102ff', 'bf61610161629f02ffff', '9f5f41014102ff7f6161ff9fffbfffff']) {
      expect(difference(decodeCbor(fromHex(text), { allowIndefinite: true }), decode(fromHex(text)))).toBeUndefined();
    }
  });

  test('a getter that encodes with encodeCbor again does not disturb the outer encoding', () => {
    // (A toJSON did this through cbor2 before; functions are refused now, but a getter still runs user code.)
    const inner = {};
    Object.defineProperty(inner, 'bytes', { enumerable: true, get: () => Array.from(encodeCbor(['nested', 'x'.repeat(20000), 1])) });
    const value = [1, 'before', inner, 'after', { a: [2, 3] }];
    expect(hex(encodeCbor(value))).toBe(hex(encode(value)));
  });
});

describe('values with no faithful CBOR form are an EncodeError naming their type (cbor2 writes them; deliberately not)', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  test.each<[string, unknown, RegExp]>([
    ['registered symbol', Symbol.for('hello'), /Cannot encode a symbol/],
    ['RegExp', /ab+c/gi, /Cannot encode an instance of RegExp/],
    ['class instance', new Point(1, 2), /Cannot encode an instance of Point/],
    ['object with toJSON', { toJSON: () => ['replaced'] }, /Cannot encode a function/],
    ['an object with a function member', { a: 1, f: () => 1 }, /Cannot encode a function/],
  ])('%s', (_name, value, message) => {
    expect(() => encodeCbor(value)).toThrow(EncodeError);
    expect(() => encodeCbor(value)).toThrow(message);
  });
});

describe('encoding limits', () => {
  test('a cycle fails with EncodeError instead of overflowing the stack', () => {
    const cycle: unknown[] = [1];
    cycle.push(cycle);
    expect(() => encodeCbor(cycle)).toThrow(EncodeError);
    expect(() => encodeCbor(cycle)).toThrow(/maxDepth \(256\)/);
  });

  test('nesting up to maxDepth encodes, one level more does not', () => {
    let value: unknown = 1;
    for (let i = 0; i < 5; i++) value = i % 2 ? [value] : { k: value };
    expect(hex(encodeCbor(value, { maxDepth: 5 }))).toBe(hex(encode(value)));
    expect(() => encodeCbor([value], { maxDepth: 5 })).toThrow(EncodeError);
  });

  test('the shared output buffer grows for a big message and later messages are still right', () => {
    const big = ['x'.repeat(3 << 20), new Uint8Array(5 << 20).fill(1)];
    expect(hex(encodeCbor(big).subarray(0, 16))).toBe(hex(encode(big).subarray(0, 16)));
    expect(encodeCbor(big).length).toBe(encode(big).length);
    expect(hex(encodeCbor([1, 'a']))).toBe('820161' + '61');
  });
});
