import { describe, expect, test } from '@jest/globals';
import { DecodeError, EventPipe, Pipe } from '@cbor-rpc/core';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_MESSAGE_SIZE, JsonStreamTransformer } from '../src/index.js';
import type { JsonTransformerOptions } from '../src/index.js';
import { concat, decodeStream, mulberry32, splits, utf8 } from './helpers.js';

interface Case {
  name: string;
  stream: Uint8Array;
  /** The complete messages before the bad one: all delivered. */
  before: unknown[];
  /** Stream offset of the bad byte. */
  offset: number;
  error: RegExp;
  options?: JsonTransformerOptions;
}

const good = '[1,0,1,"add",[5,10]]\n{"ok":"é"} ';
const goodMessages = [[1, 0, 1, 'add', [5, 10]], { ok: 'é' }];
const goodLength = utf8(good).length;

/** A case whose stream is the good prefix followed by `bad`; `at` is the bad byte's offset within `bad`. */
function after(name: string, bad: string | Uint8Array, at: number, error: RegExp, options?: JsonTransformerOptions): Case {
  const tail = typeof bad === 'string' ? utf8(bad) : bad;
  return { name, stream: concat([utf8(good), tail]), before: goodMessages, offset: goodLength + at, error, options };
}

const cases: Case[] = [
  after('trailing comma', '[1,2,]', 5, /Malformed JSON/),
  after('doubled comma', '[1,,2]', 3, /Malformed JSON/),
  after('missing comma', '[1 2]', 3, /Malformed JSON: expected ',' or ']'/),
  after('missing colon', '{"a" 1}', 5, /expected ':'/),
  after('mismatched bracket', '{"a":1]', 6, /expected ',' or '}'/),
  after('stray closing bracket at the top level', ']', 0, /']' with no array or object open/),
  { ...after('stray closing brace after a value', '[1]}', 3, /'}' with no array or object open/), before: [...goodMessages, [1]] },
  { ...after('comma between top-level values', '[1],[2]', 3, /',' where a value should start/), before: [...goodMessages, [1]] },
  after('unexpected byte at the top level', 'x', 0, /'x' where a value should start/),
  after('byte order mark', new Uint8Array([0xef, 0xbb, 0xbf, 0x5b, 0x5d]), 0, /byte 0xef where a value should start/),
  after('bad literal at the top level', 'nul!', 3, /invalid literal/),
  after('bad literal inside an array', '[tru]', 4, /invalid literal/),
  after('NaN', '[NaN]', 1, /where a value should start/),
  after('leading zero', '[01]', 2, /expected ',' or ']'/),
  after('bad number', '[1.]', 3, /no digits after the decimal point/),
  after('bad top-level number', '1.e5 ', 2, /no digits after the decimal point/),
  after('bad exponent', '[1e+]', 4, /no digits in the exponent/),
  after('single quotes', "['a']", 1, /where a value should start/),
  after('raw control character in a string', '["a\tb"]', 3, /unescaped character U\+0009/),
  after('invalid escape', '["a\\qb"]', 3, /invalid escape/),
  after('invalid unicode escape', '["\\u12G4"]', 2, /invalid \\u escape/),
  after('invalid escape after multi-byte text', '["éé\\q"]', 6, /invalid escape/),
  after('invalid UTF-8 byte', concat([utf8('["ab'), new Uint8Array([0xff]), utf8('"]')]), 4, /Invalid UTF-8/),
  after('overlong UTF-8', concat([utf8('["'), new Uint8Array([0xc0, 0x80]), utf8('"]')]), 2, /Invalid UTF-8/),
  after('UTF-8 surrogate', concat([utf8('["é'), new Uint8Array([0xed, 0xa0, 0x80]), utf8('"]')]), 4, /Invalid UTF-8/),
  after('truncated UTF-8 sequence', concat([utf8('["'), new Uint8Array([0xe2, 0x82]), utf8('"]')]), 2, /Invalid UTF-8/),
  after('nesting beyond maxDepth', '[[[[1]]]]', 3, /Nesting deeper than maxDepth \(3\)/, { maxDepth: 3 }),
  after('nesting beyond the default maxDepth', '['.repeat(DEFAULT_MAX_DEPTH + 1), DEFAULT_MAX_DEPTH, /maxDepth \(128\)/),
  after('objects count as nesting', '{"a":{"b":[{}]}}', 11, /maxDepth \(3\)/, { maxDepth: 3 }),
  after('message beyond maxMessageSize', '[1,2,3,4,5,6,7,8,9,10,11]', 20, /larger than maxMessageSize \(20 bytes\)/, { maxMessageSize: 20 }),
  after('string beyond maxMessageSize', `"${'a'.repeat(50)}"`, 20, /maxMessageSize/, { maxMessageSize: 20 }),
  after('number beyond maxMessageSize', '12345678901234567890123 ', 20, /maxMessageSize/, { maxMessageSize: 20 }),
  after('partial array at the end of the stream', '[1,[2,', 6, /stream ended inside a JSON value that started at byte 33/),
  after('partial string at the end of the stream', '"abc', 4, /stream ended inside/),
  after('partial escape at the end of the stream', '["a\\', 4, /stream ended inside/),
  after('partial literal at the end of the stream', 'fal', 3, /stream ended inside/),
  after('partial unicode escape', '["\\u12"]', 2, /invalid \\u escape/),
];

describe('hostile input: DecodeError with the stream offset, after every message before it', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const [split, cut] of Object.entries(splits)) {
      const result = decodeStream(cut(c.stream, mulberry32(11)), c.options);
      expect({ split, messages: result.messages }).toEqual({ split, messages: c.before });
      expect(DecodeError.isInstance(result.error)).toBe(true);
      const error = result.error as DecodeError;
      expect({ split, offset: error.offset }).toEqual({ split, offset: c.offset });
      expect(error.message).toMatch(c.error);
      expect(error.message).toContain(`(at byte ${c.offset})`);
    }
  });
});

describe('limits', () => {
  test('values exactly at the limits are accepted', () => {
    expect(decodeStream([utf8('[1,2,3,4] 1234567890 "12345678"\n')], { maxMessageSize: 10 }).messages).toEqual([[1, 2, 3, 4], 1234567890, '12345678']);
    expect(decodeStream([utf8('[[[1]]] {"a":{"b":{}}}')], { maxDepth: 3 }).messages).toEqual([[[[1]]], { a: { b: {} } }]);
    const deepest = '['.repeat(DEFAULT_MAX_DEPTH) + ']'.repeat(DEFAULT_MAX_DEPTH);
    expect(decodeStream([utf8(deepest)]).error).toBeUndefined();
  });

  test('a value growing past maxMessageSize fails on the chunk that passes the limit, before more is buffered', () => {
    const transformer = new JsonStreamTransformer({ maxMessageSize: 1000 });
    const out: unknown[] = [];
    transformer.decodeChunk(utf8('[1]\n["'), out);
    transformer.decodeChunk(utf8('a'.repeat(997)), out);
    expect(out).toEqual([[1]]);
    // Value starts at byte 4; bytes 4..1003 are within the limit, byte 1004 is not.
    let caught: unknown;
    try {
      transformer.decodeChunk(utf8('bb'), out);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).offset).toBe(1004);
  });

  test('a huge chunk holding an endless value is refused at the limit', () => {
    const transformer = new JsonStreamTransformer({ maxMessageSize: 1024 });
    const huge = new Uint8Array(64 * 1024 * 1024).fill(0x61); // 'a'
    huge[0] = 0x22; // '"': a string that never ends
    expect(() => transformer.decodeChunk(huge, [])).toThrow(/larger than maxMessageSize \(1024 bytes\) \(at byte 1024\)/);
  });

  test('the defaults are 16 MiB and 128 levels, and bad limits are refused', () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(16 * 1024 * 1024);
    expect(DEFAULT_MAX_DEPTH).toBe(128);
    expect(() => new JsonStreamTransformer({ maxMessageSize: 0 })).toThrow(RangeError);
    expect(() => new JsonStreamTransformer({ maxDepth: 1.5 })).toThrow(RangeError);
    const exactly = `"${'a'.repeat(DEFAULT_MAX_MESSAGE_SIZE - 2)}"`;
    const accepted = decodeStream([utf8(exactly)]);
    expect(accepted.error).toBeUndefined();
    expect((accepted.messages[0] as string).length).toBe(DEFAULT_MAX_MESSAGE_SIZE - 2);
    const refused = decodeStream([utf8(`${exactly} `.replace('"a', '"aa'))]);
    expect((refused.error as DecodeError).offset).toBe(DEFAULT_MAX_MESSAGE_SIZE);
  });

  test('finish reports a partial value once; nothing is invented after an error', () => {
    const transformer = new JsonStreamTransformer();
    const out: unknown[] = [];
    transformer.decodeChunk(utf8('[1] [2'), out);
    expect(() => transformer.finish(out)).toThrow(/stream ended inside a JSON value that started at byte 4 \(at byte 6\)/);
    expect(out).toEqual([[1]]);
  });
});

describe('hostile input on pipes', () => {
  test('an EventPipe emits the DecodeError after the good messages, then closes; nothing after it arrives', async () => {
    const [raw, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new JsonStreamTransformer().applyTransformer(b);
    const events: unknown[] = [];
    pipe.on('data', (message) => events.push(message));
    pipe.on('error', (error) => events.push(error));
    const closed = new Promise((resolve) => pipe.on('close', () => resolve(events.push('close'))));
    await raw.write(utf8('[1][2'));
    await raw.write(utf8(']]\n[3]'));
    await closed;
    expect(events.slice(0, 2)).toEqual([[1], [2]]);
    expect(events[2]).toBeInstanceOf(DecodeError);
    expect((events[2] as DecodeError).offset).toBe(6);
    expect(events.slice(3)).toEqual(['close']);
    expect(raw.closed).toBe(true);
  });

  test('a partial value when the transport closes is an error on the EventPipe', async () => {
    const [raw, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new JsonStreamTransformer().applyTransformer(b);
    const errors: unknown[] = [];
    const received: unknown[] = [];
    pipe.on('data', (message) => received.push(message));
    pipe.on('error', (error) => errors.push(error));
    const closed = new Promise((resolve) => pipe.on('close', resolve));
    await raw.write(utf8('{"a":1}\n{"b":'));
    await raw.terminate();
    await closed;
    expect(received).toEqual([{ a: 1 }]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as DecodeError).offset).toBe(13);
  });

  test('a top-level number ending the stream is delivered when the stream closes, before close', async () => {
    const direct = decodeStream([utf8('[1] 42')]);
    expect(direct.messages).toEqual([[1], 42]);
    const [raw, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new JsonStreamTransformer().applyTransformer(b);
    const seen: unknown[] = [];
    pipe.on('data', (message) => seen.push(message));
    pipe.on('error', (error) => seen.push(error));
    const closed = new Promise((resolve) => pipe.on('close', resolve));
    await raw.write(utf8('[1] 42'));
    await raw.terminate();
    await closed;
    expect(seen).toEqual([[1], 42]);
  });

  test('a pull Pipe surfaces the DecodeError as an error event and ends reads', async () => {
    const [raw, b] = Pipe.createPair<Uint8Array>();
    const pipe = new JsonStreamTransformer({ maxDepth: 2 }).applyTransformer(b);
    const errors: unknown[] = [];
    pipe.on('error', (error) => errors.push(error));
    await raw.write(utf8('[[1]]\n[[[2]]]\n[3]'));
    expect(await pipe.read(1000)).toEqual([[1]]);
    expect(await pipe.read(1000)).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect((errors[0] as DecodeError).offset).toBe(8);
  });
});
