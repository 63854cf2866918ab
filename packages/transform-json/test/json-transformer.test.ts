import { describe, expect, test } from '@jest/globals';
import { DecodeError, EncodeError, EventPipe, Pipe } from '@cbor-rpc/core';
import { JsonTransformer } from '../src/index.js';
import { utf8 } from './helpers.js';

const text = new TextDecoder();

/** The DecodeError that decoding `chunk` throws. */
function decodeError(transformer: JsonTransformer, chunk: Uint8Array): DecodeError {
  try {
    transformer.decode(chunk);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('decode did not throw');
}

describe('JsonTransformer: one chunk is one JSON value', () => {
  test('encodes without a newline and decodes one value per chunk', () => {
    const json = new JsonTransformer();
    const chunk = json.encode([1, 0, 1, 'add', [5, 10]]);
    expect(text.decode(chunk)).toBe('[1,0,1,"add",[5,10]]');
    expect(json.decode(chunk)).toEqual([1, 0, 1, 'add', [5, 10]]);
    expect(json.decode(utf8(' \n{"a":12345678901234567890}\r\n'))).toEqual({ a: 12345678901234567890n });
    expect(json.decode(utf8('42'))).toBe(42);
    expect(json.decode(utf8('"é"'))).toBe('é');
  });

  test.each([
    ['an empty chunk', '', 0, /holds no JSON value/],
    ['only whitespace', ' \n', 2, /holds no JSON value/],
    ['two values', '[1] [2]', 4, /more data after the value/],
    ['two values back to back', '[1][2]', 3, /more data after the value/],
    ['a partial value', '[1,', 3, /ended inside a JSON value/],
    ['malformed JSON', '{"a":}', 5, /Malformed JSON/],
    ['nesting beyond maxDepth', '[[[1]]]', 2, /maxDepth \(2\)/],
    ['a chunk beyond maxMessageSize', '"abcdefghijkl"', 10, /maxMessageSize \(10 bytes\)/],
  ])('%s is a DecodeError with the chunk offset', (_name, chunk, offset, message) => {
    const error = decodeError(new JsonTransformer({ maxDepth: 2, maxMessageSize: 10 }), utf8(chunk));
    expect(error.offset).toBe(offset);
    expect(error.message).toMatch(message);
  });

  test('invalid UTF-8 is a DecodeError at the bad byte', () => {
    const error = decodeError(new JsonTransformer(), new Uint8Array([0x22, 0x61, 0xc3, 0x28, 0x22]));
    expect(error.offset).toBe(2);
    expect(error.message).toMatch(/Invalid UTF-8/);
  });

  test('is stateless: a bad chunk does not spoil the next, and one instance serves several pipes', async () => {
    const json = new JsonTransformer();
    expect(() => json.decode(utf8('[1'))).toThrow(DecodeError);
    expect(json.decode(utf8('[2]'))).toEqual([2]);
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const [c, d] = Pipe.createPair<Uint8Array>();
    const left = json.applyTransformer(a);
    const right = json.applyTransformer(b);
    const pullLeft = json.applyTransformer(c);
    const pullRight = json.applyTransformer(d);
    const received = new Promise((resolve) => right.on('data', resolve));
    await left.write([3, 0, 'tick', 2n ** 63n]);
    expect(await received).toEqual([3, 0, 'tick', 2n ** 63n]);
    await pullLeft.write({ hello: 'wörld' });
    expect(await pullRight.read(1000)).toEqual({ hello: 'wörld' });
    await expect(pullLeft.write([new Uint8Array(1)])).rejects.toThrow(EncodeError);
  });

  test('a bad chunk on a pipe is an error event, then the pipe closes', async () => {
    const [raw, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new JsonTransformer().applyTransformer(b);
    const events: unknown[] = [];
    pipe.on('data', (message) => events.push(message));
    pipe.on('error', (error) => events.push(error));
    const closed = new Promise((resolve) => pipe.on('close', resolve));
    await raw.write(utf8('[1]'));
    await raw.write(utf8('[1] x'));
    await closed;
    // The transport is closed with the pipe: nothing more can arrive.
    await expect(raw.write(utf8('[2]'))).rejects.toThrow('Connection closed');
    expect(events[0]).toEqual([1]);
    expect(events[1]).toBeInstanceOf(DecodeError);
    expect((events[1] as DecodeError).offset).toBe(4);
    expect(events).toHaveLength(2);
  });
});
