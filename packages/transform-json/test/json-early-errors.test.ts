// A byte that cannot continue a valid value is a DecodeError as soon as it
// arrives, even inside a bracket or a string that is never closed (issue 14:
// `{[: "x"}` followed by valid messages was reported only at maxMessageSize or
// at close, so up to 16 MiB of later messages vanished with no error). And an
// integer longer than maxIntegerDigits is refused at its first digit too many.
import { describe, expect, test } from '@jest/globals';
import { DecodeError } from '@cbor-rpc/core';
import { DEFAULT_MAX_INTEGER_DIGITS, JsonStreamTransformer, JsonTransformer } from '../src/index.js';
import type { JsonTransformerOptions } from '../src/index.js';
import { concat, decodeStream, int, mulberry32, pick, splits, utf8 } from './helpers.js';

const valid = '[1,0,1,"add",[5,10]]\n'.repeat(3);

/** Feeds `chunks` without closing the stream: the error must come from a chunk, not from the close. */
function feed(chunks: Uint8Array[], options?: JsonTransformerOptions): { messages: unknown[]; error: DecodeError | undefined; failedAt: number } {
  const transformer = new JsonStreamTransformer(options);
  const messages: unknown[] = [];
  for (let i = 0; i < chunks.length; i++) {
    try {
      transformer.decodeChunk(chunks[i]!, messages);
    } catch (error) {
      if (!DecodeError.isInstance(error)) throw error;
      return { messages, error, failedAt: i };
    }
  }
  return { messages, error: undefined, failedAt: -1 };
}

describe('syntax errors inside values that never close, followed by valid messages', () => {
  test.each<[string, string | Uint8Array, number, RegExp]>([
    ['the issue\'s {[: "x"}', '{[: "x"}', 1, /expected a string key, found '\['/],
    ['a value where a key should be', '{1:2', 1, /expected a string key, found '1'/],
    ['two values without a comma', '["a" "b"', 5, /expected ',' or '\]', found '"'/],
    ['a missing colon', '{"a" 1', 5, /expected ':', found '1'/],
    ['a stray colon in an array', '[1:', 2, /expected ',' or '\]', found ':'/],
    ['a closing brace for a bracket', '[[1}', 3, /expected ',' or '\]', found '}'/],
    ['a bad escape in an open string', '["a\\q', 3, /invalid escape/],
    ['a bad \\u escape in an open string', '["\\u12x', 2, /invalid \\u escape/],
    ['a raw newline in an open string', '["line\nnext', 6, /unescaped character U\+000A/],
    ['invalid UTF-8 in an open string', concat([utf8('["ab'), new Uint8Array([0xc0, 0xaf])]), 4, /Invalid UTF-8/],
    ['a continuation byte that cannot follow', concat([utf8('["'), new Uint8Array([0xe2, 0x28])]), 2, /Invalid UTF-8/],
    ['a number with a second point', '[1.2.', 4, /expected ',' or '\]', found '\.'/],
    ['a sign without digits', '[-x', 2, /invalid number/],
    ['a broken literal', '[nulx', 4, /invalid literal \(expected null\)/],
    ['a non-ASCII byte between values', concat([utf8('[1,'), new Uint8Array([0xc3, 0xa9])]), 3, /byte 0xc3 where a value should start/],
  ])('%s', (_name, bad, at, message) => {
    const prefix = utf8(valid);
    const stream = concat([prefix, typeof bad === 'string' ? utf8(bad) : bad, utf8(valid)]);
    for (const [split, cut] of Object.entries(splits)) {
      const { messages, error } = feed(cut(stream, mulberry32(5)));
      expect({ split, found: error?.message }).toEqual({ split, found: expect.stringMatching(message) });
      expect(error!.offset).toBe(prefix.length + at);
      expect(messages).toHaveLength(3);
    }
  });

  test('the error comes with the chunk that holds the bad byte, not later', () => {
    const chunks = [utf8(`${valid}{`), utf8('['), utf8(`: "x"}\n${valid}`)];
    const { messages, failedAt, error } = feed(chunks);
    expect(failedAt).toBe(1);
    expect(error!.offset).toBe(utf8(valid).length + 1);
    expect(messages).toHaveLength(3);
  });
});

describe('UTF-8 in strings', () => {
  test('random bytes in a string are accepted exactly when a fatal TextDecoder accepts them, and refused at the same byte, however the stream is cut', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const decodes = (bytes: Uint8Array) => {
      try {
        fatal.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Characters of every encoded length, at the edges of their ranges, and single bytes: leads of every
    // length and the edges of the continuation ranges (overlong forms, surrogates, past U+10FFFF).
    const characters = ['A', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}'].map(utf8);
    const bytes = [0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const prefix = utf8(`${valid}["`);
    let invalid = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const random = mulberry32(seed);
      const pieces = Array.from({ length: 1 + int(random, 6) }, () => (random() < 0.85 ? pick(random, characters) : Uint8Array.of(pick(random, bytes))));
      const text = concat(pieces);
      const stream = concat([prefix, text, utf8('"]\n'), utf8(valid)]);
      // The longest prefix that decodes: an ill-formed sequence starts right after it.
      let decodable = text.length;
      while (!decodes(text.subarray(0, decodable))) decodable--;
      if (decodable < text.length) invalid++;
      for (const [split, cut] of Object.entries(splits)) {
        const { messages, error } = decodeStream(cut(stream, mulberry32(seed)));
        if (decodable === text.length) {
          expect({ seed, split, error, messages: messages.length }).toEqual({ seed, split, error: undefined, messages: 7 });
        } else {
          const { message, offset } = error as DecodeError;
          expect({ seed, split, messages: messages.length, message, offset }).toEqual({
            seed,
            split,
            messages: 3,
            message: expect.stringMatching(/Invalid UTF-8/),
            offset: prefix.length + decodable,
          });
        }
      }
    }
    expect(invalid).toBeGreaterThan(100);
    expect(invalid).toBeLessThan(300);
  });
});

describe('maxIntegerDigits', () => {
  const digits = (n: number, first = '7') => first + '1'.repeat(n - 1);

  test("the default is Python's 4300 digits: 4300 are read exactly, one more is refused at that digit", () => {
    expect(DEFAULT_MAX_INTEGER_DIGITS).toBe(4300);
    expect(decodeStream([utf8(`[1,2,3,true,${digits(4300)}]`)]).messages).toEqual([[1, 2, 3, true, BigInt(digits(4300))]]);
    const refused = decodeStream([utf8(`[1,2,3,true,-${digits(4301)}]`)]);
    expect(refused.messages).toEqual([]);
    expect((refused.error as DecodeError).message).toMatch(/Integer of more than 4300 digits \(maxIntegerDigits\) \(at byte 4313\)/);
  });

  test('a lower limit, in every split, in a protocol slot, at the top level and in a framed chunk', () => {
    const options = { maxIntegerDigits: 20 };
    for (const [split, cut] of Object.entries(splits)) {
      const stream = utf8(`[${digits(20)},0] [${digits(21)},0,1,"add",[5,10]]`);
      const result = decodeStream(cut(stream, mulberry32(3)), options);
      expect({ split, messages: result.messages }).toEqual({ split, messages: [[BigInt(digits(20)), 0]] });
      expect({ split, offset: (result.error as DecodeError).offset }).toEqual({ split, offset: 26 + 20 }); // the 21st digit
    }
    expect((decodeStream([utf8(`${digits(21)}`)], options).error as DecodeError).offset).toBe(20);
    expect(() => new JsonTransformer(options).decode(utf8(`{"a":${digits(25)}}`))).toThrow(
      /Integer of more than 20 digits \(maxIntegerDigits\) \(at byte 25\)/,
    );
  });

  test('fractions and exponents are not capped (JSON.parse reads them in linear time)', () => {
    const options = { maxIntegerDigits: 5 };
    expect(decodeStream([utf8(`[0.${'1'.repeat(5000)},12345e${'0'.repeat(3000)}1]`)], options).messages).toEqual([[0.1111111111111111, 123450]]);
  });

  test('16,000,000 digits are refused at once, not parsed', () => {
    const huge = new Uint8Array(16_000_002).fill(0x37);
    huge[0] = 0x5b; // '['
    const start = performance.now();
    const { error } = feed([huge]);
    expect(error!.offset).toBe(1 + 4300);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test('the option must be a positive integer', () => {
    expect(() => new JsonStreamTransformer({ maxIntegerDigits: 0 })).toThrow(RangeError);
  });
});
