// A value with no faithful CBOR form is an EncodeError naming its type, never
// `{}` or its own fields (issue 14: a returned Error arrived as `{}`). Values
// that have one round-trip to an equal value, with cbor2's bytes.
import { describe, expect, test } from '@jest/globals';
import { EncodeError, EventPipe } from '@cbor-rpc/core';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { HostileServer } from '@cbor-rpc/test-support/hostile-server';
import { encode, Simple, Tag } from 'cbor2';
import { CborStreamTransformer, CborTransformer, decodeCbor, encodeCbor } from '../src/index.js';
import { difference, hex } from './helpers.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('refused, with the type in the message', () => {
  test.each<[string, unknown, RegExp]>([
    ['an Error', new Error('boom'), /Cannot encode an Error \(Error\): it has no faithful CBOR form \(it would arrive as \{\}/],
    ['a TypeError inside a reply', [1, 2, 7, true, { result: new TypeError('x') }], /Cannot encode an Error \(TypeError\)/],
    ['a WeakMap', new WeakMap(), /Cannot encode an instance of WeakMap: .*entries cannot be listed/],
    ['a WeakSet', new WeakSet(), /Cannot encode an instance of WeakSet/],
    ['a function', () => 1, /Cannot encode a function/],
    ['a function as a Map value', new Map([[1, () => 1]]), /Cannot encode a function/],
    ['a class instance', new Point(1, 2), /Cannot encode an instance of Point: .*convert it to a plain object/],
    ['a Promise', Promise.resolve(1), /Cannot encode an instance of Promise/],
    ['a symbol', Symbol('s'), /Cannot encode a symbol/],
    ['an ArrayBuffer', new ArrayBuffer(4), /Cannot encode an instance of ArrayBuffer: .*send a Uint8Array/],
    ['a DataView', new DataView(new ArrayBuffer(4)), /Cannot encode an instance of DataView/],
    ['a URL', new URL('https://example.com/'), /Cannot encode an instance of URL/],
    ['a Simple in the reserved range 24..31', new Simple(24), /Cannot encode a Simple/],
    ['a Tag with a negative number', new Tag(-1, 0), /Cannot encode a Tag numbered -1/],
  ])('%s', (_name, value, message) => {
    let error: unknown;
    try {
      encodeCbor(value);
    } catch (caught) {
      error = caught;
    }
    expect(EncodeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as EncodeError).data).toEqual({ type: expect.any(String) });
  });

  test('the transformers refuse too, and a pipe write rejects while the pipe stays open', async () => {
    expect(() => new CborTransformer().encode({ error: new Error('x') })).toThrow(EncodeError);
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const left = new CborStreamTransformer().applyTransformer(a);
    const right = new CborStreamTransformer().applyTransformer(b);
    const seen: unknown[] = [];
    right.on('data', (message) => void seen.push(message));
    await expect(left.write([1, 2, 1, true, new Error('x')])).rejects.toThrow(/Cannot encode an Error/);
    await left.write([1, 2, 1, true, 'fine']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual([[1, 2, 1, true, 'fine']]);
    await left.terminate();
  });
});

describe('faithful values round-trip, with the bytes cbor2 writes', () => {
  test.each<[string, unknown]>([
    ["a Buffer (as a byte string, not cbor2's map)", Buffer.from([1, 2, 3])],
    [
      'a Map with keys of every kind',
      new Map<unknown, unknown>([
        ['a', 1],
        [2, 'two'],
        [2.5, null],
        [2n ** 70n, [1]],
        [-3, true],
      ]),
    ],
    ['a Set', new Set([1, 'a', 2n ** 80n])],
    ['a Date', new Date(1700000000123)],
    ['a Date before 1970 with whole seconds', new Date(-86400000)],
    ['a Tag the package does not interpret', new Tag(40000, { a: [1] })],
    ['a Tag with a 64-bit number', new Tag(2n ** 63n, 'x')],
    ['a Simple', new Simple(16)],
    ['boxed primitives, as their values', [Object(1.5), Object('s'), Object(true), Object(2n ** 70n)]],
    ['bignums', [2n ** 64n, -(2n ** 64n) - 1n, 2n ** 1000n + 12345n]],
    [
      'every typed array',
      [
        new Uint8ClampedArray([0, 255]),
        new Int8Array([-128, 127]),
        new Uint16Array([1, 65535]),
        new Int16Array([-2, 2]),
        new Uint32Array([2 ** 32 - 1]),
        new Int32Array([-(2 ** 31)]),
        new BigUint64Array([2n ** 64n - 1n]),
        new BigInt64Array([-(2n ** 63n)]),
        new Float32Array([1.5, -0]),
        new Float64Array([Math.PI, NaN]),
      ],
    ],
  ])('%s', (_name, value) => {
    const bytes = encodeCbor(value);
    expect(hex(bytes)).toBe(hex(value instanceof Buffer ? encode(new Uint8Array(value)) : encode(value)));
    const back = decodeCbor(bytes);
    const expected = value instanceof Buffer ? new Uint8Array(value) : value;
    const unboxed = Array.isArray(expected)
      ? expected.map((item: unknown) => (item instanceof Object && !ArrayBuffer.isView(item) ? (item as { valueOf(): unknown }).valueOf() : item))
      : expected;
    expect(difference(back, unboxed)).toBeUndefined();
  });
});

test('an invalid Date and a null-prototype object arrive as an invalid Date and a plain object', () => {
  expect(Number.isNaN((decodeCbor(encodeCbor(new Date(NaN))) as Date).getTime())).toBe(true);
  expect(hex(encodeCbor(new Date(NaN)))).toBe(hex(encode(new Date(NaN))));
  const bare = Object.assign(Object.create(null) as object, { a: 1 });
  expect(hex(encodeCbor(bare))).toBe(hex(encode(bare)));
  expect(decodeCbor(encodeCbor(bare))).toEqual({ a: 1 });
});

describe('over RPC', () => {
  const cleanup = cleanupAfterEach();

  test('a handler that returns an Error: its caller gets an error reply naming the type, not {}', async () => {
    const server = await HostileServer.start('cbor', () => new CborStreamTransformer());
    cleanup(() => server.stop());
    await expect(server.call('returnError', [])).rejects.toThrow(/Cannot encode the result of returnError: Cannot encode an Error \(TypeError\)/);
  });
});
