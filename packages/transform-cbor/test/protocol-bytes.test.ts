// The example bytes of docs/protocol.md, exactly, in both directions and through
// every entry point.

import { describe, expect, test } from '@jest/globals';
import { CborStreamTransformer, CborTransformer, decodeCbor, encodeCbor } from '../src/index.js';
import { concat, difference, fromHex, hex } from './helpers.js';

const examples: Array<[unknown[], string]> = [
  [[1, 0, 1, 'add', [5, 10]], '85 01 00 01 63 616464 82 05 0a'],
  [[1, 2, 1, true, 15], '85 01 02 01 f5 0f'],
  [[1, 2, 1, false, 'Unknown method: x'], '85 01 02 01 f4 71 556e6b6e6f776e206d6574686f643a2078'],
  [[1, 3, 1], '83 01 03 01'],
  [[2, 1, 1, 50, null], '85 02 01 01 18 32 f6'],
  [[3, 0, 'tick', 1], '84 03 00 64 7469636b 01'],
];

describe('PROTOCOL.md example bytes', () => {
  test.each(examples)('%j is written as %s', (message, bytes) => {
    const expected = bytes.replace(/ /g, '');
    expect(hex(encodeCbor(message))).toBe(expected);
    expect(hex(new CborTransformer().encode(message))).toBe(expected);
    expect(hex(new CborStreamTransformer().encode(message))).toBe(expected);
  });

  test.each(examples)('%j is read back from %s', (message, bytes) => {
    const chunk = fromHex(bytes);
    expect(difference(decodeCbor(chunk), message)).toBeUndefined();
    expect(difference(new CborTransformer().decode(chunk), message)).toBeUndefined();
    const out: unknown[] = [];
    new CborStreamTransformer().decodeChunk(chunk, out);
    expect(difference(out, [message])).toBeUndefined();
  });

  test('all six examples back to back in one chunk are six messages, in order', () => {
    const out: unknown[] = [];
    const transformer = new CborStreamTransformer();
    transformer.decodeChunk(concat(examples.map(([, bytes]) => fromHex(bytes))), out);
    transformer.finish();
    expect(
      difference(
        out,
        examples.map(([message]) => message),
      ),
    ).toBeUndefined();
  });

  test('binary arrives as Uint8Array, text-keyed maps as plain objects, big integers as bigint', () => {
    const message = [1, 2, 2n ** 60n, true, { file: Buffer.from('hi'), size: 2n ** 53n + 1n, neg: -(2n ** 64n) }];
    const decoded = decodeCbor(encodeCbor(message)) as [number, number, bigint, boolean, Record<string, unknown>];
    expect(decoded[2]).toBe(2n ** 60n);
    expect(Object.getPrototypeOf(decoded[4])).toBe(Object.prototype);
    expect(decoded[4].file).toBeInstanceOf(Uint8Array);
    expect((decoded[4].file as Uint8Array).constructor).toBe(Uint8Array);
    expect(Array.from(decoded[4].file as Uint8Array)).toEqual([0x68, 0x69]);
    expect(decoded[4].size).toBe(2n ** 53n + 1n);
    expect(decoded[4].neg).toBe(-(2n ** 64n));
  });
});

describe('the test comparison itself', () => {
  test('tells apart what must differ', () => {
    expect(difference(-0, 0)).toBeDefined();
    expect(difference(1n, 1)).toBeDefined();
    expect(difference(Buffer.from([1]), new Uint8Array([1]))).toBeDefined();
    expect(difference({ a: 1, b: 2 }, { b: 2, a: 1 })).toBeDefined();
    expect(difference([1, , 3], [1, undefined, 3])).toBeDefined(); // eslint-disable-line no-sparse-arrays
    expect(difference({ constructor: [1] }, { constructor: [1] })).toBeUndefined();
    expect(difference(NaN, NaN)).toBeUndefined();
  });
});
