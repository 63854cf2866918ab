// Large byte strings on a byte stream: written from the caller's memory in
// chunks of their own, not copied into the encoding; read back by copying a
// message split across chunks once, into a buffer of the message's size.

import { describe, expect, test } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import { decode } from 'cbor2';
import { EncodeError, EventPipe, LARGE_CHUNK_SIZE } from '@cbor-rpc/core';
import { until } from '@cbor-rpc/test-support/timing';
import { CborStreamTransformer } from '../src/index.js';
import { concat, int, mulberry32, type Random } from './helpers.js';

/** Bytes that differ from one position to the next, so a shifted or mixed-up copy shows. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function chunksOf(message: unknown, transformer = new CborStreamTransformer()): Uint8Array[] {
  const out: Uint8Array[] = [];
  transformer.encodeChunks(message, out);
  return out;
}

const big = pattern(LARGE_CHUNK_SIZE, 1);
const bigger = pattern(3 * LARGE_CHUNK_SIZE + 5, 2);
const almost = pattern(LARGE_CHUNK_SIZE - 1, 3);

describe('encodeChunks', () => {
  const floats = new Float64Array(LARGE_CHUNK_SIZE / 8).fill(0.5);
  test.each([
    ['a call with one large argument', [1, 0, 7, 'echo', [big]], [big.buffer]],
    ['a reply holding a large value', [1, 2, 7, true, bigger], [bigger.buffer]],
    ['two large strings and small values around them, one under the size', { a: big, b: 'text', c: [bigger, 1.5], d: almost }, [big.buffer, bigger.buffer]],
    ['a string one byte under the size', [1, 2, 7, true, almost], []],
    ['a large typed array, as its bytes', [floats], [floats.buffer]],
  ] as [string, unknown, ArrayBufferLike[]][])(
    "%s: each large byte string is a chunk of its own, the caller's memory, and the bytes are those encode gives",
    (_, message, borrowed) => {
      const transformer = new CborStreamTransformer();
      const chunks = chunksOf(message, transformer);
      // Chunks that are the caller's memory, in order; the rest are the encoder's own.
      const callers = [big.buffer, bigger.buffer, almost.buffer, floats.buffer];
      expect(chunks.map((chunk) => chunk.buffer).filter((buffer) => callers.includes(buffer))).toEqual(borrowed);
      const joined = concat(chunks);
      expect(Buffer.compare(joined, transformer.encode(message))).toBe(0);
      expect(isDeepStrictEqual(decode(joined), message)).toBe(true);
    },
  );

  test('a message over maxMessageSize is an EncodeError and leaves out as it was', () => {
    const transformer = new CborStreamTransformer({ maxMessageSize: LARGE_CHUNK_SIZE + 10 });
    const out = [Uint8Array.of(1)];
    expect(() => transformer.encodeChunks([bigger], out)).toThrow(EncodeError);
    expect(out).toEqual([Uint8Array.of(1)]);
    transformer.encodeChunks([big], out); // exactly fits: a 5-byte head and the array's
    expect(out.length).toBe(3);
  });

  test('a message that fails after its large byte strings leaves a non-empty out as it was, and the next one encodes', () => {
    const transformer = new CborStreamTransformer();
    const first = [1, 0, 1, 'echo', [big]];
    const out = chunksOf(first, transformer);
    const entries = [...out];
    const bytes = out.map((chunk) => chunk.slice());
    expect(() => transformer.encodeChunks([1, 0, 2, 'echo', [big, 'between', bigger, () => 1]], out)).toThrow(EncodeError);
    expect(out.length).toBe(entries.length);
    for (const [i, chunk] of out.entries()) {
      expect(chunk).toBe(entries[i]);
      expect(Buffer.compare(chunk, bytes[i]!)).toBe(0);
    }
    const next = [1, 2, 1, true, bigger];
    transformer.encodeChunks(next, out);
    expect(isDeepStrictEqual(feed([concat(out)]), [first, next])).toBe(true);
  });

  test('a getter that writes to another pipe part-way through a message, after a large byte string, leaves both messages whole', async () => {
    const [bytesA, peerA] = EventPipe.createInMemoryPair<Uint8Array>();
    const [bytesB, peerB] = EventPipe.createInMemoryPair<Uint8Array>();
    const receivedA: Uint8Array[] = [];
    const receivedB: Uint8Array[] = [];
    peerA.on('data', (chunk) => receivedA.push(chunk));
    peerB.on('data', (chunk) => receivedB.push(chunk));
    const pipeA = new CborStreamTransformer().applyTransformer(bytesA);
    const pipeB = new CborStreamTransformer().applyTransformer(bytesB);
    let nested: Promise<boolean> | undefined;
    const message = {
      a: big,
      get b() {
        nested = pipeB.write([1, 3, 1]);
        return 'b';
      },
    };
    await pipeA.write(message);
    await nested;
    const whole = (received: Uint8Array[], length: number) => received.reduce((sum, chunk) => sum + chunk.length, 0) >= length;
    const encodedA = new CborStreamTransformer().encode({ a: big, b: 'b' });
    await until(() => whole(receivedA, encodedA.length) && whole(receivedB, 4));
    expect(isDeepStrictEqual([feed([concat(receivedA)]), feed([concat(receivedB)])], [[{ a: big, b: 'b' }], [[1, 3, 1]]])).toBe(true);
  });

  test('a getter that encodes while a message is being encoded gets bytes of its own', () => {
    const inner = new CborStreamTransformer();
    const message = {
      get nested() {
        return concat(chunksOf([big], inner));
      },
      after: big,
    };
    const joined = concat(chunksOf(message));
    expect(isDeepStrictEqual(decode(joined), { nested: concat(chunksOf([big])), after: big })).toBe(true);
  });
});

/** Cuts `bytes` into pieces of random sizes below `max` (views, no copies). */
function randomSplit(random: Random, bytes: Uint8Array, max: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + int(random, max);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

function feed(pieces: readonly Uint8Array[]): unknown[] {
  const transformer = new CborStreamTransformer();
  const out: unknown[] = [];
  for (const piece of pieces) transformer.decodeChunk(piece, out);
  transformer.finish();
  return out;
}

describe('decoding a message split across chunks', () => {
  const message = [1, 2, 7, true, pattern(1024 * 1024 + 3, 4)];
  const encoded = concat(chunksOf(message));

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('random splits (seed %i): the bytes are right, in a buffer of exactly the message size', (seed) => {
    const random = mulberry32(seed);
    // Small pieces, as a slow link delivers, and large ones, as a fast socket does.
    const pieces = randomSplit(random, encoded, seed % 2 === 0 ? 70_000 : 5_000);
    const [decoded] = feed(pieces) as [unknown[]];
    const bytes = decoded[4] as Uint8Array;
    expect(Buffer.compare(bytes, message[4] as Uint8Array)).toBe(0);
    // Made once, when the heads announced the size, and filled as the chunks came: nothing grown or joined at the end.
    expect(bytes.buffer.byteLength).toBe(encoded.length);
    for (const piece of pieces) expect(bytes.buffer).not.toBe(piece.buffer);
  });

  test('the chunks are copied as they come, once a quarter of the message is in: the message is right though they are overwritten after that', () => {
    const pieces = randomSplit(mulberry32(11), encoded, 20_000).map((piece) => piece.slice());
    const transformer = new CborStreamTransformer();
    const out: unknown[] = [];
    let fed = 0;
    for (const [i, piece] of pieces.entries()) {
      transformer.decodeChunk(piece, out);
      fed += piece.length;
      if (fed * 4 >= encoded.length) for (const done of pieces.slice(0, i + 1)) done.fill(0);
    }
    expect(isDeepStrictEqual(out, [message])).toBe(true);
  });

  test('the same message among small ones, split at random', () => {
    const small = [1, 0, 1, 'add', [5, 10]];
    const stream = concat([...chunksOf(small), ...chunksOf(message), ...chunksOf(small)]);
    const out = feed(randomSplit(mulberry32(9), stream, 30_000));
    expect(isDeepStrictEqual(out, [small, message, small])).toBe(true);
  });

  test('many small values after a large string (the buffer grows as they come) are right too', () => {
    const mixed = { a: pattern(200_000, 8), b: Array.from({ length: 60_000 }, (_, i) => i * 7), c: 'end' };
    const out = feed(randomSplit(mulberry32(12), concat(chunksOf(mixed)), 64 * 1024));
    expect(isDeepStrictEqual(out, [mixed])).toBe(true);
  });

  test('a message with several large strings, each announced only when its head arrives, is right too', () => {
    const several = { a: pattern(300_000, 5), b: 'between', c: pattern(700_000, 6), d: [pattern(100_000, 7)] };
    const out = feed(randomSplit(mulberry32(10), concat(chunksOf(several)), 64 * 1024));
    expect(isDeepStrictEqual(out, [several])).toBe(true);
  });
});
