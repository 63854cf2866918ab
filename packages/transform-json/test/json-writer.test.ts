// The direct writer must write exactly the bytes of JSON.stringify for the
// plain data it takes, and step aside (undefined) for everything else, which
// the general path then writes or refuses.
import { describe, expect, test } from '@jest/globals';
import { writeJson } from '../src/json-writer.js';
import { plainTextEnd } from '../src/plain-text.js';
import { JsonStreamTransformer } from '../src/index.js';
import { int, mulberry32, pick, randomValue } from './helpers.js';
import type { Random } from './helpers.js';

const text = new TextDecoder();
const written = (value: unknown, maxDepth = 128): string | undefined => {
  const bytes = writeJson(value, maxDepth, Infinity, true);
  return bytes === undefined ? undefined : text.decode(bytes);
};

/** `value` with every bigint made a number: plain data the writer takes. */
function withoutBigints(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(withoutBigints);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(result, key, {
        value: withoutBigints((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
  return value;
}

const ODD = ['"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '€', '😀', '\ud800', '\udfff', '/'];

/** A string longer than the short-string loop: plain ASCII, sometimes with one character that needs care. */
function longText(random: Random): string {
  const length = 33 + int(random, random() < 0.9 ? 300 : 20_000);
  let plain = '';
  while (plain.length < length) plain += String.fromCharCode(0x20 + int(random, 95)).replace(/["\\]/, 'q');
  if (random() < 0.5) return plain;
  const at = int(random, length);
  return plain.slice(0, at) + pick(random, ODD) + plain.slice(at + 1);
}

describe('writeJson', () => {
  test.each([
    [[1, 0, 12345, 'add', [5, 10]]],
    [[]],
    [{}],
    [[[[]]]],
    [0],
    [-0],
    [[-0, 0]],
    [-1],
    [999999999],
    [1000000000],
    [-999999999],
    [-1000000000],
    [Number.MAX_SAFE_INTEGER],
    [-Number.MAX_SAFE_INTEGER],
    [2 ** 53],
    [1e21],
    [1.5],
    [-2.25e-7],
    [5e-324],
    [Number.MAX_VALUE],
    ['text'],
    [''],
    ['é'],
    ['"\\\n\u0000'],
    ['\ud800'],
    [[true, false, null]],
    [[1, undefined, 2]],
    [{ a: undefined, b: 1 }],
    [{ a: { b: [1, { c: 'd' }] } }],
    [Object.assign(Object.create(null), { x: 1 })],
    [JSON.parse('{"__proto__":{"a":1},"b":2}')],
  ])('writes %j as JSON.stringify does', (value) => {
    expect(written(value)).toBe(`${JSON.stringify(value)}\n`);
  });

  test.each([
    ['undefined', undefined],
    ['a bigint', [1n]],
    ['NaN', [NaN]],
    ['Infinity', { x: Infinity }],
    ['a function', [() => 1]],
    ['a symbol', { s: Symbol('s') }],
    ['binary', [new Uint8Array(1)]],
    ['a Date (toJSON)', [new Date(0)]],
    ['a Map', [new Map()]],
    [
      'a class instance',
      [
        new (class Point {
          x = 1;
        })(),
      ],
    ],
    ['a boxed number', [Object(1)]],
    ['an object with toJSON', { a: { toJSON: () => 1 } }],
    ['an array with toJSON', [Object.assign([1], { toJSON: () => 2 })]],
  ])('steps aside for %s', (_name, value) => {
    expect(written(value)).toBeUndefined();
  });

  test('steps aside beyond maxDepth, so the general path names the problem', () => {
    expect(written([[1]], 2)).toBe('[[1]]\n');
    expect(written([[[1]]], 2)).toBeUndefined();
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(written(cyclic)).toBeUndefined();
  });

  test('random plain data, long strings included: the bytes of JSON.stringify (differential, seeded)', () => {
    let taken = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const random = mulberry32(seed);
      const value = withoutBigints(randomValue(random, 1 + int(random, 5)));
      const message = random() < 0.5 ? [1, seed, value, longText(random)] : { id: seed, value, texts: [longText(random), longText(random)] };
      const result = written(message);
      expect({ seed, result }).toEqual({ seed, result: `${JSON.stringify(message)}\n` });
      taken++;
    }
    expect(taken).toBe(600);
  });

  test('results stay intact while later messages fill and replace the shared buffer', () => {
    const random = mulberry32(99);
    const kept: Array<[Uint8Array, string]> = [];
    for (let i = 0; i < 5000; i++) {
      const message = [i, random() < 0.01 ? longText(random) + 'x'.repeat(70_000) : 'y'.repeat(int(random, 500))];
      kept.push([writeJson(message, 128, Infinity, true)!, `${JSON.stringify(message)}\n`]);
    }
    for (const [bytes, expected] of kept) expect(text.decode(bytes)).toBe(expected);
  });

  test('a message past maxSize stops being written soon after the limit, not at its end', () => {
    expect(() => writeJson(['é'.repeat(1_000_000)], 128, 1000, true)).toThrow(/message of at least 1000003 bytes: larger than maxMessageSize \(1000 bytes\)/);
    expect(() => writeJson(['x'.repeat(500), 'y'.repeat(600)], 128, 1000, true)).toThrow(/at least 1106 bytes/);
    // Many small values: found when the buffer has to grow, long before the 10 million numbers are written.
    let reads = 0;
    const numbers = new Proxy(new Array<number>(10_000_000).fill(123_456), {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(() => writeJson(numbers, 128, 100_000, true)).toThrow(/at least \d+ bytes: larger than maxMessageSize \(100000 bytes\)/);
    expect(reads).toBeLessThan(100_000);
  });

  test('a message that made the buffer grow leaves in a buffer of about its own size', () => {
    for (const message of [
      Array.from({ length: 100_000 }, (_, i) => i),
      ['z'.repeat(3_000_000)],
      { rows: Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'text' })) },
    ]) {
      const bytes = writeJson(message, 128, Infinity, true)!;
      expect(text.decode(bytes)).toBe(`${JSON.stringify(message)}\n`);
      expect(bytes.buffer.byteLength).toBeLessThanOrEqual(bytes.length * 1.25 + 64 * 1024);
    }
  });

  test('a getter that encodes while a message is being written gets its own bytes', () => {
    const stream = new JsonStreamTransformer();
    let inner: Uint8Array | undefined;
    const outer = stream.encode({
      a: 1,
      get b() {
        inner = stream.encode(['inner', 2]);
        return 'b';
      },
    });
    expect(text.decode(outer)).toBe('{"a":1,"b":"b"}\n');
    expect(text.decode(inner!)).toBe('["inner",2]\n');
  });
});

describe('plainTextEnd', () => {
  test('finds the first quote, backslash or control byte at any alignment and length (differential, seeded)', () => {
    const random = mulberry32(5);
    const naive = (bytes: Uint8Array, from: number, to: number): number => {
      for (let i = from; i < to; i++) if (bytes[i] === 0x22 || bytes[i] === 0x5c || bytes[i]! < 0x20) return i;
      return to;
    };
    const backing = new Uint8Array(600);
    for (let round = 0; round < 5000; round++) {
      for (let i = 0; i < backing.length; i++) backing[i] = 0x20 + int(random, 0xe0); // plain, 0x80 and above included
      const offset = int(random, 8);
      const bytes = backing.subarray(offset);
      const from = int(random, 40);
      const to = from + int(random, bytes.length - from);
      if (random() < 0.8 && to > from) bytes[from + int(random, to - from)] = pick(random, [0x22, 0x5c, 0x00, 0x1f, 0x0a]);
      expect({ round, end: plainTextEnd(bytes, from, to) }).toEqual({ round, end: naive(bytes, from, to) });
    }
  });
});
