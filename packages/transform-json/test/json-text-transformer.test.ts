import { describe, expect, test } from '@jest/globals';
import { DecodeError, EncodeError, EventPipe } from '@cbor-rpc/core';
import { JsonTextTransformer } from '../src/index.js';

describe('JsonTextTransformer: one string chunk is one JSON value', () => {
  test('encodes to text and decodes it back, big integers included', () => {
    const json = new JsonTextTransformer();
    expect(json.encode([1, 0, 1, 'add', ['é', 5]])).toBe('[1,0,1,"add",["é",5]]');
    expect(json.decode(' {"a":12345678901234567890} ')).toEqual({ a: 12345678901234567890n });
  });

  test('the limits count UTF-8 bytes, both ways', () => {
    const json = new JsonTextTransformer({ maxMessageSize: 6 });
    expect(json.encode('éé')).toBe('"éé"'); // 6 bytes
    expect(() => json.encode('ééé')).toThrow(EncodeError);
    expect(() => json.decode('"ééé"')).toThrow(/maxMessageSize \(6 bytes\)/);
  });

  test('malformed text is a DecodeError with the byte offset, binary values an EncodeError', () => {
    const json = new JsonTextTransformer();
    expect(() => json.decode('["é",}')).toThrow(DecodeError);
    expect(() => json.decode('["é",}')).toThrow(/at byte 6/);
    expect(() => json.encode([new Uint8Array(1)])).toThrow(EncodeError);
  });

  test('serves a pipe of strings', async () => {
    const [a, b] = EventPipe.createInMemoryPair<string>();
    const left = new JsonTextTransformer().applyTransformer(a);
    const right = new JsonTextTransformer().applyTransformer(b);
    const got = new Promise((resolve) => right.once('data', resolve));
    await left.write({ hello: ['world', 1] });
    expect(await got).toEqual({ hello: ['world', 1] });
  });
});
