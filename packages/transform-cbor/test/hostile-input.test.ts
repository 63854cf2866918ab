// Malformed and hostile input: every case is a DecodeError that says what was
// wrong and at which byte of the stream, thrown after every complete message
// before it was handed out, and before anything big is allocated.

import { describe, expect, test } from '@jest/globals';
import { DecodeError, EncodeError } from '@cbor-rpc/core';
import { CborStreamTransformer, CborTransformer, decodeCbor, encodeCbor } from '../src/index.js';
import type { CborOptions } from '../src/index.js';
import { concat, fromHex } from './helpers.js';

interface Outcome {
  out: unknown[];
  error: DecodeError | undefined;
  /** Index of the chunk whose decoding threw (chunks.length when `finish` threw). */
  failedAt: number;
}

/** Feeds `chunks` (hex or bytes) to a fresh stream transformer and closes it, catching the failure. */
function run(chunks: ReadonlyArray<string | Uint8Array>, options: CborOptions = {}): Outcome {
  const transformer = new CborStreamTransformer(options);
  const out: unknown[] = [];
  let i = 0;
  try {
    for (; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      transformer.decodeChunk(typeof chunk === 'string' ? fromHex(chunk) : chunk, out);
    }
    transformer.finish();
    return { out, error: undefined, failedAt: -1 };
  } catch (error) {
    if (!DecodeError.isInstance(error)) throw error;
    return { out, error, failedAt: i };
  }
}

const good = '83010301'; // [1, 3, 1]: four bytes

/** Asserts the failure: its message, its offset in the stream and the good messages before it. */
function expectFailure(outcome: Outcome, message: RegExp, offset: number, delivered: number): void {
  expect(outcome.error).toBeInstanceOf(DecodeError);
  expect(outcome.error!.message).toMatch(message);
  expect(outcome.error!.message).toContain(`(at byte ${offset})`);
  expect(outcome.error!.offset).toBe(offset);
  expect(outcome.out).toHaveLength(delivered);
  for (const message of outcome.out) expect(message).toEqual([1, 3, 1]);
}

describe('sizes beyond maxMessageSize fail when the head arrives', () => {
  test('a byte string declaring 2^62 bytes fails on its 9-byte head alone', () => {
    const outcome = run([good + good, '5b4000000000000000']);
    expectFailure(outcome, /byte string of 4611686018427387904 bytes makes the message exceed maxMessageSize \(16777216 bytes\)/, 8, 2);
    expect(outcome.failedAt).toBe(1);
  });

  test('a text string declaring 2^62 bytes inside an array fails on its head, even split across chunks', () => {
    const outcome = run([good, '82017b40', '0000', '00000000', '00']);
    expectFailure(outcome, /text string of 4611686018427387904 bytes/, 6, 1);
    expect(outcome.failedAt).toBe(4);
  });

  test('an array declaring 2^32 items fails at once: each item takes at least a byte', () => {
    expectFailure(run([good, '9b0000000100000000']), /array of 4294967296 entries cannot fit in maxMessageSize/, 4, 1);
  });

  test('a map declaring 2^23 entries (2^24 items) fails at once', () => {
    expectFailure(run(['ba00800000']), /map of 8388608 entries cannot fit/, 0, 0);
  });

  test('nested declarations add up: a small array whose items together cannot fit', () => {
    // [x, y, z] with room for 100 bytes: the third string of 40 bytes is one too many.
    const text = `7828${'61'.repeat(40)}`;
    expectFailure(
      run([`83${text}${text}${text}`], { maxMessageSize: 100 }),
      /text string of 40 bytes makes the message exceed maxMessageSize \(100 bytes\)/,
      85,
      0,
    );
  });

  test('a message of exactly maxMessageSize bytes passes, one byte more fails at its head', () => {
    const exact = `5862${'07'.repeat(98)}`; // 100 bytes
    expect(run([exact], { maxMessageSize: 100 }).out).toHaveLength(1);
    expectFailure(run([good, exact], { maxMessageSize: 99 }), /byte string of 98 bytes/, 4, 1);
  });

  test('writing: a message over maxMessageSize is an EncodeError, so nothing a peer with the same limit refuses is sent', () => {
    for (const transformer of [new CborStreamTransformer({ maxMessageSize: 100 }), new CborTransformer({ maxMessageSize: 100 })]) {
      expect(transformer.encode(new Uint8Array(98))).toHaveLength(100); // 2-byte head + 98: exactly at the limit
      expect(() => transformer.encode(new Uint8Array(99))).toThrow(
        new EncodeError('Cannot encode a message of 101 bytes: larger than maxMessageSize (100 bytes)'),
      );
      expect(transformer.encode([1, 2])).toHaveLength(3); // and it goes on working
    }
  });

  test('the limit is per message, not per stream', () => {
    const message = encodeCbor([1, 2, 1, true, 'x'.repeat(60)]);
    const outcome = run([concat(Array.from({ length: 50 }, () => message))], { maxMessageSize: message.length });
    expect(outcome.error).toBeUndefined();
    expect(outcome.out).toHaveLength(50);
  });
});

describe('malformed input', () => {
  test.each([
    ['1c', 'initial byte 0x1c', 28],
    ['3d', 'initial byte 0x3d', 29],
    ['5e', 'initial byte 0x5e', 30],
    ['7c', 'initial byte 0x7c', 28],
    ['9d', 'initial byte 0x9d', 29],
    ['be', 'initial byte 0xbe', 30],
    ['dc', 'initial byte 0xdc', 28],
    ['fd', 'initial byte 0xfd', 29],
  ])('reserved additional information: %s', (bad, text, info) => {
    const outcome = run([`${good + good}82${bad}`]);
    expectFailure(outcome, new RegExp(`Reserved additional information ${info} in ${text}`), 9, 2);
  });

  test('a stray break byte at the top level', () => {
    expectFailure(run([good, 'ff']), /Unexpected break byte \(0xff\) outside an indefinite-length item/, 4, 1);
  });

  test('a break byte inside a definite-length array', () => {
    expectFailure(run([`${good}8301ff`]), /Unexpected break byte/, 6, 1);
  });

  test('a simple value below 32 written in an extra byte', () => {
    expectFailure(run([good, '8201f814']), /Simple value 20 must be written in the initial byte/, 6, 1);
  });

  test('indefinite length for integers, tags and simple values', () => {
    expectFailure(run([good, '1f']), /Indefinite length is not allowed for a unsigned integer/, 4, 1);
    expectFailure(run([good, '3f']), /Indefinite length is not allowed for a negative integer/, 4, 1);
    expectFailure(run([good, 'df']), /Indefinite length is not allowed for a tag/, 4, 1);
  });

  test.each([
    ['an invalid continuation', '62c328', 0],
    ['a lone continuation byte', '6180', 0],
    ['an overlong NUL', '62c080', 0],
    ['an encoded surrogate', '63eda080', 0],
    ['a code point above U+10FFFF', '64f4908080', 0],
    ['a truncated sequence', '62e282', 0],
    ['a long text with one bad byte (the TextDecoder path)', `7820${'61'.repeat(31)}ff`, 0],
  ])('invalid UTF-8 in text: %s', (_name, text, at) => {
    expectFailure(run([good, text]), /Invalid UTF-8 in text string/, 4 + at, 1);
  });

  test('invalid UTF-8 deep inside a message and in a map key points at that string', () => {
    expectFailure(run([good, '830102' + '81' + '62c328']), /Invalid UTF-8/, 8, 1);
    expectFailure(run([`${good}a261610161ff02`]), /Invalid UTF-8/, 8, 1);
  });

  test('invalid UTF-8 in a message split across chunks points at the stream offset', () => {
    expectFailure(run([good, '8361', '61', '01', '62c3', '28']), /Invalid UTF-8/, 8, 1);
  });

  test('content that cbor2 rejects (a bignum tag around text) is a DecodeError at the tag', () => {
    expectFailure(run([good, '8201c26161']), /Cannot decode CBOR item: .*/, 6, 1);
  });
});

describe('nesting beyond maxDepth', () => {
  test('256 nested arrays pass by default, 257 fail at the head of the 257th', () => {
    expect(run([`${'81'.repeat(255)}80`]).out).toHaveLength(1);
    expectFailure(run([good, `${'81'.repeat(256)}80`]), /Nesting deeper than maxDepth \(256\)/, 4 + 256, 1);
  });

  test('maps and tags count as levels too, in 1-byte chunks', () => {
    // {"a": tag 4096({"a": tag 4096({"a": tag 4096(0)})})}: six levels, the sixth (a tag) at byte 15.
    const deep = `${('a16161' + 'd91000').repeat(3)}00`;
    expect(run([deep], { maxDepth: 6 }).out).toHaveLength(1);
    const bytes = Array.from(fromHex(deep), (byte) => byte.toString(16).padStart(2, '0'));
    expectFailure(run([good, ...bytes], { maxDepth: 5 }), /maxDepth \(5\)/, 4 + 15, 1);
  });

  test('a hostile depth of a million fails fast without a stack overflow', () => {
    expectFailure(run([good, '81'.repeat(1_000_000)]), /maxDepth/, 4 + 256, 1);
  });
});

describe('indefinite lengths', () => {
  test('are refused by default, saying which option allows them', () => {
    expectFailure(run([good, '9f01ff']), /Indefinite-length array is not allowed \(allowIndefinite is off\)/, 4, 1);
    expectFailure(run([good, '5f4101ff']), /Indefinite-length byte string is not allowed/, 4, 1);
  });

  test('decode when allowed, also split byte by byte', () => {
    const bytes = '9f' + '5f42010243030405ff' + '7f6161626263ff' + 'bf6161f5ff' + 'ff';
    const expected = [new Uint8Array([1, 2, 3, 4, 5]), 'abc', { a: true }];
    expect(run([bytes], { allowIndefinite: true }).out).toEqual([expected]);
    const single = Array.from(fromHex(bytes), (byte) => fromHex(byte.toString(16).padStart(2, '0')));
    expect(single).toHaveLength(bytes.length / 2);
    expect(run(single, { allowIndefinite: true }).out).toEqual([expected]);
  });

  test('malformed ones fail even when allowed', () => {
    const options = { allowIndefinite: true };
    expectFailure(
      run([good, '5f6161ff'], options),
      /A chunk of an indefinite-length byte string must be a definite-length byte string, got a text string/,
      5,
      1,
    );
    expectFailure(run([good, '7f7fffff'], options), /must be a definite-length text string, got an indefinite-length text string/, 5, 1);
    expectFailure(run([good, '7f01ff'], options), /got a unsigned integer/, 5, 1);
    expectFailure(run([good, 'bf6161ff'], options), /Indefinite-length map ends after a key that has no value/, 7, 1);
  });
});

describe('the stream closing in the middle of a message', () => {
  test('finish reports the partial message and where it started', () => {
    const outcome = run([good + good, '850102']);
    expectFailure(outcome, /Input ended inside a CBOR item: only 3 byte\(s\) of it arrived/, 8, 2);
    expect(outcome.failedAt).toBe(2);
  });

  test('a head cut in the middle and a string cut in its payload are partial too', () => {
    expectFailure(run([good, '1a0001']), /only 3 byte/, 4, 1);
    expectFailure(run([good, '6568656c']), /only 4 byte/, 4, 1);
  });

  test('nothing left over: finish is quiet', () => {
    expect(run([good, good]).error).toBeUndefined();
  });
});

describe('after a failure', () => {
  test('later chunks throw the same error and no message is invented; finish stays quiet', () => {
    const transformer = new CborStreamTransformer();
    const out: unknown[] = [];
    expect(() => transformer.decodeChunk(fromHex(`${good}ff${good}`), out)).toThrow(DecodeError);
    expect(out).toEqual([[1, 3, 1]]);
    let again: unknown;
    try {
      transformer.decodeChunk(fromHex(good), out);
    } catch (error) {
      again = error;
    }
    expect(DecodeError.isInstance(again) && again.offset).toBe(4);
    expect(out).toHaveLength(1);
    expect(() => transformer.finish()).not.toThrow();
  });
});

describe('one chunk, one message (CborTransformer and decodeCbor)', () => {
  const transformer = new CborTransformer({ maxMessageSize: 1000 });

  test('extra bytes after the item', () => {
    expect(() => transformer.decode(fromHex(`${good}01`))).toThrow(/Extra bytes after the CBOR item \(1 of them\) \(at byte 4\)/);
  });

  test('an incomplete item and an empty chunk', () => {
    expect(() => transformer.decode(fromHex('8301'))).toThrow(/Input ended inside a CBOR item: only 2 byte\(s\)/);
    expect(() => transformer.decode(new Uint8Array(0))).toThrow(/Empty input holds no CBOR item/);
  });

  test('the same limits as the stream transformer, and it recovers for the next chunk', () => {
    expect(() => transformer.decode(fromHex('5b4000000000000000'))).toThrow(/maxMessageSize \(1000 bytes\)/);
    expect(transformer.decode(fromHex(good))).toEqual([1, 3, 1]);
    expect(() => decodeCbor(fromHex(`${'81'.repeat(10)}00`), { maxDepth: 9 })).toThrow(/maxDepth \(9\) \(at byte 9\)/);
  });
});
