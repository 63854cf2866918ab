// The tag allow-list: what each supported tag decodes to (as cbor2 decodes it),
// what the others arrive as (cbor2's Tag, where cbor2 interprets some of them:
// the deliberate differences), refusal by option, and bad content.
import { describe, expect, test } from '@jest/globals';
import { DecodeError } from '@cbor-rpc/core';
import { decode, encode, Simple, Tag } from 'cbor2';
import { CborStreamTransformer, CborTransformer, decodeCbor } from '../src/index.js';
import { difference, fromHex, hex, int, mulberry32, pick, randomText, type Random } from './helpers.js';

/** Both decoders on `bytes`: the same values, types and prototypes. */
function sameAsCbor2(bytes: Uint8Array): string | undefined {
  return difference(decodeCbor(bytes, { allowIndefinite: true }), decode(bytes));
}

/** One test per row (a name and an item in hex): it decodes exactly as cbor2 decodes it. */
function decodesLikeCbor2(title: string, rows: Array<[string, string]>): void {
  test.each(rows)(title, (_name, text) => {
    expect(sameAsCbor2(fromHex(text))).toBeUndefined();
  });
}

describe('tags the package decodes, exactly as cbor2 does', () => {
  decodesLikeCbor2('tag %s', [
    ['0: date/time text', 'c074323031332d30332d32315432303a30343a30305a'],
    ['1: epoch seconds, integer', 'c11a514b67b0'],
    ['1: epoch seconds, float', 'c1fb41d452d9ec200000'],
    ['2: bignum', 'c249010000000000000000'],
    ['2: empty bignum is 0n', 'c240'],
    ['2: bignum with leading zero bytes', 'c2490000000000000000ff'],
    ['3: negative bignum', 'c349010000000000000000'],
    ['258: set', 'd9010283010203'],
    ['258: set with repeats', 'd9010284010201c24101'],
    ['55799: self-described, around a map', 'd9d9f7a16161f5'],
    ['55799 twice', 'd9d9f7d9d9f701'],
    ['64: uint8 typed array', 'd84043010203'],
    ['65: uint16 big endian', 'd84144000100ff'],
    ['69: uint16 little endian', 'd84544000100ff'],
    ['66 and 70: uint32', '82d84244000000ffd84644ff000000'],
    ['67 and 71: uint64', '82d8434800000000000000ffd84748ff00000000000000'],
    ['68: uint8 clamped', 'd8444201ff'],
    ['72: sint8', 'd8484201ff'],
    ['73, 74, 75: signed big endian', '83d84942fffed84a44fffffffed84b48fffffffffffffffe'],
    ['77, 78, 79: signed little endian', '83d84d42feffd84e44feffffffd84f48feffffffffffffff'],
    ['81, 82: floats big endian', '82d851443fc00000d852483ff8000000000000'],
    ['85, 86: floats little endian', '82d8554400c03f00d85648000000000000f83f'],
    ['a supported tag inside an unknown one', 'd9fde8c24101'],
  ]);

  test('a bignum of 1 MiB is the same bigint', () => {
    const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 7 + 3) & 0xff);
    const item = new Uint8Array([0xc2, 0x5a, 0x00, 0x10, 0x00, 0x00, ...bytes]);
    const expected = BigInt(`0x${hex(bytes)}`);
    expect(decodeCbor(item)).toBe(expected);
    expect(decodeCbor(new Uint8Array([0xc3, ...item.subarray(1)]))).toBe(-1n - expected);
  });
});

describe('tags the package does not interpret arrive as a Tag of number and decoded content', () => {
  decodesLikeCbor2('%s, as cbor2 gives', [
    ['24: embedded CBOR (cbor2 keeps it a Tag too)', 'd81843a10102'],
    ['an unassigned tag', 'd9fde8820102'],
    ['a 64-bit tag number (a bigint)', 'dbffffffffffffff0001'],
    ['a tag whose content is a map with an integer key', 'd9fde8a10102'],
  ]);

  // Where cbor2 interprets these, this package deliberately does not: each
  // would cost more than its bytes, or make a value the collector cannot free.
  test.each<[number, string, string]>([
    [32, 'URI: cbor2 makes a URL', 'd8207368747470733a2f2f6578616d706c652e636f6d'],
    [33, 'base64url text: cbor2 decodes it to bytes', 'd821644151494a'],
    [34, 'base64 text: cbor2 decodes it to bytes', 'd822644151494a'],
    [35, 'regular expression: cbor2 compiles it', 'd8236461622b63'],
    [100, 'epoch days: cbor2 makes a Date', 'd8641903e8'],
    [262, 'embedded JSON: cbor2 runs JSON.parse, with no depth limit', 'd90106697b2261223a5b315d7d'],
    [273, 'WTF-8 text: cbor2 decodes it', 'd90111436f6b21'],
    [280, 'symbol: cbor2 makes Symbol.for(text), which is never freed', 'd901186568656c6c6f'],
    [1004, 'full date: cbor2 makes a Date', 'd903ec6a323032332d30312d3031'],
    [21066, 'regular expression: cbor2 compiles it', 'd9524a826161616d'],
    [65535, 'always invalid: cbor2 throws', 'd9ffff00'],
  ])('tag %i (%s)', (tag, _name, text) => {
    const value = decodeCbor(fromHex(text));
    expect(value).toBeInstanceOf(Tag);
    expect((value as Tag).tag).toBe(tag);
    // The content is decoded as any item is (here: cbor2's content, un-interpreted).
    const content = decode(fromHex(text).subarray(tag < 256 ? 2 : 3));
    expect(difference((value as Tag).contents, content)).toBeUndefined();
  });

  test('a Tag arrives intact through a transformer and can be sent back as it came', () => {
    const transformer = new CborTransformer();
    const bytes = fromHex('d901186568656c6c6f');
    const value = transformer.decode(bytes);
    expect(hex(transformer.encode(value))).toBe(hex(bytes));
  });
});

describe('unknownTags: refuse', () => {
  test.each<[string, string, number]>([
    ['an unassigned tag', '8201d9fde801', 2],
    ['tag 280 inside a map', 'a16161d901186161', 3],
    ['tag 24', 'd81841f6', 0],
  ])('%s is a DecodeError at its head', (_name, text, offset) => {
    expect(() => decodeCbor(fromHex(text), { unknownTags: 'refuse' })).toThrow(
      new RegExp(`Tag \\d+ is not one this package decodes, and unknownTags is 'refuse' \\(at byte ${offset}\\)`),
    );
  });

  test('the allow-list still decodes, and the stream transformer refuses too', () => {
    expect(decodeCbor(fromHex('82c24101d9d9f7c11a514b67b0'), { unknownTags: 'refuse' })).toEqual([1n, new Date(1363896240000)]);
    const out: unknown[] = [];
    expect(() => new CborStreamTransformer({ unknownTags: 'refuse' }).decodeChunk(fromHex('83010301d9fde801'), out)).toThrow(DecodeError);
    expect(out).toEqual([[1, 3, 1]]);
  });

  test('the option takes only keep or refuse', () => {
    expect(() => new CborTransformer({ unknownTags: 'drop' as 'keep' })).toThrow(RangeError);
  });
});

describe('content a supported tag cannot take is a DecodeError at the tag', () => {
  test.each<[string, string, RegExp]>([
    ['bignum around text', '8201c26161', /tag 2 \(bignum\) must hold a byte string, got a text string \(at byte 2\)/],
    ['negative bignum around an array', 'c380', /tag 3 \(negative bignum\) must hold a byte string, got an array/],
    ['epoch date around text', 'c16161', /tag 1 \(epoch date\) must hold a number, got a text string/],
    ['epoch date around a bigint', 'c11bffffffffffffffff', /tag 1 \(epoch date\) must hold a number, got a bigint/],
    ['date text around a number', 'c001', /tag 0 \(date\/time text\) must hold a text string, got a number/],
    ['set around a map', 'd90102a0', /tag 258 \(set\) must hold an array, got a map/],
    ['uint16 array of 3 bytes', 'd84543010203', /tag 69 \(typed array\) must hold a byte count divisible by 2, got 3 bytes/],
    ['float64 array around text', 'd8566161', /tag 86 \(typed array\) must hold a byte string, got a text string/],
  ])('%s', (_name, text, message) => {
    expect(() => decodeCbor(fromHex(text))).toThrow(DecodeError);
    expect(() => decodeCbor(fromHex(text))).toThrow(message);
  });
});

decodesLikeCbor2('indefinite lengths with tags and non-text keys: %s, as cbor2 gives', [
  ['an indefinite map with an integer key (a Map)', 'bf0102ff'],
  ['an indefinite map with an indefinite text key (still an object)', 'bf7f6161ff01ff'],
  ['an indefinite map that turns into a Map after a text key', 'bf616101c24101f5ff'],
  ['an indefinite array of tags', '9fc24101d9d9f702d9fde803ff'],
  ['an indefinite byte string inside a bignum tag', 'c25f41014102ff'],
  ['a definite map holding an indefinite one', 'a16161bf01f4ff'],
]);

/** Random values of every kind cbor2 writes and this package reads the same way: tags of the allow-list and unknown ones, non-text keys, simple values. */
function randomRich(random: Random, depth: number): unknown {
  const leaf = depth >= 4 || random() < 0.45;
  if (leaf) {
    switch (int(random, 10)) {
      case 0:
        return new Tag(
          2,
          Uint8Array.from({ length: int(random, 40) }, () => int(random, 256)),
        );
      case 1:
        return (random() < 0.5 ? -1n : 1n) * (2n ** BigInt(64 + int(random, 300)) + BigInt(int(random, 1000)));
      case 2:
        return new Date(int(random, 2 ** 40) * (random() < 0.5 ? 1 : 0.001));
      case 3:
        return new Simple(pick(random, [0, 7, 19, 32, 99, 255]));
      case 4:
        return pick(random, [new Float32Array([1.5, -2]), new Int16Array([-5, 5]), new BigUint64Array([2n ** 64n - 1n]), new Uint8ClampedArray([9])]);
      case 5:
        return randomText(random, 10);
      case 6:
        return random() * 100;
      default:
        return int(random, 100000) - 50000;
    }
  }
  const size = int(random, 5);
  const children = () => Array.from({ length: size }, () => randomRich(random, depth + 1));
  switch (int(random, 6)) {
    case 0:
      return children();
    case 1:
      return new Map(children().map((child, i) => [pick(random, [i, `k${i}`, -i - 0.5, BigInt(i) << 70n, [i]]), child]));
    case 2:
      return Object.fromEntries(children().map((child, i) => [pick(random, ['a', '0', '__proto__', `k${i}`]), child]));
    case 3:
      return new Tag(55799, children());
    case 4:
      return new Set(children().filter((child) => typeof child !== 'object'));
    default:
      return new Tag(pick(random, [6, 7, 1000, 40000, 2 ** 40]), children());
  }
}

test.each([21, 22, 23])('seeded random values with tags and non-text keys decode exactly like cbor2 (seed %i)', (seed) => {
  const random = mulberry32(seed);
  const problems: string[] = [];
  for (let i = 0; i < 1500 && problems.length < 5; i++) {
    const bytes = encode(randomRich(random, 0));
    const found = sameAsCbor2(bytes);
    if (found !== undefined) problems.push(`seed ${seed} value ${i} (${hex(bytes).slice(0, 60)}): ${found}`);
  }
  expect(problems).toEqual([]);
});

test('a map whose keys turn out not to be all text keeps its entries in order, integer-like text keys too', () => {
  const maps = [
    new Map<unknown, unknown>([
      ['b', 1],
      ['1', 2],
      ['a', 3],
      [5, 4],
    ]),
    new Map<unknown, unknown>([
      ['1', 'x'],
      ['b', 'y'],
      ['0', 'w'],
      [0, 'z'],
    ]),
    new Map<unknown, unknown>([
      ['z', 1],
      ['__proto__', 2],
      ['10', 3],
      ['2', 4],
      [2n ** 70n, 5],
      ['9', 6],
    ]),
  ];
  for (const map of maps) expect(sameAsCbor2(encode(map))).toBeUndefined();
  // Duplicate keys: the last value at the first key's place, as cbor2 gives.
  expect(sameAsCbor2(fromHex('a4' + '616201' + '613102' + '616203' + 'f404'))).toBeUndefined();
  // Nested: an inner object with integer-like keys inside an outer map that becomes a Map.
  expect(
    sameAsCbor2(
      encode(
        new Map<unknown, unknown>([
          ['7', { 3: 'c', b: 'b', 1: 'a' }],
          [
            1,
            new Map<unknown, unknown>([
              ['2', 0],
              [3, 1],
            ]),
          ],
        ]),
      ),
    ),
  ).toBeUndefined();
});
