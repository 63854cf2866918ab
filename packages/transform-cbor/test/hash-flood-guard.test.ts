// The guard against map keys chosen to fall in one V8 hash bucket: its hashes
// are V8's (checked against a plain BigInt transcription of V8's C++), chosen
// keys are caught early, and honest keys of every kind never are.
import { describe, expect, test } from '@jest/globals';
import { encode } from 'cbor2';
import { bigIntHash, HashFloodGuard, longHash, numberHash } from '../src/hash-flood-guard.js';
import { decodeCbor } from '../src/index.js';
import { int, mulberry32 } from './helpers.js';
import { collidingBigInts, collidingDoubles, longHash as referenceLongHash, unseededHash } from './v8-hash.js';

describe("the hashes are V8's", () => {
  test('ComputeLongHash in 32-bit halves equals the 64-bit transcription', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const hi = int(random, 2 ** 32);
      const lo = i < 20 ? i : int(random, 2 ** 32);
      const expected = Number(referenceLongHash((BigInt(hi) << 32n) | BigInt(lo)) & 0x3fffffffn);
      expect(longHash(hi, lo)).toBe(expected);
    }
  });

  test('numbers: small integers hash as 32-bit keys, other numbers by their bits; -0 as 0', () => {
    const random = mulberry32(8);
    for (let i = 0; i < 2000; i++) {
      const key = int(random, 2 ** 32) - 2 ** 31;
      expect(numberHash(key)).toBe(unseededHash(key));
    }
    expect(numberHash(-0)).toBe(numberHash(0));
    const bits = new BigUint64Array(new Float64Array([1.5]).buffer)[0]!;
    expect(numberHash(1.5)).toBe(Number(referenceLongHash(bits) & 0x3fffffffn));
    expect(numberHash(2 ** 40)).toBe(Number(referenceLongHash(new BigUint64Array(new Float64Array([2 ** 40]).buffer)[0]!) & 0x3fffffffn));
  });

  test('bigints hash by the lowest 64 bits of their magnitude', () => {
    expect(bigIntHash((7n << 64n) | 5n)).toBe(bigIntHash(5n));
    expect(bigIntHash(-(2n ** 70n + 9n))).toBe(bigIntHash(9n));
    expect(bigIntHash(2n ** 64n - 1n)).toBe(Number(referenceLongHash(2n ** 64n - 1n) & 0x3fffffffn));
  });
});

describe('the guard', () => {
  const random = mulberry32(9);

  function firstRefusal(keys: Array<number | bigint>): number {
    const guard = new HashFloodGuard();
    return keys.findIndex((key) => !guard.add(key));
  }

  test('keys chosen to collide are refused within the first few dozen', () => {
    expect(firstRefusal(collidingDoubles(1000))).toBeLessThan(40);
    expect(firstRefusal(collidingBigInts(1000))).toBeLessThan(40);
    // Small integers cannot all collide (their hash is a permutation of 32 bits), but many can share a bucket.
    const smallIntegers: number[] = [];
    for (let key = 0; smallIntegers.length < 100; key++) if ((unseededHash(key) & 0xfff) === 0) smallIntegers.push(key);
    expect(firstRefusal(smallIntegers)).toBeLessThan(40);
  });

  test.each<[string, (i: number) => number | bigint]>([
    ['sequential integers', (i) => i],
    ['multiples of 2^20', (i) => i * 2 ** 20],
    ['negative integers', (i) => -i],
    ['halves', (i) => i + 0.5],
    ['large integers as doubles', (i) => 2 ** 40 + i * 4096],
    ['random doubles', () => random() * 1e9],
    ['sequential bigints past 2^64', (i) => 2n ** 64n + BigInt(i)],
    ['64-bit ids', (i) => 0xfedcba9876543210n - BigInt(i) * 977n],
  ])('honest keys are never refused: 300,000 %s', (_name, key) => {
    const keys = Array.from({ length: 300_000 }, (_, i) => key(i));
    expect(firstRefusal(keys)).toBe(-1);
  });
});

describe('decoding', () => {
  test('a map and a set of keys chosen to collide are a DecodeError at their head', () => {
    const keys = collidingDoubles(2000);
    const map = encode([1, new Map(keys.map((key) => [key, 0]))]);
    expect(() => decodeCbor(map)).toThrow(/Too many keys of this map fall in one hash bucket .*\(at byte 2\)/);
    const set = encode(new Set(collidingBigInts(2000)));
    expect(() => decodeCbor(set)).toThrow(/Too many set elements fall in one hash bucket .*\(at byte 0\)/);
  });

  test('keys chosen to collide among text keys, in an indefinite map, are caught too', () => {
    const keys = collidingDoubles(100);
    const entries = keys.flatMap((key, i) => [0x62, 0x6b, 0x30 + (i % 10), 0xfb, ...new Uint8Array(new Float64Array([key]).buffer).reverse(), 0x00]);
    expect(() => decodeCbor(new Uint8Array([0xbf, ...entries, 0xff]), { allowIndefinite: true })).toThrow(/hash bucket/);
  });

  test('honest maps and sets of 30,000 number and bigint keys decode', () => {
    const map = new Map<unknown, unknown>(Array.from({ length: 30_000 }, (_, i) => [i % 2 ? i * 1.5 : (BigInt(i) << 64n) + BigInt(i), i]));
    expect((decodeCbor(encode(map)) as Map<unknown, unknown>).size).toBe(30_000);
    const set = new Set(Array.from({ length: 30_000 }, (_, i) => -i - 0.25));
    expect((decodeCbor(encode(set)) as Set<unknown>).size).toBe(30_000);
  });
});
