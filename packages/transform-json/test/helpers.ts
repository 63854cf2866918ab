// Shared test helpers: a seeded PRNG (failures replay from the printed seed),
// ways to split a byte stream, a stream decoder driver and a random message
// generator.
import { JsonStreamTransformer } from '../src/index.js';
import type { JsonTransformerOptions } from '../src/index.js';

import { concat } from '@cbor-rpc/test-support/bytes';
import { int, mulberry32, pick, type Random } from '@cbor-rpc/test-support/random';

export { concat, int, mulberry32, pick, type Random };

const encoder = new TextEncoder();

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Ways to cut one byte stream into chunks; every one must decode the same. */
export const splits: Record<string, (data: Uint8Array, random: Random) => Uint8Array[]> = {
  'one chunk': (data) => [data],
  'one byte at a time': (data) => Array.from({ length: data.length }, (_, i) => data.subarray(i, i + 1)),
  'random sizes 1..16': (data, random) => cut(data, () => 1 + int(random, 16)),
  'random sizes 1..4096': (data, random) => cut(data, () => 1 + int(random, 4096)),
  'random sizes with empty chunks': (data, random) => cut(data, () => int(random, 8)),
};

function cut(data: Uint8Array, size: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length; ) {
    const n = size();
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

export interface Decoded {
  messages: unknown[];
  error?: unknown;
  /** Index of the chunk whose decoding threw (or `chunks.length` when `finish` threw). */
  failedAt?: number;
}

/** Feeds `chunks` to a fresh stream transformer, then ends the stream; collects messages and the first error. */
export function decodeStream(chunks: readonly Uint8Array[], options?: JsonTransformerOptions): Decoded {
  const transformer = new JsonStreamTransformer(options);
  const messages: unknown[] = [];
  let i = 0;
  try {
    for (; i < chunks.length; i++) transformer.decodeChunk(chunks[i]!, messages);
    transformer.finish(messages);
  } catch (error) {
    return { messages, error, failedAt: i };
  }
  return { messages };
}

const TEXT_POOL = [
  'a',
  'Z',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'ß',
  '€',
  '中',
  '\u2028',
  '\uffff',
  '😀',
  '𝄞',
  '\ud800',
  '\udfff',
  ']',
  '}',
  '[',
  '{',
  ',',
  ':',
  '0',
  '9',
  '-',
];

/** A random string: ASCII, escapes, BMP text, surrogate pairs and (rarely) lone surrogates. */
export function randomText(random: Random): string {
  let text = '';
  const length = int(random, random() < 0.9 ? 12 : 200);
  for (let i = 0; i < length; i++) text += random() < 0.5 ? String.fromCharCode(0x20 + int(random, 95)) : pick(random, TEXT_POOL);
  return text;
}

/** A random number or bigint: small ints, ints around 2^53, bigints beyond it, floats of every magnitude. */
export function randomNumber(random: Random): number | bigint {
  switch (int(random, 6)) {
    case 0:
      return int(random, 200) - 100;
    case 1:
      return (random() < 0.5 ? -1 : 1) * (Number.MAX_SAFE_INTEGER - int(random, 1000));
    case 2: {
      const magnitude = 2n ** BigInt(53 + int(random, 80)) + BigInt(int(random, 1_000_000));
      return random() < 0.5 ? -magnitude : magnitude;
    }
    case 3:
      return (random() - 0.5) * 10 ** (int(random, 40) - 20);
    case 4:
      return pick(random, [0.1, 1.5, -2.25, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 123456789.123]);
    default:
      return int(random, 2 ** 31) * (random() < 0.5 ? -1 : 1);
  }
}

/** A random JSON message (plus bigints), nested up to `depth` levels. */
export function randomValue(random: Random, depth = 4): unknown {
  const kind = int(random, depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
    case 3:
      return randomNumber(random);
    case 4:
    case 5:
      return randomText(random);
    case 6:
    case 7:
      return Array.from({ length: int(random, 6) }, () => randomValue(random, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      const size = int(random, 6);
      for (let i = 0; i < size; i++) {
        const key = random() < 0.05 ? '__proto__' : randomText(random);
        Object.defineProperty(object, key, { value: randomValue(random, depth - 1), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
  }
}

/**
 * What `value` decodes to after a JSON round trip: -0 becomes 0 (JSON has no
 * negative zero), and an integral number outside the safe range written
 * without an exponent comes back as the bigint of its written digits.
 */
export function roundTripped(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return 0;
    // JSON writes a double's shortest digits (2 ** 62 + 1 as 4611686018427388000), read back exactly.
    if (Number.isInteger(value) && !Number.isSafeInteger(value) && !String(value).includes('e')) return BigInt(String(value));
    return value;
  }
  if (Array.isArray(value)) return value.map(roundTripped);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(result, key, {
        value: roundTripped((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
  return value;
}
