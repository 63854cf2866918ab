import { describe, expect, test } from '@jest/globals';
import { JsonStreamTransformer, JsonTransformer } from '../src/index.js';
import { concat, decodeStream, int, mulberry32, pick, randomValue, roundTripped, splits, utf8 } from './helpers.js';
import type { Random } from './helpers.js';

const SEPARATORS = ['', '', '\n', ' ', '\r\n', '\t', ' \r\n\t ', '\n\n'];

/** A stream of `count` random messages with random whitespace (or none) between them, and what it decodes to. */
function randomStream(random: Random, count: number): { stream: Uint8Array; expected: unknown[] } {
  const writer = new JsonStreamTransformer();
  const parts: Uint8Array[] = [];
  const expected: unknown[] = [];
  let previousIsNumber = false;
  for (let i = 0; i < count; i++) {
    // Mostly RPC-like arrays and objects; sometimes a bare scalar at the top level.
    let value = randomValue(random, 1 + int(random, 5));
    if (random() < 0.7 && (typeof value !== 'object' || value === null)) value = [value];
    const encoded = writer.encode(value);
    const body = encoded.subarray(0, encoded.length - 1); // without the writer's "\n"
    const isNumber = typeof value === 'number' || typeof value === 'bigint';
    let separator = pick(random, SEPARATORS);
    // Two numbers need whitespace between them, or they would read as one.
    if (separator === '' && previousIsNumber && isNumber) separator = ' ';
    parts.push(utf8(separator), body);
    expected.push(roundTripped(value));
    previousIsNumber = isNumber;
  }
  if (random() < 0.5) parts.push(utf8(pick(random, SEPARATORS)));
  return { stream: concat(parts), expected };
}

describe('seeded property tests: any split of a valid stream decodes identically and in order', () => {
  test.each(Object.keys(splits))('%s', (split) => {
    for (let seed = 1; seed <= 150; seed++) {
      const random = mulberry32(seed);
      const { stream, expected } = randomStream(random, 1 + int(random, 12));
      const result = decodeStream(splits[split]!(stream, mulberry32(seed * 31)));
      expect({ seed, error: result.error }).toEqual({ seed, error: undefined });
      expect({ seed, messages: result.messages }).toEqual({ seed, messages: expected });
    }
  });

  test('the writer output decodes as written, value by value, through JsonTransformer too', () => {
    const single = new JsonTransformer();
    const stream = new JsonStreamTransformer();
    for (let seed = 1; seed <= 300; seed++) {
      const value = randomValue(mulberry32(seed), 5);
      expect({ seed, value: single.decode(single.encode(value)) }).toEqual({ seed, value: roundTripped(value) });
      const out: unknown[] = [];
      stream.decodeChunk(stream.encode(value), out);
      expect({ seed, value: out }).toEqual({ seed, value: [roundTripped(value)] });
    }
  });

  test('a long random stream in one chunk, in random chunks and byte by byte gives the same messages', () => {
    const random = mulberry32(2024);
    const { stream, expected } = randomStream(random, 400);
    const whole = decodeStream([stream]);
    expect(whole.messages).toEqual(expected);
    expect(decodeStream(splits['random sizes 1..16']!(stream, random)).messages).toEqual(expected);
    expect(decodeStream(splits['one byte at a time']!(stream, random)).messages).toEqual(expected);
  });
});
