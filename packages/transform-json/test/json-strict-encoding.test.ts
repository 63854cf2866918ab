// A class instance has no faithful JSON form unless it says what its JSON is
// (toJSON): it is an EncodeError naming its type and path, instead of arriving
// as its own fields, or as {} for an Error (issue 14).
import { describe, expect, test } from '@jest/globals';
import { EncodeError } from '@cbor-rpc/core';
import { JsonStreamTransformer, JsonTransformer } from '../src/index.js';

const json = new JsonTransformer();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Money {
  constructor(readonly cents: number) {}
  toJSON(): string {
    return `${this.cents / 100} EUR`;
  }
}

describe('refused, with the type and the path', () => {
  test.each<[string, unknown, string]>([
    [
      'a returned Error',
      [1, 2, 7, true, new Error('boom')],
      'Cannot encode an Error (Error) at $[4]: it would arrive as {}; send its message, or a plain object',
    ],
    [
      'a TypeError in an object',
      { result: { error: new TypeError('x') } },
      'Cannot encode an Error (TypeError) at $.result.error: it would arrive as {}; send its message, or a plain object',
    ],
    [
      'a class instance',
      [new Point(1, 2)],
      'Cannot encode an instance of Point at $[0]: JSON would carry only its own fields, not its class; give it a toJSON or convert it to a plain object',
    ],
    [
      'a class instance next to a bigint (the slow path)',
      [2n ** 64n, new Point(1, 2)],
      'Cannot encode an instance of Point at $[1]: JSON would carry only its own fields, not its class; give it a toJSON or convert it to a plain object',
    ],
    [
      'a class instance that a toJSON returns',
      { a: { toJSON: () => new Point(0, 0) } },
      'Cannot encode an instance of Point at $.a: JSON would carry only its own fields, not its class; give it a toJSON or convert it to a plain object',
    ],
    [
      'a Promise',
      [Promise.resolve(1)],
      'Cannot encode an instance of Promise at $[0]: JSON would carry only its own fields, not its class; give it a toJSON or convert it to a plain object',
    ],
  ])('%s', (_name, value, message) => {
    for (const transformer of [json, new JsonStreamTransformer()]) {
      let error: unknown;
      try {
        transformer.encode(value);
      } catch (caught) {
        error = caught;
      }
      expect(EncodeError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(message);
    }
  });
});

describe('written', () => {
  test('class instances with toJSON (Date, URL, your own), boxed primitives, null-prototype objects', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    const value = [new Date(0), new URL('https://example.com/a'), new Money(250), Object(1), bare];
    expect(text(json.encode(value))).toBe('["1970-01-01T00:00:00.000Z","https://example.com/a","2.5 EUR",1,{"a":1}]');
  });
});
