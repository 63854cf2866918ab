import { describe, expect, test } from '@jest/globals';
import { EncodeError } from '@cbor-rpc/core';
import { JsonStreamTransformer, JsonTransformer } from '../src/index.js';
import { int, mulberry32, randomValue } from './helpers.js';

const text = new TextDecoder();
const json = new JsonTransformer();
const encode = (value: unknown): string => text.decode(json.encode(value));

/** The EncodeError that encoding `value` throws. */
function encodeError(value: unknown, transformer: { encode(message: unknown): Uint8Array } = json): EncodeError {
  try {
    transformer.encode(value);
  } catch (error) {
    if (error instanceof EncodeError) return error;
    throw error;
  }
  throw new Error('encode did not throw');
}

describe('binary is an EncodeError naming the path, never silent corruption', () => {
  test.each([
    ['Uint8Array in an RPC reply', [1, 2, 1, true, { name: 'x', blob: new Uint8Array([1, 2]) }], '$[4].blob', 'Uint8Array'],
    ['Node Buffer', { files: [{ data: Buffer.from('hi') }] }, '$.files[0].data', 'Buffer'],
    ['Uint8Array as the message', new Uint8Array(4), '$', 'Uint8Array'],
    ['Float64Array', [0, [new Float64Array(1)]], '$[1][0]', 'Float64Array'],
    ['DataView', { v: new DataView(new ArrayBuffer(2)) }, '$.v', 'DataView'],
    ['ArrayBuffer', { 'odd key': [new ArrayBuffer(2)] }, '$["odd key"][0]', 'ArrayBuffer'],
    ['binary inside a bigint message (slow path)', [2n ** 64n, { b: new Uint8Array(1) }], '$[1].b', 'Uint8Array'],
    ['binary returned by toJSON', [{ toJSON: () => new Uint8Array(1) }], '$[0]', 'Uint8Array'],
  ])('%s', (_name, value, path, kind) => {
    const error = encodeError(value);
    expect(error.message).toBe(
      `Cannot encode binary data (${kind}) at ${path}: JSON has no binary type; use the CBOR transformer, or encode the bytes as text (base64) yourself`,
    );
    expect(error.data).toEqual({ path });
    expect(EncodeError.isInstance(error)).toBe(true);
  });
});

describe('values JSON cannot carry', () => {
  test.each([
    ['a function', { f: () => 1 }, /Cannot encode a function at \$\.f/],
    ['a symbol in an array', [1, Symbol('s')], /Cannot encode a symbol at \$\[1\]/],
    ['NaN', { x: [NaN] }, /Cannot encode the number NaN at \$\.x\[0\]: JSON has no NaN or infinity/],
    ['Infinity', [-Infinity], /the number -Infinity at \$\[0\]/],
    ['a Map', { m: new Map([[1, 2]]) }, /Cannot encode a Map at \$\.m: JSON would silently drop its entries/],
    ['a Set', [new Set([1])], /Cannot encode a Set at \$\[0\]/],
    ['a WeakMap', [new WeakMap()], /a WeakMap at \$\[0\]/],
    ['undefined as the message', undefined, /Cannot encode undefined as a JSON message/],
    ['a function returned by toJSON', { a: { toJSON: () => () => 1 } }, /a function at \$\.a/],
  ])('%s is an EncodeError', (_name, value, message) => {
    expect(encodeError(value).message).toMatch(message);
  });

  test('a cyclic structure is an EncodeError saying where it refers back', () => {
    const root: Record<string, unknown> = { list: [1] };
    (root.list as unknown[]).push({ back: root });
    expect(encodeError(root).message).toBe('Cannot encode a cyclic structure as JSON: $.list[1].back refers back to $');
    const array: unknown[] = [];
    array.push(array);
    expect(encodeError([0, array]).message).toBe('Cannot encode a cyclic structure as JSON: $[1][0] refers back to $[1]');
  });

  test('nesting beyond maxDepth is an EncodeError; up to it is fine', () => {
    const transformer = new JsonTransformer({ maxDepth: 3 });
    expect(text.decode(transformer.encode([[[1]]]))).toBe('[[[1]]]');
    expect(encodeError([[[[1]]]], transformer).message).toBe('Cannot encode an array or object nested deeper than maxDepth (3) at $[0][0][0]');
    expect(encodeError({ a: [{ b: {} }] }, transformer).message).toMatch(/deeper than maxDepth \(3\) at \$\.a\[0\]\.b/);
    expect(encodeError([[[2n, [1]]]], transformer).message).toMatch(/maxDepth \(3\) at \$\[0\]\[0\]\[1\]/);
  });

  test('a message larger than maxMessageSize is an EncodeError; exactly at it is fine', () => {
    const transformer = new JsonStreamTransformer({ maxMessageSize: 10 });
    expect(text.decode(transformer.encode('12345678'))).toBe('"12345678"\n');
    expect(encodeError('123456789', transformer).message).toMatch(/larger than maxMessageSize \(10 bytes\)/);
    expect(encodeError('ééééé', transformer).message).toMatch(/message of 12 bytes/);
    expect(encodeError('x'.repeat(100), transformer).message).toMatch(/message of at least 102 bytes/);
    // Messages the general path writes (a bigint here) are refused before their bytes exist.
    expect(encodeError([1n, 'x'.repeat(100)], transformer).message).toMatch(/at least 106 bytes/);
  });
});

describe('what is written', () => {
  test('undefined is null in an array and leaves the property out of an object, as JSON.stringify does', () => {
    expect(encode([1, undefined, { a: undefined, b: 2 }])).toBe('[1,null,{"b":2}]');
    expect(encode([1n, undefined, { a: undefined, b: 2n }])).toBe('[1,null,{"b":2}]');
  });

  test('bigints are plain digits anywhere in the message', () => {
    expect(encode(2n ** 64n)).toBe('18446744073709551616');
    expect(encode({ a: [-(2n ** 100n), { 'k"': 0n }], b: 'x', c: [1.5, true, null] })).toBe(
      '{"a":[-1267650600228229401496703205376,{"k\\"":0}],"b":"x","c":[1.5,true,null]}',
    );
  });

  test('toJSON and boxed primitives follow JSON.stringify (class instances without toJSON: see strict-encoding)', () => {
    const value = [new Date(0), new String('s'), new Number(2), new Boolean(false), { toJSON: (key: string) => `key:${key}` }];
    expect(encode(value)).toBe(JSON.stringify(value));
    expect(encode({ when: new Date(0), n: Object(5n) })).toBe('{"when":"1970-01-01T00:00:00.000Z","n":5}');
    expect(encode({ nested: { toJSON: () => ({ big: 7n, toJSON: 'a string, not a method' }) } })).toBe(
      '{"nested":{"big":7,"toJSON":"a string, not a method"}}',
    );
  });

  test('strings: escapes, unicode, lone surrogates are written as JSON.stringify writes them', () => {
    const value = ['"\\/\b\f\n\r\t\u0000\u001f', 'é€😀𝄞', '\ud800', 'a\udfffb', '\u2028\u2029'];
    expect(encode(value)).toBe(JSON.stringify(value));
    expect(encode([1n, ...value])).toBe(`[1,${JSON.stringify(value).slice(1)}`);
  });

  test('a "__proto__" own key is written like any other key', () => {
    const value = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;
    expect(encode(value)).toBe('{"__proto__":{"a":1},"b":2}');
    expect(encode([0n, value])).toBe('[0,{"__proto__":{"a":1},"b":2}]');
  });

  test('random messages: the same text as JSON.stringify, with bigints as digits (differential, seeded)', () => {
    const marker = '\ue000';
    for (let seed = 1; seed <= 300; seed++) {
      const random = mulberry32(seed);
      const value = randomValue(random, 1 + int(random, 5));
      const reference = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item}${marker}` : item)).replace(
        new RegExp(`"${marker}(-?\\d+)${marker}"`, 'g'),
        '$1',
      );
      expect({ seed, text: encode(value) }).toEqual({ seed, text: reference });
    }
  });

  test('encoded messages are independent byte arrays even when small ones share a pool', () => {
    const stream = new JsonStreamTransformer();
    const first = stream.encode([1, 'a']);
    const second = stream.encode([2, 'b']);
    expect(text.decode(first)).toBe('[1,"a"]\n');
    expect(text.decode(second)).toBe('[2,"b"]\n');
    const big = stream.encode('x'.repeat(100_000));
    expect(big.length).toBe(100_003);
  });
});
