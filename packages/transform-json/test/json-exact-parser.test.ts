// The exact parser and the UTF-8 validator are internal, but they decide what
// long-integer messages decode to and where errors are reported, so they are
// checked against the native JSON.parse and TextDecoder (differential tests).
import { describe, expect, test } from '@jest/globals';
import { JsonSyntaxError, parseJsonExact } from '../src/json-exact-parser.js';
import { firstInvalidUtf8 } from '../src/utf8.js';
import { int, mulberry32, pick, randomValue } from './helpers.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

/** `value` with every bigint turned into the nearest number, as JSON.parse reads long integers. */
function asNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    expect(Number.isSafeInteger(Number(value))).toBe(false);
    return Number(value);
  }
  if (Array.isArray(value)) return value.map(asNumbers);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(result, key, { value: asNumbers(item), enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  return value;
}

describe('parseJsonExact', () => {
  test('gives what JSON.parse gives for random JSON, except that long integers are exact bigints', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = mulberry32(seed);
      const value = randomValue(random, 5);
      const source = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item), int(random, 3));
      expect({ seed, value: asNumbers(parseJsonExact(source)) }).toEqual({ seed, value: JSON.parse(source) });
    }
  });

  test('refuses what JSON.parse refuses, for random mutations of valid JSON', () => {
    const bytes = ['', ',', ']', '}', '[', '{', '"', ':', '\\', '-', '.', 'e', '0', 'x', ' ', '\u0001', 'u'];
    let refused = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const random = mulberry32(seed);
      const source = JSON.stringify(randomValue(random, 3), (_key, item: unknown) => (typeof item === 'bigint' ? 7 : item));
      const at = int(random, source.length + 1);
      const mutated = source.slice(0, at) + pick(random, bytes) + source.slice(at + int(random, 2));
      let native: unknown;
      try {
        JSON.parse(mutated);
      } catch (error) {
        native = error;
      }
      if (native === undefined) {
        expect({ seed, value: asNumbers(parseJsonExact(mutated)) }).toEqual({ seed, value: JSON.parse(mutated) });
      } else {
        refused++;
        let ours: unknown;
        try {
          parseJsonExact(mutated);
        } catch (error) {
          ours = error;
        }
        expect({ seed, mutated, refused: ours instanceof JsonSyntaxError }).toEqual({ seed, mutated, refused: true });
      }
    }
    expect(refused).toBeGreaterThan(500);
  });

  test('integers outside the safe range become bigint; everything else is a number', () => {
    expect(parseJsonExact('[9007199254740991,9007199254740992,-9007199254740992,1e400,1.0,-0,100000000000000000000]')).toEqual([
      9007199254740991,
      9007199254740992n,
      -9007199254740992n,
      Infinity,
      1,
      -0,
      100000000000000000000n,
    ]);
  });

  test('reports the character index of the error', () => {
    for (const [source, index] of [
      ['[1,]', 3],
      ['{"a":1 "b":2}', 7],
      ['"abc', 0],
      ['[1] x', 4],
      ['[tru]', 1],
      ['"\\x"', 1],
    ] as const) {
      let caught: unknown;
      try {
        parseJsonExact(source);
      } catch (error) {
        caught = error;
      }
      expect({ source, index: (caught as JsonSyntaxError).index }).toEqual({ source, index });
    }
  });
});

describe('firstInvalidUtf8', () => {
  test('agrees with a fatal TextDecoder on random byte strings', () => {
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xee, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff];
    let invalid = 0;
    for (let seed = 1; seed <= 5000; seed++) {
      const random = mulberry32(seed);
      const bytes = Uint8Array.from({ length: int(random, 8) }, () => (random() < 0.7 ? pick(random, interesting) : int(random, 256)));
      let valid = true;
      try {
        fatal.decode(bytes);
      } catch {
        valid = false;
        invalid++;
      }
      const at = firstInvalidUtf8(bytes);
      expect({ seed, valid: at < 0 }).toEqual({ seed, valid });
      if (!valid) {
        // Everything before the reported byte is valid on its own.
        expect(() => fatal.decode(bytes.subarray(0, at))).not.toThrow();
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});
