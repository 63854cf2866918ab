// Any split of a valid byte stream gives the same messages, in order, each as
// soon as its last byte arrives.

import { describe, expect, test } from '@jest/globals';
import { decode } from 'cbor2';
import { CborStreamTransformer, encodeCbor } from '../src/index.js';
import { concat, difference, int, mulberry32, randomMessage } from './helpers.js';
import type { Random } from './helpers.js';

/** Feeds `chunks` to a fresh stream transformer, then closes it; returns every message. */
function feed(chunks: readonly Uint8Array[], options = {}): unknown[] {
  const transformer = new CborStreamTransformer(options);
  const out: unknown[] = [];
  for (const chunk of chunks) transformer.decodeChunk(chunk, out);
  transformer.finish();
  return out;
}

/** Cuts `bytes` into pieces of random sizes below `max` (views, no copies), with some empty pieces. */
function randomSplit(random: Random, bytes: Uint8Array, max: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (random() < 0.02) chunks.push(bytes.subarray(at, at));
    const size = 1 + int(random, max);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function stream(seed: number, count: number): { bytes: Uint8Array; ends: number[]; expected: unknown[] } {
  const random = mulberry32(seed);
  const encoded = Array.from({ length: count }, () => encodeCbor(randomMessage(random)));
  let end = 0;
  return {
    bytes: concat(encoded),
    ends: encoded.map((item) => (end += item.length)),
    expected: encoded.map((item) => decode(item)),
  };
}

describe('splitting the stream', () => {
  const { bytes, ends, expected } = stream(7, 300);

  test('one chunk holding every message', () => {
    expect(difference(feed([bytes]), expected)).toBeUndefined();
  });

  test('one byte at a time: each message comes out exactly when its last byte arrives', () => {
    const transformer = new CborStreamTransformer();
    const out: unknown[] = [];
    let complete = 0;
    for (let at = 0; at < bytes.length; at++) {
      transformer.decodeChunk(bytes.subarray(at, at + 1), out);
      while (complete < ends.length && ends[complete]! <= at + 1) complete++;
      if (out.length !== complete) throw new Error(`after byte ${at} expected ${complete} messages, got ${out.length}`);
    }
    transformer.finish();
    expect(difference(out, expected)).toBeUndefined();
  });

  test('one chunk per message, and chunks cut one byte before and after each boundary', () => {
    const perMessage = ends.map((end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1]!, end));
    expect(difference(feed(perMessage), expected)).toBeUndefined();
    for (const shift of [-1, 1]) {
      const cuts = [0, ...ends.slice(0, -1).map((end) => end + shift), bytes.length];
      const chunks = cuts.slice(1).map((cut, i) => bytes.subarray(cuts[i]!, cut));
      expect(difference(feed(chunks), expected)).toBeUndefined();
    }
  });

  test.each([3, 17, 100, 1000, 8192])('random chunk sizes up to %i bytes, with empty chunks', (max) => {
    const random = mulberry32(max);
    for (let round = 0; round < 5; round++) {
      expect(difference(feed(randomSplit(random, bytes, max)), expected)).toBeUndefined();
    }
  });

  test('chunks that are Buffers still give plain Uint8Array byte strings', () => {
    const message = [1, 2, 1, true, { blob: new Uint8Array(3000).fill(5), small: new Uint8Array([1]) }];
    const whole = Buffer.from(encodeCbor(message));
    for (const chunks of [[whole], randomSplit(mulberry32(1), whole, 700)]) {
      const [decoded] = feed(chunks) as Array<[number, number, number, boolean, Record<string, Uint8Array>]>;
      expect(decoded![4].blob!.constructor).toBe(Uint8Array);
      expect(decoded![4].small!.constructor).toBe(Uint8Array);
      expect(difference(decoded, message)).toBeUndefined();
    }
  });
});

describe('one big message across many chunks', () => {
  const random = mulberry32(99);
  const message = [
    1,
    2,
    2n ** 53n + 7n,
    true,
    {
      blob: Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff),
      text: 'payload \u{1F600} é 中'.repeat(5000),
      numbers: Array.from({ length: 20000 }, (_, i) => (i % 3 === 0 ? i * 1.5 : i % 3 === 1 ? -i : 2n ** 64n - BigInt(i))),
      nested: Array.from({ length: 500 }, () => randomMessage(random)),
    },
  ];
  const bytes = encodeCbor(message);
  const expected = decode(bytes);

  test.each([1000, 8192, 65536])('in chunks of %i bytes, between two small messages', (size) => {
    const small = encodeCbor([1, 3, 9]);
    const all = concat([small, bytes, small]);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < all.length; at += size) chunks.push(all.subarray(at, at + size));
    expect(chunks.length).toBeGreaterThan(20);
    const out = feed(chunks);
    expect(out).toHaveLength(3);
    expect(difference(out, [[1, 3, 9], expected, [1, 3, 9]])).toBeUndefined();
  });

  test('one byte per chunk: framing keeps its place, so this is a million small steps, not a million rescans', () => {
    const chunks = Array.from({ length: bytes.length }, (_, at) => bytes.subarray(at, at + 1));
    expect(chunks.length).toBeGreaterThan(1_000_000);
    expect(difference(feed(chunks), [expected])).toBeUndefined();
  });

  test('in random chunk sizes', () => {
    expect(difference(feed(randomSplit(mulberry32(5), bytes, 20000)), [expected])).toBeUndefined();
  });
});

describe('seeded property: random nested messages survive any split', () => {
  test.each([101, 102, 103, 104, 105, 106, 107, 108])('seed %i', (seed) => {
    const random = mulberry32(seed);
    const messages = Array.from({ length: 60 }, () => randomMessage(random));
    const bytes = concat(messages.map((message) => encodeCbor(message)));
    // The messages themselves are the oracle: ints beyond 2^53 are bigints,
    // binary is Uint8Array and maps are plain objects on both sides.
    const expected = messages.map((message) => decode(encodeCbor(message)));
    expect(difference(expected, messages.map(normalise))).toBeUndefined();
    for (const max of [1, 2, 5, 64, 4096]) {
      expect(difference(feed(randomSplit(random, bytes, max)), expected)).toBeUndefined();
    }
  });
});

/**
 * What a message reads back as: lone surrogates cannot survive UTF-8, and a
 * bigint comes back as a number when a number holds it (cbor2 writes the
 * shortest integer), everything else survives as is.
 */
function normalise(value: unknown): unknown {
  if (typeof value === 'string') return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(value));
  if (typeof value === 'bigint') return value >= -(2n ** 53n) && value < 2n ** 53n ? Number(value) : value;
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    Object.defineProperty(out, normalise(key) as string, { value: normalise(entry), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
